-- How a meeting of organisational life is held (on site, online, both), where and with which
-- video-meeting link, its agenda and minutes; and the members excused from it with the reason.
ALTER TABLE party_meetings ADD COLUMN mode TEXT NOT NULL DEFAULT 'offline';
ALTER TABLE party_meetings ADD COLUMN place TEXT NOT NULL DEFAULT '';
ALTER TABLE party_meetings ADD COLUMN link TEXT NOT NULL DEFAULT '';
ALTER TABLE party_meetings ADD COLUMN agenda TEXT NOT NULL DEFAULT '';
ALTER TABLE party_meetings ADD COLUMN minutes TEXT NOT NULL DEFAULT '';

CREATE TABLE party_absences (
    meeting_id BIGINT NOT NULL REFERENCES party_meetings(id),
    person_id BIGINT NOT NULL REFERENCES people(id),
    reason TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at BIGINT NOT NULL,
    PRIMARY KEY (meeting_id, person_id)
);
