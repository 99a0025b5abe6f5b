-- Protective supplies (防护物资): the item catalogue, stores (the bureau warehouse and a stock point
-- per post), the ledger of movements (the only record of stock: receipts, transfers, issues to
-- people, returns, disposals, stocktake adjustments), sign-offs of issues to people, and a balance
-- per store, item and batch kept in the same transaction as each movement (never edited alone).
CREATE TABLE supply_items (
    id BIGSERIAL PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    issue_unit TEXT NOT NULL,
    pack_size BIGINT NOT NULL DEFAULT 1,
    per_shift BIGINT NOT NULL DEFAULT 1,
    shelf_life_days BIGINT,
    min_days BIGINT NOT NULL DEFAULT 0,
    kit_per_shift BIGINT NOT NULL DEFAULT 0,
    enabled BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE supply_stores (
    id BIGSERIAL PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    unit_id BIGINT NOT NULL REFERENCES units(id),
    checkpoint_id BIGINT REFERENCES checkpoints(id),
    enabled BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL
);
CREATE INDEX supply_stores_unit ON supply_stores(unit_id);

CREATE TABLE supply_issues (
    id BIGSERIAL PRIMARY KEY,
    store_id BIGINT NOT NULL REFERENCES supply_stores(id),
    person_id BIGINT NOT NULL REFERENCES people(id),
    shift_date TEXT NOT NULL,
    shift TEXT NOT NULL,
    signature BYTEA,
    signature_mime TEXT,
    leader_reason TEXT,
    repeat_reason TEXT,
    expired_reason TEXT,
    account_id BIGINT NOT NULL,
    actor TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX supply_issues_person_shift ON supply_issues(person_id, shift_date, shift);
CREATE INDEX supply_issues_store_at ON supply_issues(store_id, at);

CREATE TABLE supply_movements (
    id BIGSERIAL PRIMARY KEY,
    kind TEXT NOT NULL,
    item_id BIGINT NOT NULL REFERENCES supply_items(id),
    batch TEXT NOT NULL DEFAULT '',
    expires_on TEXT,
    quantity BIGINT NOT NULL,
    from_store_id BIGINT REFERENCES supply_stores(id),
    to_store_id BIGINT REFERENCES supply_stores(id),
    person_id BIGINT REFERENCES people(id),
    issue_id BIGINT REFERENCES supply_issues(id),
    source TEXT,
    donor TEXT,
    reason TEXT NOT NULL DEFAULT '',
    account_id BIGINT NOT NULL,
    actor TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX supply_movements_from ON supply_movements(from_store_id, item_id);
CREATE INDEX supply_movements_to ON supply_movements(to_store_id, item_id);
CREATE INDEX supply_movements_person ON supply_movements(person_id, at);
CREATE INDEX supply_movements_issue ON supply_movements(issue_id);

CREATE TABLE supply_balances (
    store_id BIGINT NOT NULL REFERENCES supply_stores(id),
    item_id BIGINT NOT NULL REFERENCES supply_items(id),
    batch TEXT NOT NULL,
    expires_on TEXT,
    quantity BIGINT NOT NULL,
    PRIMARY KEY (store_id, item_id, batch)
);

-- Requests from a post to the warehouse (申领): what was asked, what was approved, and the outcome;
-- an approval is fulfilled as transfers in the same transaction.
CREATE TABLE supply_requests (
    id BIGSERIAL PRIMARY KEY,
    store_id BIGINT NOT NULL REFERENCES supply_stores(id),
    status TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    requested_by TEXT NOT NULL,
    account_id BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    decided_by TEXT,
    decision_reason TEXT,
    decided_at BIGINT
);
CREATE INDEX supply_requests_status ON supply_requests(status, id);

CREATE TABLE supply_request_lines (
    request_id BIGINT NOT NULL REFERENCES supply_requests(id),
    item_id BIGINT NOT NULL REFERENCES supply_items(id),
    requested BIGINT NOT NULL,
    approved BIGINT,
    PRIMARY KEY (request_id, item_id)
);
