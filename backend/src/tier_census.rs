//! Tiers across all customers (the tier editor, SPEC §2.2): how many customers
//! each tier has, who is within 10 % of their next tier, and how many would move
//! up or down if a proposed ladder were saved. One aggregate over spending each;
//! the tier rule is `customer_facts::tier_case`, generated from the domain rule.

use crate::bind_params;
use crate::customer_facts::{spending_subquery, tier_case, window_column, windows_of};
use crate::db::{Arg, Db, Params};
use crate::dispatch;
use anyhow::Context;
use chrono::{DateTime, Utc};
use setia_domain::{TierRule, TierWindow};
use std::collections::HashMap;

/// Customers per tier (`None` = in no tier), under `ladder`.
#[tracing::instrument(skip_all)]
pub async fn tier_distribution(db: &Db, ladder: &[TierRule], now: DateTime<Utc>) -> anyhow::Result<Vec<(Option<i64>, i64)>> {
    let mut params = Params::default();
    let spend = spending_subquery(&windows_of(ladder), now, &mut params, None);
    // Tier ids are positive, so -1 marks "no tier".
    let case = tier_case(ladder, |t| t.id, -1);
    let sql = format!(
        "SELECT x.tier_id, COUNT(*) FROM (SELECT {case} AS tier_id FROM customers c LEFT JOIN ({spend}) s ON s.customer_id = c.id) x
         GROUP BY x.tier_id"
    );
    let rows: Vec<(i64, i64)> = dispatch!(db, |c| bind_params!(sqlx::query_as::<_, (i64, i64)>(&sql), params).fetch_all(c).await)
        .context("count customers per tier")?;
    Ok(rows.into_iter().map(|(t, n)| ((t >= 0).then_some(t), n)).collect())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TierMoves {
    pub up: i64,
    pub down: i64,
    pub unchanged: i64,
}

/// How many customers would move up or down a tier if `proposed` replaced
/// `current`. Up and down are measured on the proposed ladder (tiers keep their
/// ids; a new tier has id 0).
#[tracing::instrument(skip_all)]
pub async fn preview_moves(db: &Db, current: &[TierRule], proposed: &[TierRule], now: DateTime<Utc>) -> anyhow::Result<TierMoves> {
    let mut ascending: Vec<&TierRule> = proposed.iter().collect();
    ascending.sort_by_key(|t| (t.min_spending, t.id));
    let rank: HashMap<i64, i64> = ascending.iter().enumerate().map(|(i, t)| (t.id, i as i64 + 1)).collect();
    let rank_of = |t: &TierRule| rank.get(&t.id).copied().unwrap_or(0);
    let mut windows = windows_of(current);
    windows.extend(windows_of(proposed));
    windows.sort();
    windows.dedup();
    let mut params = Params::default();
    let spend = spending_subquery(&windows, now, &mut params, None);
    let (before, after) = (tier_case(current, rank_of, 0), tier_case(proposed, rank_of, 0));
    let sql = format!(
        "SELECT CAST(COALESCE(SUM(CASE WHEN x.a > x.b THEN 1 ELSE 0 END), 0) AS BIGINT),
                CAST(COALESCE(SUM(CASE WHEN x.a < x.b THEN 1 ELSE 0 END), 0) AS BIGINT),
                CAST(COALESCE(SUM(CASE WHEN x.a = x.b THEN 1 ELSE 0 END), 0) AS BIGINT)
         FROM (SELECT {before} AS b, {after} AS a FROM customers c LEFT JOIN ({spend}) s ON s.customer_id = c.id) x"
    );
    let (up, down, unchanged) = dispatch!(db, |c| bind_params!(sqlx::query_as::<_, (i64, i64, i64)>(&sql), params).fetch_one(c).await)
        .context("preview tier moves")?;
    Ok(TierMoves { up, down, unchanged })
}

/// Customers within 10 % of their next tier (the spending missing is at most a
/// tenth of its minimum), closest first: their ids and how many there are.
#[tracing::instrument(skip_all)]
pub async fn near_next_tier(db: &Db, ladder: &[TierRule], now: DateTime<Utc>, limit: i64) -> anyhow::Result<(Vec<i64>, i64)> {
    let mut ascending: Vec<&TierRule> = ladder.iter().collect();
    ascending.sort_by_key(|t| (t.min_spending, t.id));
    if ascending.is_empty() {
        return Ok((Vec::new(), 0));
    }
    let rank: HashMap<i64, i64> = ascending.iter().enumerate().map(|(i, t)| (t.id, i as i64 + 1)).collect();
    let windows: Vec<TierWindow> = windows_of(ladder);
    let mut params = Params::default();
    let spend = spending_subquery(&windows, now, &mut params, None);
    let case = tier_case(ladder, |t| rank.get(&t.id).copied().unwrap_or(0), 0);
    let columns: Vec<String> = windows.iter().map(|w| format!("COALESCE(s.{0}, 0) AS {0}", window_column(*w))).collect();
    // For a customer at rank r (0 = no tier) the next tier is ascending[r].
    let missing_arms: Vec<String> = ascending
        .iter()
        .enumerate()
        .map(|(r, next)| format!("WHEN {r} THEN {} - x.{}", next.min_spending.0, window_column(next.window)))
        .collect();
    let near_arms: Vec<String> = ascending
        .iter()
        .enumerate()
        .map(|(r, next)| format!("(x.r = {r} AND ({} - x.{}) * 10 <= {})", next.min_spending.0, window_column(next.window), next.min_spending.0))
        .collect();
    let lim = params.add(Arg::Int(limit));
    let sql = format!(
        "SELECT x.id, COUNT(*) OVER () FROM (SELECT c.id, {case} AS r, {} FROM customers c LEFT JOIN ({spend}) s ON s.customer_id = c.id) x
         WHERE {}
         ORDER BY CASE x.r {} END, x.id LIMIT {lim}",
        columns.join(", "),
        near_arms.join(" OR "),
        missing_arms.join(" ")
    );
    let rows: Vec<(i64, i64)> = dispatch!(db, |c| bind_params!(sqlx::query_as::<_, (i64, i64)>(&sql), params).fetch_all(c).await)
        .context("find customers near their next tier")?;
    let total = rows.first().map_or(0, |r| r.1);
    Ok((rows.into_iter().map(|r| r.0).collect(), total))
}
