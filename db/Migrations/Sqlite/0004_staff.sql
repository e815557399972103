-- Staff of the back office (SPEC §7, issue 10). Keep in step with SqlServer/0004_staff.sql.
-- Citizens never have an account; these are hall operators, analysts, approvers, auditors, admins.
-- username_normalized: the sign-in name in lower case (Unicode invariant), unique, so "Zhang" and
--                      "zhang" are one account.
-- password_hash:       ASP.NET Core PasswordHasher<T> (PBKDF2-HMAC-SHA512, salted, 100 000 rounds
--                      in .NET 10); NULL for accounts that sign in only through single sign-on.
-- security_stamp:      random; changes when the password, the roles or the account's state change,
--                      which ends every cookie issued before (checked on each request).
-- failed_sign_ins / locked_until: the sign-in lockout, persisted so a restart does not reset it.
CREATE TABLE staff_accounts (
    id                   TEXT    NOT NULL PRIMARY KEY,
    username             TEXT    NOT NULL,
    username_normalized  TEXT    NOT NULL UNIQUE,
    display_name         TEXT    NOT NULL,
    password_hash        TEXT    NULL,
    security_stamp       TEXT    NOT NULL,
    is_disabled          INTEGER NOT NULL DEFAULT 0 CHECK (is_disabled IN (0, 1)),
    failed_sign_ins      INTEGER NOT NULL DEFAULT 0,
    locked_until         TEXT    NULL,
    last_sign_in_at      TEXT    NULL,
    password_changed_at  TEXT    NULL,
    created_at           TEXT    NOT NULL,
    created_by           TEXT    NOT NULL,
    version              INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE staff_roles (
    staff_id    TEXT NOT NULL REFERENCES staff_accounts(id),
    role        TEXT NOT NULL CHECK (role IN ('Operator', 'Analyst', 'Approver', 'Auditor', 'Admin')),
    PRIMARY KEY (staff_id, role)
);

-- Audit events name the staff account that acted ("staff:zhang"); the auditor filters by it.
CREATE INDEX ix_audit_events_actor ON audit_events(actor);
CREATE INDEX ix_audit_events_occurred_at ON audit_events(occurred_at);
