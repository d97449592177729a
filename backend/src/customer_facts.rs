//! The derived facts about a customer (SPEC §1, §2.1, §2.2), computed here and
//! nowhere else: total spending, loyal, and current tier with its explanation.
//! No column on `customers` holds any of them.
//!
//! Spending = over every paid order (status paid, shipped, completed,
//! partially_refunded or refunded) its total minus what was refunded on it.
//! Pending, cancelled and expired orders count nothing. An order counts at its
//! payment time (for tier windows) and its refunds reduce it there.

use crate::db::Db;
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

/// Spending per window, for one customer, in one query.
#[tracing::instrument(skip_all)]
pub async fn spending_by_window(
    db: &Db,
    customer_id: i64,
    windows: &[TierWindow],
    now: DateTime<Utc>,
) -> anyhow::Result<BTreeMap<TierWindow, Money>> {
    let rolling: Vec<u32> = {
        let mut d: Vec<u32> = windows.iter().filter_map(|w| w.days()).collect();
        d.sort_unstable();
        d.dedup();
        d
    };
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
    let sums: Vec<i64> = crate::dispatch!(db, |c| {
        let mut q = sqlx::query(&sql).bind(customer_id);
        for days in &rolling {
            q = q.bind(now - Duration::days(i64::from(*days)));
        }
        q.fetch_one(c).await.map(|row| {
            use sqlx::Row;
            (0..=rolling.len()).map(|i| row.get::<i64, _>(i)).collect()
        })
    })
    .context("sum customer spending")?;
    let mut out = BTreeMap::new();
    out.insert(TierWindow::Lifetime, Money(sums[0]));
    for (i, days) in rolling.iter().enumerate() {
        out.insert(TierWindow::RollingDays(*days), Money(sums[i + 1]));
    }
    Ok(out)
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
