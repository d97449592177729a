//! The spending index's freshness rests on an assumption (every write commits
//! within `WRITE_MARGIN_MINUTES` of the time it stamps; PostgreSQL write
//! transactions are bounded for it, `db::POSTGRES_BEGIN_WRITE`). Each refresh
//! checks it: right after the refresh every index row must equal the live
//! values, so a random sample of rows is compared with them; a mismatch is
//! repaired (those customers recomputed in the same transaction), logged and
//! counted in `/metrics` (`setia_spending_index_repaired_total`).

use crate::db::{Params, Tx};
use crate::dispatch;
use crate::spending_index::{customers_with_spending, replace_rows};
use crate::customer_facts::{tier_case, to_next_tier_case, window_column, windows_of};
use anyhow::Context;
use chrono::{DateTime, Utc};
use setia_domain::TierRule;

/// Index rows compared with live values at each refresh.
pub const SAMPLE: i64 = 200;

/// Compares `sample` random index customers with their live values as of `now`
/// and recomputes those that differ; returns how many did.
pub async fn check_sample(tx: &mut Tx, ladder: &[TierRule], now: DateTime<Utc>, sample: i64) -> anyhow::Result<usize> {
    if sample <= 0 {
        return Ok(0);
    }
    let ids = dispatch!(tx tx, |c| sqlx::query_scalar::<_, i64>("SELECT customer_id FROM customer_spending_index ORDER BY random() LIMIT $1")
        .bind(sample)
        .fetch_all(c)
        .await)
    .context("sample the spending index")?;
    if ids.is_empty() {
        return Ok(0);
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
    let wrong: Vec<i64> = dispatch!(tx tx, |c| crate::bind_params!(sqlx::query_scalar::<_, i64>(&sql).persistent(false), &params).fetch_all(c).await)
        .context("compare the spending index with live values")?;
    if !wrong.is_empty() {
        tracing::warn!(customers = ?wrong, "spending index rows differed from live values; recomputed");
        metrics::counter!("setia_spending_index_repaired_total").increment(wrong.len() as u64);
        replace_rows(tx, ladder, now, &wrong).await?;
    }
    Ok(wrong.len())
}
