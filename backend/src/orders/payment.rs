//! Payment notifications: idempotent by reference, decided by
//! `setia_domain::order::payment_decision`, every refusal recorded.

use super::*;
use crate::customer_facts::{standing_and_lifetime_in, tier_standing_in};
use crate::db::{is_unique_violation, Db, Tx};
use crate::dispatch;
use crate::promotion_uses;
use crate::tiers;
use anyhow::Context;
use chrono::{DateTime, Utc};
use setia_domain::order::{payment_decision, PaymentDecision};
use setia_domain::pricing::MAX_CUSTOMER_SPENDING;
use setia_domain::tier::TierStanding;
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
#[tracing::instrument(skip_all, fields(order_id))]
pub async fn pay_order(db: &Db, order_id: i64, payment_ref: &str, amount: i64, clock: Clock) -> Result<Payment, OrderError> {
    let payment_ref = setia_domain::order::parse_reference("payment_ref", payment_ref)?;
    let payment_ref = payment_ref.as_str();
    let tiers = tiers::list_tiers(db).await?;
    let mut tx = db.begin_write().await?;
    let current = lock_order(&mut tx, order_id).await?;
    // The clock is read after the locks: a payment that waited for them past the
    // deadline is late, as a checkout that meanwhile saw the order overdue (and
    // took its promotion's last use) assumed.
    let now = clock();
    let order = &current.order;
    let used_by: Option<i64> = dispatch!(tx &mut tx, |c| sqlx::query_scalar::<_, i64>("SELECT id FROM orders WHERE payment_ref = $1")
        .bind(payment_ref)
        .fetch_optional(c)
        .await)
    .context("find payment reference")?;
    match used_by {
        Some(id) if id == order_id => return Ok(Payment { order: current, replay: true, tier_up: None }),
        Some(_) => return refuse_payment(tx, order, payment_ref, amount, OrderError::PaymentRefUsed, now).await,
        None => {}
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
    let before = match order.customer_id {
        Some(c) => Some(standing_and_lifetime_in(&mut tx, c, &tiers, now).await?),
        None => None,
    };
    // Every sum of a customer's spending (net of refunds) stays within the bound.
    if before.as_ref().is_some_and(|(_, lifetime)| lifetime.0.checked_add(order.total).is_none_or(|sum| sum > MAX_CUSTOMER_SPENDING)) {
        return refuse_payment(tx, order, payment_ref, amount, OrderError::SpendingLimitReached, now).await;
    }
    if let Err(breach) = promotion_uses::check_confirmable(&mut tx, order_id, order.customer_id, now).await? {
        let err = OrderError::PromotionLimitReached { promotion_id: breach.promotion_id, reason: breach.reached.to_string() };
        return refuse_payment(tx, order, payment_ref, amount, err, now).await;
    }
    let before = before.map(|(standing, _)| standing);
    set_status(&mut tx, order, OrderStatus::Paid, now).await?;
    let updated = dispatch!(tx &mut tx, |c| sqlx::query("UPDATE orders SET payment_ref = $1, paid_at = $2 WHERE id = $3")
        .bind(payment_ref)
        .bind(now)
        .bind(order_id)
        .execute(c)
        .await
        .map(|r| r.rows_affected()));
    match updated {
        Ok(_) => {}
        // Another order took this reference at the same moment (PostgreSQL): this
        // transaction is void, so the refusal is recorded in a new one.
        Err(e) if is_unique_violation(&e) => {
            drop(tx);
            let mut tx = db.begin_write().await?;
            record_rejection(&mut tx, order_id, payment_ref, amount, "payment_ref_used", now).await?;
            tx.commit().await?;
            return Err(OrderError::PaymentRefUsed);
        }
        Err(e) => return Err(anyhow::Error::new(e).context("record payment").into()),
    }
    let mut tier_up = None;
    if let (Some(customer), Some(before)) = (order.customer_id, before) {
        let after = tier_standing_in(&mut tx, customer, &tiers, now).await?;
        if let Some(tier) = moved_up(&before, &after) {
            crate::notifications::tier_up(&mut tx, customer, order_id, &tier, now).await?;
            tier_up = Some(tier);
        }
    }
    let paid = load_order_in(&mut tx, order_id).await?;
    tx.commit().await?;
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
