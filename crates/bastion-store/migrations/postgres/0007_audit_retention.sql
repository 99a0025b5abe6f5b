-- Audit retention: records older than the retention period (never under 180 days) are purged; the
-- last purged record's seq and hash stay here as the anchor the remaining chain starts from. The
-- purge itself is an audit record naming the same anchor, so moving the anchor shows.
CREATE TABLE audit_anchor (
    id BIGINT PRIMARY KEY,
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_anchor (id, seq, hash) VALUES (1, 0, '');
