-- Batches link their own audit records: a writer that appends many records in one transaction
-- (screening registrations, recall answers) locks the head once, hashes the records in Rust, inserts
-- them already linked and moves the head once, instead of this trigger locking, hashing and moving
-- the head row by row. A record that arrives linked (hash set) passes through unchanged; `bastion
-- audit verify` recomputes every hash, so a wrongly linked record would show as a broken chain.
CREATE OR REPLACE FUNCTION audit_chain() RETURNS trigger AS $$
DECLARE
    head_seq BIGINT;
    head_hash TEXT;
    buf BYTEA := ''::bytea;
    part TEXT;
    raw BYTEA;
BEGIN
    IF NEW.hash <> '' THEN
        RETURN NEW;
    END IF;
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
