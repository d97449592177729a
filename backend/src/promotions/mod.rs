//! Promotions stored (docs/SPEC.md §2.3): create, replace, change status, list, and the
//! active ones for pricing. Every change is one transaction with its audit row
//! and a bump of `promotion_catalog_state.version`, which tells every app
//! instance to rebuild its promotion index ([`crate::promotion_catalog`]).
//!
//! Values arrive typed (a `Percent` is already in (0, 100]); this module checks
//! what needs the rest of the promotion or the database, and names the field:
//! `ends_at` before `starts_at`, a `code` for a code promotion, SKUs, categories
//! and tiers that exist, a code no other promotion uses.
//!
//! Uses and budget spent are derived from `promotion_uses` (rows not released).

pub mod codes;
pub mod list;
pub mod pages;
mod rows;

use crate::audit::{self, Actor, AuditEntry};
use crate::db::{Db, Tx};
use crate::dispatch;
use anyhow::Context;
use chrono::{DateTime, NaiveTime, Utc, Weekday};
use rows::*;
use serde_json::json;
use setia_domain::promotion::{ProductSet, Promotion, PromotionStatus, Reward};
use setia_domain::Invalid;
use setia_domain::{Money, Percent};
use std::collections::BTreeSet;

pub use setia_domain::promotion_definition::PromotionDefinition;

