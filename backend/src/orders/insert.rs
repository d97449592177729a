//! Writing a priced order: the order row, its lines and its trace, each in one
//! statement, and its promotion reservations; the order is answered from what was
//! written, not read back.

use super::*;
use crate::db::{value_rows, Tx};
use crate::dispatch;
use crate::promotion_uses;
use anyhow::Context;
use chrono::{DateTime, Utc};
use setia_domain::pricing::PricedCart;
use setia_domain::OrderStatus;

/// Stores a new order, its lines, trace and promotion reservations, and returns it
/// as written (nothing read back); `None` when an order with this source and
/// external reference exists already.
#[tracing::instrument(skip_all)]
pub(super) async fn insert_order(
    tx: &mut Tx,
    input: &NewOrder,
    external_ref: &str,
    cart: &CheckedCart,
    p: &PricedCart,
    deadline: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<Option<Order>, OrderError> {
    // The figures stored are the figures that add up, whatever pricing did.
    p.check_totals().context("refuse to store an order")?;
    let t = cart.tier.as_ref();
    let mut order = OrderRow {
        id: 0,
        source: input.source.as_str().to_string(),
        external_ref: external_ref.to_string(),
        customer_id: input.cart.customer_id,
        status: OrderStatus::PendingPayment.as_str().to_string(),
        payment_deadline: deadline,
        subtotal: p.subtotal.0,
        discount_total: p.discount_total.0,
        points_discount: 0,
        shipping: p.shipping.0,
        total: p.total.0,
        tier_id: t.map(|t| t.id),
        tier_name: t.map(|t| t.name.clone()),
        tier_earn_rate_points: t.map(|t| t.earn_rate_points),
        tier_earn_rate_per: t.map(|t| t.earn_rate_per),
        tier_discount_basis_points: t.and_then(|t| t.discount).map(|d| i32::try_from(d.basis_points()).unwrap_or(i32::MAX)),
        coupon_code: cart.coupon_code.clone(),
        promotions_rejected: promotions_rejected_json(p),
        payment_ref: None,
        paid_at: None,
        created_at: now,
        updated_at: now,
    };
    let o = &order;
    let id = dispatch!(tx tx, |c| sqlx::query_scalar::<_, i64>(
        "INSERT INTO orders (source, external_ref, customer_id, status, payment_deadline, subtotal, discount_total,
                             points_discount, shipping, total, tier_id, tier_name, tier_earn_rate_points,
                             tier_earn_rate_per, tier_discount_basis_points, coupon_code, promotions_rejected, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $18)
         ON CONFLICT (source, external_ref) DO NOTHING
         RETURNING id"
    )
    .bind(&o.source)
    .bind(&o.external_ref)
    .bind(o.customer_id)
    .bind(&o.status)
    .bind(o.payment_deadline)
    .bind(o.subtotal)
    .bind(o.discount_total)
    .bind(o.points_discount)
    .bind(o.shipping)
    .bind(o.total)
    .bind(o.tier_id)
    .bind(o.tier_name.as_deref())
    .bind(o.tier_earn_rate_points)
    .bind(o.tier_earn_rate_per)
    .bind(o.tier_discount_basis_points)
    .bind(o.coupon_code.as_deref())
    .bind(&o.promotions_rejected)
    .bind(now)
    .fetch_optional(c)
    .await)
    .context("insert order")?;
    let Some(id) = id else { return Ok(None) };
    order.id = id;
    let lines: Vec<OrderLineRow> = p
        .lines
        .iter()
        .zip(&cart.product_ids)
        .enumerate()
        .map(|(i, (l, product_id))| OrderLineRow {
            line_no: i32::try_from(i).unwrap_or(i32::MAX),
            product_id: *product_id,
            sku: l.sku.clone(),
            quantity: l.quantity,
            unit_price: l.unit_price.0,
            base_amount: l.base_amount.0,
            discount: l.discount.0,
            final_amount: l.final_amount.0,
        })
        .collect();
    let sql = format!(
        "INSERT INTO order_lines (order_id, line_no, product_id, sku, quantity, unit_price, base_amount, discount, final_amount) VALUES {}",
        value_rows(lines.len(), 9)
    );
    dispatch!(tx tx, |c| {
        let mut q = sqlx::query(&sql);
        for l in &lines {
            q = q.bind(id).bind(l.line_no).bind(l.product_id).bind(&l.sku).bind(l.quantity);
            q = q.bind(l.unit_price).bind(l.base_amount).bind(l.discount).bind(l.final_amount);
        }
        q.execute(c).await.map(|r| r.rows_affected())
    })
    .context("insert order lines")?;
    let adjustments = insert_adjustments(tx, id, p).await?;
    promotion_uses::reserve(tx, id, cart.customer_id, p, cart.code.as_ref().map(|c| (c.id, c.promotion_id)), now).await?;
    Ok(Some(Order { order, lines, adjustments, refunds: Vec::new(), rejections: Vec::new() }))
}

/// The trace's rejected promotions as stored on the order (rule 7).
pub(super) fn promotions_rejected_json(p: &PricedCart) -> String {
    serde_json::to_string(&p.rejected).unwrap_or_else(|_| "[]".into())
}

/// Stores the trace of a priced order in one statement, and returns it as stored.
#[tracing::instrument(skip_all)]
pub(super) async fn insert_adjustments(tx: &mut Tx, order_id: i64, p: &PricedCart) -> anyhow::Result<Vec<AdjustmentRow>> {
    let rows: Vec<AdjustmentRow> = p
        .adjustments
        .iter()
        .map(|a| AdjustmentRow {
            line_no: a.line.map(|l| i32::try_from(l).unwrap_or(i32::MAX)),
            source: a.source.as_str().to_string(),
            promotion_id: a.promotion_id,
            customer_discount_id: a.customer_discount_id,
            code: a.code.clone(),
            amount: a.amount.0,
            explanation: a.explanation.to_json(),
        })
        .collect();
    if rows.is_empty() {
        return Ok(rows);
    }
    let sql = format!(
        "INSERT INTO order_adjustments (order_id, line_no, source, promotion_id, customer_discount_id, code, amount, explanation) VALUES {}",
        value_rows(rows.len(), 8)
    );
    dispatch!(tx tx, |c| {
        let mut q = sqlx::query(&sql);
        for a in &rows {
            q = q.bind(order_id).bind(a.line_no).bind(&a.source).bind(a.promotion_id);
            q = q.bind(a.customer_discount_id).bind(a.code.as_deref()).bind(a.amount).bind(&a.explanation);
        }
        q.execute(c).await.map(|r| r.rows_affected())
    })
    .context("insert order adjustments")?;
    Ok(rows)
}
