-- Each customer's spending in each rolling window of the tier ladder the spending
-- index was built for, as of the same moment (zero rows left out). The tier
-- editor previews a proposed ladder that keeps those windows from these rows
-- instead of aggregating every order (backend/src/spending_index.rs).
-- Keep in step with migrations/sqlite/0005_window_spending_index.sql.
CREATE TABLE customer_window_spending_index (
    days        INTEGER NOT NULL CHECK (days > 0),
    customer_id BIGINT NOT NULL,
    spending    BIGINT NOT NULL,
    PRIMARY KEY (days, customer_id)
);

-- The rolling windows (days, comma-separated) the rows above hold; NULL: none
-- built yet (an index from before this migration), so readers aggregate live.
ALTER TABLE customer_spending_index_state ADD COLUMN windows TEXT;
