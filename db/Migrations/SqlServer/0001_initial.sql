-- ESeal schema, SQL Server dialect (production). Keep in step with Sqlite/0001_initial.sql.
-- "version" columns carry optimistic concurrency with the same code as on SQLite.

CREATE TABLE dbo.enterprises (
    id                  uniqueidentifier NOT NULL CONSTRAINT pk_enterprises PRIMARY KEY,
    credit_code         nvarchar(18)     NOT NULL CONSTRAINT ux_enterprises_credit_code UNIQUE,
    name                nvarchar(200)    NOT NULL,
    legal_rep_name      nvarchar(100)    NOT NULL,
    legal_rep_id_number nvarchar(40)     NOT NULL,
    created_at          datetimeoffset   NOT NULL
);
GO

CREATE TABLE dbo.seals (
    id              uniqueidentifier NOT NULL CONSTRAINT pk_seals PRIMARY KEY,
    enterprise_id   uniqueidentifier NOT NULL CONSTRAINT fk_seals_enterprise REFERENCES dbo.enterprises(id),
    seal_code       nvarchar(40)     NOT NULL CONSTRAINT ux_seals_code UNIQUE,
    seal_type       nvarchar(40)     NOT NULL,
    name            nvarchar(200)    NOT NULL,
    impression_svg  nvarchar(max)    NULL,
    status          nvarchar(16)     NOT NULL CONSTRAINT ck_seals_status CHECK (status IN (N'Unbound', N'UsbKey', N'Mobile')),
    version         int              NOT NULL CONSTRAINT df_seals_version DEFAULT 1,
    created_at      datetimeoffset   NOT NULL,
    updated_at      datetimeoffset   NOT NULL
);
CREATE INDEX ix_seals_enterprise ON dbo.seals(enterprise_id);
GO

CREATE TABLE dbo.media (
    id              uniqueidentifier NOT NULL CONSTRAINT pk_media PRIMARY KEY,
    kind            nvarchar(16)     NOT NULL CONSTRAINT ck_media_kind CHECK (kind IN (N'UsbKey', N'Mobile')),
    identifier      nvarchar(128)    NOT NULL,
    cert_sha256     nvarchar(64)     NULL,
    cert_serial     nvarchar(128)    NULL,
    cert_issuer     nvarchar(512)    NULL,
    cert_subject    nvarchar(512)    NULL,
    created_at      datetimeoffset   NOT NULL,
    updated_at      datetimeoffset   NOT NULL,
    CONSTRAINT ux_media_kind_identifier UNIQUE (kind, identifier)
);
GO

CREATE TABLE dbo.seal_bindings (
    id                      uniqueidentifier NOT NULL CONSTRAINT pk_seal_bindings PRIMARY KEY,
    seal_id                 uniqueidentifier NOT NULL CONSTRAINT fk_seal_bindings_seal REFERENCES dbo.seals(id),
    medium_id               uniqueidentifier NOT NULL CONSTRAINT fk_seal_bindings_medium REFERENCES dbo.media(id),
    active                  bit              NOT NULL,
    channel                 nvarchar(16)     NOT NULL,
    bound_at                datetimeoffset   NOT NULL,
    bound_by_instance_id    uniqueidentifier NULL,
    holder_name             nvarchar(100)    NULL,
    holder_id_type          nvarchar(40)     NULL,
    holder_id_number        nvarchar(40)     NULL,
    holder_phone            nvarchar(20)     NULL,
    unbound_at              datetimeoffset   NULL,
    unbound_by_instance_id  uniqueidentifier NULL,
    unbind_reason           nvarchar(200)    NULL,
    version                 int              NOT NULL CONSTRAINT df_seal_bindings_version DEFAULT 1
);
CREATE UNIQUE INDEX ux_seal_bindings_active_seal   ON dbo.seal_bindings(seal_id)   WHERE active = 1;
CREATE UNIQUE INDEX ux_seal_bindings_active_medium ON dbo.seal_bindings(medium_id) WHERE active = 1;
CREATE INDEX ix_seal_bindings_seal ON dbo.seal_bindings(seal_id);
GO

CREATE TABLE dbo.committed_operations (
    operation_id    uniqueidentifier NOT NULL CONSTRAINT pk_committed_operations PRIMARY KEY,
    kind            nvarchar(16)     NOT NULL,
    binding_id      uniqueidentifier NULL,
    committed_at    datetimeoffset   NOT NULL
);
GO

