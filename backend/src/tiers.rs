//! Membership tiers as stored (docs/SPEC.md §2.2). The rule that places a customer in a
//! tier is `setia_domain::tier`; this module only reads and writes tier rows.

use crate::db::{Db, Tx};
use crate::dispatch;
use anyhow::Context;
use chrono::{DateTime, Utc};
use setia_domain::{Invalid, Money, TierRule, TierWindow};

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
    /// The tier discount, when the tier has one.
    pub fn discount(&self) -> Option<setia_domain::Percent> {
        self.discount_basis_points.and_then(|bp| setia_domain::Percent::from_basis_points(u32::try_from(bp).ok()?).ok())
    }

    pub fn rule(&self) -> TierRule {
        TierRule {
            id: self.id,
            name: self.name.clone(),
            min_spending: Money(self.min_spending),
            window: TierWindow::from_days(self.window_days.map(i64::from)),
        }
    }
}

const TIER_COLUMNS: &str =
    "id, name, min_spending, window_days, earn_rate_points, earn_rate_per, discount_basis_points, colour, created_at";

/// Every tier, lowest minimum first.
fn tiers_sql() -> String {
    format!("SELECT {TIER_COLUMNS} FROM tiers ORDER BY min_spending, id")
}

#[tracing::instrument(skip_all)]
pub async fn list_tiers(db: &Db) -> anyhow::Result<Vec<TierRow>> {
    dispatch!(db, |c| sqlx::query_as::<_, TierRow>(&tiers_sql()).fetch_all(c).await).context("list tiers")
}

/// [`list_tiers`] inside a transaction.
#[tracing::instrument(skip_all)]
pub async fn list_tiers_in(tx: &mut Tx) -> anyhow::Result<Vec<TierRow>> {
    dispatch!(tx tx, |c| sqlx::query_as::<_, TierRow>(&tiers_sql())
    .fetch_all(c)
    .await)
    .context("list tiers")
}

pub use setia_domain::tier_definition::{TierDefinition, TierDraft};

#[derive(Debug, thiserror::Error)]
pub enum TierError {
    /// The tier or the ladder it would make is refused (field and code in domain).
    #[error(transparent)]
    Invalid(#[from] Invalid),
    #[error("no tier with this id")]
    NotFound,
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

impl From<setia_domain::tier::LadderError> for TierError {
    fn from(e: setia_domain::tier::LadderError) -> Self {
        TierError::Invalid(e.into())
    }
}

/// Adds a tier after checking that the whole ladder stays valid (minimums strictly
/// increasing, names unique). The ladder is re-read inside the write transaction.
#[tracing::instrument(skip_all)]
pub async fn create_tier(db: &Db, input: TierDefinition, actor: &crate::audit::Actor) -> Result<TierRow, TierError> {
    save_tier(db, None, input, actor).await
}

/// Changes a tier, with the same ladder checks as [`create_tier`]. Orders keep the
/// snapshot they were created with; customers move by the derived rule at once.
#[tracing::instrument(skip_all)]
pub async fn update_tier(db: &Db, id: i64, input: TierDefinition, actor: &crate::audit::Actor) -> Result<TierRow, TierError> {
    save_tier(db, Some(id), input, actor).await
}

/// The ladder as it would be with `input` saved as tier `id` (`None`: a new tier,
/// given id 0). Used by the save itself and by the editor's preview.
pub fn proposed_ladder(existing: &[TierRow], id: Option<i64>, input: &TierDefinition) -> Vec<TierRule> {
    let mut ladder: Vec<TierRule> = existing.iter().filter(|t| Some(t.id) != id).map(TierRow::rule).collect();
    ladder.push(TierRule { id: id.unwrap_or(0), name: input.name.clone(), min_spending: input.min_spending, window: input.window });
    ladder
}

fn snapshot(row: &TierRow) -> serde_json::Value {
    serde_json::json!({
        "name": row.name, "min_spending": row.min_spending, "window_days": row.window_days,
        "earn_rate_points": row.earn_rate_points, "earn_rate_per": row.earn_rate_per,
        "discount_basis_points": row.discount_basis_points, "colour": row.colour
    })
}

#[tracing::instrument(skip_all)]
async fn save_tier(db: &Db, id: Option<i64>, input: TierDefinition, actor: &crate::audit::Actor) -> Result<TierRow, TierError> {
    let colour = &input.colour;
    let now = Utc::now();
    let mut tx = db.begin_write().await?;
    let lock = tx.for_update();
    let existing = dispatch!(tx &mut tx, |c| sqlx::query_as::<_, TierRow>(&format!(
        "SELECT {TIER_COLUMNS} FROM tiers ORDER BY min_spending, id{lock}"
    ))
    .fetch_all(c)
    .await)
    .context("load tiers")?;
    let before = match id {
        Some(id) => Some(existing.iter().find(|t| t.id == id).cloned().ok_or(TierError::NotFound)?),
        None => None,
    };
    setia_domain::tier::validate_ladder(&proposed_ladder(&existing, id, &input))?;
    let window_days = input.window.days().map(|d| i32::try_from(d).unwrap_or(i32::MAX));
    let discount = input.discount.map(|p| i32::try_from(p.basis_points()).unwrap_or(i32::MAX));
    let row = match id {
        None => dispatch!(tx &mut tx, |c| sqlx::query_as::<_, TierRow>(&format!(
            "INSERT INTO tiers (name, min_spending, window_days, earn_rate_points, earn_rate_per, discount_basis_points, colour, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING {TIER_COLUMNS}"
        ))
        .bind(&input.name)
        .bind(input.min_spending.0)
        .bind(window_days)
        .bind(input.earn_rate_points)
        .bind(input.earn_rate_per)
        .bind(discount)
        .bind(colour)
        .bind(now)
        .fetch_one(c)
        .await),
        Some(id) => dispatch!(tx &mut tx, |c| sqlx::query_as::<_, TierRow>(&format!(
            "UPDATE tiers SET name = $1, min_spending = $2, window_days = $3, earn_rate_points = $4, earn_rate_per = $5,
                    discount_basis_points = $6, colour = $7, updated_at = $8
             WHERE id = $9 RETURNING {TIER_COLUMNS}"
        ))
        .bind(&input.name)
        .bind(input.min_spending.0)
        .bind(window_days)
        .bind(input.earn_rate_points)
        .bind(input.earn_rate_per)
        .bind(discount)
        .bind(colour)
        .bind(now)
        .bind(id)
        .fetch_one(c)
        .await),
    }
    .context("save tier")?;
    crate::audit::record(
        &mut tx,
        crate::audit::AuditEntry {
            actor: actor.clone(),
            action: if before.is_some() { "tier.update" } else { "tier.create" },
            entity_type: "tier",
            entity_id: Some(row.id.to_string()),
            before: before.as_ref().map(snapshot),
            after: Some(snapshot(&row)),
            ip: actor.ip.clone(),
            at: now,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(row)
}
