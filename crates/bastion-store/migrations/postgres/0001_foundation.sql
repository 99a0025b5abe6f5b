-- Foundation: units, people, accounts, sessions, operations, audit. Times are UTC epoch ms (BIGINT),
-- dates 'YYYY-MM-DD' text, flags 0/1 integers: the same shapes on both backends.
CREATE TABLE units (
    id BIGSERIAL PRIMARY KEY,
    parent_id BIGINT REFERENCES units(id),
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    path TEXT COLLATE "C" NOT NULL,
    depth BIGINT NOT NULL,
    sort_order BIGINT NOT NULL DEFAULT 0,
    phone TEXT,
    enabled BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX units_path ON units(path);
CREATE INDEX units_parent ON units(parent_id, sort_order);

CREATE TABLE people (
    id BIGSERIAL PRIMARY KEY,
    police_no TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    category TEXT NOT NULL,
    sex TEXT NOT NULL,
    birth_date TEXT,
    hire_date TEXT,
    id_cipher BYTEA,
    id_bidx TEXT,
    id_masked TEXT,
    mobile_cipher BYTEA,
    mobile_bidx TEXT,
    mobile_masked TEXT,
    unit_id BIGINT NOT NULL REFERENCES units(id),
    position TEXT,
    political_status TEXT NOT NULL,
    duty_status TEXT NOT NULL,
    police_types TEXT NOT NULL DEFAULT ',',
    skills TEXT NOT NULL DEFAULT '',
    enabled BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX people_unit ON people(unit_id);
CREATE INDEX people_name ON people(name);
CREATE INDEX people_id_bidx ON people(id_bidx);
CREATE INDEX people_mobile_bidx ON people(mobile_bidx);

CREATE TABLE accounts (
    id BIGSERIAL PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    person_id BIGINT REFERENCES people(id),
    unit_id BIGINT NOT NULL REFERENCES units(id),
    password_hash TEXT NOT NULL,
    roles TEXT NOT NULL,
    enabled BIGINT NOT NULL DEFAULT 1,
    must_change_password BIGINT NOT NULL DEFAULT 1,
    password_changed_at BIGINT NOT NULL,
    failed_logins BIGINT NOT NULL DEFAULT 0,
    locked_until BIGINT NOT NULL DEFAULT 0,
    last_login_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES accounts(id),
    created_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    ip TEXT NOT NULL,
    user_agent TEXT NOT NULL
);
CREATE INDEX sessions_account ON sessions(account_id);

CREATE TABLE operations (
    id BIGSERIAL PRIMARY KEY,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL,
    start_date TEXT NOT NULL,
    end_date TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE audit_log (
    seq BIGSERIAL PRIMARY KEY,
    at BIGINT NOT NULL,
    account TEXT NOT NULL,
    unit TEXT NOT NULL,
    ip TEXT NOT NULL,
    module TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    result TEXT NOT NULL,
    detail TEXT NOT NULL,
    request_id TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_at ON audit_log(at);

-- One row: the chain's head, updated in the same transaction as every append (serialises appends on PostgreSQL).
CREATE TABLE audit_head (
    id BIGINT PRIMARY KEY,
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '');

CREATE TABLE login_log (
    id BIGSERIAL PRIMARY KEY,
    at BIGINT NOT NULL,
    username TEXT NOT NULL,
    ip TEXT NOT NULL,
    user_agent TEXT NOT NULL,
    success BIGINT NOT NULL,
    message TEXT NOT NULL
);

CREATE TABLE jobs (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    account_id BIGINT NOT NULL,
    status TEXT NOT NULL,
    total BIGINT NOT NULL DEFAULT 0,
    done BIGINT NOT NULL DEFAULT 0,
    message TEXT NOT NULL DEFAULT '',
    result BYTEA,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
