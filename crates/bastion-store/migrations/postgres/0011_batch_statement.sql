-- A plain batch of registrations is written as one statement, with no explicit transaction: the
-- rows, their audit records (linked in Rust from the head the writer last saw), the head's move and
-- the hourly counters. One statement is atomic by itself, so when its checks fail it must fail as a
-- whole: batch_guard raises (SQLSTATE BS001) and everything the statement did is undone.
CREATE FUNCTION batch_guard(ok BOOLEAN, what TEXT) RETURNS BOOLEAN AS $$
BEGIN
    IF ok IS NOT TRUE THEN
        RAISE EXCEPTION 'batch check failed: %', what USING ERRCODE = 'BS001';
    END IF;
    RETURN TRUE;
END
$$ LANGUAGE plpgsql VOLATILE;

-- Records that arrive linked (hash set) no longer call the linking trigger at all: the function
-- already passed them through unchanged (0008), now the call itself is skipped.
DROP TRIGGER audit_chain ON audit_log;
CREATE TRIGGER audit_chain BEFORE INSERT ON audit_log FOR EACH ROW WHEN (NEW.hash = '')
    EXECUTE FUNCTION audit_chain();
