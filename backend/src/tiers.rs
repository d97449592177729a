//! Membership tiers as stored (SPEC §2.2). The rule that places a customer in a
//! tier is `setia_domain::tier`; this module only reads and writes tier rows.

use crate::db::Db;
use crate::dispatch;
use anyhow::Context;
use chrono::{DateTime, Utc};
use setia_domain::{Money, TierRule, TierWindow};

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct TierRow {
    pub id: i64,
    pub name: String,
    pub min_spending: i64,
    pub window_days: Option<i32>,
    pub earn_rate_points: i64,
    pub earn_rate_per: i64,
    pub discount_basis_points: Option<i32>,
    pub colour: String,
    pub created_at: DateTime<Utc>,
}

impl TierRow {
    pub fn rule(&self) -> TierRule {
        TierRule {
            id: self.id,
            name: self.name.clone(),
            min_spending: Money(self.min_spending),
            window: TierWindow::from_days(self.window_days.map(i64::from)),
        }
    }
}

#[tracing::instrument(skip_all)]
pub async fn list_tiers(db: &Db) -> anyhow::Result<Vec<TierRow>> {
    dispatch!(db, |c| sqlx::query_as::<_, TierRow>(
        "SELECT id, name, min_spending, window_days, earn_rate_points, earn_rate_per, discount_basis_points, colour, created_at
         FROM tiers ORDER BY min_spending, id"
    )
    .fetch_all(c)
    .await)
    .context("list tiers")
}
