-- Issue 13 (hardening). A payment is also refused when a reserved promotion use
-- no longer fits its limits at payment ('promotion_limit_reached'), and when it
-- would take the customer's paid orders past MAX_CUSTOMER_SPENDING ('spending_limit_reached').
-- Keep in step with migrations/sqlite/0008_hardening.sql.
ALTER TABLE payment_rejections DROP CONSTRAINT payment_rejections_reason_check;
ALTER TABLE payment_rejections ADD CONSTRAINT payment_rejections_reason_check
    CHECK (reason IN ('order_not_payable', 'amount_mismatch', 'already_paid', 'payment_ref_used', 'promotion_limit_reached', 'spending_limit_reached'));

-- Sign-in is throttled per IP too (backend/src/login.rs).
CREATE INDEX login_failures_ip_time ON login_failures (ip, attempted_at);
