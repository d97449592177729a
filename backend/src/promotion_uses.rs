//! Promotion uses as rows (docs/SPEC.md §2.3): a use is `reserved` when an order is
//! created with the promotion applied, `confirmed` when the order is paid, and
//! `released` when it is cancelled, expires or is refunded in full. Use counts, a
//! customer's uses and the budget spent are derived from these rows here and
//! nowhere else; reserved and confirmed uses count, released ones do not.
//!
//! Why limits hold under any concurrency: an order is priced inside the
//! transaction that stores it, after [`lock_limited`] took the rows of the
//! promotions with a limit (PostgreSQL `FOR UPDATE`, in id order so two carts
//! never wait on each other in a cycle; SQLite's `BEGIN IMMEDIATE` already holds
//! the only write lock). The counts it then reads cannot move until the order's
//! own reservations commit, so a promotion that ran out is rejected by pricing
//! (rule 1) and the order is priced without it — never with a discount it could
//! not reserve. The promotions' definitions come from the instance's index; if
//! the catalogue changed after it was read, the checkout sees the version move
//! before it commits and prices again (`orders::catalog_moved`).

use crate::db::Tx;
use crate::dispatch;
use anyhow::Context;
use chrono::{DateTime, Utc};
use setia_domain::pricing::PricedCart;
use setia_domain::promotion::{Limits, Promotion, PromotionUsage};
use setia_domain::Money;
use std::collections::BTreeMap;

/// A use's life (docs/SPEC.md §2.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UseStatus {
    Reserved,
    Confirmed,
    Released,
}

impl UseStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            UseStatus::Reserved => "reserved",
            UseStatus::Confirmed => "confirmed",
            UseStatus::Released => "released",
        }
    }
}

/// Whether pricing must know how much of this promotion was used.
fn is_limited(p: &Promotion) -> bool {
    p.limits.total_uses.is_some() || p.limits.uses_per_customer.is_some() || p.limits.budget.is_some()
}

fn id_list(ids: &[i64]) -> String {
    // Ids come from the database, never from a request: inlining them spares a
    // bind per id.
    ids.iter().map(i64::to_string).collect::<Vec<_>>().join(", ")
}

fn limited_ids(candidates: &[&Promotion]) -> Vec<i64> {
    let mut ids: Vec<i64> = candidates.iter().filter(|p| is_limited(p)).map(|p| p.id).collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

/// Locks the rows of the candidates that have a limit, in id order (PostgreSQL;
/// a no-op under SQLite's write lock). Unlimited promotions are not locked: their
/// uses never change a price, so carts sharing only them do not wait.
#[tracing::instrument(skip_all)]
pub async fn lock_limited(tx: &mut Tx, candidates: &[&Promotion]) -> anyhow::Result<()> {
    let ids = limited_ids(candidates);
    if ids.is_empty() || tx.for_update().is_empty() {
        return Ok(());
    }
    let sql = format!("SELECT id FROM promotions WHERE id IN ({}) ORDER BY id FOR UPDATE", id_list(&ids));
    dispatch!(tx tx, |c| sqlx::query_scalar::<_, i64>(&sql).fetch_all(c).await).context("lock promotions")?;
    Ok(())
}

#[derive(Debug, sqlx::FromRow)]
struct UsageRow {
    promotion_id: i64,
    uses: i64,
    customer_uses: i64,
    budget_used: i64,
}

/// Uses, the customer's uses and budget spent of the candidates with a limit,
/// leaving out `except_order`'s own uses (an order being priced again), and the
/// reservations of pending orders past their deadline at `now`: those can no
/// longer be paid, so they hold nothing back while the expiry job catches up.
#[tracing::instrument(skip_all)]
pub async fn usage_of(
    tx: &mut Tx,
    candidates: &[&Promotion],
    customer_id: Option<i64>,
    except_order: Option<i64>,
    now: DateTime<Utc>,
) -> anyhow::Result<BTreeMap<i64, PromotionUsage>> {
    usage_by_id(tx, &limited_ids(candidates), customer_id, except_order, now).await
}

async fn usage_by_id(
    tx: &mut Tx,
    ids: &[i64],
    customer_id: Option<i64>,
    except_order: Option<i64>,
    now: DateTime<Utc>,
) -> anyhow::Result<BTreeMap<i64, PromotionUsage>> {
    if ids.is_empty() {
        return Ok(BTreeMap::new());
    }
    // "Past its deadline" is `setia_domain::order::is_overdue` (`payment_deadline <= now`;
    // only reserved uses, whose orders are pending); tests/api/overdue.rs holds this copy to it.
    let sql = format!(
        "SELECT promotion_id,
                CAST(COUNT(*) AS BIGINT) AS uses,
                CAST(COALESCE(SUM(CASE WHEN customer_id = $1 THEN 1 ELSE 0 END), 0) AS BIGINT) AS customer_uses,
                CAST(COALESCE(SUM(amount), 0) AS BIGINT) AS budget_used
         FROM promotion_uses u
         WHERE promotion_id IN ({}) AND status <> 'released' AND order_id <> $2
           AND NOT (status = 'reserved'
                    AND EXISTS (SELECT 1 FROM orders o WHERE o.id = u.order_id AND o.payment_deadline <= $3))
         GROUP BY promotion_id",
        id_list(ids)
    );
    let rows = dispatch!(tx tx, |c| sqlx::query_as::<_, UsageRow>(&sql)
        .bind(customer_id)
        .bind(except_order.unwrap_or(0))
        .bind(now)
        .fetch_all(c)
        .await)
    .context("count promotion uses")?;
    Ok(rows
        .into_iter()
        .map(|r| (r.promotion_id, PromotionUsage { uses: r.uses, customer_uses: r.customer_uses, budget_used: Money(r.budget_used) }))
        .collect())
}

#[derive(Debug, sqlx::FromRow)]
struct ReservedUse {
    promotion_id: i64,
    amount: i64,
    total_uses: Option<i64>,
    uses_per_customer: Option<i64>,
    budget: Option<i64>,
}

/// A reserved use that no longer fits its promotion's limits or its code's max uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LimitBreach {
    pub promotion_id: i64,
    /// In words: which limit.
    pub reason: String,
}

