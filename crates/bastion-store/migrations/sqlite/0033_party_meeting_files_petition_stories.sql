-- Photos of a meeting and its signed attendance sheet, checked and re-encoded as JPEG; one picture
-- is kept once per meeting.
CREATE TABLE party_meeting_files (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    meeting_id BIGINT NOT NULL REFERENCES party_meetings(id),
    kind TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    width BIGINT NOT NULL,
    height BIGINT NOT NULL,
    data BLOB NOT NULL,
    uploaded_by TEXT NOT NULL,
    uploaded_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX party_meeting_files_once ON party_meeting_files(meeting_id, sha256);

-- A petition its author allows to be published as a story (NULL: not allowed, or withdrawn), and
-- the article written from it.
ALTER TABLE party_petitions ADD COLUMN publish_consent_at BIGINT;
ALTER TABLE party_petitions ADD COLUMN article_id BIGINT REFERENCES publicity_articles(id);

-- Why an article may not be published now (set by the module that supplied its content, e.g. its
-- author withdrew consent); empty: nothing holds it.
ALTER TABLE publicity_articles ADD COLUMN hold TEXT NOT NULL DEFAULT '';
