-- The chain's head follows every appended record inside the same transaction (one statement
-- fewer per audit record). The record's hash is computed in Rust (SQLite has no SHA-256).
CREATE TRIGGER audit_head_follows AFTER INSERT ON audit_log
BEGIN
    UPDATE audit_head SET seq = NEW.seq, hash = NEW.hash WHERE id = 1;
END;
