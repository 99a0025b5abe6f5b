-- Fever alerts go to the chat-bot groups through the same delivery queue as the recall digests: a
-- queued message and its delivery records belong to an order, or (order_id NULL) to no order — a
-- fever alert, whose text carries the checkpoint, the reading and the case number, never a person.
-- SQLite cannot drop NOT NULL in place: both tables are rebuilt with their rows and ids.
CREATE TABLE recall_outbox_new (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id BIGINT REFERENCES recall_orders(id),
    channel_id BIGINT NOT NULL REFERENCES recall_channels(id),
    person_id BIGINT,
    body TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    next_at BIGINT NOT NULL,
    last_error TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    sent_at BIGINT
);
INSERT INTO recall_outbox_new (id, order_id, channel_id, person_id, body, status, attempts, next_at, last_error,
    created_at, sent_at)
    SELECT id, order_id, channel_id, person_id, body, status, attempts, next_at, last_error, created_at, sent_at
    FROM recall_outbox;
DROP TABLE recall_outbox;
ALTER TABLE recall_outbox_new RENAME TO recall_outbox;
CREATE INDEX recall_outbox_due ON recall_outbox(status, next_at);
CREATE INDEX recall_outbox_order ON recall_outbox(order_id);

CREATE TABLE recall_deliveries_new (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    outbox_id BIGINT NOT NULL,
    order_id BIGINT,
    channel_id BIGINT NOT NULL,
    attempt BIGINT NOT NULL,
    ok BIGINT NOT NULL,
    http_status BIGINT NOT NULL DEFAULT 0,
    detail TEXT NOT NULL,
    at BIGINT NOT NULL
);
INSERT INTO recall_deliveries_new (id, outbox_id, order_id, channel_id, attempt, ok, http_status, detail, at)
    SELECT id, outbox_id, order_id, channel_id, attempt, ok, http_status, detail, at FROM recall_deliveries;
DROP TABLE recall_deliveries;
ALTER TABLE recall_deliveries_new RENAME TO recall_deliveries;
CREATE INDEX recall_deliveries_order ON recall_deliveries(order_id, id);
