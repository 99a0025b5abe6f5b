-- Delivery (chat-bot groups and the SMS gateway) is a feature of its own, `notify`, used by recall,
-- by the checkpoints' fever alerts and by any feature that sends a message. Its tables lose the
-- recall prefix, and a queued message says which feature it belongs to (`source`) and to which of
-- that feature's records (`source_id`: a recall order, a fever case; NULL when none).
-- Earlier rows: those with an order are recall's; those without were fever alerts.
ALTER TABLE recall_channels RENAME TO notify_channels;

ALTER TABLE recall_outbox RENAME TO notify_outbox;
ALTER TABLE notify_outbox DROP CONSTRAINT IF EXISTS recall_outbox_order_id_fkey;
ALTER TABLE notify_outbox RENAME COLUMN order_id TO source_id;
ALTER TABLE notify_outbox ADD COLUMN source TEXT;
UPDATE notify_outbox SET source = CASE WHEN source_id IS NULL THEN 'checkpoint' ELSE 'recall' END;
ALTER TABLE notify_outbox ALTER COLUMN source SET NOT NULL;
DROP INDEX recall_outbox_due;
DROP INDEX recall_outbox_order;
CREATE INDEX notify_outbox_due ON notify_outbox(status, next_at);
CREATE INDEX notify_outbox_source ON notify_outbox(source, source_id);

ALTER TABLE recall_deliveries RENAME TO notify_deliveries;
ALTER TABLE notify_deliveries RENAME COLUMN order_id TO source_id;
ALTER TABLE notify_deliveries ADD COLUMN source TEXT;
UPDATE notify_deliveries SET source = CASE WHEN source_id IS NULL THEN 'checkpoint' ELSE 'recall' END;
ALTER TABLE notify_deliveries ALTER COLUMN source SET NOT NULL;
DROP INDEX recall_deliveries_order;
CREATE INDEX notify_deliveries_source ON notify_deliveries(source, source_id, id);

-- The permission to configure channels is notify's; custom roles that held recall's keep it.
UPDATE settings SET value = REPLACE(value, '"recall:channel:write"', '"notify:channel:write"')
    WHERE key = 'security.custom_roles';
