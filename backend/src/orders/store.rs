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
    with_children(tx, order).await
}

/// One row of what hangs under an order, in the shared columns of [`ORDER_CHILDREN`].
#[derive(sqlx::FromRow)]
struct ChildRow {
    kind: i32,
    line_no: Option<i32>,
    product_id: Option<i64>,
    sku: Option<String>,
    quantity: Option<i64>,
    unit_price: Option<i64>,
    base_amount: Option<i64>,
    discount: Option<i64>,
    final_amount: Option<i64>,
    source: Option<String>,
    promotion_id: Option<i64>,
    customer_discount_id: Option<i64>,
    /// The adjustment's code, the refund's or the refused payment's reference.
    reference: Option<String>,
    amount: Option<i64>,
    /// The adjustment's explanation or the refusal's reason.
    words: Option<String>,
    at: Option<DateTime<Utc>>,
}

/// An order's lines (kind 0), adjustments (1), refunds (2) and refused payments (3)
/// in one statement, each in the order it is shown: one round trip, not four.
const ORDER_CHILDREN: &str = "SELECT 0 AS kind, line_no, product_id, sku, quantity, unit_price, base_amount, discount, final_amount,
        CAST(NULL AS TEXT) AS source, CAST(NULL AS BIGINT) AS promotion_id, CAST(NULL AS BIGINT) AS customer_discount_id,
        CAST(NULL AS TEXT) AS reference, CAST(NULL AS BIGINT) AS amount, CAST(NULL AS TEXT) AS words,
        CAST(NULL AS TIMESTAMPTZ) AS at, CAST(line_no AS BIGINT) AS seq
    FROM order_lines WHERE order_id = $1
    UNION ALL
    SELECT 1, line_no, NULL, NULL, NULL, NULL, NULL, NULL, NULL, source, promotion_id, customer_discount_id, code, amount, explanation, NULL, id
    FROM order_adjustments WHERE order_id = $1
    UNION ALL
    SELECT 2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, refund_ref, amount, NULL, created_at, id
    FROM refunds WHERE order_id = $1
    UNION ALL
    SELECT 3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, payment_ref, amount, reason, created_at, id
    FROM payment_rejections WHERE order_id = $1
    ORDER BY kind, at, seq";

/// The order with its lines, adjustments, refunds and refused payments.
#[tracing::instrument(skip_all)]
async fn with_children(tx: &mut Tx, order: OrderRow) -> Result<Order, OrderError> {
    let rows = dispatch!(tx tx, |c| sqlx::query_as::<_, ChildRow>(ORDER_CHILDREN).bind(order.id).fetch_all(c).await)
        .context("load order lines, adjustments, refunds and refused payments")?;
    let mut o = Order { order, lines: Vec::new(), adjustments: Vec::new(), refunds: Vec::new(), rejections: Vec::new() };
    let missing = |what: &str| anyhow::anyhow!("order {} has a {what} row without its values", o.order.id);
    for r in rows {
        match r.kind {
            0 => o.lines.push(OrderLineRow {
                line_no: r.line_no.ok_or_else(|| missing("line"))?,
                product_id: r.product_id.ok_or_else(|| missing("line"))?,
                sku: r.sku.ok_or_else(|| missing("line"))?,
                quantity: r.quantity.ok_or_else(|| missing("line"))?,
                unit_price: r.unit_price.ok_or_else(|| missing("line"))?,
                base_amount: r.base_amount.ok_or_else(|| missing("line"))?,
                discount: r.discount.ok_or_else(|| missing("line"))?,
                final_amount: r.final_amount.ok_or_else(|| missing("line"))?,
            }),
            1 => o.adjustments.push(AdjustmentRow {
                line_no: r.line_no,
                source: r.source.ok_or_else(|| missing("adjustment"))?,
                promotion_id: r.promotion_id,
                customer_discount_id: r.customer_discount_id,
                code: r.reference,
                amount: r.amount.ok_or_else(|| missing("adjustment"))?,
                explanation: r.words.ok_or_else(|| missing("adjustment"))?,
            }),
            2 => o.refunds.push(RefundRow {
                refund_ref: r.reference.ok_or_else(|| missing("refund"))?,
                amount: r.amount.ok_or_else(|| missing("refund"))?,
                created_at: r.at.ok_or_else(|| missing("refund"))?,
            }),
            _ => o.rejections.push(PaymentRejectionRow {
                payment_ref: r.reference.ok_or_else(|| missing("refused payment"))?,
                amount: r.amount.ok_or_else(|| missing("refused payment"))?,
                reason: r.words.ok_or_else(|| missing("refused payment"))?,
                created_at: r.at.ok_or_else(|| missing("refused payment"))?,
            }),
        }
    }
    Ok(o)
}

