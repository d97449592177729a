//! The customer spending index (`customer_spending_index`): every customer's
//! lifetime spending, tier and spending still missing to the next tier as of one
//! moment, so the customer list and the tier census can order, filter and count a
//! million customers without aggregating ten million orders per request.
//!
//! docs/SPEC.md §1 allows no derived value in a column that can drift, so nothing reads
//! these rows as a customer's spending. Callers read [`standing_relation`]: the
//! index's rows for the customers whose facts cannot have changed since it was
//! built, and live values (`spending_subquery`, the one definition of spending)
//! for every other customer. The relation equals the live aggregate at every
//! moment; `tests/spending_index.rs` holds the two equal through payments, refunds,
//! new customers, tier window edges and ladder changes.
//!
//! The customers whose facts may have changed since the index's `as_of`:
//! - those with an order written since `as_of - WRITE_MARGIN`. Every write to an
//!   order sets `updated_at` (payment, status change, refund, recalculation). The
//!   margin covers a transaction that read the clock before `as_of` and committed
//!   after the index was read, and clock skew between app instances;
//! - those with a payment that left a rolling tier window between then and now;
//! - those created since `as_of - WRITE_MARGIN`.
//!
//! The index serves only a request about the ladder it was built for, at or after
//! its `as_of`, with at most [`MAX_CHANGED`] changed customers; otherwise the
//! relation is aggregated live (slow at scale, never wrong). The
//! `customer_spending_index` job refreshes it every [`REBUILD_AFTER_MINUTES`]
//! minutes (recomputing only the changed customers, see [`refresh`]) and
//! rebuilds it whole, in short transactions, within a minute of a tier change.
//!
//! Beside it, `customer_window_spending_index` keeps each customer's spending in
//! each rolling window of that ladder. [`window_spending_relation`] reads them
//! the same way (index rows for unchanged customers, live for the rest), for any
//! ladder whose windows are among them: the tier editor previews a proposed
//! ladder that changes minimums or adds a tier without aggregating every order.

use crate::bind_params;
use crate::customer_facts::{spending_subquery, tier_case, to_next_tier_case, window_column, windows_of};
use crate::db::{Arg, Db, Params, Tx};
use crate::dispatch;
use crate::jobs::{Job, JobFuture};
use crate::tiers::{self, TierRow};
use anyhow::Context;
use chrono::{DateTime, Duration, Utc};
use serde_json::json;
use setia_domain::{TierRule, TierWindow};
use std::sync::Arc;

pub const JOB_NAME: &str = "customer_spending_index";
/// See the module comment: how long a write may take from clock reading to commit.
pub const WRITE_MARGIN_MINUTES: i64 = 15;
/// Age after which the job rebuilds the index.
pub const REBUILD_AFTER_MINUTES: i64 = 15;
/// More changed customers than this and the live aggregate is used instead.
pub const MAX_CHANGED: usize = 5000;

/// When the index was built, for which ladder and with which rolling windows
/// (NULL: never built; windows NULL: built before window rows existed).
const STATE_SQL: &str = "SELECT as_of, ladder, windows FROM customer_spending_index_state WHERE id = 1";

type IndexState = (Option<DateTime<Utc>>, Option<String>, Option<String>);

/// What the tier rule reads of a ladder (each tier's id, minimum and window), as
/// the text stored with the index: a request about another ladder (a tier was
/// edited, or a proposed ladder is previewed) cannot use it.
pub fn ladder_key(ladder: &[TierRule]) -> String {
    let mut parts: Vec<String> = ladder.iter().map(|t| format!("{}:{}:{}", t.id, t.min_spending.0, t.window.days().unwrap_or(0))).collect();
    parts.sort();
    parts.join(",")
}

/// The rolling windows among `windows`, as the text stored with the index.
pub fn windows_key(windows: &[TierWindow]) -> String {
    let mut days: Vec<u32> = windows.iter().filter_map(|w| w.days()).collect();
    days.sort_unstable();
    days.dedup();
    days.iter().map(u32::to_string).collect::<Vec<_>>().join(",")
}

