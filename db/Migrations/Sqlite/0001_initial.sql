-- ESeal schema, SQLite dialect (the embedded default). Keep in step with SqlServer/0001_initial.sql.
-- Ids are GUIDs stored as TEXT; instants are ISO-8601 UTC TEXT; "version" columns carry
-- optimistic concurrency (SQLite has no rowversion type).

CREATE TABLE enterprises (
    id                  TEXT    NOT NULL PRIMARY KEY,
    credit_code         TEXT    NOT NULL UNIQUE,
    name                TEXT    NOT NULL,
    legal_rep_name      TEXT    NOT NULL,
    legal_rep_id_number TEXT    NOT NULL,
    created_at          TEXT    NOT NULL
);

CREATE TABLE seals (
    id              TEXT    NOT NULL PRIMARY KEY,
    enterprise_id   TEXT    NOT NULL REFERENCES enterprises(id),
    seal_code       TEXT    NOT NULL UNIQUE,
    seal_type       TEXT    NOT NULL,
    name            TEXT    NOT NULL,
    impression_svg  TEXT    NULL,
    status          TEXT    NOT NULL CHECK (status IN ('Unbound', 'UsbKey', 'Mobile')),
    version         INTEGER NOT NULL DEFAULT 1,
    created_at      TEXT    NOT NULL,
    updated_at      TEXT    NOT NULL
);
CREATE INDEX ix_seals_enterprise ON seals(enterprise_id);

-- A medium is a USBKEY (identifier = token serial, with the certificate that proved possession)
-- or a mobile device (identifier = device id).
CREATE TABLE media (
    id              TEXT    NOT NULL PRIMARY KEY,
    kind            TEXT    NOT NULL CHECK (kind IN ('UsbKey', 'Mobile')),
    identifier      TEXT    NOT NULL,
    cert_sha256     TEXT    NULL,
    cert_serial     TEXT    NULL,
    cert_issuer     TEXT    NULL,
    cert_subject    TEXT    NULL,
    created_at      TEXT    NOT NULL,
    updated_at      TEXT    NOT NULL,
    UNIQUE (kind, identifier)
);

-- Binding history: one row per bind/claim; unbinding closes the row (active = 0).
CREATE TABLE seal_bindings (
    id                      TEXT    NOT NULL PRIMARY KEY,
    seal_id                 TEXT    NOT NULL REFERENCES seals(id),
    medium_id               TEXT    NOT NULL REFERENCES media(id),
    active                  INTEGER NOT NULL CHECK (active IN (0, 1)),
    channel                 TEXT    NOT NULL,
    bound_at                TEXT    NOT NULL,
    bound_by_instance_id    TEXT    NULL,
    holder_name             TEXT    NULL,
    holder_id_type          TEXT    NULL,
    holder_id_number        TEXT    NULL,
    holder_phone            TEXT    NULL,
    unbound_at              TEXT    NULL,
    unbound_by_instance_id  TEXT    NULL,
    unbind_reason           TEXT    NULL,
    version                 INTEGER NOT NULL DEFAULT 1
);
-- The one-to-one rule lives here, not only in code.
CREATE UNIQUE INDEX ux_seal_bindings_active_seal   ON seal_bindings(seal_id)   WHERE active = 1;
CREATE UNIQUE INDEX ux_seal_bindings_active_medium ON seal_bindings(medium_id) WHERE active = 1;
CREATE INDEX ix_seal_bindings_seal ON seal_bindings(seal_id);

-- A commit (bind, unbind, claim) records its operation id so that a repeat changes nothing.
CREATE TABLE committed_operations (
    operation_id    TEXT    NOT NULL PRIMARY KEY,
    kind            TEXT    NOT NULL,
    binding_id      TEXT    NULL,
    committed_at    TEXT    NOT NULL
);

-- Append-only: each event carries the hash of the previous one; the unique prev_hash keeps
-- the chain a line even when two writers race.
CREATE TABLE audit_events (
    seq             INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    id              TEXT    NOT NULL UNIQUE,
    occurred_at     TEXT    NOT NULL,
    kind            TEXT    NOT NULL,
    actor           TEXT    NOT NULL,
    enterprise_id   TEXT    NULL,
    seal_id         TEXT    NULL,
    medium_id       TEXT    NULL,
    instance_id     TEXT    NULL,
    data            TEXT    NOT NULL,
    prev_hash       TEXT    NOT NULL UNIQUE,
    hash            TEXT    NOT NULL UNIQUE
);
CREATE TRIGGER tr_audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END;
CREATE TRIGGER tr_audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END;

-- PIN lock state per token (the count belongs to the key, not to the page or the flow).
CREATE TABLE pin_lockouts (
    token_serial        TEXT    NOT NULL PRIMARY KEY,
    failed_attempts     INTEGER NOT NULL DEFAULT 0,
    last_failed_at      TEXT    NULL,
    locked_at           TEXT    NULL,
    cleared_at          TEXT    NULL,
    cleared_by          TEXT    NULL,
    version             INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE flow_definitions (
    id              TEXT    NOT NULL PRIMARY KEY,
    definition_id   TEXT    NOT NULL,
    version         INTEGER NOT NULL,
    name            TEXT    NOT NULL,
    is_published    INTEGER NOT NULL CHECK (is_published IN (0, 1)),
    json            TEXT    NOT NULL,
    created_at      TEXT    NOT NULL,
    created_by      TEXT    NOT NULL,
    published_at    TEXT    NULL,
    UNIQUE (definition_id, version)
);

CREATE TABLE flow_instances (
    id                  TEXT    NOT NULL PRIMARY KEY,
    definition_id       TEXT    NOT NULL,
    definition_version  INTEGER NOT NULL,
    status              TEXT    NOT NULL,
    current_activity_id TEXT    NULL,
    step_token          TEXT    NOT NULL,
    owner_session       TEXT    NOT NULL,
    variables           TEXT    NOT NULL,
    not_before          TEXT    NULL,
    created_at          TEXT    NOT NULL,
    updated_at          TEXT    NOT NULL,
    expires_at          TEXT    NOT NULL,
    version             INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX ix_flow_instances_status_expires ON flow_instances(status, expires_at);

CREATE TABLE outbox (
    id                  TEXT    NOT NULL PRIMARY KEY,
    created_at          TEXT    NOT NULL,
    kind                TEXT    NOT NULL,
    payload             TEXT    NOT NULL,
    idempotency_key     TEXT    NOT NULL UNIQUE,
    attempts            INTEGER NOT NULL DEFAULT 0,
    next_attempt_at     TEXT    NOT NULL,
    delivered_at        TEXT    NULL,
    last_error          TEXT    NULL,
    version             INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX ix_outbox_pending ON outbox(delivered_at, next_attempt_at);
