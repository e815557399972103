-- Issue 9: the medium's identity rests on what was proved, and wrong-PIN counts cannot be forged.
-- Keep in step with SqlServer/0002_key_identity_and_pin_counters.sql.

-- A USBKEY medium is identified by the public key that proved possession (SHA-256 of its
-- SubjectPublicKeyInfo): identifier = 'key:' || key_id for new rows. The token serial is what the
-- key helper reported; it is kept for people to read, never used to decide who holds what.
-- Rows written before this script keep their serial as identifier (key_id NULL) and are matched by
-- the certificate they were bound with until their next proof fills key_id in.
ALTER TABLE media ADD COLUMN key_id TEXT NULL;
ALTER TABLE media ADD COLUMN token_serial TEXT NULL;
UPDATE media SET token_serial = identifier WHERE kind = 'UsbKey';
CREATE UNIQUE INDEX ux_media_key_id ON media(key_id) WHERE key_id IS NOT NULL;
CREATE INDEX ix_media_cert_sha256 ON media(cert_sha256);

-- Consecutive wrong PINs per key. scope 'Key' counts only reports signed by an enrolled kiosk key
-- helper (the token really refused the PIN) and holds across kiosks; scope 'Session' counts what a
-- browser session said on its own, and binds only that session. See workflows/README.md.
CREATE TABLE pin_counters (
    counter_key         TEXT    NOT NULL PRIMARY KEY,
    key_id              TEXT    NOT NULL,
    scope               TEXT    NOT NULL CHECK (scope IN ('Key', 'Session')),
    token_serial        TEXT    NOT NULL,
    failed_attempts     INTEGER NOT NULL DEFAULT 0,
    last_failed_at      TEXT    NULL,
    locked_at           TEXT    NULL,
    cleared_at          TEXT    NULL,
    cleared_by          TEXT    NULL,
    version             INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX ix_pin_counters_key ON pin_counters(key_id);
CREATE INDEX ix_pin_counters_serial ON pin_counters(token_serial);

-- The old count was keyed by a serial the page posted, so anyone could have written it: it is not
-- carried over. A real holder's lock still stands in the token itself and in the PC's key helper.
DROP TABLE pin_lockouts;

-- Key helpers whose signed wrong-PIN reports the portal believes (hall kiosks, enrolled by staff).
CREATE TABLE enrolled_helpers (
    key_id          TEXT    NOT NULL PRIMARY KEY,
    public_key      TEXT    NOT NULL,
    hall            TEXT    NOT NULL,
    kiosk           TEXT    NOT NULL,
    enrolled_at     TEXT    NOT NULL,
    enrolled_by     TEXT    NOT NULL,
    revoked_at      TEXT    NULL,
    revoked_by      TEXT    NULL
);
