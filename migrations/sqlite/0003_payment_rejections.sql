-- Payment notifications Setia refused (expired or cancelled order, wrong amount,
-- order already paid under another reference). Kept so an admin can see each one
-- and act on it: nothing fails silently (docs/SPEC.md §1.4, §2.1).
-- Keep in step with migrations/postgres/0003_payment_rejections.sql.
CREATE TABLE payment_rejections (
    id          INTEGER PRIMARY KEY,
    order_id    INTEGER NOT NULL REFERENCES orders (id),
    payment_ref TEXT NOT NULL,
    amount      BIGINT NOT NULL,
    reason      TEXT NOT NULL CHECK (reason IN ('order_not_payable', 'amount_mismatch', 'already_paid', 'payment_ref_used')),
    created_at  DATETIME NOT NULL
);
CREATE INDEX payment_rejections_order ON payment_rejections (order_id, created_at);
CREATE INDEX payment_rejections_created ON payment_rejections (created_at);
