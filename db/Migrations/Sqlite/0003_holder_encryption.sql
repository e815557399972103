-- The holder's ID number and phone are kept encrypted at rest (ARCHITECTURE §5). Keep in step with
-- SqlServer/0003_holder_encryption.sql.
-- *_enc:    AES-256-GCM ciphertext "pd1:<key id>:<base64url>" (PersonalDataProtector; the binding id
--           is bound in, so a value copied to another row does not decrypt)
-- *_hash:   HMAC-SHA256 (hex) under its own key, for equality lookups ("bindings of this ID number")
-- *_masked: what screens and logs show (110105********002X, 138****8000)
-- SQL cannot encrypt: rows written before this script are converted right after migration by
-- PlaintextHolderConversion (C#), which also empties the old plaintext columns holder_id_number
-- and holder_phone. Those columns stay (always NULL) until a later script may drop them.
ALTER TABLE seal_bindings ADD COLUMN holder_id_number_enc    TEXT NULL;
ALTER TABLE seal_bindings ADD COLUMN holder_id_number_hash   TEXT NULL;
ALTER TABLE seal_bindings ADD COLUMN holder_id_number_masked TEXT NULL;
ALTER TABLE seal_bindings ADD COLUMN holder_phone_enc        TEXT NULL;
ALTER TABLE seal_bindings ADD COLUMN holder_phone_hash       TEXT NULL;
ALTER TABLE seal_bindings ADD COLUMN holder_phone_masked     TEXT NULL;

CREATE INDEX ix_seal_bindings_holder_id_number_hash ON seal_bindings(holder_id_number_hash) WHERE holder_id_number_hash IS NOT NULL;
CREATE INDEX ix_seal_bindings_holder_phone_hash     ON seal_bindings(holder_phone_hash)     WHERE holder_phone_hash IS NOT NULL;
