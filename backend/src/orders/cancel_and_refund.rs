//! Cancelling a pending order and refunding a paid one (`setia_domain::order::refund_outcome`).

use super::*;
use crate::db::Db;
use crate::dispatch;
use anyhow::Context;
use chrono::{DateTime, Utc};
use setia_domain::order::{refund_outcome, RefundRefusal};
use setia_domain::OrderStatus;

/// Cancels a pending order (a cancelled one is returned as it is).
#[tracing::instrument(skip_all, fields(order_id))]
pub async fn cancel_order(db: &Db, order_id: i64, clock: Clock) -> Result<Order, OrderError> {
    let mut tx = db.begin_write().await?;
    let current = lock_order(&mut tx, order_id).await?;
    let now = clock();
    if current.order.is_overdue(now) {
        // Past its deadline it is expired, as payment and the job would find it;
        // "cancelled" would claim someone called it off in time.
        set_status(&mut tx, &current.order, OrderStatus::Expired, now).await?;
        tx.commit().await?;
        return Err(OrderError::NotPending { status: OrderStatus::Expired.as_str() });
    }
    match current.order.status() {
        OrderStatus::Cancelled => return Ok(current),
        OrderStatus::PendingPayment => {}
        s => return Err(OrderError::NotPending { status: s.as_str() }),
    }
    set_status(&mut tx, &current.order, OrderStatus::Cancelled, now).await?;
    let cancelled = load_order_in(&mut tx, order_id).await?;
    tx.commit().await?;
    Ok(cancelled)
}

/// Refunds part or the rest of a paid order, idempotent by `refund_ref`.
#[tracing::instrument(skip_all, fields(order_id))]
pub async fn refund_order(db: &Db, order_id: i64, refund_ref: &str, amount: Option<i64>, now: DateTime<Utc>) -> Result<Order, OrderError> {
    let refund_ref = setia_domain::order::parse_reference("refund_ref", refund_ref)?;
    let refund_ref = refund_ref.as_str();
    setia_domain::order::check_refund_amount(amount)?;
    let mut tx = db.begin_write().await?;
    let current = lock_order(&mut tx, order_id).await?;
    if current.refunds.iter().any(|r| r.refund_ref == refund_ref) {
        return Ok(current);
    }
    let outcome = refund_outcome(current.order.status(), current.order.total, current.refunded(), amount).map_err(|r| match r {
        RefundRefusal::NotRefundable(status) => OrderError::NotRefundable { status: status.as_str() },
        RefundRefusal::TooLarge { remaining } => OrderError::RefundTooLarge { remaining },
    })?;
    let amount = outcome.amount;
    dispatch!(tx &mut tx, |c| sqlx::query("INSERT INTO refunds (order_id, refund_ref, amount, created_at) VALUES ($1, $2, $3, $4)")
        .bind(order_id)
        .bind(refund_ref)
        .bind(amount)
        .bind(now)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))
    .context("insert refund")?;
    set_status(&mut tx, &current.order, outcome.next, now).await?;
    let refunded = load_order_in(&mut tx, order_id).await?;
    tx.commit().await?;
    Ok(refunded)
}
