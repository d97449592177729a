//! Payment notifications: idempotent by reference, decided by
//! `setia_domain::order::payment_decision`, every refusal recorded.

use super::*;
use crate::customer_facts::{spending_by_window_in, windows_of};
use crate::db::{is_unique_violation, Db, Tx};
use crate::dispatch;
use crate::promotion_uses;
use crate::tiers::TierRow;
use anyhow::Context;
use chrono::{DateTime, SubsecRound, Utc};
use setia_domain::order::{payment_decision, PaymentDecision};
use setia_domain::pricing::MAX_CUSTOMER_SPENDING;
use setia_domain::tier::{tier_standing, TierStanding, TierWindow};
use setia_domain::Money;
use setia_domain::OrderStatus;

#[tracing::instrument(skip_all)]
pub(super) async fn record_rejection(
    tx: &mut Tx,
    order_id: i64,
    payment_ref: &str,
    amount: i64,
    reason: &str,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    tracing::warn!(order_id, payment_ref, amount, reason, "payment notification refused");
    dispatch!(tx tx, |c| sqlx::query(
        "INSERT INTO payment_rejections (order_id, payment_ref, amount, reason, created_at) VALUES ($1, $2, $3, $4, $5)"
    )
    .bind(order_id)
    .bind(payment_ref)
    .bind(amount)
    .bind(reason)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))
    .context("record payment rejection")?;
    Ok(())
}

/// Records a refused payment and returns the refusal: the record commits even
/// though the payment does not.
#[tracing::instrument(skip_all)]
pub(super) async fn refuse_payment(
    tx: Tx,
    order: &OrderRow,
    payment_ref: &str,
    amount: i64,
    err: OrderError,
    now: DateTime<Utc>,
) -> Result<Payment, OrderError> {
    let mut tx = tx;
    let reason = match &err {
        OrderError::NotPayable { .. } => "order_not_payable",
        OrderError::AmountMismatch { .. } => "amount_mismatch",
        OrderError::PaymentRefUsed => "payment_ref_used",
        OrderError::PromotionLimitReached { .. } => "promotion_limit_reached",
        OrderError::SpendingLimitReached => "spending_limit_reached",
        _ => "already_paid",
    };
    record_rejection(&mut tx, order.id, payment_ref, amount, reason, now).await?;
    tx.commit().await?;
    Err(err)
}

/// The result of a payment: the order, and whether this call paid it or it was a
/// replay of an earlier, identical payment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payment {
    pub order: Order,
    pub replay: bool,
    /// The tier the payment moved the customer into, when it moved them up.
    pub tier_up: Option<String>,
}

