-- Recall orders (召集令): the order, one row per person recalled (their state), every transition
-- (timed and attributed), escalation notices, delivery channels, the outgoing queue and its log.
CREATE TABLE recall_orders (
    id BIGSERIAL PRIMARY KEY,
    title TEXT NOT NULL,
    message TEXT NOT NULL,
    mode TEXT NOT NULL,
    scope_kind TEXT NOT NULL,
    scope_text TEXT NOT NULL,
    scope_json TEXT NOT NULL,
    report_to TEXT NOT NULL,
    report_post TEXT,
    deadline_at BIGINT NOT NULL,
    waves TEXT NOT NULL DEFAULT '',
    waves_done BIGINT NOT NULL DEFAULT 0,
    status TEXT NOT NULL,
    audience BIGINT NOT NULL,
    issuer_account_id BIGINT NOT NULL,
    issuer TEXT NOT NULL,
    issuer_unit_path TEXT NOT NULL,
    approver TEXT,
    approved_at BIGINT,
    sent_at BIGINT,
    expired BIGINT NOT NULL DEFAULT 0,
    closed_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX recall_orders_status ON recall_orders(status);

CREATE TABLE recall_targets (
    order_id BIGINT NOT NULL REFERENCES recall_orders(id),
    person_id BIGINT NOT NULL REFERENCES people(id),
    unit_id BIGINT NOT NULL REFERENCES units(id),
    duty_status TEXT NOT NULL,
    state TEXT NOT NULL,
    exempt_reason TEXT,
    nonce TEXT NOT NULL,
    delivered_at BIGINT,
    acked_at BIGINT,
    on_post_at BIGINT,
    exempt_at BIGINT,
    no_response_at BIGINT,
    reminders BIGINT NOT NULL DEFAULT 0,
    location TEXT,
    updated_by TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (order_id, person_id)
);
CREATE INDEX recall_targets_state ON recall_targets(order_id, state);
CREATE INDEX recall_targets_unit ON recall_targets(order_id, unit_id);
CREATE INDEX recall_targets_person ON recall_targets(person_id);

CREATE TABLE recall_events (
    id BIGSERIAL PRIMARY KEY,
    order_id BIGINT NOT NULL,
    person_id BIGINT NOT NULL,
    from_state TEXT NOT NULL,
    to_state TEXT NOT NULL,
    via TEXT NOT NULL,
    actor TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX recall_events_target ON recall_events(order_id, person_id);

CREATE TABLE recall_notices (
    id BIGSERIAL PRIMARY KEY,
    order_id BIGINT NOT NULL REFERENCES recall_orders(id),
    wave BIGINT NOT NULL,
    audience TEXT NOT NULL,
    unit_id BIGINT,
    person_id BIGINT,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX recall_notices_order ON recall_notices(order_id, id);

CREATE TABLE recall_channels (
    id BIGSERIAL PRIMARY KEY,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    url TEXT NOT NULL,
    secret_cipher BYTEA,
    template TEXT NOT NULL DEFAULT '',
    link_base TEXT NOT NULL DEFAULT '',
    min_interval_ms BIGINT NOT NULL,
    enabled BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL
);

CREATE TABLE recall_outbox (
    id BIGSERIAL PRIMARY KEY,
    order_id BIGINT NOT NULL REFERENCES recall_orders(id),
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
CREATE INDEX recall_outbox_due ON recall_outbox(status, next_at);
CREATE INDEX recall_outbox_order ON recall_outbox(order_id);

CREATE TABLE recall_deliveries (
    id BIGSERIAL PRIMARY KEY,
    outbox_id BIGINT NOT NULL,
    order_id BIGINT NOT NULL,
    channel_id BIGINT NOT NULL,
    attempt BIGINT NOT NULL,
    ok BIGINT NOT NULL,
    http_status BIGINT NOT NULL DEFAULT 0,
    detail TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX recall_deliveries_order ON recall_deliveries(order_id, id);
