//! The derived facts about a customer (docs/SPEC.md §1, §2.1, §2.2), computed here and
//! nowhere else: total spending, loyal, and current tier with its explanation.
//! No column on `customers` holds any of them.
//!
//! Spending = over every paid order (status paid, shipped, completed,
//! partially_refunded or refunded) its total minus what was refunded on it.
//! Pending, cancelled and expired orders count nothing. An order counts at its
//! payment time (for tier windows) and its refunds reduce it there.

use crate::bind_params;
use crate::db::{Arg, Db, Params, Tx};
use crate::store_cache::StoreSnapshot;
use crate::tiers::TierRow;
use anyhow::Context;
use chrono::{DateTime, Duration, Utc};
use setia_domain::order::spending_statuses;
use setia_domain::tier::{tier_standing, TierStanding};
use setia_domain::{Money, TierRule, TierWindow};
use std::collections::{BTreeMap, HashMap};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerFacts {
    pub customer_id: i64,
    /// Lifetime spending.
    pub total_spending: Money,
    pub loyal: bool,
    pub loyalty_threshold: Money,
    pub standing: TierStanding,
    pub tiers: Vec<TierRow>,
}

impl CustomerFacts {
    pub fn tier(&self) -> Option<&TierRow> {
        let (rule, _) = self.standing.current.as_ref()?;
        self.tiers.iter().find(|t| t.id == rule.id)
    }
}

/// The column of a window in [`spending_subquery`]: `s_life`, `s_d365`, …
pub fn window_column(w: TierWindow) -> String {
    match w {
        TierWindow::Lifetime => "s_life".to_string(),
        TierWindow::RollingDays(d) => format!("s_d{d}"),
    }
}

/// The windows a set of tiers needs, lifetime always included, each once.
pub fn windows_of(rules: &[TierRule]) -> Vec<TierWindow> {
    let mut w: Vec<TierWindow> = rules.iter().map(|r| r.window).collect();
    w.push(TierWindow::Lifetime);
    w.sort();
    w.dedup();
    w
}

/// The definition of spending in SQL: `SELECT customer_id, s_life, s_dN… FROM
/// orders … GROUP BY customer_id`, each customer's net paid spending in each
/// window as of `now`. `only` restricts it to the given customers.
///
/// Net = total minus the order's refunds. For a few customers the refunds are
/// probed per order (an index lookup); for all customers they are summed once and
/// joined, so the whole table aggregates in one pass. Same value, two plans.
pub fn spending_subquery(windows: &[TierWindow], now: DateTime<Utc>, params: &mut Params, only: Option<&[i64]>) -> String {
    let statuses = spending_statuses().iter().map(|s| format!("'{s}'")).collect::<Vec<_>>().join(", ");
    let (net, refunds_join) = match only {
        Some(_) => ("(o.total - COALESCE((SELECT SUM(rf.amount) FROM refunds rf WHERE rf.order_id = o.id), 0))".to_string(), String::new()),
        None => (
            "(o.total - COALESCE(rf.refunded, 0))".to_string(),
            " LEFT JOIN (SELECT order_id, SUM(amount) AS refunded FROM refunds GROUP BY order_id) rf ON rf.order_id = o.id".to_string(),
        ),
    };
    // CAST because PostgreSQL's SUM(bigint) is numeric.
    let columns: Vec<String> = windows
        .iter()
        .map(|w| match w.days() {
            None => format!("CAST(SUM({net}) AS BIGINT) AS {}", window_column(*w)),
            Some(d) => {
                let cutoff = params.add(Arg::Time(now - Duration::days(i64::from(d))));
                format!("CAST(SUM(CASE WHEN o.paid_at >= {cutoff} THEN {net} ELSE 0 END) AS BIGINT) AS {}", window_column(*w))
            }
        })
        .collect();
    // For some customers, `o.status || ''` keeps the planner off the status index:
    // SQLite's sampled statistics (`Db::optimize`) can make five statuses look rarer
    // than fifty customers, and a page of 50 customers then read every order of
    // those statuses (48 s at 10 M orders). With the status as an expression the
    // customer index is the only one that fits, on both databases. (A CROSS JOIN
    // from the ids did the same in SQLite 3.51 but not in the 3.46 sqlx bundles.)
    let (status, restrict) = match only {
        Some(ids) if !ids.is_empty() => {
            // Each id once.
            let mut ids = ids.to_vec();
            ids.sort_unstable();
            ids.dedup();
            let ph: Vec<String> = ids.iter().map(|id| params.add(Arg::Int(*id))).collect();
            ("o.status || ''", format!(" AND o.customer_id IN ({})", ph.join(", ")))
        }
        Some(_) => ("o.status", " AND 1 = 0".to_string()),
        None => ("o.status", String::new()),
    };
    format!(
        "SELECT o.customer_id, {} FROM orders o{refunds_join}
         WHERE o.customer_id IS NOT NULL AND {status} IN ({statuses}) AND o.paid_at IS NOT NULL{restrict}
         GROUP BY o.customer_id",
        columns.join(", ")
    )
}

