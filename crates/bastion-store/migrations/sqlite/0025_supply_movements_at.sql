-- The forecast's observed use sums what left each store over the last 14 days: an index by time
-- that carries the columns it sums, so the read covers only the window (not the whole ledger).
CREATE INDEX supply_movements_at ON supply_movements(at, from_store_id, item_id, kind, quantity);
