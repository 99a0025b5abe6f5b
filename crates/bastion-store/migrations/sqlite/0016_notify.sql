-- Delivery (chat-bot groups and the SMS gateway) is a feature of its own, `notify`, used by recall,
-- by the checkpoints' fever alerts and by any feature that sends a message. Its tables lose the
-- recall prefix, and a queued message says which feature it belongs to (`source`) and to which of
-- that feature's records (`source_id`: a recall order, a fever case; NULL when none).
-- Earlier rows: those with an order are recall's; those without were fever alerts.
-- SQLite cannot drop the reference to recall_orders in place: the two tables are rebuilt with
-- their rows and ids.
ALTER TABLE recall_channels RENAME TO notify_channels;

CREATE TABLE notify_outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    source TEXT NOT NULL,
    source_id BIGINT,
    channel_id BIGINT NOT NULL REFERENCES notify_channels(id),
    person_id BIGINT,
    body TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    next_at BIGINT NOT NULL,
    last_error TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    sent_at BIGINT
);
INSERT INTO notify_outbox (id, source, source_id, channel_id, person_id, body, status, attempts, next_at, last_error,
    created_at, sent_at)
    SELECT id, CASE WHEN order_id IS NULL THEN 'checkpoint' ELSE 'recall' END, order_id, channel_id, person_id, body,
        status, attempts, next_at, last_error, created_at, sent_at
    FROM recall_outbox;
DROP TABLE recall_outbox;
CREATE INDEX notify_outbox_due ON notify_outbox(status, next_at);
CREATE INDEX notify_outbox_source ON notify_outbox(source, source_id);

CREATE TABLE notify_deliveries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    outbox_id BIGINT NOT NULL,
    source TEXT NOT NULL,
    source_id BIGINT,
    channel_id BIGINT NOT NULL,
    attempt BIGINT NOT NULL,
    ok BIGINT NOT NULL,
    http_status BIGINT NOT NULL DEFAULT 0,
    detail TEXT NOT NULL,
    at BIGINT NOT NULL
);
INSERT INTO notify_deliveries (id, outbox_id, source, source_id, channel_id, attempt, ok, http_status, detail, at)
    SELECT id, outbox_id, CASE WHEN order_id IS NULL THEN 'checkpoint' ELSE 'recall' END, order_id, channel_id,
        attempt, ok, http_status, detail, at
    FROM recall_deliveries;
DROP TABLE recall_deliveries;
CREATE INDEX notify_deliveries_source ON notify_deliveries(source, source_id, id);

-- The permission to configure channels is notify's; custom roles that held recall's keep it.
UPDATE settings SET value = REPLACE(value, '"recall:channel:write"', '"notify:channel:write"')
    WHERE key = 'security.custom_roles';
