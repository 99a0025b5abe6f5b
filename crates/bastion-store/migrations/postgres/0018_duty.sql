-- Duty (值班): posts with their shift patterns, people assigned to shifts (with sign-in and
-- sign-out), and the desk log, which is append-only (a correction is a new entry naming the one
-- it corrects). Days are 'YYYY-MM-DD' in Beijing time; times are UTC epoch ms.
CREATE TABLE duty_posts (
    id BIGSERIAL PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    unit_id BIGINT NOT NULL REFERENCES units(id),
    checkpoint_id BIGINT REFERENCES checkpoints(id),
    shifts TEXT NOT NULL,
    enabled BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX duty_posts_unit ON duty_posts(unit_id);

CREATE TABLE duty_assignments (
    id BIGSERIAL PRIMARY KEY,
    post_id BIGINT NOT NULL REFERENCES duty_posts(id),
    person_id BIGINT NOT NULL REFERENCES people(id),
    day TEXT NOT NULL,
    shift TEXT NOT NULL,
    starts_at BIGINT NOT NULL,
    ends_at BIGINT NOT NULL,
    override_reason TEXT,
    signed_in_at BIGINT,
    signed_in_by TEXT,
    signed_out_at BIGINT,
    signed_out_by TEXT,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX duty_assignments_slot ON duty_assignments(post_id, day, shift, person_id);
CREATE INDEX duty_assignments_person ON duty_assignments(person_id, starts_at);
CREATE INDEX duty_assignments_day ON duty_assignments(day, post_id);

CREATE TABLE duty_log (
    id BIGSERIAL PRIMARY KEY,
    at BIGINT NOT NULL,
    day TEXT NOT NULL,
    category TEXT NOT NULL,
    important BIGINT NOT NULL DEFAULT 0,
    body TEXT NOT NULL,
    corrects BIGINT REFERENCES duty_log(id),
    account TEXT NOT NULL,
    author TEXT NOT NULL
);
CREATE INDEX duty_log_day ON duty_log(day, id);
