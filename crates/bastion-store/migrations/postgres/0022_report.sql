-- The daily report (每日战报): one per day. A draft holds the sections as last assembled (JSON);
-- signing freezes it: its sections and notes never change afterwards, and the content hash of
-- what was signed is kept here and in the audit chain. Section owners' notes live beside it until
-- then and are folded into the signed content.
CREATE TABLE daily_reports (
    id BIGSERIAL PRIMARY KEY,
    day TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL,
    sections TEXT NOT NULL,
    corrections TEXT NOT NULL,
    assembled_by TEXT NOT NULL,
    assembled_at BIGINT NOT NULL,
    signed_by TEXT,
    signed_at BIGINT,
    content_hash TEXT
);

CREATE TABLE daily_report_notes (
    report_id BIGINT NOT NULL REFERENCES daily_reports (id),
    feature TEXT NOT NULL,
    body TEXT NOT NULL,
    written_by TEXT NOT NULL,
    written_at BIGINT NOT NULL,
    PRIMARY KEY (report_id, feature)
);
