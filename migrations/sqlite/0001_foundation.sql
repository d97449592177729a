-- Foundation: staff users, login throttling, audit log, store settings.
-- Keep in step with migrations/postgres/0001_foundation.sql (tests/schema_parity.rs).
-- Times are UTC bound from Rust (declared DATETIME, stored as text); booleans are
-- declared BOOLEAN and stored as 0/1. JSON is TEXT here and JSONB on PostgreSQL.

CREATE TABLE staff_users (
    id            INTEGER PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL CHECK (length(name) > 0),
    role          TEXT NOT NULL CHECK (role IN ('admin', 'marketing', 'support')),
    active        BOOLEAN NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    password_hash TEXT NOT NULL,
    created_at    DATETIME NOT NULL,
    updated_at    DATETIME NOT NULL
);

-- Failed logins, kept as rows so the throttle holds across restarts and instances.
CREATE TABLE login_failures (
    id           INTEGER PRIMARY KEY,
    email        TEXT NOT NULL,
    ip           TEXT,
    attempted_at DATETIME NOT NULL
);
CREATE INDEX login_failures_email_time ON login_failures (email, attempted_at);

CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY,
    actor_id    INTEGER REFERENCES staff_users (id),
    actor_label TEXT NOT NULL,
    action      TEXT NOT NULL CHECK (length(action) > 0),
    entity_type TEXT NOT NULL,
    entity_id   TEXT,
    before_json TEXT,
    after_json  TEXT,
    at          DATETIME NOT NULL,
    ip          TEXT
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_entity ON audit_log (entity_type, entity_id);

-- Store settings as typed values under stable keys; defaults live in code.
CREATE TABLE settings (
    key        TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at DATETIME NOT NULL
);
