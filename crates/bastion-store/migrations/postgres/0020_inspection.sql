-- Inspections (督导检查): versioned checklists per kind of post, plans (with the drawn night
-- route of an unannounced one), inspections with their item results (an inspection sent twice
-- from a phone's offline queue is one: `client_key` is unique), photos with their content hash,
-- findings with their deadline clock, the rectification and re-inspection trail, and circulars.
CREATE TABLE inspection_templates (
    id BIGSERIAL PRIMARY KEY,
    kind TEXT NOT NULL,
    version BIGINT NOT NULL,
    items TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (kind, version)
);

CREATE TABLE inspection_plans (
    id BIGSERIAL PRIMARY KEY,
    title TEXT NOT NULL,
    inspectors TEXT NOT NULL,
    unannounced BIGINT NOT NULL,
    route TEXT NOT NULL,
    window_start BIGINT NOT NULL,
    window_end BIGINT NOT NULL,
    status TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE inspections (
    id BIGSERIAL PRIMARY KEY,
    client_key TEXT NOT NULL UNIQUE,
    plan_id BIGINT REFERENCES inspection_plans(id),
    post_id BIGINT NOT NULL REFERENCES duty_posts(id),
    unit_id BIGINT NOT NULL REFERENCES units(id),
    template_id BIGINT NOT NULL REFERENCES inspection_templates(id),
    follows_finding BIGINT,
    inspector TEXT NOT NULL,
    inspector_name TEXT NOT NULL,
    note TEXT NOT NULL,
    location TEXT NOT NULL,
    started_at BIGINT NOT NULL,
    received_at BIGINT NOT NULL
);
CREATE INDEX inspections_post ON inspections(post_id, received_at);
CREATE INDEX inspections_unit ON inspections(unit_id, received_at);
CREATE INDEX inspections_received ON inspections(received_at);

CREATE TABLE inspection_items (
    inspection_id BIGINT NOT NULL REFERENCES inspections(id),
    idx BIGINT NOT NULL,
    text TEXT NOT NULL,
    result TEXT NOT NULL,
    note TEXT NOT NULL,
    PRIMARY KEY (inspection_id, idx)
);

CREATE TABLE inspection_findings (
    id BIGSERIAL PRIMARY KEY,
    inspection_id BIGINT NOT NULL REFERENCES inspections(id),
    item_idx BIGINT,
    text TEXT NOT NULL,
    severity TEXT NOT NULL,
    unit_id BIGINT NOT NULL REFERENCES units(id),
    post_id BIGINT NOT NULL REFERENCES duty_posts(id),
    person_id BIGINT REFERENCES people(id),
    deadline_at BIGINT NOT NULL,
    status TEXT NOT NULL,
    reminded_at BIGINT,
    escalated_at BIGINT,
    created_at BIGINT NOT NULL,
    closed_at BIGINT,
    closed_by TEXT
);
CREATE INDEX inspection_findings_unit ON inspection_findings(unit_id, status);
CREATE INDEX inspection_findings_inspection ON inspection_findings(inspection_id);
CREATE INDEX inspection_findings_due ON inspection_findings(status, deadline_at);
CREATE INDEX inspection_findings_created ON inspection_findings(created_at);

CREATE TABLE inspection_actions (
    id BIGSERIAL PRIMARY KEY,
    finding_id BIGINT NOT NULL REFERENCES inspection_findings(id),
    kind TEXT NOT NULL,
    body TEXT NOT NULL,
    account TEXT NOT NULL,
    author TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX inspection_actions_finding ON inspection_actions(finding_id, id);

CREATE TABLE inspection_photos (
    id BIGSERIAL PRIMARY KEY,
    inspection_id BIGINT REFERENCES inspections(id),
    action_id BIGINT REFERENCES inspection_actions(id),
    sha256 TEXT NOT NULL,
    source TEXT NOT NULL,
    width BIGINT NOT NULL,
    height BIGINT NOT NULL,
    data BYTEA NOT NULL,
    uploaded_by TEXT NOT NULL,
    received_at BIGINT NOT NULL
);
CREATE INDEX inspection_photos_inspection ON inspection_photos(inspection_id);

CREATE TABLE inspection_circulars (
    id BIGSERIAL PRIMARY KEY,
    doc_no TEXT NOT NULL,
    title TEXT NOT NULL,
    period_from TEXT NOT NULL,
    period_to TEXT NOT NULL,
    body TEXT NOT NULL,
    status TEXT NOT NULL,
    drafted_by TEXT NOT NULL,
    approved_by TEXT,
    created_at BIGINT NOT NULL,
    approved_at BIGINT
);
