-- Fever alerts go to the chat-bot groups through the same delivery queue as the recall digests: a
-- queued message and its delivery records belong to an order, or (order_id NULL) to no order — a
-- fever alert, whose text carries the checkpoint, the reading and the case number, never a person.
ALTER TABLE recall_outbox ALTER COLUMN order_id DROP NOT NULL;
ALTER TABLE recall_deliveries ALTER COLUMN order_id DROP NOT NULL;