/// What a read needs the index to have been built for.
#[derive(Clone, Copy)]
enum Need<'a> {
    /// Tier and spending to the next tier under exactly this ladder.
    Ladder(&'a [TierRule]),
    /// Spending in each of these windows (lifetime and rolling).
    Windows(&'a [TierWindow]),
}

impl Need<'_> {
    fn windows(self) -> Vec<TierWindow> {
        match self {
            Need::Ladder(ladder) => windows_of(ladder),
            Need::Windows(windows) => windows.to_vec(),
        }
    }

    fn served_by(self, ladder: &str, windows: Option<&str>) -> bool {
        match self {
            Need::Ladder(l) => ladder == ladder_key(l),
            Need::Windows(wanted) => windows.is_some_and(|stored| {
                let stored: Vec<&str> = stored.split(',').collect();
                wanted.iter().filter_map(|w| w.days()).all(|d| stored.contains(&d.to_string().as_str()))
            }),
        }
    }
}

/// The relation `(customer_id, spending, tier_id, to_next)` over every customer
/// under `ladder` as of `now`: lifetime spending, current tier (0 = none) and the
/// spending missing to the next tier (NULL at the top). Read it in the same
/// transaction as `tx`, so the index and its state are seen at one moment.
#[tracing::instrument(skip_all)]
pub async fn standing_relation(tx: &mut Tx, ladder: &[TierRule], now: DateTime<Utc>, params: &mut Params) -> anyhow::Result<String> {
    Ok(standing_parts(tx, ladder, now, params).await?.join(" UNION ALL "))
}

/// [`standing_relation`] as disjoint parts whose union is the whole: the index's
/// rows for unchanged customers, then live rows for the changed ones (or one live
/// part when the index cannot serve). A top-N query orders and limits each part
/// on its own, so the index part is read in the order of its own index instead
/// of sorting a million rows (the planner does not look through a `UNION ALL`).
#[tracing::instrument(skip_all)]
pub async fn standing_parts(tx: &mut Tx, ladder: &[TierRule], now: DateTime<Utc>, params: &mut Params) -> anyhow::Result<Vec<String>> {
    Ok(match changed_since_index(tx, Need::Ladder(ladder), now).await? {
        Some(changed) => indexed_parts(ladder, now, params, &changed),
        None => vec![live_relation(ladder, now, params, None)],
    })
}

/// The relation `(customer_id, s_life, s_dN…)` over every customer: spending in
/// each of `windows` as of `now`, the columns named by `window_column` in the
/// order of `windows`. From the index when it holds those windows (index rows for
/// unchanged customers, live rows for changed ones), otherwise aggregated live.
/// Read it in the same transaction as `tx`.
#[tracing::instrument(skip_all)]
pub async fn window_spending_relation(
    tx: &mut Tx,
    windows: &[TierWindow],
    now: DateTime<Utc>,
    params: &mut Params,
) -> anyhow::Result<String> {
    let live = |params: &mut Params, only: Option<&[i64]>| {
        let columns: Vec<String> =
            windows.iter().map(|w| format!("CAST(COALESCE(s.{c}, 0) AS BIGINT) AS {c}", c = window_column(*w))).collect();
        format!("SELECT c.id AS customer_id, {} {}", columns.join(", "), customers_with_spending(windows, now, params, only))
    };
    let Some(changed) = changed_since_index(tx, Need::Windows(windows), now).await? else {
        return Ok(live(params, None));
    };
    let mut columns = Vec::new();
    let mut joins = String::new();
    for w in windows {
        match w.days() {
            None => columns.push(format!("i.spending AS {}", window_column(*w))),
            // Days come from the ladder as integers: inlined, they cannot inject.
            Some(d) => {
                columns.push(format!("COALESCE(w{d}.spending, 0) AS {}", window_column(*w)));
                joins.push_str(&format!(
                    " LEFT JOIN customer_window_spending_index w{d} ON w{d}.days = {d} AND w{d}.customer_id = i.customer_id"
                ));
            }
        }
    }
    let indexed = format!("SELECT i.customer_id, {} FROM customer_spending_index i{joins}", columns.join(", "));
    Ok(if changed.is_empty() {
        indexed
    } else {
        format!("{indexed} WHERE i.customer_id NOT IN ({}) UNION ALL {}", changed_ids(&changed), live(params, Some(&changed)))
    })
}

