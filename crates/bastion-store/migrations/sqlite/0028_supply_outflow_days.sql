-- What left each store per item and Beijing day (issued to people; transferred to other stores),
-- moved in the transaction that posts the movement: the forecast's observed use reads at most
-- 14 days × stores × items of these instead of every movement of the window. A day is stored as
-- the millisecond its 00:00 (UTC+8) falls on. Without a rowid the rows are kept in key order, so a
-- window of days is one contiguous read.
CREATE TABLE supply_outflow_days (
    store_id BIGINT NOT NULL REFERENCES supply_stores(id),
    item_id BIGINT NOT NULL REFERENCES supply_items(id),
    day BIGINT NOT NULL,
    issued BIGINT NOT NULL,
    sent BIGINT NOT NULL,
    PRIMARY KEY (day, store_id, item_id)
) WITHOUT ROWID;

INSERT INTO supply_outflow_days (store_id, item_id, day, issued, sent)
SELECT from_store_id, item_id, (at + 28800000) / 86400000 * 86400000 - 28800000,
       SUM(CASE WHEN kind = 'issue' THEN quantity ELSE 0 END),
       SUM(CASE WHEN kind = 'transfer' THEN quantity ELSE 0 END)
FROM supply_movements
WHERE from_store_id IS NOT NULL AND kind IN ('issue', 'transfer')
GROUP BY 1, 2, 3;