/// Records a payment (docs/SPEC.md §2.1): idempotent by `payment_ref`; the amount must be
/// the total; an expired or cancelled order is refused and the refusal recorded.
/// `tiers` is the ladder as cached for this request ([`crate::store_cache`]).
#[tracing::instrument(skip_all, fields(order_id))]
pub async fn pay_order(
    db: &Db,
    tiers: &[TierRow],
    order_id: i64,
    payment_ref: &str,
    amount: i64,
    clock: Clock,
) -> Result<Payment, OrderError> {
    let payment_ref = setia_domain::order::parse_reference("payment_ref", payment_ref)?;
    let payment_ref = payment_ref.as_str();
    let mut tx = db.begin_write().await?;
    let current = lock_order(&mut tx, order_id).await?;
    // The clock is read after the locks: a payment that waited for them past the
    // deadline is late, as a checkout that meanwhile saw the order overdue (and
    // took its promotion's last use) assumed. Microseconds: what both databases keep.
    let now = clock().trunc_subsecs(6);
    let order = &current.order;
    if order.payment_ref.as_deref() == Some(payment_ref) {
        return Ok(Payment { order: current, replay: true, tier_up: None });
    }
    let refusal = match payment_decision(order.status(), order.payment_deadline, order.total, amount, now) {
        PaymentDecision::Accept => None,
        PaymentDecision::ExpireAndRefuse => {
            set_status(&mut tx, order, OrderStatus::Expired, now).await?;
            Some(OrderError::NotPayable { status: OrderStatus::Expired.as_str() })
        }
        PaymentDecision::NotPayable(status) => Some(OrderError::NotPayable { status: status.as_str() }),
        PaymentDecision::AlreadyPaid => Some(OrderError::AlreadyPaid),
        PaymentDecision::AmountMismatch => Some(OrderError::AmountMismatch { paid: amount, total: order.total }),
    };
    if let Some(err) = refusal {
        return refuse_payment(tx, order, payment_ref, amount, err, now).await;
    }
    let rules: Vec<_> = tiers.iter().map(TierRow::rule).collect();
    let before = match order.customer_id {
        Some(c) => Some(spending_by_window_in(&mut tx, c, &windows_of(&rules), now).await?),
        None => None,
    };
    let spent = |w: TierWindow| before.as_ref().and_then(|b| b.get(&w).copied()).unwrap_or_default();
    // Every sum of a customer's spending (net of refunds) stays within the bound.
    if before.is_some() && spent(TierWindow::Lifetime).0.checked_add(order.total).is_none_or(|sum| sum > MAX_CUSTOMER_SPENDING) {
        return refuse_payment(tx, order, payment_ref, amount, OrderError::SpendingLimitReached, now).await;
    }
    // Use rows exist only for the promotions the order applied.
    let has_promotions = current.adjustments.iter().any(|a| a.promotion_id.is_some());
    if has_promotions {
        if let Err(breach) =
            promotion_uses::check_confirmable(&mut tx, order_id, order.customer_id, order.coupon_code.as_deref(), now).await?
        {
            let err = OrderError::PromotionLimitReached { promotion_id: breach.promotion_id, reason: breach.reason };
            return refuse_payment(tx, order, payment_ref, amount, err, now).await;
        }
    }
    match mark_paid(&mut tx, order, payment_ref, has_promotions, now).await {
        Ok(()) => {}
        // Another order took this reference (first, or at the same moment on
        // PostgreSQL): this transaction is void, so the refusal is recorded in a new one.
        Err(OrderError::Unexpected(e)) if e.downcast_ref::<sqlx::Error>().is_some_and(is_unique_violation) => {
            drop(tx);
            let mut tx = db.begin_write().await?;
            record_rejection(&mut tx, order_id, payment_ref, amount, "payment_ref_used", now).await?;
            tx.commit().await?;
            return Err(OrderError::PaymentRefUsed);
        }
        Err(e) => return Err(e),
    }
    let mut tier_up = None;
    if let Some(customer) = order.customer_id {
        // After this payment each window holds this order too: the same sums plus
        // its total, not a second aggregate.
        let after = tier_standing(&rules, &|w: TierWindow| Money(spent(w).0 + order.total));
        if let Some(tier) = moved_up(&tier_standing(&rules, &spent), &after) {
            crate::notifications::tier_up(&mut tx, customer, order_id, &tier, now).await?;
            tier_up = Some(tier);
        }
    }
    tx.commit().await?;
    let mut paid = current;
    paid.order.status = OrderStatus::Paid.as_str().to_string();
    (paid.order.payment_ref, paid.order.paid_at, paid.order.updated_at) = (Some(payment_ref.to_string()), Some(now), now);
    Ok(Payment { order: paid, replay: false, tier_up })
}

/// The tier a customer entered, when `after` is a higher tier than `before`.
pub(super) fn moved_up(before: &TierStanding, after: &TierStanding) -> Option<String> {
    let rank = |s: &TierStanding| s.current.as_ref().map(|(t, _)| t.min_spending);
    match (rank(before), after.current.as_ref()) {
        (b, Some((tier, _))) if b.is_none_or(|b| tier.min_spending > b) => Some(tier.name.clone()),
        _ => None,
    }
}
