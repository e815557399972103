-- 办理回执 (SPEC §9, issue 12 item 7). Keep in step with Sqlite/0008_receipts.sql (reasons there).
CREATE TABLE dbo.receipts (
    code                    nvarchar(32)     NOT NULL CONSTRAINT pk_receipts PRIMARY KEY,
    operation_id            uniqueidentifier NOT NULL CONSTRAINT ux_receipts_operation UNIQUE,
    binding_id              uniqueidentifier NOT NULL CONSTRAINT fk_receipts_binding REFERENCES dbo.seal_bindings(id),
    action                  nvarchar(16)     NOT NULL CONSTRAINT ck_receipts_action CHECK (action IN (N'Bind', N'Unbind', N'Claim')),
    issued_at               datetimeoffset   NOT NULL,
    enterprise_name         nvarchar(200)    NOT NULL,
    credit_code             nvarchar(18)     NOT NULL,
    legal_rep_name          nvarchar(100)    NOT NULL,
    seal_type               nvarchar(50)     NOT NULL,
    seal_name               nvarchar(200)    NOT NULL,
    channel                 nvarchar(16)     NOT NULL,
    kiosk_hall              nvarchar(100)    NULL,
    kiosk_name              nvarchar(50)     NULL,
    holder_name_masked      nvarchar(100)    NULL,
    holder_id_type          nvarchar(50)     NULL,
    holder_id_number_masked nvarchar(40)     NULL,
    holder_phone_masked     nvarchar(20)     NULL
);
GO

CREATE INDEX ix_receipts_binding ON dbo.receipts(binding_id);
GO