/// Checks, before an order's uses are confirmed at payment, that each reserved
/// use still fits its promotion's limits ([`Limits::admit`]) and its code's max
/// uses, counted without it. Locks the limited promotions first (in id order,
/// after the customer and the order), then the code: this module's lock order,
/// so no checkout can take a use meanwhile. `now` is the payment's clock, read
/// after its locks.
#[tracing::instrument(skip_all)]
pub async fn check_confirmable(
    tx: &mut Tx,
    order_id: i64,
    customer_id: Option<i64>,
    coupon_code: Option<&str>,
    now: DateTime<Utc>,
) -> anyhow::Result<Result<(), LimitBreach>> {
    let lock = if tx.for_update().is_empty() { "" } else { " FOR UPDATE OF p" };
    let sql = format!(
        "SELECT u.promotion_id, u.amount, p.total_uses, p.uses_per_customer, p.budget
         FROM promotion_uses u JOIN promotions p ON p.id = u.promotion_id
         WHERE u.order_id = $1 AND u.status = 'reserved'
           AND (p.total_uses IS NOT NULL OR p.uses_per_customer IS NOT NULL OR p.budget IS NOT NULL)
         ORDER BY p.id{lock}"
    );
    let reserved = dispatch!(tx tx, |c| sqlx::query_as::<_, ReservedUse>(&sql).bind(order_id).fetch_all(c).await)
        .context("lock the promotions of an order's reserved uses")?;
    let ids: Vec<i64> = reserved.iter().map(|r| r.promotion_id).collect();
    let counted = usage_by_id(tx, &ids, customer_id, Some(order_id), now).await?;
    for r in &reserved {
        let limits = Limits { total_uses: r.total_uses, uses_per_customer: r.uses_per_customer, budget: r.budget.map(Money) };
        let usage = counted.get(&r.promotion_id).copied().unwrap_or_default();
        if let Err(reached) = limits.admit(usage, Money(r.amount)) {
            return Ok(Err(LimitBreach { promotion_id: r.promotion_id, reason: reached.to_string() }));
        }
    }
    let Some(code) = coupon_code else { return Ok(Ok(())) };
    // Only a code with max uses whose promotion this order reserved can be over its limit.
    let code_use: Option<i64> = dispatch!(tx tx, |c| sqlx::query_scalar::<_, i64>(
        "SELECT u.promotion_id FROM promotion_uses u JOIN promotion_codes k ON k.id = u.code_id
         WHERE u.order_id = $1 AND u.status = 'reserved' AND k.max_uses IS NOT NULL"
    )
    .bind(order_id)
    .fetch_optional(c)
    .await)
    .context("find the order's limited code use")?;
    if code_use.is_none() {
        return Ok(Ok(()));
    }
    if let Some(found) = crate::promotions::codes::look_up_in(tx, code, Some(order_id), now, true).await? {
        if let Err(refused) = setia_domain::promotion_code::admit_code_use(false, found.max_uses, found.uses) {
            return Ok(Err(LimitBreach { promotion_id: found.promotion_id, reason: refused.to_string() }));
        }
    }
    Ok(Ok(()))
}