/// Locks the order for a change (and first its customer: the lock order of this
/// module) and loads it. Every query runs on the transaction's own connection: taking a second one from
/// the pool while holding this one would starve the pool under load.
#[tracing::instrument(skip_all)]
pub(super) async fn lock_order(tx: &mut Tx, id: i64) -> Result<Order, OrderError> {
    let lock = tx.for_update();
    // SQLite's BEGIN IMMEDIATE holds the one write lock already: nothing to lock row by row.
    if !lock.is_empty() {
        // An order's customer never changes, so finding it before the locks is safe.
        dispatch!(tx tx, |c| sqlx::query_scalar::<_, i64>(&format!(
            "SELECT id FROM customers WHERE id = (SELECT customer_id FROM orders WHERE id = $1){lock}"
        ))
        .bind(id)
        .fetch_optional(c)
        .await)
        .context("lock the order's customer")?;
    }
    let order = dispatch!(tx tx, |c| sqlx::query_as::<_, OrderRow>(&format!("SELECT {ORDER_COLUMNS} FROM orders WHERE id = $1{lock}"))
        .bind(id)
        .fetch_optional(c)
        .await)
    .context("lock order")?
    .ok_or(OrderError::NotFound)?;
    with_children(tx, order).await
}

#[tracing::instrument(skip_all)]
pub(super) async fn set_status(tx: &mut Tx, order: &OrderRow, next: OrderStatus, now: DateTime<Utc>) -> Result<(), OrderError> {
    let current = legal_transition(order, next)?;
    dispatch!(tx tx, |c| sqlx::query("UPDATE orders SET status = $1, updated_at = $2 WHERE id = $3 AND status = $4")
        .bind(next.as_str())
        .bind(now)
        .bind(order.id)
        .bind(current.as_str())
        .execute(c)
        .await
        .map(|r| r.rows_affected()))
    .context("update order status")?;
    settle_uses(tx, order.id, next, now).await
}

/// The order's status now, when it may become `next` (an illegal move is a bug, not bad input).
fn legal_transition(order: &OrderRow, next: OrderStatus) -> Result<OrderStatus, OrderError> {
    let current = order.status();
    if !current.can_become(next) {
        return Err(anyhow::anyhow!("illegal order transition {} -> {}", current.as_str(), next.as_str()).into());
    }
    Ok(current)
}

/// A use counts while its order may still be paid for (docs/SPEC.md §2.3): confirmed
/// when the order is paid, released when it can no longer be.
async fn settle_uses(tx: &mut Tx, order_id: i64, next: OrderStatus, now: DateTime<Utc>) -> Result<(), OrderError> {
    match next {
        OrderStatus::Paid => promotion_uses::settle(tx, order_id, UseStatus::Confirmed, now).await?,
        OrderStatus::Cancelled | OrderStatus::Expired | OrderStatus::Refunded => {
            promotion_uses::settle(tx, order_id, UseStatus::Released, now).await?
        }
        _ => {}
    }
    Ok(())
}

/// A pending order paid: status, reference and time in one statement, and its
/// promotion uses confirmed (skipped when the order applied no promotion: it has none).
#[tracing::instrument(skip_all)]
pub(super) async fn mark_paid(
    tx: &mut Tx,
    order: &OrderRow,
    payment_ref: &str,
    has_promotion_uses: bool,
    now: DateTime<Utc>,
) -> Result<(), OrderError> {
    let current = legal_transition(order, OrderStatus::Paid)?;
    dispatch!(tx tx, |c| sqlx::query(
        "UPDATE orders SET status = $1, payment_ref = $2, paid_at = $3, updated_at = $3 WHERE id = $4 AND status = $5"
    )
    .bind(OrderStatus::Paid.as_str())
    .bind(payment_ref)
    .bind(now)
    .bind(order.id)
    .bind(current.as_str())
    .execute(c)
    .await
    .map(|r| r.rows_affected()))
    .context("record payment")?;
    if has_promotion_uses {
        settle_uses(tx, order.id, OrderStatus::Paid, now).await?;
    }
    Ok(())
}