/// Spending per window for some customers, keyed by customer (absent = nothing spent).
#[tracing::instrument(skip_all)]
pub async fn spending_of(
    db: &Db,
    customers: &[i64],
    windows: &[TierWindow],
    now: DateTime<Utc>,
) -> anyhow::Result<HashMap<i64, BTreeMap<TierWindow, Money>>> {
    let mut params = Params::default();
    let sql = spending_subquery(windows, now, &mut params, Some(customers));
    // persistent(false): see `spending_index::changed_since_index` (generic plans).
    let rows = crate::dispatch!(db, |c| bind_params!(sqlx::query(&sql).persistent(false), params).fetch_all(c).await.map(|rows| {
        use sqlx::Row;
        rows.iter()
            .map(|row| {
                let sums: BTreeMap<TierWindow, Money> =
                    windows.iter().enumerate().map(|(i, w)| (*w, Money(row.get::<Option<i64>, _>(i + 1).unwrap_or(0)))).collect();
                (row.get::<i64, _>(0), sums)
            })
            .collect::<HashMap<_, _>>()
    }))
    .context("sum customers' spending")?;
    Ok(rows)
}

/// Spending per window, for one customer.
#[tracing::instrument(skip_all)]
pub async fn spending_by_window(
    db: &Db,
    customer_id: i64,
    windows: &[TierWindow],
    now: DateTime<Utc>,
) -> anyhow::Result<BTreeMap<TierWindow, Money>> {
    let mut all = spending_of(db, &[customer_id], windows, now).await?;
    Ok(all.remove(&customer_id).unwrap_or_else(|| windows.iter().map(|w| (*w, Money::ZERO)).collect()))
}

/// [`spending_by_window`] inside a transaction, so it sees the transaction's own writes.
#[tracing::instrument(skip_all)]
pub async fn spending_by_window_in(
    tx: &mut Tx,
    customer_id: i64,
    windows: &[TierWindow],
    now: DateTime<Utc>,
) -> anyhow::Result<BTreeMap<TierWindow, Money>> {
    let mut params = Params::default();
    let sql = spending_subquery(windows, now, &mut params, Some(&[customer_id]));
    let sums: Option<Vec<i64>> = crate::dispatch!(tx tx, |c| bind_params!(sqlx::query(&sql), params).fetch_optional(c).await.map(|row| {
        row.map(|row| {
            use sqlx::Row;
            (0..windows.len()).map(|i| row.get::<Option<i64>, _>(i + 1).unwrap_or(0)).collect()
        })
    }))
    .context("sum customer spending")?;
    Ok(windows.iter().enumerate().map(|(i, w)| (*w, Money(sums.as_ref().map_or(0, |s| s[i])))).collect())
}

/// A customer's tier standing inside a transaction (before and after a payment).
#[tracing::instrument(skip_all)]
pub async fn tier_standing_in(tx: &mut Tx, customer_id: i64, tiers: &[TierRow], now: DateTime<Utc>) -> anyhow::Result<TierStanding> {
    Ok(standing_and_lifetime_in(tx, customer_id, tiers, now).await?.0)
}

/// [`tier_standing_in`] and the customer's lifetime spending, from one query.
#[tracing::instrument(skip_all)]
pub async fn standing_and_lifetime_in(
    tx: &mut Tx,
    customer_id: i64,
    tiers: &[TierRow],
    now: DateTime<Utc>,
) -> anyhow::Result<(TierStanding, Money)> {
    let rules: Vec<_> = tiers.iter().map(TierRow::rule).collect();
    let spending = spending_by_window_in(tx, customer_id, &windows_of(&rules), now).await?;
    let in_window = |w: TierWindow| spending.get(&w).copied().unwrap_or_default();
    Ok((tier_standing(&rules, &in_window), in_window(TierWindow::Lifetime)))
}

/// What pricing needs to know of a customer: their tier standing and whether they
/// have no earlier order that counts (docs/SPEC.md §2.3 `first_order_only`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PricingFacts {
    pub standing: TierStanding,
    pub first_order: bool,
}

/// [`PricingFacts`] of one customer inside a transaction, in one statement (the
/// customer row, their spending per window, an earlier order); `None` when no
/// customer has the id. "Earlier order": any of theirs not cancelled or expired
/// (those never happened), the same rule as `orders::is_first_order`.
#[tracing::instrument(skip_all)]
pub async fn pricing_facts_in(
    tx: &mut Tx,
    customer_id: i64,
    tiers: &[TierRow],
    now: DateTime<Utc>,
) -> anyhow::Result<Option<PricingFacts>> {
    let rules: Vec<_> = tiers.iter().map(TierRow::rule).collect();
    let windows = windows_of(&rules);
    let mut params = Params::default();
    let spending = spending_subquery(&windows, now, &mut params, Some(&[customer_id]));
    let id = params.add(Arg::Int(customer_id));
    let sums: Vec<String> = windows.iter().map(|w| format!("s.{}", window_column(*w))).collect();
    let sql = format!(
        "SELECT c.id, (SELECT e.id FROM orders e WHERE e.customer_id = c.id AND e.status NOT IN ('cancelled', 'expired') LIMIT 1),
                {}
         FROM customers c LEFT JOIN ({spending}) s ON s.customer_id = c.id
         WHERE c.id = {id}",
        sums.join(", ")
    );
    let row: Option<(bool, Vec<i64>)> =
        crate::dispatch!(tx tx, |c| bind_params!(sqlx::query(&sql), params).fetch_optional(c).await.map(|row| {
            row.map(|row| {
                use sqlx::Row;
                let earlier: Option<i64> = row.get(1);
                (earlier.is_none(), (0..windows.len()).map(|i| row.get::<Option<i64>, _>(i + 2).unwrap_or(0)).collect())
            })
        }))
        .context("read the customer's tier and first order")?;
    Ok(row.map(|(first_order, sums)| {
        let in_window = |w: TierWindow| windows.iter().position(|x| *x == w).map_or(Money::ZERO, |i| Money(sums[i]));
        PricingFacts { standing: tier_standing(&rules, &in_window), first_order }
    }))
}

