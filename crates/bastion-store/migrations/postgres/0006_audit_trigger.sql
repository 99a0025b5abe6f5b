-- The audit chain is linked inside the database: one INSERT per record instead of three round
-- trips (read head, insert, move head). The trigger locks the head row (appends stay serialised),
-- numbers the record, and computes the same hash as `AuditRecord::compute_hash` in Rust: SHA-256
-- over each field as an 8-byte big-endian byte length followed by its UTF-8 bytes. `bastion audit
-- verify` recomputes it in Rust, so any divergence would show as a broken chain.
CREATE FUNCTION audit_chain() RETURNS trigger AS $$
DECLARE
    head_seq BIGINT;
    head_hash TEXT;
    buf BYTEA := ''::bytea;
    part TEXT;
    raw BYTEA;
BEGIN
    SELECT seq, hash INTO head_seq, head_hash FROM audit_head WHERE id = 1 FOR UPDATE;
    NEW.seq := head_seq + 1;
    NEW.prev_hash := head_hash;
    FOREACH part IN ARRAY ARRAY[NEW.prev_hash, NEW.seq::text, NEW.at::text, NEW.account, NEW.unit, NEW.ip,
        NEW.module, NEW.action, NEW.target, NEW.result, NEW.detail, NEW.request_id]
    LOOP
        raw := convert_to(part, 'UTF8');
        buf := buf || int8send(octet_length(raw)::bigint) || raw;
    END LOOP;
    NEW.hash := encode(sha256(buf), 'hex');
    UPDATE audit_head SET seq = NEW.seq, hash = NEW.hash WHERE id = 1;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER audit_chain BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_chain();
