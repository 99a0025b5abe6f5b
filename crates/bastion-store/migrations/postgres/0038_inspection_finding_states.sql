-- Findings by unit, status and the day of their deadline, written in the transaction that raises a
-- finding or moves it on, so the dashboard's open, overdue and awaiting-re-inspection figures add
-- up a few rows per unit instead of counting the findings on every request. A finding still open
-- is overdue once its deadline has passed: whole days from these rows, the deadline's own day from
-- the findings (the (status, deadline_at) index). A day is a Beijing calendar day stored as the
-- millisecond its 00:00 falls on, as in inspection_finding_counts. Rows that fall to 0 stay.
CREATE TABLE inspection_finding_states (
    unit_id BIGINT NOT NULL REFERENCES units(id),
    status TEXT NOT NULL,
    deadline_day BIGINT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (unit_id, status, deadline_day)
);

INSERT INTO inspection_finding_states (unit_id, status, deadline_day, n)
SELECT unit_id, status, (deadline_at + 28800000) / 86400000 * 86400000 - 28800000, COUNT(*)
FROM inspection_findings GROUP BY 1, 2, 3;