/// One `reserved` use per promotion the priced cart applied, for the discount it
/// granted; the use of the entered code's promotion carries the code (`code`:
/// the code's id and its promotion's), so the code's uses are counted from it.
#[tracing::instrument(skip_all)]
pub async fn reserve(
    tx: &mut Tx,
    order_id: i64,
    customer_id: Option<i64>,
    priced: &PricedCart,
    code: Option<(i64, i64)>,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    let uses: Vec<(i64, i64, Option<i64>)> = priced
        .applied_promotions()
        .into_iter()
        .map(|id| {
            let amount = priced.adjustments.iter().filter(|a| a.promotion_id == Some(id)).map(|a| a.amount.0).sum();
            let code_id = code.filter(|(_, promotion)| *promotion == id).map(|(code_id, _)| code_id);
            (id, amount, code_id)
        })
        .collect();
    if uses.is_empty() {
        return Ok(());
    }
    let sql = format!(
        "INSERT INTO promotion_uses (promotion_id, order_id, customer_id, amount, status, code_id, created_at, updated_at) VALUES {}",
        crate::db::value_rows(uses.len(), 8)
    );
    dispatch!(tx tx, |c| {
        let mut q = sqlx::query(&sql);
        for (promotion_id, amount, code_id) in &uses {
            q = q.bind(promotion_id).bind(order_id).bind(customer_id).bind(amount).bind(UseStatus::Reserved.as_str());
            q = q.bind(code_id).bind(now).bind(now);
        }
        q.execute(c).await.map(|r| r.rows_affected())
    })
    .context("reserve promotion uses")?;
    Ok(())
}

#[tracing::instrument(skip_all)]
pub async fn drop_reservations(tx: &mut Tx, order_id: i64) -> anyhow::Result<()> {
    dispatch!(tx tx, |c| sqlx::query("DELETE FROM promotion_uses WHERE order_id = $1 AND status = 'reserved'")
        .bind(order_id)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))
    .context("drop promotion reservations")?;
    Ok(())
}

/// Moves an order's uses on: `confirmed` at payment, `released` at cancel,
/// expiry or full refund. Released uses stay released.
#[tracing::instrument(skip_all)]
pub async fn settle(tx: &mut Tx, order_id: i64, to: UseStatus, now: DateTime<Utc>) -> anyhow::Result<()> {
    dispatch!(tx tx, |c| sqlx::query("UPDATE promotion_uses SET status = $1, updated_at = $2 WHERE order_id = $3 AND status <> 'released'")
        .bind(to.as_str())
        .bind(now)
        .bind(order_id)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))
    .context("settle promotion uses")?;
    Ok(())
}

/// Releases the uses of orders the expiry job just expired, in its transaction.
/// The orders are updated (and so locked) first, as payment locks an order
/// before its uses: the same order on both paths, so they never deadlock.
#[tracing::instrument(skip_all)]
pub async fn release_expired(tx: &mut Tx, order_ids: &[i64], now: DateTime<Utc>) -> anyhow::Result<u64> {
    let mut released = 0;
    for chunk in order_ids.chunks(1_000) {
        let sql = format!(
            "UPDATE promotion_uses SET status = 'released', updated_at = $1 WHERE status = 'reserved' AND order_id IN ({})",
            id_list(chunk)
        );
        released += dispatch!(tx tx, |c| sqlx::query(&sql).bind(now).execute(c).await.map(|r| r.rows_affected()))
            .context("release uses of expired orders")?;
    }
    Ok(released)
}
