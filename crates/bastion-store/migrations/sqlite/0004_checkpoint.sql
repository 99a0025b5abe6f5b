-- Checkpoints and screening: checkpoints, one row per traveller per pass (screenings, id
-- minted by the client so a resend never duplicates), daily counters for live throughput, pending
-- self-registrations (pass codes), fever cases with follow-ups, and alerts without personal data.
CREATE TABLE checkpoints (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    location TEXT NOT NULL,
    hours TEXT NOT NULL,
    police_types TEXT NOT NULL DEFAULT ',',
    unit_id BIGINT NOT NULL REFERENCES units(id),
    status TEXT NOT NULL,
    leader TEXT NOT NULL DEFAULT '',
    fever_clinic TEXT NOT NULL DEFAULT '',
    public_code TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE screenings (
    id TEXT PRIMARY KEY,
    checkpoint_id BIGINT NOT NULL REFERENCES checkpoints(id),
    mode TEXT NOT NULL,
    at BIGINT NOT NULL,
    captured_at BIGINT NOT NULL,
    name TEXT NOT NULL,
    doc_type TEXT NOT NULL,
    doc_cipher BLOB NOT NULL,
    doc_bidx TEXT NOT NULL,
    doc_masked TEXT NOT NULL,
    sex TEXT,
    birth_year BIGINT,
    phone_cipher BLOB,
    phone_bidx TEXT,
    phone_masked TEXT,
    plate TEXT,
    plate_warning BIGINT NOT NULL DEFAULT 0,
    vehicle_type TEXT NOT NULL,
    driver_id TEXT,
    origin TEXT NOT NULL,
    destination TEXT NOT NULL,
    reason TEXT NOT NULL,
    travel_flag BIGINT NOT NULL DEFAULT 0,
    health_code TEXT NOT NULL,
    temp BIGINT NOT NULL,
    temp2 BIGINT,
    method TEXT NOT NULL,
    fever BIGINT NOT NULL DEFAULT 0,
    decision TEXT NOT NULL,
    officer_id BIGINT NOT NULL,
    officer TEXT NOT NULL
);
CREATE INDEX screenings_checkpoint_at ON screenings(checkpoint_id, at);
CREATE INDEX screenings_at ON screenings(at);
CREATE INDEX screenings_doc_bidx ON screenings(doc_bidx);
CREATE INDEX screenings_phone_bidx ON screenings(phone_bidx);
CREATE INDEX screenings_driver ON screenings(driver_id);

-- Hourly counters (hour = UTC ms of the hour's start): live counts never scan the screenings.
CREATE TABLE checkpoint_counts (
    checkpoint_id BIGINT NOT NULL REFERENCES checkpoints(id),
    hour BIGINT NOT NULL,
    total BIGINT NOT NULL,
    fevers BIGINT NOT NULL,
    PRIMARY KEY (checkpoint_id, hour)
);

CREATE TABLE self_registrations (
    code TEXT PRIMARY KEY,
    checkpoint_id BIGINT NOT NULL REFERENCES checkpoints(id),
    payload BLOB NOT NULL,
    summary TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT,
    screening_id TEXT
);
CREATE INDEX self_registrations_expires ON self_registrations(expires_at);

CREATE TABLE fever_cases (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    screening_id TEXT NOT NULL UNIQUE,
    checkpoint_id BIGINT NOT NULL REFERENCES checkpoints(id),
    opened_at BIGINT NOT NULL,
    temp BIGINT NOT NULL,
    clinic TEXT NOT NULL,
    status TEXT NOT NULL,
    handed_over_at BIGINT,
    handed_over_by TEXT,
    receiver TEXT,
    closed_at BIGINT,
    outcome TEXT,
    updated_at BIGINT NOT NULL
);
CREATE INDEX fever_cases_status ON fever_cases(status, opened_at);

CREATE TABLE fever_followups (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id BIGINT NOT NULL REFERENCES fever_cases(id),
    at BIGINT NOT NULL,
    account TEXT NOT NULL,
    note TEXT NOT NULL
);
CREATE INDEX fever_followups_case ON fever_followups(case_id, id);

CREATE TABLE checkpoint_alerts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at BIGINT NOT NULL,
    checkpoint_id BIGINT NOT NULL REFERENCES checkpoints(id),
    case_id BIGINT,
    audience TEXT NOT NULL,
    text TEXT NOT NULL
);
CREATE INDEX checkpoint_alerts_at ON checkpoint_alerts(audience, id);