#[derive(Debug, thiserror::Error)]
pub enum PromotionError {
    #[error("{message}")]
    Invalid { field: String, code: &'static str, message: String },
    #[error("no promotion with this id")]
    NotFound,
    #[error("a promotion cannot go from {from} to {to}")]
    StatusChange { from: &'static str, to: &'static str },
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

impl From<Invalid> for PromotionError {
    fn from(e: Invalid) -> Self {
        PromotionError::Invalid { code: e.code, message: e.message, field: e.field }
    }
}

impl PromotionError {
    fn invalid(field: impl Into<String>, code: &'static str, message: impl Into<String>) -> Self {
        PromotionError::Invalid { field: field.into(), code, message: message.into() }
    }
}

/// A stored promotion with what its use rows say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PromotionRecord {
    pub promotion: Promotion,
    pub description: String,
    /// Reserved and confirmed uses.
    pub uses: i64,
    pub budget_used: Money,
    pub updated_at: DateTime<Utc>,
}

/// Refuses SKUs, categories and tiers the store does not have, naming the list
/// item (`conditions.skus[1]`).
async fn check_references(tx: &mut Tx, input: &PromotionDefinition) -> Result<(), PromotionError> {
    let mut sets = vec![("conditions", &input.conditions.products)];
    if let Some(target) = input.reward.own_target() {
        sets.push(("reward", target));
    }
    for (at, set) in sets {
        for (i, sku) in set.skus.iter().enumerate() {
            let found: Option<i64> = dispatch!(tx tx, |c| sqlx::query_scalar("SELECT id FROM products WHERE sku = $1")
                .bind(sku)
                .fetch_optional(c)
                .await)
            .context("look up promotion sku")?;
            if found.is_none() {
                return Err(PromotionError::invalid(format!("{at}.skus[{i}]"), "unknown_sku", format!("no product has the SKU {sku}")));
            }
        }
        for (i, category) in set.categories.iter().enumerate() {
            let found: Option<i64> = dispatch!(tx tx, |c| sqlx::query_scalar("SELECT id FROM products WHERE category = $1 LIMIT 1")
                .bind(category)
                .fetch_optional(c)
                .await)
            .context("look up promotion category")?;
            if found.is_none() {
                return Err(PromotionError::invalid(
                    format!("{at}.categories[{i}]"),
                    "unknown_category",
                    format!("no product is in the category {category}"),
                ));
            }
        }
    }
    for (i, id) in input.conditions.tier_ids.iter().enumerate() {
        let found: Option<i64> =
            dispatch!(tx tx, |c| sqlx::query_scalar("SELECT id FROM tiers WHERE id = $1").bind(id).fetch_optional(c).await)
                .context("look up promotion tier")?;
        if found.is_none() {
            return Err(PromotionError::invalid(format!("conditions.tier_ids[{i}]"), "unknown_tier", format!("no tier has the id {id}")));
        }
    }
    Ok(())
}

/// The reward's columns: type, basis points, amount, buy, get.
fn reward_columns(r: &Reward) -> (&'static str, Option<i32>, Option<i64>, Option<i64>, Option<i64>) {
    let bp = |p: &Percent| Some(p.basis_points() as i32);
    match r {
        Reward::PercentOrder { percent } => ("percent_order", bp(percent), None, None, None),
        Reward::FixedOrder { amount } => ("fixed_order", None, Some(amount.0), None, None),
        Reward::PercentItems { percent, .. } => ("percent_items", bp(percent), None, None, None),
        Reward::FixedItems { amount, .. } => ("fixed_items", None, Some(amount.0), None, None),
        Reward::BuyXGetY { buy, get, percent, .. } => ("buy_x_get_y", bp(percent), None, Some(*buy), Some(*get)),
    }
}

fn weekdays_text(days: &[Weekday]) -> String {
    let set: BTreeSet<u32> = days.iter().map(Weekday::number_from_monday).collect();
    set.iter().map(u32::to_string).collect::<Vec<_>>().join(",")
}

fn hhmm(t: NaiveTime) -> String {
    t.format("%H:%M").to_string()
}

/// The audit log's picture of a promotion.
fn snapshot(p: &Promotion, description: &str) -> serde_json::Value {
    json!({ "promotion": p, "description": description })
}

/// Creates a promotion as a `draft`.
#[tracing::instrument(skip_all)]
pub async fn create_promotion(
    db: &Db,
    input: PromotionDefinition,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<PromotionRecord, PromotionError> {
    save(db, None, input, actor, now).await
}

/// Replaces a promotion's definition; its status and uses stay.
#[tracing::instrument(skip_all)]
pub async fn replace_promotion(
    db: &Db,
    id: i64,
    input: PromotionDefinition,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<PromotionRecord, PromotionError> {
    save(db, Some(id), input, actor, now).await
}

async fn save(
    db: &Db,
    id: Option<i64>,
    input: PromotionDefinition,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<PromotionRecord, PromotionError> {
    let input = input.parse()?;
    let mut tx = db.begin_write().await?;
    let before = match id {
        Some(id) => Some(load_in(&mut tx, id, true).await?.ok_or(PromotionError::NotFound)?),
        None => None,
    };
    check_references(&mut tx, &input).await?;
    if let Some(code) = input.code.as_deref() {
        if codes::holder_of(&mut tx, code).await?.is_some_and(|h| Some(h) != id) {
            return Err(PromotionError::invalid("code", "code_taken", "another promotion already uses this code"));
        }
    }
    let (reward_type, bp, amount, buy, get) = reward_columns(&input.reward);
    let c = &input.conditions;
    let hours = c.hours.map(|h| (hhmm(h.from), hhmm(h.to)));
    let weekdays = weekdays_text(&c.weekdays);
    // The definition's 22 columns, `$1`–`$22` in both the INSERT and the UPDATE.
    macro_rules! bind_definition {
        ($q:expr) => {
            $q.bind(&input.name)
                .bind(&input.description)
                .bind(input.kind.as_str())
                .bind(input.starts_at)
                .bind(input.ends_at)
                .bind(input.priority)
                .bind(input.stacking.as_str())
                .bind(c.min_subtotal.map(|m| m.0))
                .bind(c.min_quantity)
                .bind(c.first_order_only)
                .bind(&weekdays)
                .bind(hours.as_ref().map(|h| h.0.clone()))
                .bind(hours.as_ref().map(|h| h.1.clone()))
                .bind(reward_type)
                .bind(bp)
                .bind(amount)
                .bind(buy)
                .bind(get)
                .bind(input.max_discount.map(|m| m.0))
                .bind(input.limits.total_uses)
                .bind(input.limits.uses_per_customer)
                .bind(input.limits.budget.map(|m| m.0))
        };
    }
    let id = match id {
        None => dispatch!(tx &mut tx, |conn| bind_definition!(sqlx::query_scalar::<_, i64>(
            "INSERT INTO promotions (name, description, kind, status, starts_at, ends_at, priority, stacking,
                min_subtotal, min_quantity, first_order_only, weekdays, hours_from, hours_to, reward_type, reward_basis_points,
                reward_amount, reward_buy, reward_get, max_discount, total_uses, uses_per_customer, budget, created_at, updated_at)
             VALUES ($1, $2, $3, 'draft', $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $23)
             RETURNING id"
        ))
        .bind(now)
        .fetch_one(conn)
        .await)
        .context("insert promotion")?,
        Some(id) => {
            dispatch!(tx &mut tx, |conn| bind_definition!(sqlx::query(
                "UPDATE promotions SET name = $1, description = $2, kind = $3, starts_at = $4, ends_at = $5,
                    priority = $6, stacking = $7, min_subtotal = $8, min_quantity = $9, first_order_only = $10, weekdays = $11,
                    hours_from = $12, hours_to = $13, reward_type = $14, reward_basis_points = $15, reward_amount = $16,
                    reward_buy = $17, reward_get = $18, max_discount = $19, total_uses = $20, uses_per_customer = $21, budget = $22,
                    updated_at = $23
                 WHERE id = $24"
            ))
            .bind(now)
            .bind(id)
            .execute(conn)
            .await
            .map(|r| r.rows_affected()))
            .context("update promotion")?;
            for table in ["promotion_products", "promotion_tiers"] {
                let sql = format!("DELETE FROM {table} WHERE promotion_id = $1");
                dispatch!(tx &mut tx, |conn| sqlx::query(&sql).bind(id).execute(conn).await.map(|r| r.rows_affected()))
                    .context("clear promotion products and tiers")?;
            }
            id
        }
    };
    let mut products: Vec<(&str, &ProductSet)> = vec![("condition", &c.products)];
    if let Some(target) = input.reward.own_target() {
        products.push(("reward", target));
    }
    for (role, set) in products {
        let skus: BTreeSet<&String> = set.skus.iter().collect();
        let categories: BTreeSet<&String> = set.categories.iter().collect();
        let rows = skus.into_iter().map(|s| (Some(s), None)).chain(categories.into_iter().map(|k| (None, Some(k))));
        for (sku, category) in rows {
            dispatch!(tx &mut tx, |conn| sqlx::query(
                "INSERT INTO promotion_products (promotion_id, role, sku, category) VALUES ($1, $2, $3, $4)"
            )
            .bind(id)
            .bind(role)
            .bind(sku)
            .bind(category)
            .execute(conn)
            .await
            .map(|r| r.rows_affected()))
            .context("insert promotion product")?;
        }
    }
    codes::set_shared_code(&mut tx, id, input.code.as_deref(), now).await?;
    let tiers: BTreeSet<i64> = c.tier_ids.iter().copied().collect();
    for tier in tiers {
        dispatch!(tx &mut tx, |conn| sqlx::query("INSERT INTO promotion_tiers (promotion_id, tier_id) VALUES ($1, $2)")
            .bind(id)
            .bind(tier)
            .execute(conn)
            .await
            .map(|r| r.rows_affected()))
        .context("insert promotion tier")?;
    }
    let after = load_in(&mut tx, id, false).await?.ok_or(PromotionError::NotFound)?;
    let action = if before.is_some() { "promotion.replace" } else { "promotion.create" };
    let before = before.as_ref().map(|b| snapshot(&b.promotion, &b.description));
    record_change(&mut tx, actor, action, id, before, snapshot(&after.promotion, &after.description), now).await?;
    tx.commit().await?;
    Ok(after)
}

/// Moves a promotion to `status`. Allowed: draft → active, paused or ended;
/// active ↔ paused; active or paused → ended. The same status again changes nothing.
/// `confirm_name`: a page asks for the promotion's name before it ends one (ending
/// is final); it must then match (422 `confirm_name_mismatch`).
#[tracing::instrument(skip_all)]
pub async fn set_status(
    db: &Db,
    id: i64,
    status: PromotionStatus,
    confirm_name: Option<&str>,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<PromotionRecord, PromotionError> {
    let mut tx = db.begin_write().await?;
    let before = load_in(&mut tx, id, true).await?.ok_or(PromotionError::NotFound)?;
    let from = before.promotion.status;
    if from == status {
        return Ok(before);
    }
    if confirm_name.is_some_and(|typed| typed.trim() != before.promotion.name) {
        return Err(PromotionError::invalid("confirm_name", "confirm_name_mismatch", "type the promotion's name to end it"));
    }
    if !from.can_become(status) {
        return Err(PromotionError::StatusChange { from: from.as_str(), to: status.as_str() });
    }
    dispatch!(tx &mut tx, |c| sqlx::query("UPDATE promotions SET status = $1, updated_at = $2 WHERE id = $3")
        .bind(status.as_str())
        .bind(now)
        .bind(id)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))
    .context("update promotion status")?;
    let after = load_in(&mut tx, id, false).await?.ok_or(PromotionError::NotFound)?;
    let (before, after_status) = (json!({ "status": from.as_str() }), json!({ "status": status.as_str() }));
    record_change(&mut tx, actor, "promotion.status", id, Some(before), after_status, now).await?;
    tx.commit().await?;
    Ok(after)
}

/// What every promotion change does in its transaction: raise the catalogue
/// version (every instance's index follows it, and checkouts in flight price
/// again) and write the audit row.
async fn record_change(
    tx: &mut Tx,
    actor: &Actor,
    action: &'static str,
    id: i64,
    before: Option<serde_json::Value>,
    after: serde_json::Value,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    dispatch!(tx tx, |c| sqlx::query("UPDATE promotion_catalog_state SET version = version + 1 WHERE id = 1")
        .execute(c)
        .await
        .map(|r| r.rows_affected()))
    .context("bump promotion catalog version")?;
    let entry = AuditEntry {
        actor: actor.clone(),
        action,
        entity_type: "promotion",
        entity_id: Some(id.to_string()),
        before,
        after: Some(after),
        ip: actor.ip.clone(),
        at: now,
    };
    audit::record(tx, entry).await?;
    Ok(())
}

const CATALOG_VERSION: &str = "SELECT version FROM promotion_catalog_state WHERE id = 1";

/// The version of the stored promotions; any change raises it.
#[tracing::instrument(skip_all)]
pub async fn catalog_version(db: &Db) -> anyhow::Result<i64> {
    dispatch!(db, |c| sqlx::query_scalar(CATALOG_VERSION).fetch_one(c).await).context("read promotion catalog version")
}

/// The same, read inside a transaction.
#[tracing::instrument(skip_all)]
pub async fn catalog_version_in(tx: &mut Tx) -> anyhow::Result<i64> {
    dispatch!(tx tx, |c| sqlx::query_scalar(CATALOG_VERSION).fetch_one(c).await).context("read promotion catalog version")
}

/// The names of these promotions, by id (for traces shown long after pricing).
#[tracing::instrument(skip_all)]
pub async fn names_of(db: &Db, ids: &[i64]) -> anyhow::Result<std::collections::HashMap<i64, String>> {
    crate::db::names_by_id(db, crate::db::Named::Promotions, ids).await
}

/// One promotion.
#[tracing::instrument(skip_all)]
pub async fn get_promotion(db: &Db, id: i64) -> Result<PromotionRecord, PromotionError> {
    let mut tx = db.begin_read().await?;
    load_in(&mut tx, id, false).await?.ok_or(PromotionError::NotFound)
}

/// Every promotion, by id.
#[tracing::instrument(skip_all)]
pub async fn list_promotions(db: &Db) -> anyhow::Result<Vec<PromotionRecord>> {
    let mut tx = db.begin_read().await?;
    load_where(&mut tx, "1 = 1", None).await
}

/// The active promotions, for the pricing index.
#[tracing::instrument(skip_all)]
pub async fn active_promotions(db: &Db) -> anyhow::Result<Vec<Promotion>> {
    let mut tx = db.begin_read().await?;
    Ok(load_where(&mut tx, "p.status = 'active'", None).await?.into_iter().map(|r| r.promotion).collect())
}
