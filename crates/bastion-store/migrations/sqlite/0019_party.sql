-- Party organisation (党建: 支部建在一线): the party committee and its branches attached to units,
-- their committee members (支部委员, with terms), temporary branches (临时党支部) tied to an operation and a post (proposed, approved by the
-- committee with a document number, closed with the operation; rows are never deleted), members
-- with their home branch (a temporary branch only seconds them: party_secondments), the
-- membership pipeline (candidates and their dated steps, with an optional 火线入党 waiver), branch
-- work records, organisational life (meetings and check-in), petitions (请战书) with a drawn signature, assault teams (突击队) and their daily
-- mission results. Dates are 'YYYY-MM-DD' (Beijing); times are UTC epoch ms.
CREATE TABLE party_orgs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    name TEXT NOT NULL UNIQUE,
    parent_id BIGINT REFERENCES party_orgs(id),
    unit_id BIGINT NOT NULL REFERENCES units(id),
    status TEXT NOT NULL,
    operation_id BIGINT REFERENCES operations(id),
    post TEXT,
    checkpoint_id BIGINT REFERENCES checkpoints(id),
    secretary_id BIGINT REFERENCES people(id),
    term_start TEXT,
    term_end TEXT,
    proposed_by TEXT,
    proposed_at BIGINT,
    approved_by TEXT,
    approved_at BIGINT,
    approval_doc_no TEXT,
    closed_at BIGINT,
    closed_reason TEXT,
    created_at BIGINT NOT NULL
);
CREATE INDEX party_orgs_unit ON party_orgs(unit_id);
CREATE INDEX party_orgs_operation ON party_orgs(operation_id, status);

CREATE TABLE party_officers (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id BIGINT NOT NULL REFERENCES party_orgs(id),
    person_id BIGINT NOT NULL REFERENCES people(id),
    role TEXT NOT NULL,
    term_start TEXT NOT NULL,
    term_end TEXT,
    appointed_by TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX party_officers_once ON party_officers(org_id, person_id);

CREATE TABLE party_members (
    person_id BIGINT PRIMARY KEY REFERENCES people(id),
    branch_id BIGINT NOT NULL REFERENCES party_orgs(id),
    kind TEXT NOT NULL,
    joined_on TEXT,
    updated_at BIGINT NOT NULL
);
CREATE INDEX party_members_branch ON party_members(branch_id);

CREATE TABLE party_secondments (
    org_id BIGINT NOT NULL REFERENCES party_orgs(id),
    person_id BIGINT NOT NULL REFERENCES people(id),
    role TEXT NOT NULL,
    added_at BIGINT NOT NULL,
    PRIMARY KEY (org_id, person_id)
);
CREATE INDEX party_secondments_person ON party_secondments(person_id);

CREATE TABLE party_candidates (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    person_id BIGINT NOT NULL UNIQUE REFERENCES people(id),
    branch_id BIGINT NOT NULL REFERENCES party_orgs(id),
    stage TEXT NOT NULL,
    training_days BIGINT NOT NULL DEFAULT 0,
    training_hours BIGINT NOT NULL DEFAULT 0,
    extension_months BIGINT NOT NULL DEFAULT 0,
    waiver_rules TEXT,
    waiver_reason TEXT,
    waiver_doc_no TEXT,
    waiver_by TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX party_candidates_branch ON party_candidates(branch_id);

CREATE TABLE party_steps (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    candidate_id BIGINT NOT NULL REFERENCES party_candidates(id),
    step TEXT NOT NULL,
    on_date TEXT NOT NULL,
    note TEXT,
    waived TEXT,
    recorded_by TEXT NOT NULL,
    recorded_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX party_steps_once ON party_steps(candidate_id, step);

CREATE TABLE party_records (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id BIGINT NOT NULL REFERENCES party_orgs(id),
    act TEXT NOT NULL,
    on_date TEXT NOT NULL,
    title TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at BIGINT NOT NULL
);
CREATE INDEX party_records_org ON party_records(org_id, on_date);

CREATE TABLE party_meetings (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id BIGINT NOT NULL REFERENCES party_orgs(id),
    kind TEXT NOT NULL,
    on_date TEXT NOT NULL,
    topic TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX party_meetings_org ON party_meetings(org_id, kind, on_date);

CREATE TABLE party_attendance (
    meeting_id BIGINT NOT NULL REFERENCES party_meetings(id),
    person_id BIGINT NOT NULL REFERENCES people(id),
    checked_at BIGINT NOT NULL,
    PRIMARY KEY (meeting_id, person_id)
);

CREATE TABLE party_teams (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE,
    leader_id BIGINT NOT NULL REFERENCES people(id),
    missions TEXT NOT NULL,
    flag_date TEXT NOT NULL,
    operation_id BIGINT REFERENCES operations(id),
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE party_petitions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    person_id BIGINT NOT NULL REFERENCES people(id),
    account TEXT NOT NULL,
    body TEXT NOT NULL,
    missions TEXT NOT NULL,
    signature BLOB,
    team_id BIGINT REFERENCES party_teams(id),
    created_at BIGINT NOT NULL
);
CREATE INDEX party_petitions_person ON party_petitions(person_id);
CREATE INDEX party_petitions_team ON party_petitions(team_id);

CREATE TABLE party_team_members (
    team_id BIGINT NOT NULL REFERENCES party_teams(id),
    person_id BIGINT NOT NULL REFERENCES people(id),
    role TEXT NOT NULL,
    petition_id BIGINT REFERENCES party_petitions(id),
    joined_at BIGINT NOT NULL,
    PRIMARY KEY (team_id, person_id)
);
CREATE INDEX party_team_members_person ON party_team_members(person_id);

CREATE TABLE party_mission_results (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    team_id BIGINT NOT NULL REFERENCES party_teams(id),
    day TEXT NOT NULL,
    households BIGINT NOT NULL,
    patrols BIGINT NOT NULL,
    traffic_stops BIGINT NOT NULL,
    cases BIGINT NOT NULL,
    persuaded BIGINT NOT NULL,
    note TEXT,
    recorded_by TEXT NOT NULL,
    recorded_at BIGINT NOT NULL
);
CREATE INDEX party_mission_results_team ON party_mission_results(team_id, day);
