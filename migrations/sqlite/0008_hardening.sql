-- Issue 13 (hardening). A payment is also refused when a reserved promotion use
-- no longer fits its limits at payment ('promotion_limit_reached'), and when it
-- would take the customer's paid orders past MAX_CUSTOMER_SPENDING ('spending_limit_reached').
-- SQLite cannot change a CHECK in place: the table is rebuilt (nothing references it).
-- Keep in step with migrations/postgres/0008_hardening.sql.
CREATE TABLE payment_rejections_new (
    id          INTEGER PRIMARY KEY,
    order_id    INTEGER NOT NULL REFERENCES orders (id),
    payment_ref TEXT NOT NULL,
    amount      BIGINT NOT NULL,
    reason      TEXT NOT NULL CHECK (reason IN ('order_not_payable', 'amount_mismatch', 'already_paid', 'payment_ref_used', 'promotion_limit_reached', 'spending_limit_reached')),
    created_at  DATETIME NOT NULL
);
INSERT INTO payment_rejections_new (id, order_id, payment_ref, amount, reason, created_at)
    SELECT id, order_id, payment_ref, amount, reason, created_at FROM payment_rejections;
DROP TABLE payment_rejections;
ALTER TABLE payment_rejections_new RENAME TO payment_rejections;
CREATE INDEX payment_rejections_order ON payment_rejections (order_id, created_at);
CREATE INDEX payment_rejections_created ON payment_rejections (created_at);

-- Sign-in is throttled per IP too (backend/src/login.rs).
CREATE INDEX login_failures_ip_time ON login_failures (ip, attempted_at);
