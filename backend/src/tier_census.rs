//! Tiers across all customers (the tier editor, docs/SPEC.md §2.2): how many customers
//! each tier has, who is within 10 % of their next tier, and how many would move
//! up or down if a proposed ladder were saved. Distribution and near-next-tier
//! read `spending_index::standing_relation`; the preview of a proposed ladder
//! reads each customer's spending per window through
//! `spending_index::window_spending_relation` (from the index when the proposed
//! ladder keeps the current windows, live otherwise) and applies both ladders to
//! it. The tier rule in SQL is `customer_facts::tier_case`, generated from the
//! domain rule.

use crate::bind_params;
use crate::customer_facts::{tier_case, windows_of};
use crate::db::{Arg, Db, Params};
use crate::dispatch;
use crate::spending_index::{standing_relation, window_spending_relation};
use anyhow::Context;
use chrono::{DateTime, Utc};
use setia_domain::TierRule;
use std::collections::HashMap;

/// Customers per tier (`None` = in no tier), under `ladder`.
#[tracing::instrument(skip_all)]
pub async fn tier_distribution(db: &Db, ladder: &[TierRule], now: DateTime<Utc>) -> anyhow::Result<Vec<(Option<i64>, i64)>> {
    let mut tx = db.begin_read().await?;
    let mut params = Params::default();
    let standing = standing_relation(&mut tx, ladder, now, &mut params).await?;
    let sql = format!("SELECT x.tier_id, COUNT(*) FROM ({standing}) x GROUP BY x.tier_id");
    let rows: Vec<(i64, i64)> =
        dispatch!(tx &mut tx, |c| bind_params!(sqlx::query_as::<_, (i64, i64)>(&sql).persistent(false), params).fetch_all(c).await)
            .context("count customers per tier")?;
    // Tier ids are positive; 0 is "no tier".
    Ok(rows.into_iter().map(|(t, n)| ((t > 0).then_some(t), n)).collect())
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
    let rank: HashMap<i64, i64> =
        setia_domain::tier::lowest_first(proposed).iter().enumerate().map(|(i, t)| (t.id, i as i64 + 1)).collect();
    let rank_of = |t: &TierRule| rank.get(&t.id).copied().unwrap_or(0);
    let mut windows = windows_of(current);
    windows.extend(windows_of(proposed));
    windows.sort();
    windows.dedup();
    let mut tx = db.begin_read().await?;
    let mut params = Params::default();
    let spending = window_spending_relation(&mut tx, &windows, now, &mut params).await?;
    let (before, after) = (tier_case(current, rank_of, 0), tier_case(proposed, rank_of, 0));
    let sql = format!(
        "SELECT CAST(COALESCE(SUM(CASE WHEN x.a > x.b THEN 1 ELSE 0 END), 0) AS BIGINT),
                CAST(COALESCE(SUM(CASE WHEN x.a < x.b THEN 1 ELSE 0 END), 0) AS BIGINT),
                CAST(COALESCE(SUM(CASE WHEN x.a = x.b THEN 1 ELSE 0 END), 0) AS BIGINT)
         FROM (SELECT {before} AS b, {after} AS a FROM ({spending}) s) x"
    );
    let (up, down, unchanged) =
        dispatch!(tx &mut tx, |c| bind_params!(sqlx::query_as::<_, (i64, i64, i64)>(&sql).persistent(false), params).fetch_one(c).await)
            .context("preview tier moves")?;
    Ok(TierMoves { up, down, unchanged })
}

/// Customers within 10 % of their next tier (the spending missing is at most a
/// tenth of its minimum), closest first: their ids and how many there are.
#[tracing::instrument(skip_all)]
pub async fn near_next_tier(db: &Db, ladder: &[TierRule], now: DateTime<Utc>, limit: i64) -> anyhow::Result<(Vec<i64>, i64)> {
    let ascending = setia_domain::tier::lowest_first(ladder);
    if ascending.is_empty() {
        return Ok((Vec::new(), 0));
    }
    let mut tx = db.begin_read().await?;
    let mut params = Params::default();
    let standing = standing_relation(&mut tx, ladder, now, &mut params).await?;
    // The minimum of the tier after each tier (after "no tier" = the lowest).
    let mut next_minimum = format!("CASE x.tier_id WHEN 0 THEN {}", ascending[0].min_spending.0);
    for pair in ascending.windows(2) {
        next_minimum.push_str(&format!(" WHEN {} THEN {}", pair[0].id, pair[1].min_spending.0));
    }
    next_minimum.push_str(" END");
    let lim = params.add(Arg::Int(limit));
    let sql = format!(
        "SELECT x.customer_id, COUNT(*) OVER () FROM ({standing}) x
         WHERE x.to_next IS NOT NULL AND x.to_next * 10 <= {next_minimum}
         ORDER BY x.to_next, x.customer_id LIMIT {lim}"
    );
    let rows: Vec<(i64, i64)> =
        dispatch!(tx &mut tx, |c| bind_params!(sqlx::query_as::<_, (i64, i64)>(&sql).persistent(false), params).fetch_all(c).await)
            .context("find customers near their next tier")?;
    let total = rows.first().map_or(0, |r| r.1);
    Ok((rows.into_iter().map(|r| r.0).collect(), total))
}
