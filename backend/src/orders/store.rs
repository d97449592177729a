//! Reading an order, locking it for a change (customer first, then the order) and
//! moving it to its next status with its promotion uses.

use super::*;
use crate::db::{Db, Tx};
use crate::dispatch;
use crate::promotion_uses::{self, UseStatus};
use anyhow::Context;
use chrono::{DateTime, Utc};
use setia_domain::OrderStatus;

/// Loads an order with everything shown about it, from one consistent snapshot.
#[tracing::instrument(skip_all)]
pub async fn load_order(db: &Db, id: i64) -> Result<Order, OrderError> {
    let mut tx = db.begin_read().await?;
    load_order_in(&mut tx, id).await
}

#[tracing::instrument(skip_all)]
pub(super) async fn load_order_in(tx: &mut Tx, id: i64) -> Result<Order, OrderError> {
    let order = dispatch!(tx tx, |c| sqlx::query_as::<_, OrderRow>(&format!("SELECT {ORDER_COLUMNS} FROM orders WHERE id = $1"))
        .bind(id)
        .fetch_optional(c)
        .await)
    .context("load order")?
    .ok_or(OrderError::NotFound)?;
    let lines = dispatch!(tx tx, |c| sqlx::query_as::<_, OrderLineRow>(
        "SELECT line_no, product_id, sku, quantity, unit_price, base_amount, discount, final_amount
         FROM order_lines WHERE order_id = $1 ORDER BY line_no"
    )
    .bind(id)
    .fetch_all(c)
    .await)
    .context("load order lines")?;
    let adjustments = dispatch!(tx tx, |c| sqlx::query_as::<_, AdjustmentRow>(
        "SELECT line_no, source, promotion_id, customer_discount_id, code, amount, explanation
         FROM order_adjustments WHERE order_id = $1 ORDER BY id"
    )
    .bind(id)
    .fetch_all(c)
    .await)
    .context("load order adjustments")?;
    let refunds = dispatch!(tx tx, |c| sqlx::query_as::<_, RefundRow>(
        "SELECT refund_ref, amount, created_at FROM refunds WHERE order_id = $1 ORDER BY created_at, id"
    )
    .bind(id)
    .fetch_all(c)
    .await)
    .context("load refunds")?;
    let rejections = dispatch!(tx tx, |c| sqlx::query_as::<_, PaymentRejectionRow>(
        "SELECT payment_ref, amount, reason, created_at FROM payment_rejections WHERE order_id = $1 ORDER BY created_at, id"
    )
    .bind(id)
    .fetch_all(c)
    .await)
    .context("load payment rejections")?;
    Ok(Order { order, lines, adjustments, refunds, rejections })
}

/// Locks the order for a change (and first its customer: the lock order of this
/// module) and loads it. Every query runs on the transaction's own connection: taking a second one from
/// the pool while holding this one would starve the pool under load.
#[tracing::instrument(skip_all)]
pub(super) async fn lock_order(tx: &mut Tx, id: i64) -> Result<Order, OrderError> {
    // An order's customer never changes, so reading it before the locks is safe.
    let customer_id: Option<i64> =
        dispatch!(tx tx, |c| sqlx::query_scalar::<_, Option<i64>>("SELECT customer_id FROM orders WHERE id = $1")
        .bind(id)
        .fetch_optional(c)
        .await)
        .context("find order's customer")?
        .ok_or(OrderError::NotFound)?;
    let lock = tx.for_update();
    if let Some(customer) = customer_id {
        dispatch!(tx tx, |c| sqlx::query_scalar::<_, i64>(&format!("SELECT id FROM customers WHERE id = $1{lock}"))
            .bind(customer)
            .fetch_one(c)
            .await)
        .context("lock customer")?;
    }
    dispatch!(tx tx, |c| sqlx::query_scalar::<_, i64>(&format!("SELECT id FROM orders WHERE id = $1{lock}"))
        .bind(id)
        .fetch_one(c)
        .await)
    .context("lock order")?;
    load_order_in(tx, id).await
}

#[tracing::instrument(skip_all)]
pub(super) async fn set_status(tx: &mut Tx, order: &OrderRow, next: OrderStatus, now: DateTime<Utc>) -> Result<(), OrderError> {
    let current = order.status();
    if !current.can_become(next) {
        return Err(anyhow::anyhow!("illegal order transition {} -> {}", current.as_str(), next.as_str()).into());
    }
    dispatch!(tx tx, |c| sqlx::query("UPDATE orders SET status = $1, updated_at = $2 WHERE id = $3 AND status = $4")
        .bind(next.as_str())
        .bind(now)
        .bind(order.id)
        .bind(current.as_str())
        .execute(c)
        .await
        .map(|r| r.rows_affected()))
    .context("update order status")?;
    // A use counts while its order may still be paid for (docs/SPEC.md §2.3).
    match next {
        OrderStatus::Paid => promotion_uses::settle(tx, order.id, UseStatus::Confirmed, now).await?,
        OrderStatus::Cancelled | OrderStatus::Expired | OrderStatus::Refunded => {
            promotion_uses::settle(tx, order.id, UseStatus::Released, now).await?
        }
        _ => {}
    }
    Ok(())
}
