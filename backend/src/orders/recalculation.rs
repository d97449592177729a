//! Pricing a pending order again by the promotions active now.

use super::*;
use crate::db::Db;
use crate::dispatch;
use crate::promotion_uses;
use crate::promotions::codes;
use crate::store_cache::StoreCache;
use anyhow::Context;
use chrono::{DateTime, FixedOffset, Utc};
use setia_domain::pricing::{CartLine, PricingSettings};
use setia_domain::promotion::PromotionStatus;
use setia_domain::promotion_index::PromotionIndex;
use setia_domain::{Money, OrderStatus};
use std::collections::HashMap;
use std::sync::Arc;

/// Prices a pending order again from its lines' base prices, its tier snapshot
/// and its code, by the promotions active now, replacing its discounts, trace and
/// promotion reservations in one transaction; repeating it changes nothing
/// (docs/SPEC.md §2.3.1).
#[tracing::instrument(skip_all, fields(order_id))]
pub async fn recalculate_order(db: &Db, cache: &StoreCache, order_id: i64, now: DateTime<Utc>) -> Result<Order, OrderError> {
    let mut attempt = 0;
    loop {
        // Read before the transaction: a second connection taken while holding one
        // can wait forever once every pooled connection is held the same way.
        let store = cache.snapshot(db).await?;
        let (local_now, settings) = store_rules(&store.settings, now);
        let promotions = (store.versions.promotions, store.promotions.clone());
        let last = attempt == CATALOG_RETRIES;
        if let Some(order) = reprice(db, promotions, order_id, now, local_now, settings, last).await? {
            return Ok(order);
        }
        attempt += 1;
    }
}

/// One attempt of [`recalculate_order`]: `None` when the promotions changed
/// under it (nothing was written), unless it is the `last` attempt.
#[allow(clippy::too_many_arguments)]
#[tracing::instrument(skip_all)]
pub(super) async fn reprice(
    db: &Db,
    (catalog_version, promotions): (i64, Arc<PromotionIndex>),
    order_id: i64,
    now: DateTime<Utc>,
    local_now: DateTime<FixedOffset>,
    settings: PricingSettings,
    last: bool,
) -> Result<Option<Order>, OrderError> {
    let mut tx = db.begin_write().await?;
    let current = lock_order(&mut tx, order_id).await?;
    let status = current.order.status();
    if status != OrderStatus::PendingPayment || current.order.is_overdue(now) {
        return Err(OrderError::NotPending { status: if status == OrderStatus::PendingPayment { "expired" } else { status.as_str() } });
    }
    let categories: Vec<(i64, Option<String>)> = dispatch!(tx &mut tx, |c| sqlx::query_as::<_, (i64, Option<String>)>(
        "SELECT p.id, p.category FROM products p JOIN order_lines l ON l.product_id = p.id WHERE l.order_id = $1"
    )
    .bind(order_id)
    .fetch_all(c)
    .await)
    .context("load line categories")?;
    let category: HashMap<i64, Option<String>> = categories.into_iter().collect();
    // A code that can no longer be used (its promotion not active, the code
    // disabled) simply finds nothing now.
    let code = match current.order.coupon_code.as_deref() {
        Some(entered) => codes::look_up_in(&mut tx, entered, Some(order_id), now, false)
            .await?
            .filter(|c| c.promotion_status == PromotionStatus::Active.as_str() && !c.disabled()),
        None => None,
    };
    let cart = CheckedCart {
        lines: current
            .lines
            .iter()
            .map(|l| CartLine {
                sku: l.sku.clone(),
                category: category.get(&l.product_id).cloned().flatten(),
                unit_price: Money(l.unit_price),
                quantity: l.quantity,
            })
            .collect(),
        product_ids: current.lines.iter().map(|l| l.product_id).collect(),
        customer_id: current.order.customer_id,
        tier: current.order.tier_snapshot(),
        ladder: Arc::default(),
        coupon_code: current.order.coupon_code.clone(),
        code,
        shipping: Money(current.order.shipping),
        promotions,
        catalog_version,
        local_now,
        settings,
    };
    promotion_uses::drop_reservations(&mut tx, order_id).await?;
    let first_order = match cart.customer_id {
        Some(customer) => Some(is_first_order(&mut tx, customer, Some(order_id)).await?),
        None => None,
    };
    let priced = price_checked(&mut tx, &cart, Pricing::Reprice { order_id }, first_order).await?;
    priced.check_totals().context("refuse to store a recalculated order")?;
    for (line, p) in current.lines.iter().zip(&priced.lines) {
        dispatch!(tx &mut tx, |c| sqlx::query("UPDATE order_lines SET base_amount = $1, discount = $2, final_amount = $3 WHERE order_id = $4 AND line_no = $5")
            .bind(p.base_amount.0)
            .bind(p.discount.0)
            .bind(p.final_amount.0)
            .bind(order_id)
            .bind(line.line_no)
            .execute(c)
            .await
            .map(|r| r.rows_affected()))
        .context("update order line")?;
    }
    dispatch!(tx &mut tx, |c| sqlx::query("DELETE FROM order_adjustments WHERE order_id = $1")
        .bind(order_id)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))
    .context("clear order adjustments")?;
    insert_adjustments(&mut tx, order_id, &priced).await?;
    promotion_uses::reserve(&mut tx, order_id, cart.customer_id, &priced, cart.code.as_ref().map(|c| (c.id, c.promotion_id)), now).await?;
    dispatch!(tx &mut tx, |c| sqlx::query(
        "UPDATE orders SET subtotal = $1, discount_total = $2, total = $3, promotions_rejected = $4, updated_at = $5 WHERE id = $6"
    )
    .bind(priced.subtotal.0)
    .bind(priced.discount_total.0)
    .bind(priced.total.0)
    .bind(promotions_rejected_json(&priced))
    .bind(now)
    .bind(order_id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))
    .context("update order totals")?;
    if !last && catalog_moved(&mut tx, &cart).await? {
        return Ok(None);
    }
    let repriced = load_order_in(&mut tx, order_id).await?;
    tx.commit().await?;
    Ok(Some(repriced))
}
