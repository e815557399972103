-- The service hall (SPEC §9, issue 12): browsers staff marked as hall kiosks. Keep in step with
-- SqlServer/0007_kiosks.sql. (0005 and 0006 belong to the flow-review and flow-text work.)
-- token_hash:     SHA-256 (hex) of the random secret in the kiosk's long-lived cookie; the secret
--                 itself is never stored, so a copy of the database cannot impersonate a kiosk.
-- receipt_paper:  what the hall printer takes for 办理回执 (A4 or 80 mm thermal roll).
CREATE TABLE kiosks (
    id              TEXT    NOT NULL PRIMARY KEY,
    hall            TEXT    NOT NULL,
    name            TEXT    NOT NULL,
    token_hash      TEXT    NOT NULL UNIQUE,
    receipt_paper   TEXT    NOT NULL DEFAULT 'A4' CHECK (receipt_paper IN ('A4', '80mm')),
    enrolled_at     TEXT    NOT NULL,
    enrolled_by     TEXT    NOT NULL,
    revoked_at      TEXT    NULL,
    revoked_by      TEXT    NULL
);
CREATE UNIQUE INDEX ux_kiosks_active_name ON kiosks(hall, name) WHERE revoked_at IS NULL;

-- Where a binding was made: channel Kiosk names the hall and kiosk (a snapshot of their names, so
-- renaming or revoking a kiosk later does not rewrite history); Web leaves them NULL.
ALTER TABLE seal_bindings ADD COLUMN kiosk_id    TEXT NULL;
ALTER TABLE seal_bindings ADD COLUMN kiosk_hall  TEXT NULL;
ALTER TABLE seal_bindings ADD COLUMN kiosk_name  TEXT NULL;

-- The validity of the certificate whose key is the medium, for the operator's console.
ALTER TABLE media ADD COLUMN cert_not_before TEXT NULL;
ALTER TABLE media ADD COLUMN cert_not_after  TEXT NULL;
