-- The latest days each store received each item (receipts and transfers in), newest first, kept
-- with the movement that delivers: the forecast projects the next delivery from the gaps between
-- them. A day is stored as the millisecond its 00:00 (UTC+8) falls on; d2..d4 are empty until as
-- many deliveries were made.
CREATE TABLE supply_deliveries (
    store_id BIGINT NOT NULL REFERENCES supply_stores(id),
    item_id BIGINT NOT NULL REFERENCES supply_items(id),
    d1 BIGINT NOT NULL,
    d2 BIGINT,
    d3 BIGINT,
    d4 BIGINT,
    PRIMARY KEY (store_id, item_id)
);

INSERT INTO supply_deliveries (store_id, item_id, d1, d2, d3, d4)
SELECT store_id, item_id,
       MAX(CASE WHEN n = 1 THEN day END), MAX(CASE WHEN n = 2 THEN day END),
       MAX(CASE WHEN n = 3 THEN day END), MAX(CASE WHEN n = 4 THEN day END)
FROM (
    SELECT store_id, item_id, day, ROW_NUMBER() OVER (PARTITION BY store_id, item_id ORDER BY day DESC) AS n
    FROM (
        SELECT DISTINCT to_store_id AS store_id, item_id, (at + 28800000) / 86400000 * 86400000 - 28800000 AS day
        FROM supply_movements
        WHERE to_store_id IS NOT NULL AND kind IN ('receipt', 'transfer')
    ) AS days
) AS ranked
WHERE n <= 4
GROUP BY store_id, item_id;

-- Stores told that an item will run out before its next projected delivery: once per store, item
-- and projected delivery day.
CREATE TABLE supply_runout_alerts (
    store_id BIGINT NOT NULL,
    item_id BIGINT NOT NULL,
    delivery_on TEXT NOT NULL,
    alerted_at BIGINT NOT NULL,
    PRIMARY KEY (store_id, item_id, delivery_on)
);
