-- Staff of the back office (SPEC §7, issue 10). Keep in step with Sqlite/0004_staff.sql
-- (the columns are explained there).
CREATE TABLE dbo.staff_accounts (
    id                   uniqueidentifier NOT NULL CONSTRAINT pk_staff_accounts PRIMARY KEY,
    username             nvarchar(64)     NOT NULL,
    username_normalized  nvarchar(64)     NOT NULL CONSTRAINT ux_staff_accounts_username UNIQUE,
    display_name         nvarchar(100)    NOT NULL,
    password_hash        nvarchar(200)    NULL,
    security_stamp       nvarchar(64)     NOT NULL,
    is_disabled          bit              NOT NULL CONSTRAINT df_staff_accounts_disabled DEFAULT 0,
    failed_sign_ins      int              NOT NULL CONSTRAINT df_staff_accounts_failed DEFAULT 0,
    locked_until         datetimeoffset   NULL,
    last_sign_in_at      datetimeoffset   NULL,
    password_changed_at  datetimeoffset   NULL,
    created_at           datetimeoffset   NOT NULL,
    created_by           nvarchar(200)    NOT NULL,
    version              int              NOT NULL CONSTRAINT df_staff_accounts_version DEFAULT 1
);
GO

CREATE TABLE dbo.staff_roles (
    staff_id    uniqueidentifier NOT NULL CONSTRAINT fk_staff_roles_account REFERENCES dbo.staff_accounts(id),
    role        nvarchar(16)     NOT NULL CONSTRAINT ck_staff_roles_role CHECK (role IN (N'Operator', N'Analyst', N'Approver', N'Auditor', N'Admin')),
    CONSTRAINT pk_staff_roles PRIMARY KEY (staff_id, role)
);
GO

CREATE INDEX ix_audit_events_actor ON dbo.audit_events(actor);
CREATE INDEX ix_audit_events_occurred_at ON dbo.audit_events(occurred_at);
GO