/// The customers whose index rows may be out of date, or `None` when the index
/// cannot serve this request at all.
async fn changed_since_index(tx: &mut Tx, need: Need<'_>, now: DateTime<Utc>) -> anyhow::Result<Option<Vec<i64>>> {
    let (as_of, key, windows): IndexState =
        dispatch!(tx tx, |c| sqlx::query_as(STATE_SQL).fetch_one(c).await).context("read spending index state")?;
    let (Some(as_of), Some(key)) = (as_of, key) else { return Ok(None) };
    if !need.served_by(&key, windows.as_deref()) || as_of > now {
        return Ok(None);
    }
    let since = as_of - Duration::minutes(WRITE_MARGIN_MINUTES);
    let mut params = Params::default();
    let s = params.add(Arg::Time(since));
    let mut sources = vec![
        format!("SELECT customer_id FROM orders WHERE updated_at >= {s} AND customer_id IS NOT NULL"),
        format!("SELECT id AS customer_id FROM customers WHERE created_at >= {s}"),
    ];
    for days in need.windows().iter().filter_map(|w| w.days()) {
        let lo = params.add(Arg::Time(since - Duration::days(days.into())));
        let hi = params.add(Arg::Time(now - Duration::days(days.into())));
        sources.push(format!("SELECT customer_id FROM orders WHERE paid_at >= {lo} AND paid_at < {hi} AND customer_id IS NOT NULL"));
    }
    let limit = params.add(Arg::Int(MAX_CHANGED as i64 + 1));
    let sql = format!("SELECT customer_id FROM ({}) changed LIMIT {limit}", sources.join(" UNION "));
    // Not a cached prepared statement (`persistent(false)`, here and for the other
    // assembled list and census queries): after five runs PostgreSQL may switch a
    // cached statement to a generic plan, which cannot see that `updated_at >= $1`
    // picks a handful of rows, and scans all of `orders` (measured: 1.8 s at 10 M).
    let changed: Vec<i64> =
        dispatch!(tx tx, |c| bind_params!(sqlx::query_scalar::<_, i64>(&sql).persistent(false), params).fetch_all(c).await)
            .context("find customers changed since the spending index")?;
    Ok((changed.len() <= MAX_CHANGED).then_some(changed))
}

/// The index's rows, except the changed customers' whose values are computed live.
fn indexed_parts(ladder: &[TierRule], now: DateTime<Utc>, params: &mut Params, changed: &[i64]) -> Vec<String> {
    const INDEX_ROWS: &str = "SELECT customer_id, spending, tier_id, to_next FROM customer_spending_index";
    if changed.is_empty() {
        return vec![INDEX_ROWS.to_string()];
    }
    vec![format!("{INDEX_ROWS} WHERE customer_id NOT IN ({})", changed_ids(changed)), live_relation(ladder, now, params, Some(changed))]
}

/// The changed customers' ids as a subquery, for `NOT IN`.
fn changed_ids(changed: &[i64]) -> String {
    // Ids came from the database as integers: inlined, they cannot inject, and
    // they do not count against the bound-parameter limit.
    // As a subquery over VALUES, not an IN list: PostgreSQL then hashes it once
    // instead of comparing every index row with every id (1.4 s → see BENCHMARKS.md).
    let ids = changed.iter().map(|id| format!("({id})")).collect::<Vec<_>>().join(", ");
    format!("SELECT column1 FROM (VALUES {ids}) changed")
}

/// `FROM customers c LEFT JOIN (spending per window) s …`: every customer (or
/// `only` some) with their spending in `windows`, NULL where they spent nothing.
pub(crate) fn customers_with_spending(windows: &[TierWindow], now: DateTime<Utc>, params: &mut Params, only: Option<&[i64]>) -> String {
    let spend = spending_subquery(windows, now, params, only);
    let restrict = match only {
        Some(ids) => format!(" WHERE c.id IN ({})", ids.iter().map(i64::to_string).collect::<Vec<_>>().join(", ")),
        None => String::new(),
    };
    format!("FROM customers c LEFT JOIN ({spend}) s ON s.customer_id = c.id{restrict}")
}

/// The relation aggregated from the orders themselves, for every customer or `only` some.
fn live_relation(ladder: &[TierRule], now: DateTime<Utc>, params: &mut Params, only: Option<&[i64]>) -> String {
    format!(
        "SELECT c.id AS customer_id, CAST(COALESCE(s.s_life, 0) AS BIGINT) AS spending, {} AS tier_id, {} AS to_next {}",
        tier_case(ladder, |t| t.id, 0),
        to_next_tier_case(ladder),
        customers_with_spending(&windows_of(ladder), now, params, only)
    )
}

