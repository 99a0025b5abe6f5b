-- Rostered shifts whose person had no protective kit issued within the lead time before the shift
-- began: the groups were told once (the count per post and shift, no names). A later issue
-- clears the person from the live check; the row only keeps the message from being repeated.
-- No foreign key: republishing a roster may delete an upcoming assignment that was alerted.
CREATE TABLE supply_kit_alerts (
    assignment_id BIGINT PRIMARY KEY,
    alerted_at BIGINT NOT NULL
);

-- Batches that come within 30 days of their expiry date while stock of them is held: the groups
-- were told once per store, item and batch.
CREATE TABLE supply_expiry_alerts (
    store_id BIGINT NOT NULL,
    item_id BIGINT NOT NULL,
    batch TEXT NOT NULL,
    alerted_at BIGINT NOT NULL,
    PRIMARY KEY (store_id, item_id, batch)
);
