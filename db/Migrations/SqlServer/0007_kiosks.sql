-- The service hall (SPEC §9, issue 12). Keep in step with Sqlite/0007_kiosks.sql (reasons there).
CREATE TABLE dbo.kiosks (
    id              uniqueidentifier NOT NULL CONSTRAINT pk_kiosks PRIMARY KEY,
    hall            nvarchar(100)    NOT NULL,
    name            nvarchar(50)     NOT NULL,
    token_hash      nvarchar(64)     NOT NULL CONSTRAINT ux_kiosks_token_hash UNIQUE,
    receipt_paper   nvarchar(8)      NOT NULL CONSTRAINT df_kiosks_receipt_paper DEFAULT N'A4'
                                     CONSTRAINT ck_kiosks_receipt_paper CHECK (receipt_paper IN (N'A4', N'80mm')),
    enrolled_at     datetimeoffset   NOT NULL,
    enrolled_by     nvarchar(200)    NOT NULL,
    revoked_at      datetimeoffset   NULL,
    revoked_by      nvarchar(200)    NULL
);
GO

CREATE UNIQUE INDEX ux_kiosks_active_name ON dbo.kiosks(hall, name) WHERE revoked_at IS NULL;
GO

ALTER TABLE dbo.seal_bindings ADD
    kiosk_id    uniqueidentifier NULL,
    kiosk_hall  nvarchar(100)    NULL,
    kiosk_name  nvarchar(50)     NULL;
GO

ALTER TABLE dbo.media ADD
    cert_not_before datetimeoffset NULL,
    cert_not_after  datetimeoffset NULL;
GO