/// The facts of one customer from their spending per window (absent windows
/// count zero): the rules of docs/SPEC.md §2.1 and §2.2 applied in one place.
pub fn derive_facts(
    customer_id: i64,
    spending: &BTreeMap<TierWindow, Money>,
    tiers: &[TierRow],
    loyalty_threshold: Money,
) -> CustomerFacts {
    let rules: Vec<_> = tiers.iter().map(TierRow::rule).collect();
    let in_window = |w: TierWindow| spending.get(&w).copied().unwrap_or_default();
    let total_spending = in_window(TierWindow::Lifetime);
    CustomerFacts {
        customer_id,
        total_spending,
        loyal: setia_domain::customer::is_loyal(total_spending, loyalty_threshold),
        loyalty_threshold,
        standing: tier_standing(&rules, &in_window),
        tiers: tiers.to_vec(),
    }
}

/// Everything derived about one customer, as of `now`, by the store's ladder and
/// loyalty threshold as cached for this request.
#[tracing::instrument(skip_all)]
pub async fn customer_facts(db: &Db, store: &StoreSnapshot, customer_id: i64, now: DateTime<Utc>) -> anyhow::Result<CustomerFacts> {
    Ok(customers_facts(db, store, &[customer_id], now).await?.remove(0))
}

/// [`customer_facts`] for several customers at once (one spending query), in the order given.
#[tracing::instrument(skip_all)]
pub async fn customers_facts(
    db: &Db,
    store: &StoreSnapshot,
    customer_ids: &[i64],
    now: DateTime<Utc>,
) -> anyhow::Result<Vec<CustomerFacts>> {
    let tiers = &store.tiers;
    let rules: Vec<_> = tiers.iter().map(TierRow::rule).collect();
    let spending = spending_of(db, customer_ids, &windows_of(&rules), now).await?;
    let threshold = store.settings.loyalty_threshold;
    let none = BTreeMap::new();
    Ok(customer_ids.iter().map(|id| derive_facts(*id, spending.get(id).unwrap_or(&none), tiers, threshold)).collect())
}

/// The tier rule in SQL, for filtering and counting many customers at once: a
/// `CASE` giving `value_of(tier)` for the tier each row of a [`spending_subquery`]
/// aliased `s` is in (`none` when in no tier). Generated from
/// [`setia_domain::tier::highest_first`], the order the rule itself uses.
pub fn tier_case(ladder: &[TierRule], value_of: impl Fn(&TierRule) -> i64, none: i64) -> String {
    if ladder.is_empty() {
        return format!("CAST({none} AS BIGINT)");
    }
    // CAST: integer literals are 32-bit on PostgreSQL; ids are BIGINT.
    let mut sql = String::from("CAST(CASE");
    for t in setia_domain::tier::highest_first(ladder) {
        sql.push_str(&format!(" WHEN COALESCE(s.{}, 0) >= {} THEN {}", window_column(t.window), t.min_spending.0, value_of(t)));
    }
    sql.push_str(&format!(" ELSE {none} END AS BIGINT)"));
    sql
}

/// Spending still missing to the next tier in SQL, for the rows of a
/// [`spending_subquery`] aliased `s`: the next tier's minimum minus the spending in
/// that tier's window, NULL for customers in the top tier (or with no tiers).
pub fn to_next_tier_case(ladder: &[TierRule]) -> String {
    if ladder.is_empty() {
        return "CAST(NULL AS BIGINT)".to_string();
    }
    let ascending = setia_domain::tier::lowest_first(ladder);
    let rank_of = |t: &TierRule| ascending.iter().position(|a| a.id == t.id).map_or(0, |i| i as i64 + 1);
    // A customer at rank r (0 = no tier) is heading for ascending[r].
    let arms: String = ascending
        .iter()
        .enumerate()
        .map(|(r, next)| format!(" WHEN {r} THEN {} - COALESCE(s.{}, 0)", next.min_spending.0, window_column(next.window)))
        .collect();
    format!("CAST(CASE {}{arms} ELSE NULL END AS BIGINT)", tier_case(ladder, rank_of, 0))
}
