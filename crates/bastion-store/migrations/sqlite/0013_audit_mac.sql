-- The audit chain's hashes are plain SHA-256, so whoever can write the database could edit a record
-- and recompute every hash after it. Each record now also carries a keyed MAC (HMAC-SHA256 over its
-- hash, which covers every field and the previous hash) under an audit key kept outside the database
-- with the field-encryption keys, and the id of that key. Records written before this migration
-- have no MAC: `audit_mac_from.seq` marks the last of them, and `bastion audit verify` checks the
-- MAC of every record after it (and says where the switch point is).
ALTER TABLE audit_log ADD COLUMN mac TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_log ADD COLUMN mac_key BIGINT NOT NULL DEFAULT 0;
CREATE TABLE audit_mac_from (
    id BIGINT PRIMARY KEY,
    seq BIGINT NOT NULL
);
INSERT INTO audit_mac_from (id, seq) SELECT 1, seq FROM audit_head WHERE id = 1;
