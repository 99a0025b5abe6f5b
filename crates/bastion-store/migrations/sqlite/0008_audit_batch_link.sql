-- The head moves once per append statement, set by the application after the INSERT (a batch of
-- 1,000 records moved it 1,000 times through this trigger).
DROP TRIGGER audit_head_follows;
