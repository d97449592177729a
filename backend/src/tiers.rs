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

/// A new tier, already parsed.
#[derive(Debug, Clone)]
pub struct TierInput {
    pub name: String,
    pub min_spending: Money,
    pub window: TierWindow,
    pub earn_rate_points: i64,
    pub earn_rate_per: i64,
    pub discount: Option<setia_domain::Percent>,
    pub colour: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum TierError {
    #[error(transparent)]
    Ladder(#[from] setia_domain::tier::LadderError),
    #[error("earn_rate_points must be 0 or more")]
    BadEarnPoints,
    #[error("earn_rate_per must be above 0")]
    BadEarnPer,
    #[error("colour must look like #1a2b3c")]
    BadColour,
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

const DEFAULT_COLOUR: &str = "#9ca3af";

fn valid_colour(c: &str) -> bool {
    c.len() == 7 && c.starts_with('#') && c[1..].chars().all(|ch| ch.is_ascii_hexdigit())
}

/// Adds a tier after checking that the whole ladder stays valid (minimums strictly
/// increasing, names unique). The ladder is re-read inside the write transaction.
#[tracing::instrument(skip_all)]
pub async fn create_tier(db: &Db, input: TierInput, actor: &crate::audit::Actor) -> Result<TierRow, TierError> {
    if input.earn_rate_points < 0 {
        return Err(TierError::BadEarnPoints);
    }
    if input.earn_rate_per <= 0 {
        return Err(TierError::BadEarnPer);
    }
    let colour = input.colour.as_deref().map(str::trim).unwrap_or(DEFAULT_COLOUR).to_ascii_lowercase();
    if !valid_colour(&colour) {
        return Err(TierError::BadColour);
    }
    let now = Utc::now();
    let mut tx = db.begin_write().await?;
    let existing = dispatch!(tx &mut tx, |c| sqlx::query_as::<_, TierRow>(
        "SELECT id, name, min_spending, window_days, earn_rate_points, earn_rate_per, discount_basis_points, colour, created_at
         FROM tiers ORDER BY min_spending, id"
    )
    .fetch_all(c)
    .await)
    .context("load tiers")?;
    let mut ladder: Vec<TierRule> = existing.iter().map(TierRow::rule).collect();
    ladder.push(TierRule { id: 0, name: input.name.trim().to_string(), min_spending: input.min_spending, window: input.window });
    setia_domain::tier::validate_ladder(&ladder)?;
    let row = dispatch!(tx &mut tx, |c| sqlx::query_as::<_, TierRow>(
        "INSERT INTO tiers (name, min_spending, window_days, earn_rate_points, earn_rate_per, discount_basis_points, colour, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)
         RETURNING id, name, min_spending, window_days, earn_rate_points, earn_rate_per, discount_basis_points, colour, created_at"
    )
    .bind(input.name.trim())
    .bind(input.min_spending.0)
    .bind(input.window.days().map(|d| i32::try_from(d).unwrap_or(i32::MAX)))
    .bind(input.earn_rate_points)
    .bind(input.earn_rate_per)
    .bind(input.discount.map(|p| p.basis_points() as i32))
    .bind(&colour)
    .bind(now)
    .fetch_one(c)
    .await)
    .context("insert tier")?;
    crate::audit::record(
        &mut tx,
        crate::audit::AuditEntry {
            actor: actor.clone(),
            action: "tier.create",
            entity_type: "tier",
            entity_id: Some(row.id.to_string()),
            before: None,
            after: Some(serde_json::json!({
                "name": row.name, "min_spending": row.min_spending, "window_days": row.window_days,
                "earn_rate_points": row.earn_rate_points, "earn_rate_per": row.earn_rate_per,
                "discount_basis_points": row.discount_basis_points, "colour": row.colour
            })),
            ip: None,
            at: now,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(row)
}
