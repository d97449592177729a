//! The spending index's freshness rests on an assumption (every write commits
//! within `WRITE_MARGIN_MINUTES` of the time it stamps; PostgreSQL write
//! transactions are bounded for it, `db::POSTGRES_BEGIN_WRITE`). Each refresh
//! checks it: right after the refresh every index row must equal the live
//! values, so a random sample of rows is compared with them; a mismatch is
//! repaired (those customers recomputed in the same transaction), logged and
//! counted in `/metrics` (`setia_spending_index_repaired_total`).

use crate::customer_facts::{tier_case, to_next_tier_case, window_column, windows_of};
use crate::db::{Params, Tx};
use crate::dispatch;
use crate::spending_index::{customers_with_spending, replace_rows, WRITE_MARGIN_MINUTES};
use anyhow::Context;
use chrono::{DateTime, Duration, Utc};
use setia_domain::TierRule;

/// Index rows compared with live values at each refresh.
pub const SAMPLE: i64 = 200;

/// Compares `sample` customers, from a random place in the id order, with their
/// index rows as of `now`, and recomputes those that differ; returns how many did
/// and by how many index rows that changed the index (a missing row adds one).
/// Customers (not index rows) are sampled, so a customer missing from the index is
/// found too; customers written within the margin are left out, since a payment
/// committing while the refresh runs is a change, not drift.
#[tracing::instrument(skip_all)]
pub async fn check_sample(tx: &mut Tx, ladder: &[TierRule], now: DateTime<Utc>, sample: i64) -> anyhow::Result<(usize, i64)> {
    if sample <= 0 {
        return Ok((0, 0));
    }
    let (first, last): (Option<i64>, Option<i64>) =
        dispatch!(tx tx, |c| sqlx::query_as("SELECT MIN(id), MAX(id) FROM customers").fetch_one(c).await).context("customer id range")?;
    let (Some(first), Some(last)) = (first, last) else { return Ok((0, 0)) };
    let start = rand::Rng::gen_range(&mut rand::thread_rng(), first..=last);
    let settled = now - Duration::minutes(WRITE_MARGIN_MINUTES);
    // From `start` on, then from the first id if the end came first.
    let mut ids = settled_customers(tx, ">=", start, settled, sample).await?;
    if (ids.len() as i64) < sample {
        ids.extend(settled_customers(tx, "<", start, settled, sample - ids.len() as i64).await?);
    }
    if ids.is_empty() {
        return Ok((0, 0));
    }
    let windows = windows_of(ladder);
    let columns: Vec<String> = windows.iter().map(|w| window_column(*w)).collect();
    let mut params = Params::default();
    let live = format!(
        "SELECT c.id AS customer_id, {}, {} AS tier_id, {} AS to_next {}",
        columns.iter().map(|c| format!("CAST(COALESCE(s.{c}, 0) AS BIGINT) AS {c}")).collect::<Vec<_>>().join(", "),
        tier_case(ladder, |t| t.id, 0),
        to_next_tier_case(ladder),
        customers_with_spending(&windows, now, &mut params, Some(&ids))
    );
    // A window row is absent when the customer spent nothing in it.
    let window_differs: String = windows
        .iter()
        .filter_map(|w| w.days())
        .map(|d| format!(" OR COALESCE((SELECT w.spending FROM customer_window_spending_index w WHERE w.days = {d} AND w.customer_id = l.customer_id), 0) <> l.s_d{d}"))
        .collect();
    let sql = format!(
        "SELECT l.customer_id FROM ({live}) l LEFT JOIN customer_spending_index i ON i.customer_id = l.customer_id
         WHERE i.customer_id IS NULL OR i.spending <> l.s_life OR i.tier_id <> l.tier_id
            OR i.to_next IS DISTINCT FROM l.to_next{window_differs}"
    );
    let wrong: Vec<i64> =
        dispatch!(tx tx, |c| crate::bind_params!(sqlx::query_scalar::<_, i64>(&sql).persistent(false), &params).fetch_all(c).await)
            .context("compare the spending index with live values")?;
    if wrong.is_empty() {
        return Ok((0, 0));
    }
    tracing::warn!(customers = ?wrong, "spending index rows differed from live values; recomputed");
    metrics::counter!("setia_spending_index_repaired_total").increment(wrong.len() as u64);
    let (filled, removed) = replace_rows(tx, ladder, now, &wrong).await?;
    Ok((wrong.len(), filled - removed))
}

/// Up to `limit` customers with ids `op start` in id order, created and last
/// written before `settled`.
async fn settled_customers(tx: &mut Tx, op: &str, start: i64, settled: DateTime<Utc>, limit: i64) -> anyhow::Result<Vec<i64>> {
    let sql = format!(
        "SELECT c.id FROM customers c
         WHERE c.id {op} $1 AND c.created_at < $2
           AND NOT EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = c.id AND o.updated_at >= $2)
         ORDER BY c.id LIMIT $3"
    );
    dispatch!(tx tx, |c| sqlx::query_scalar::<_, i64>(&sql).bind(start).bind(settled).bind(limit).fetch_all(c).await)
        .context("sample customers")
}