/// Customers per transaction of a full [`rebuild`].
pub const REBUILD_CHUNK: i64 = 5_000;

/// Rebuilds the index (and the window rows) for the current tier ladder as of
/// `now`; returns how many customers it holds. See [`rebuild_in_chunks`].
#[tracing::instrument(skip_all)]
pub async fn rebuild(db: &Db, now: DateTime<Utc>) -> anyhow::Result<i64> {
    rebuild_in_chunks(db, now, REBUILD_CHUNK).await
}

/// Recomputes every customer's rows, `chunk` customers per transaction, then
/// records the state (`as_of = now`). Short transactions because SQLite has one
/// writer: one transaction over a million customers held every payment and
/// sign-in back for minutes (BENCHMARKS.md).
///
/// Readers stay right throughout: a row written by any chunk is exact for every
/// customer unchanged since `now - WRITE_MARGIN` (their facts and windows did not
/// move between `now` and the chunk), and a row left from before is exact for
/// customers unchanged since the old `as_of`; the changed ones are read live.
/// Window rows are the exception when the ladder's windows change: the state
/// stops offering them until the rebuild records the new ones.
#[tracing::instrument(skip_all)]
pub async fn rebuild_in_chunks(db: &Db, now: DateTime<Utc>, chunk: i64) -> anyhow::Result<i64> {
    let ladder = {
        let mut tx = db.begin_write().await?;
        let ladder = lock_state(&mut tx).await?;
        let (_, _, windows): IndexState =
            dispatch!(tx &mut tx, |c| sqlx::query_as(STATE_SQL).fetch_one(c).await).context("read spending index state")?;
        if windows.as_deref() != Some(windows_key(&windows_of(&ladder)).as_str()) {
            dispatch!(tx &mut tx, |c| sqlx::query("UPDATE customer_spending_index_state SET windows = NULL WHERE id = 1")
                .execute(c)
                .await
                .map(|r| r.rows_affected()))
            .context("withdraw spending index windows")?;
        }
        tx.commit().await?;
        ladder
    };
    let mut after = 0i64;
    let mut customers = 0i64;
    loop {
        let mut tx = db.begin_write().await?;
        let ids: Vec<i64> = dispatch!(tx &mut tx, |c| sqlx::query_scalar("SELECT id FROM customers WHERE id > $1 ORDER BY id LIMIT $2")
            .bind(after)
            .bind(chunk)
            .fetch_all(c)
            .await)
        .context("next customers to index")?;
        let Some(&last) = ids.last() else { break };
        let (filled, _) = replace_rows(&mut tx, &ladder, now, &ids).await?;
        tx.commit().await?;
        customers += filled;
        after = last;
    }
    let mut tx = db.begin_write().await?;
    lock_state(&mut tx).await?;
    record_state(&mut tx, &ladder, now, customers).await?;
    tx.commit().await?;
    Ok(customers)
}

/// How [`refresh`] brought the index up to date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refreshed {
    /// Only the customers whose facts may have changed were recomputed.
    /// Only the customers whose facts may have changed were recomputed; of the
    /// rows sampled afterwards, `repaired` differed from live values.
    Changed { customers: usize, repaired: usize },
    /// Every customer was recomputed (first build, another ladder, or too many changes).
    Full { customers: i64 },
}

/// Brings the index up to date as of `now`. When it already serves the current
/// ladder, only the customers [`changed_since_index`] names are recomputed, in
/// one transaction, and `as_of` moves to `now`: every other row is still exact
/// at `now` (that is what "unchanged" means). Otherwise a full [`rebuild`].
#[tracing::instrument(skip_all)]
pub async fn refresh(db: &Db, now: DateTime<Utc>) -> anyhow::Result<Refreshed> {
    refresh_checking(db, now, crate::spending_index_check::SAMPLE).await
}

