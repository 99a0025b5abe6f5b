-- Per-unit daily counters of inspections and findings, written in the same transaction as the
-- rows they count, so the statistics of any period read a few rows per unit and day instead of
-- scanning the period's findings. A day is a Beijing calendar day (UTC+8, no daylight saving),
-- stored as the millisecond its 00:00 falls on.
CREATE TABLE inspection_day_counts (
    unit_id BIGINT NOT NULL REFERENCES units(id),
    day BIGINT NOT NULL,
    inspections BIGINT NOT NULL,
    PRIMARY KEY (unit_id, day)
);

-- Findings by the day they were raised and the day of their deadline: a finding not yet closed
-- is overdue once its deadline day has passed; only the deadline's own day needs the rows.
CREATE TABLE inspection_finding_counts (
    unit_id BIGINT NOT NULL REFERENCES units(id),
    day BIGINT NOT NULL,
    deadline_day BIGINT NOT NULL,
    findings BIGINT NOT NULL,
    minor BIGINT NOT NULL,
    major BIGINT NOT NULL,
    critical BIGINT NOT NULL,
    closed_on_time BIGINT NOT NULL,
    closed_late BIGINT NOT NULL,
    not_closed BIGINT NOT NULL,
    PRIMARY KEY (unit_id, day, deadline_day)
);

INSERT INTO inspection_day_counts (unit_id, day, inspections)
SELECT unit_id, (received_at + 28800000) / 86400000 * 86400000 - 28800000, COUNT(*)
FROM inspections GROUP BY 1, 2;

INSERT INTO inspection_finding_counts
    (unit_id, day, deadline_day, findings, minor, major, critical, closed_on_time, closed_late, not_closed)
SELECT unit_id,
       (created_at + 28800000) / 86400000 * 86400000 - 28800000,
       (deadline_at + 28800000) / 86400000 * 86400000 - 28800000,
       COUNT(*),
       SUM(CASE WHEN severity = 'minor' THEN 1 ELSE 0 END),
       SUM(CASE WHEN severity = 'major' THEN 1 ELSE 0 END),
       SUM(CASE WHEN severity = 'critical' THEN 1 ELSE 0 END),
       SUM(CASE WHEN closed_at IS NOT NULL AND closed_at <= deadline_at THEN 1 ELSE 0 END),
       SUM(CASE WHEN closed_at > deadline_at THEN 1 ELSE 0 END),
       SUM(CASE WHEN closed_at IS NULL THEN 1 ELSE 0 END)
FROM inspection_findings GROUP BY 1, 2, 3;
