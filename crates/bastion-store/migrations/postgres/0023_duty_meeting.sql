-- Command meetings (调度会、推进会) and the tasks their decisions become (督办事项). A meeting's
-- participants are fixed when it is called (drawn from command groups and named people) and check
-- in on their phones; a task has one owner and one unit, a deadline, and an append-only trail of
-- notes (progress, done, sent back). Times are UTC epoch ms.
CREATE TABLE duty_meetings (
    id BIGSERIAL PRIMARY KEY,
    operation_id BIGINT NOT NULL REFERENCES operations(id),
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    starts_at BIGINT NOT NULL,
    place TEXT NOT NULL DEFAULT '',
    link TEXT NOT NULL DEFAULT '',
    agenda TEXT NOT NULL DEFAULT '',
    closed_at BIGINT,
    closed_by TEXT,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX duty_meetings_operation ON duty_meetings(operation_id, starts_at);

CREATE TABLE duty_meeting_people (
    meeting_id BIGINT NOT NULL REFERENCES duty_meetings(id),
    person_id BIGINT NOT NULL REFERENCES people(id),
    checked_in_at BIGINT,
    checked_in_by TEXT,
    PRIMARY KEY (meeting_id, person_id)
);
CREATE INDEX duty_meeting_people_person ON duty_meeting_people(person_id);

CREATE TABLE duty_tasks (
    id BIGSERIAL PRIMARY KEY,
    operation_id BIGINT NOT NULL REFERENCES operations(id),
    meeting_id BIGINT REFERENCES duty_meetings(id),
    title TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '',
    owner_id BIGINT NOT NULL REFERENCES people(id),
    unit_id BIGINT NOT NULL REFERENCES units(id),
    deadline_at BIGINT NOT NULL,
    status TEXT NOT NULL,
    done_at BIGINT,
    reminded_at BIGINT,
    escalated_at BIGINT,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX duty_tasks_clock ON duty_tasks(status, deadline_at);
CREATE INDEX duty_tasks_owner ON duty_tasks(owner_id, status);
CREATE INDEX duty_tasks_meeting ON duty_tasks(meeting_id);

CREATE TABLE duty_task_notes (
    id BIGSERIAL PRIMARY KEY,
    task_id BIGINT NOT NULL REFERENCES duty_tasks(id),
    at BIGINT NOT NULL,
    kind TEXT NOT NULL,
    body TEXT NOT NULL,
    author TEXT NOT NULL
);
CREATE INDEX duty_task_notes_task ON duty_task_notes(task_id, id);
