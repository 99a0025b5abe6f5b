-- How far each node's view journal has been added to the view counts (bytes, header included). A
-- node appends every view it answers to a file in its data directory before answering, and adds the
-- views to the counts once a second together with the new position here, in one transaction; a node
-- killed before that adds the rest when it starts again, each view exactly once.
CREATE TABLE view_journals (
    journal TEXT PRIMARY KEY,
    applied BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
