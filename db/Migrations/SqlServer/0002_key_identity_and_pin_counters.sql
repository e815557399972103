-- Issue 9: the medium's identity rests on what was proved, and wrong-PIN counts cannot be forged.
-- Keep in step with Sqlite/0002_key_identity_and_pin_counters.sql (the reasons are written there).

ALTER TABLE dbo.media ADD key_id nvarchar(64) NULL, token_serial nvarchar(128) NULL;
GO

UPDATE dbo.media SET token_serial = identifier WHERE kind = N'UsbKey';
GO

CREATE UNIQUE INDEX ux_media_key_id ON dbo.media(key_id) WHERE key_id IS NOT NULL;
CREATE INDEX ix_media_cert_sha256 ON dbo.media(cert_sha256);
GO

CREATE TABLE dbo.pin_counters (
    counter_key         nvarchar(200)    NOT NULL CONSTRAINT pk_pin_counters PRIMARY KEY,
    key_id              nvarchar(64)     NOT NULL,
    scope               nvarchar(16)     NOT NULL CONSTRAINT ck_pin_counters_scope CHECK (scope IN (N'Key', N'Session')),
    token_serial        nvarchar(128)    NOT NULL,
    failed_attempts     int              NOT NULL CONSTRAINT df_pin_counters_failed DEFAULT 0,
    last_failed_at      datetimeoffset   NULL,
    locked_at           datetimeoffset   NULL,
    cleared_at          datetimeoffset   NULL,
    cleared_by          nvarchar(200)    NULL,
    version             int              NOT NULL CONSTRAINT df_pin_counters_version DEFAULT 1
);
CREATE INDEX ix_pin_counters_key ON dbo.pin_counters(key_id);
CREATE INDEX ix_pin_counters_serial ON dbo.pin_counters(token_serial);
GO

DROP TABLE dbo.pin_lockouts;
GO

CREATE TABLE dbo.enrolled_helpers (
    key_id          nvarchar(64)     NOT NULL CONSTRAINT pk_enrolled_helpers PRIMARY KEY,
    public_key      nvarchar(400)    NOT NULL,
    hall            nvarchar(200)    NOT NULL,
    kiosk           nvarchar(200)    NOT NULL,
    enrolled_at     datetimeoffset   NOT NULL,
    enrolled_by     nvarchar(200)    NOT NULL,
    revoked_at      datetimeoffset   NULL,
    revoked_by      nvarchar(200)    NULL
);
GO
