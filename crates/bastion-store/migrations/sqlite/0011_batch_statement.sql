-- Nothing to change on SQLite: the one-statement batch (PostgreSQL's 0011) is not used here, because
-- SQLite has a single writer connection and a transaction costs no round trips. This file keeps the
-- two migration lists numbered alike.
SELECT 1;
