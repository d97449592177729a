//! The derived facts about a customer (SPEC §1, §2.1, §2.2), computed here and
//! nowhere else: total spending, loyal, and current tier with its explanation.
//! No column on `customers` holds any of them.
//!
//! Spending = over every paid order (status paid, shipped, completed,
//! partially_refunded or refunded) its total minus what was refunded on it.
//! Pending, cancelled and expired orders count nothing. An order counts at its
//! payment time (for tier windows) and its refunds reduce it there.

use crate::db::{Db, Tx};
use crate::settings;
use crate::tiers::{self, TierRow};
use anyhow::Context;
use chrono::{DateTime, Duration, Utc};
use setia_domain::order_status::spending_statuses;
use setia_domain::tier::{tier_standing, TierStanding};
use setia_domain::{Money, TierWindow};
use std::collections::BTreeMap;

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

/// The one spending query: a lifetime sum and one sum per rolling window.
struct SpendingQuery {
    sql: String,
    rolling: Vec<u32>,
}

impl SpendingQuery {
    fn new(windows: &[TierWindow]) -> SpendingQuery {
        let mut rolling: Vec<u32> = windows.iter().filter_map(|w| w.days()).collect();
        rolling.sort_unstable();
        rolling.dedup();
        let statuses = spending_statuses().iter().map(|s| format!("'{s}'")).collect::<Vec<_>>().join(", ");
        // One SUM per window; CAST because PostgreSQL's SUM(bigint) is numeric.
        let net = "o.total - COALESCE((SELECT SUM(rf.amount) FROM refunds rf WHERE rf.order_id = o.id), 0)";
        let mut columns = vec![format!("CAST(COALESCE(SUM({net}), 0) AS BIGINT)")];
        for (i, _) in rolling.iter().enumerate() {
            columns.push(format!("CAST(COALESCE(SUM(CASE WHEN o.paid_at >= ${} THEN {net} ELSE 0 END), 0) AS BIGINT)", i + 2));
        }
        let sql = format!(
            "SELECT {} FROM orders o WHERE o.customer_id = $1 AND o.status IN ({statuses}) AND o.paid_at IS NOT NULL",
            columns.join(", ")
        );
        SpendingQuery { sql, rolling }
    }

    fn cutoffs(&self, now: DateTime<Utc>) -> Vec<DateTime<Utc>> {
        self.rolling.iter().map(|d| now - Duration::days(i64::from(*d))).collect()
    }

    fn into_map(self, sums: Vec<i64>) -> BTreeMap<TierWindow, Money> {
        let mut out = BTreeMap::new();
        out.insert(TierWindow::Lifetime, Money(sums[0]));
        for (i, days) in self.rolling.iter().enumerate() {
            out.insert(TierWindow::RollingDays(*days), Money(sums[i + 1]));
        }
        out
    }
}

/// Runs a [`SpendingQuery`] on a connection of either backend.
macro_rules! fetch_sums {
    ($c:ident, $q:expr, $customer_id:expr, $now:expr) => {{
        let mut query = sqlx::query(&$q.sql).bind($customer_id);
        for cutoff in $q.cutoffs($now) {
            query = query.bind(cutoff);
        }
        let width = $q.rolling.len() + 1;
        query.fetch_one($c).await.map(|row| {
            use sqlx::Row;
            (0..width).map(|i| row.get::<i64, _>(i)).collect::<Vec<i64>>()
        })
    }};
}

/// Spending per window, for one customer, in one query.
#[tracing::instrument(skip_all)]
pub async fn spending_by_window(
    db: &Db,
    customer_id: i64,
    windows: &[TierWindow],
    now: DateTime<Utc>,
) -> anyhow::Result<BTreeMap<TierWindow, Money>> {
    let q = SpendingQuery::new(windows);
    let sums = crate::dispatch!(db, |c| fetch_sums!(c, q, customer_id, now)).context("sum customer spending")?;
    Ok(q.into_map(sums))
}

/// [`spending_by_window`] inside a transaction, so it sees the transaction's own writes.
#[tracing::instrument(skip_all)]
pub async fn spending_by_window_in(
    tx: &mut Tx,
    customer_id: i64,
    windows: &[TierWindow],
    now: DateTime<Utc>,
) -> anyhow::Result<BTreeMap<TierWindow, Money>> {
    let q = SpendingQuery::new(windows);
    let sums = crate::dispatch!(tx tx, |c| fetch_sums!(c, q, customer_id, now)).context("sum customer spending")?;
    Ok(q.into_map(sums))
}

/// A customer's tier standing inside a transaction (before and after a payment).
pub async fn tier_standing_in(tx: &mut Tx, customer_id: i64, tiers: &[TierRow], now: DateTime<Utc>) -> anyhow::Result<TierStanding> {
    let rules: Vec<_> = tiers.iter().map(TierRow::rule).collect();
    let windows: Vec<TierWindow> = rules.iter().map(|r| r.window).collect();
    let spending = spending_by_window_in(tx, customer_id, &windows, now).await?;
    Ok(tier_standing(&rules, &|w: TierWindow| spending.get(&w).copied().unwrap_or_default()))
}

/// Everything derived about one customer, as of `now`.
#[tracing::instrument(skip_all)]
pub async fn customer_facts(db: &Db, customer_id: i64, now: DateTime<Utc>) -> anyhow::Result<CustomerFacts> {
    let tiers = tiers::list_tiers(db).await?;
    let rules: Vec<_> = tiers.iter().map(TierRow::rule).collect();
    let mut windows: Vec<TierWindow> = rules.iter().map(|r| r.window).collect();
    windows.push(TierWindow::Lifetime);
    let spending = spending_by_window(db, customer_id, &windows, now).await?;
    let total_spending = spending[&TierWindow::Lifetime];
    let standing = tier_standing(&rules, &|w: TierWindow| spending.get(&w).copied().unwrap_or_default());
    let loyalty_threshold = settings::load(db).await?.loyalty_threshold;
    Ok(CustomerFacts {
        customer_id,
        total_spending,
        loyal: total_spending >= loyalty_threshold,
        loyalty_threshold,
        standing,
        tiers,
    })
}
