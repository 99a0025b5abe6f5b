-- How many of an order's people are in each state, per unit: kept with every change of state (the
-- answers' batches add their moves, bulk changes recount their order), so the board, the dashboard
-- and the report read a few rows per unit instead of counting the order's people on every request.
CREATE TABLE recall_unit_counts (
    order_id BIGINT NOT NULL REFERENCES recall_orders(id),
    unit_id BIGINT NOT NULL,
    state TEXT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (order_id, unit_id, state)
);
INSERT INTO recall_unit_counts (order_id, unit_id, state, n)
    SELECT order_id, unit_id, state, COUNT(*) FROM recall_targets GROUP BY order_id, unit_id, state;