/// [`refresh`], then `sample` random rows compared with live values and
/// repaired where they differ ([`crate::spending_index_check`]).
#[tracing::instrument(skip_all)]
pub async fn refresh_checking(db: &Db, now: DateTime<Utc>, sample: i64) -> anyhow::Result<Refreshed> {
    let mut tx = db.begin_write().await?;
    let ladder = lock_state(&mut tx).await?;
    let (_, _, windows): IndexState =
        dispatch!(tx &mut tx, |c| sqlx::query_as(STATE_SQL).fetch_one(c).await).context("read spending index state")?;
    let windows_kept = windows.as_deref() == Some(windows_key(&windows_of(&ladder)).as_str());
    let changed = if windows_kept { changed_since_index(&mut tx, Need::Ladder(&ladder), now).await? } else { None };
    let Some(ids) = changed else {
        drop(tx); // rolls back: nothing was written
        return Ok(Refreshed::Full { customers: rebuild(db, now).await? });
    };
    let (filled, removed) = replace_rows(&mut tx, &ladder, now, &ids).await?;
    let before: i64 = dispatch!(tx &mut tx, |c| sqlx::query_scalar("SELECT customers FROM customer_spending_index_state WHERE id = 1")
        .fetch_one(c)
        .await)
    .context("read indexed customer count")?;
    let (repaired, rows_added) = crate::spending_index_check::check_sample(&mut tx, &ladder, now, sample).await?;
    record_state(&mut tx, &ladder, now, before - removed + filled + rows_added).await?;
    tx.commit().await?;
    Ok(Refreshed::Changed { customers: ids.len(), repaired })
}

/// Locks the state row (concurrent rebuilds queue here) and reads the ladder.
async fn lock_state(tx: &mut Tx) -> anyhow::Result<Vec<TierRule>> {
    let lock = format!("SELECT id FROM customer_spending_index_state WHERE id = 1{}", tx.for_update());
    dispatch!(tx tx, |c| sqlx::query_scalar::<_, i32>(&lock).fetch_one(c).await).context("lock spending index state")?;
    let tiers: Vec<TierRow> = tiers::list_tiers_in(tx).await?;
    Ok(tiers.iter().map(TierRow::rule).collect())
}

/// Recomputes the rows of the customers `ids` as of `now` under `ladder`;
/// returns the customers written and the rows removed.
#[tracing::instrument(skip_all)]
pub(crate) async fn replace_rows(tx: &mut Tx, ladder: &[TierRule], now: DateTime<Utc>, ids: &[i64]) -> anyhow::Result<(i64, i64)> {
    if ids.is_empty() {
        return Ok((0, 0));
    }
    let windows = windows_of(ladder);
    let columns: Vec<String> = windows.iter().map(|w| window_column(*w)).collect();
    // Orders are aggregated once into a scratch table, which then fills both the
    // index and the window rows. Dropped before commit; a rollback undoes it too.
    let scratch = format!(
        "CREATE TEMP TABLE spending_rebuild (customer_id BIGINT NOT NULL, {}, tier_id BIGINT NOT NULL, to_next BIGINT)",
        columns.iter().map(|c| format!("{c} BIGINT NOT NULL")).collect::<Vec<_>>().join(", ")
    );
    let mut params = Params::default();
    let fill_scratch = format!(
        "INSERT INTO spending_rebuild SELECT c.id, {}, {}, {} {}",
        columns.iter().map(|c| format!("CAST(COALESCE(s.{c}, 0) AS BIGINT)")).collect::<Vec<_>>().join(", "),
        tier_case(ladder, |t| t.id, 0),
        to_next_tier_case(ladder),
        customers_with_spending(&windows, now, &mut params, Some(ids))
    );
    // The rows replaced (ids from the database, inlined as in `changed_ids`).
    let scope = format!(" WHERE customer_id IN ({})", changed_ids(ids));
    let (filled, removed) = {
        execute(tx, &scratch, &Params::default()).await?;
        let filled = execute(tx, &fill_scratch, &params).await?;
        let removed = execute(tx, &format!("DELETE FROM customer_spending_index{scope}"), &Params::default()).await?;
        execute(
            tx,
            "INSERT INTO customer_spending_index (customer_id, spending, tier_id, to_next) SELECT customer_id, s_life, tier_id, to_next FROM spending_rebuild",
            &Params::default(),
        )
        .await?;
        execute(tx, &format!("DELETE FROM customer_window_spending_index{scope}"), &Params::default()).await?;
        for d in windows.iter().filter_map(|w| w.days()) {
            let sql = format!(
                "INSERT INTO customer_window_spending_index (days, customer_id, spending) SELECT {d}, customer_id, s_d{d} FROM spending_rebuild WHERE s_d{d} <> 0"
            );
            execute(tx, &sql, &Params::default()).await?;
        }
        execute(tx, "DROP TABLE spending_rebuild", &Params::default()).await?;
        (filled, removed)
    };
    Ok((i64::try_from(filled).unwrap_or(i64::MAX), i64::try_from(removed).unwrap_or(i64::MAX)))
}

