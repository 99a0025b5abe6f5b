-- Periodic background work that must run once per period across every node sharing this database
-- (retention purges): a node runs a job only after moving its next due time forward, which one
-- node at a time can do.
CREATE TABLE schedule (
    name TEXT PRIMARY KEY,
    next_due_at BIGINT NOT NULL,
    last_node TEXT NOT NULL DEFAULT '',
    runs BIGINT NOT NULL DEFAULT 0
);