CREATE TABLE dbo.audit_events (
    seq             bigint IDENTITY(1, 1) NOT NULL CONSTRAINT pk_audit_events PRIMARY KEY,
    id              uniqueidentifier NOT NULL CONSTRAINT ux_audit_events_id UNIQUE,
    occurred_at     datetimeoffset   NOT NULL,
    kind            nvarchar(40)     NOT NULL,
    actor           nvarchar(200)    NOT NULL,
    enterprise_id   uniqueidentifier NULL,
    seal_id         uniqueidentifier NULL,
    medium_id       uniqueidentifier NULL,
    instance_id     uniqueidentifier NULL,
    data            nvarchar(max)    NOT NULL,
    prev_hash       char(64)         NOT NULL CONSTRAINT ux_audit_events_prev_hash UNIQUE,
    hash            char(64)         NOT NULL CONSTRAINT ux_audit_events_hash UNIQUE
);
GO

CREATE TRIGGER dbo.tr_audit_events_append_only ON dbo.audit_events
INSTEAD OF UPDATE, DELETE
AS
BEGIN
    THROW 51000, N'audit_events is append-only', 1;
END;
GO

CREATE TABLE dbo.pin_lockouts (
    token_serial        nvarchar(128)    NOT NULL CONSTRAINT pk_pin_lockouts PRIMARY KEY,
    failed_attempts     int              NOT NULL CONSTRAINT df_pin_lockouts_failed DEFAULT 0,
    last_failed_at      datetimeoffset   NULL,
    locked_at           datetimeoffset   NULL,
    cleared_at          datetimeoffset   NULL,
    cleared_by          nvarchar(200)    NULL,
    version             int              NOT NULL CONSTRAINT df_pin_lockouts_version DEFAULT 1
);
GO

CREATE TABLE dbo.flow_definitions (
    id              uniqueidentifier NOT NULL CONSTRAINT pk_flow_definitions PRIMARY KEY,
    definition_id   nvarchar(100)    NOT NULL,
    version         int              NOT NULL,
    name            nvarchar(200)    NOT NULL,
    is_published    bit              NOT NULL,
    json            nvarchar(max)    NOT NULL,
    created_at      datetimeoffset   NOT NULL,
    created_by      nvarchar(200)    NOT NULL,
    published_at    datetimeoffset   NULL,
    CONSTRAINT ux_flow_definitions_version UNIQUE (definition_id, version)
);
GO

CREATE TABLE dbo.flow_instances (
    id                  uniqueidentifier NOT NULL CONSTRAINT pk_flow_instances PRIMARY KEY,
    definition_id       nvarchar(100)    NOT NULL,
    definition_version  int              NOT NULL,
    status              nvarchar(16)     NOT NULL,
    current_activity_id nvarchar(100)    NULL,
    step_token          nvarchar(64)     NOT NULL,
    owner_session       nvarchar(128)    NOT NULL,
    variables           nvarchar(max)    NOT NULL,
    not_before          datetimeoffset   NULL,
    created_at          datetimeoffset   NOT NULL,
    updated_at          datetimeoffset   NOT NULL,
    expires_at          datetimeoffset   NOT NULL,
    version             int              NOT NULL CONSTRAINT df_flow_instances_version DEFAULT 1
);
CREATE INDEX ix_flow_instances_status_expires ON dbo.flow_instances(status, expires_at);
GO

CREATE TABLE dbo.outbox (
    id                  uniqueidentifier NOT NULL CONSTRAINT pk_outbox PRIMARY KEY,
    created_at          datetimeoffset   NOT NULL,
    kind                nvarchar(40)     NOT NULL,
    payload             nvarchar(max)    NOT NULL,
    idempotency_key     nvarchar(100)    NOT NULL CONSTRAINT ux_outbox_idempotency UNIQUE,
    attempts            int              NOT NULL CONSTRAINT df_outbox_attempts DEFAULT 0,
    next_attempt_at     datetimeoffset   NOT NULL,
    delivered_at        datetimeoffset   NULL,
    last_error          nvarchar(2000)   NULL,
    version             int              NOT NULL CONSTRAINT df_outbox_version DEFAULT 1
);
CREATE INDEX ix_outbox_pending ON dbo.outbox(delivered_at, next_attempt_at);
GO
