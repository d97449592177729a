-- The customer spending index: every customer's lifetime spending, tier and
-- spending missing to the next tier as of one moment, used only to order, filter
-- and count customers at scale. Never read as anyone's spending: a read replaces
-- the rows of every customer whose facts changed since (backend/src/spending_index.rs).
-- Keep in step with migrations/postgres/0004_customer_spending_index.sql.
CREATE TABLE customer_spending_index (
    customer_id INTEGER PRIMARY KEY,
    spending    BIGINT NOT NULL,
    tier_id     BIGINT NOT NULL,
    to_next     BIGINT
);
CREATE INDEX customer_spending_index_spending ON customer_spending_index (spending, customer_id);
CREATE INDEX customer_spending_index_tier ON customer_spending_index (tier_id, spending);

-- One row: when the index was built and for which tier ladder. A NULL as_of means
-- never built; readers then aggregate live.
CREATE TABLE customer_spending_index_state (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    as_of      DATETIME,
    ladder     TEXT,
    customers  BIGINT NOT NULL DEFAULT 0
);
INSERT INTO customer_spending_index_state (id) VALUES (1);

-- Finding the customers whose facts changed since the index was built: orders
-- written since, and orders whose payment crossed a tier window's edge since.
CREATE INDEX orders_updated ON orders (updated_at);
CREATE INDEX orders_paid ON orders (paid_at);
