-- One submission at the issue desk (签领): the post's leader or supplies officer issuing kit to one
-- person or a whole shift at once, with the issuer's own signature drawn on the same phone (required
-- when the submission covers more than one person). Each issue names the submission it came with;
-- issues written before this migration name none.
CREATE TABLE supply_issue_submissions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    store_id BIGINT NOT NULL REFERENCES supply_stores(id),
    shift_date TEXT NOT NULL,
    shift TEXT NOT NULL,
    people BIGINT NOT NULL,
    issuer_signature BLOB,
    issuer_signature_mime TEXT,
    account_id BIGINT NOT NULL,
    actor TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX supply_issue_submissions_shift ON supply_issue_submissions(store_id, shift_date, shift);

ALTER TABLE supply_issues ADD COLUMN submission_id BIGINT REFERENCES supply_issue_submissions(id);