/// Records what the rows now hold: as of `now`, for `ladder` and its windows.
async fn record_state(tx: &mut Tx, ladder: &[TierRule], now: DateTime<Utc>, customers: i64) -> anyhow::Result<()> {
    let windows = windows_of(ladder);
    dispatch!(tx tx, |c| sqlx::query(
        "UPDATE customer_spending_index_state SET as_of = $1, ladder = $2, windows = $3, customers = $4 WHERE id = 1"
    )
    .bind(now)
    .bind(ladder_key(ladder))
    .bind(windows_key(&windows))
    .bind(customers)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))
    .context("record spending index state")?;
    Ok(())
}

/// One statement of the rebuild; returns the rows it touched.
async fn execute(tx: &mut Tx, sql: &str, params: &Params) -> anyhow::Result<u64> {
    dispatch!(tx tx, |c| bind_params!(sqlx::query(sql).persistent(false), params).execute(c).await.map(|r| r.rows_affected()))
        .with_context(|| format!("rebuild spending index: {}", sql.split_whitespace().take(4).collect::<Vec<_>>().join(" ")))
}

/// True when the index was never built, was built for another ladder, or is
/// older than [`REBUILD_AFTER_MINUTES`].
#[tracing::instrument(skip_all)]
pub async fn needs_rebuild(db: &Db, now: DateTime<Utc>) -> anyhow::Result<bool> {
    let (as_of, key, windows): IndexState =
        dispatch!(db, |c| sqlx::query_as(STATE_SQL).fetch_one(c).await).context("read spending index state")?;
    let ladder: Vec<TierRule> = tiers::list_tiers(db).await?.iter().map(TierRow::rule).collect();
    Ok(match (as_of, key, windows) {
        (Some(as_of), Some(key), Some(windows)) => {
            key != ladder_key(&ladder)
                || windows != windows_key(&windows_of(&ladder))
                || now - as_of >= Duration::minutes(REBUILD_AFTER_MINUTES)
                || as_of > now
        }
        _ => true,
    })
}

/// Every minute: [`refresh`] the index when [`needs_rebuild`] says so.
pub fn job() -> Job {
    Job {
        name: JOB_NAME,
        period: Duration::seconds(60),
        run: Arc::new(|db: Db, now: DateTime<Utc>| -> JobFuture {
            Box::pin(async move {
                if !needs_rebuild(&db, now).await? {
                    return Ok(json!({ "rebuilt": false }));
                }
                let started = std::time::Instant::now();
                let ms = || started.elapsed().as_millis() as u64;
                Ok(match refresh(&db, now).await? {
                    Refreshed::Changed { customers, repaired } => {
                        json!({ "rebuilt": "changed", "customers": customers, "repaired": repaired, "milliseconds": ms() })
                    }
                    Refreshed::Full { customers } => json!({ "rebuilt": "full", "customers": customers, "milliseconds": ms() }),
                })
            })
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use setia_domain::{Money, TierWindow};

    fn tier(id: i64, min: i64, window: TierWindow) -> TierRule {
        TierRule { id, name: format!("t{id}"), min_spending: Money(min), window }
    }

    #[test]
    fn the_ladder_key_reads_only_what_the_rule_reads_and_ignores_order() {
        let a = [tier(1, 100, TierWindow::Lifetime), tier(2, 500, TierWindow::RollingDays(365))];
        let b = [a[1].clone(), TierRule { name: "renamed".into(), ..a[0].clone() }];
        assert_eq!(ladder_key(&a), ladder_key(&b));
        assert_ne!(ladder_key(&a), ladder_key(&[a[0].clone(), tier(2, 501, TierWindow::RollingDays(365))]));
        assert_ne!(ladder_key(&a), ladder_key(&[a[0].clone(), tier(2, 500, TierWindow::RollingDays(30))]));
        assert_eq!(ladder_key(&[]), "");
    }
}
