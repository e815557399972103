-- 办理回执 (SPEC §9, issue 12 item 7). Keep in step with SqlServer/0008_receipts.sql.
-- One receipt per committed bind, unbind or claim, written in the commit's transaction from the
-- binding record it changed. The facts are a snapshot of what the success page and the printed
-- receipt show, so renaming the enterprise or the kiosk later does not rewrite a printed receipt.
-- code:          the 业务流水号, 24 characters of Crockford base32 from 120 random bits (ReceiptCode);
--                not a secret credential (it is printed on paper), but unguessable: /r/{code} finds
--                a receipt only by it, and knowing it shows masked facts only.
-- holder_*:      masked only (name, ID number, phone); the binding record keeps the encrypted values.
CREATE TABLE receipts (
    code                    TEXT    NOT NULL PRIMARY KEY,
    operation_id            TEXT    NOT NULL UNIQUE,
    binding_id              TEXT    NOT NULL REFERENCES seal_bindings(id),
    action                  TEXT    NOT NULL CHECK (action IN ('Bind', 'Unbind', 'Claim')),
    issued_at               TEXT    NOT NULL,
    enterprise_name         TEXT    NOT NULL,
    credit_code             TEXT    NOT NULL,
    legal_rep_name          TEXT    NOT NULL,
    seal_type               TEXT    NOT NULL,
    seal_name               TEXT    NOT NULL,
    channel                 TEXT    NOT NULL,
    kiosk_hall              TEXT    NULL,
    kiosk_name              TEXT    NULL,
    holder_name_masked      TEXT    NULL,
    holder_id_type          TEXT    NULL,
    holder_id_number_masked TEXT    NULL,
    holder_phone_masked     TEXT    NULL
);
CREATE INDEX ix_receipts_binding ON receipts(binding_id);
