//! Promotion rows as stored (`promotions`, its product, category and tier lists,
//! and what `promotion_uses` says) read back into the domain's `Promotion`.

use super::*;
use crate::bind_params;
use crate::db::{Arg, Params, Tx};
use crate::dispatch;
use anyhow::Context;
use chrono::{DateTime, NaiveTime, Utc};
use setia_domain::promotion::{Conditions, HoursWindow, Limits, ProductSet, Promotion, PromotionKind, PromotionStatus, Reward, Stacking};
use setia_domain::{Money, Percent};
use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, Clone, sqlx::FromRow)]
pub(super) struct PromotionRow {
    id: i64,
    name: String,
    description: String,
    kind: String,
    code: Option<String>,
    status: String,
    starts_at: Option<DateTime<Utc>>,
    ends_at: Option<DateTime<Utc>>,
    priority: i32,
    stacking: String,
    min_subtotal: Option<i64>,
    min_quantity: Option<i64>,
    first_order_only: bool,
    weekdays: String,
    hours_from: Option<String>,
    hours_to: Option<String>,
    reward_type: String,
    reward_basis_points: Option<i32>,
    reward_amount: Option<i64>,
    reward_buy: Option<i64>,
    reward_get: Option<i64>,
    max_discount: Option<i64>,
    total_uses: Option<i64>,
    uses_per_customer: Option<i64>,
    budget: Option<i64>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    uses: i64,
    budget_used: i64,
}

pub(super) const SELECT_PROMOTIONS: &str = "SELECT p.id, p.name, p.description, p.kind,
    (SELECT c.code FROM promotion_codes c WHERE c.promotion_id = p.id AND c.shared) AS code, p.status, p.starts_at, p.ends_at, p.priority,
    p.stacking, p.min_subtotal, p.min_quantity, p.first_order_only, p.weekdays, p.hours_from, p.hours_to, p.reward_type,
    p.reward_basis_points, p.reward_amount, p.reward_buy, p.reward_get, p.max_discount, p.total_uses, p.uses_per_customer,
    p.budget, p.created_at, p.updated_at,
    CAST((SELECT COUNT(*) FROM promotion_uses u WHERE u.promotion_id = p.id AND u.status <> 'released') AS BIGINT) AS uses,
    CAST(COALESCE((SELECT SUM(u.amount) FROM promotion_uses u WHERE u.promotion_id = p.id AND u.status <> 'released'), 0) AS BIGINT) AS budget_used
    FROM promotions p";

pub(super) fn corrupt(what: &str, id: i64) -> anyhow::Error {
    anyhow::anyhow!("promotion {id}: stored {what} is not valid")
}

impl PromotionRow {
    fn into_record(self, products: &[(String, Option<String>, Option<String>)], tiers: Vec<i64>) -> anyhow::Result<PromotionRecord> {
        let id = self.id;
        let set = |role: &str| {
            let mut s = ProductSet::default();
            for (_, sku, category) in products.iter().filter(|p| p.0 == role) {
                if let Some(sku) = sku {
                    s.skus.push(sku.clone());
                }
                if let Some(category) = category {
                    s.categories.push(category.clone());
                }
            }
            s
        };
        let percent = || {
            self.reward_basis_points.and_then(|bp| Percent::from_basis_points(bp as u32).ok()).ok_or_else(|| corrupt("reward percent", id))
        };
        let amount = || self.reward_amount.map(Money).ok_or_else(|| corrupt("reward amount", id));
        let reward = match self.reward_type.as_str() {
            "percent_order" => Reward::PercentOrder { percent: percent()? },
            "fixed_order" => Reward::FixedOrder { amount: amount()? },
            "percent_items" => Reward::PercentItems { percent: percent()?, target: set("reward") },
            "fixed_items" => Reward::FixedItems { amount: amount()?, target: set("reward") },
            "buy_x_get_y" => Reward::BuyXGetY {
                buy: self.reward_buy.ok_or_else(|| corrupt("buy", id))?,
                get: self.reward_get.ok_or_else(|| corrupt("get", id))?,
                percent: percent()?,
                target: set("reward"),
            },
            _ => return Err(corrupt("reward type", id)),
        };
        let time = |t: &str| NaiveTime::parse_from_str(t, "%H:%M").map_err(|_| corrupt("hours", id));
        let hours = match (&self.hours_from, &self.hours_to) {
            (Some(f), Some(t)) => Some(HoursWindow { from: time(f)?, to: time(t)? }),
            _ => None,
        };
        let weekdays = self
            .weekdays
            .split(',')
            .filter(|d| !d.is_empty())
            .map(|d| {
                d.parse::<u8>()
                    .ok()
                    .and_then(setia_domain::promotion_definition::weekday_from_number)
                    .ok_or_else(|| corrupt("weekdays", id))
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        let promotion = Promotion {
            id,
            name: self.name,
            kind: PromotionKind::parse(&self.kind).ok_or_else(|| corrupt("kind", id))?,
            code: self.code,
            status: PromotionStatus::parse(&self.status).ok_or_else(|| corrupt("status", id))?,
            starts_at: self.starts_at,
            ends_at: self.ends_at,
            priority: self.priority,
            stacking: Stacking::parse(&self.stacking).ok_or_else(|| corrupt("stacking", id))?,
            conditions: Conditions {
                min_subtotal: self.min_subtotal.map(Money),
                min_quantity: self.min_quantity,
                products: set("condition"),
                tier_ids: tiers,
                first_order_only: self.first_order_only,
                weekdays,
                hours,
            },
            reward,
            max_discount: self.max_discount.map(Money),
            limits: Limits { total_uses: self.total_uses, uses_per_customer: self.uses_per_customer, budget: self.budget.map(Money) },
            created_at: self.created_at,
        };
        Ok(PromotionRecord {
            promotion,
            description: self.description,
            uses: self.uses,
            budget_used: Money(self.budget_used),
            updated_at: self.updated_at,
        })
    }
}

/// Promotions matching `where_sql` (over `p`), each with its products and tiers.
#[tracing::instrument(skip_all)]
pub(super) async fn load_where(tx: &mut Tx, where_sql: &str, id: Option<i64>) -> anyhow::Result<Vec<PromotionRecord>> {
    let mut params = Params::default();
    let where_sql = match id {
        // `where_sql` names its one parameter `$1`.
        Some(id) => {
            params.add(Arg::Int(id));
            where_sql.to_string()
        }
        None => where_sql.to_string(),
    };
    load_matching(tx, &where_sql, "ORDER BY p.id", &params).await
}

/// Promotions matching `where_sql` (over `p`, its placeholders in `params`), in the
/// order and window of `tail` (`ORDER BY … LIMIT …`), each with its products and tiers.
#[tracing::instrument(skip_all)]
pub(super) async fn load_matching(tx: &mut Tx, where_sql: &str, tail: &str, params: &Params) -> anyhow::Result<Vec<PromotionRecord>> {
    let sql = format!("{SELECT_PROMOTIONS} WHERE {where_sql} {tail}");
    let rows: Vec<PromotionRow> = dispatch!(tx tx, |c| bind_params!(sqlx::query_as::<_, PromotionRow>(&sql), params).fetch_all(c).await)
        .context("load promotions")?;
    let ids: BTreeSet<i64> = rows.iter().map(|r| r.id).collect();
    // Per promotion: (list, sku, category) rows.
    type ProductRows = Vec<(String, Option<String>, Option<String>)>;
    let mut products: BTreeMap<i64, ProductRows> = BTreeMap::new();
    let mut tiers: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
    if !ids.is_empty() {
        let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(", ");
        // Ids came from the database as integers: inlined, they cannot inject.
        let sql = format!("SELECT promotion_id, role, sku, category FROM promotion_products WHERE promotion_id IN ({list}) ORDER BY promotion_id, role, sku, category");
        let rows: Vec<(i64, String, Option<String>, Option<String>)> =
            dispatch!(tx tx, |c| sqlx::query_as(&sql).fetch_all(c).await).context("load promotion products")?;
        for (p, role, sku, category) in rows {
            products.entry(p).or_default().push((role, sku, category));
        }
        let sql =
            format!("SELECT promotion_id, tier_id FROM promotion_tiers WHERE promotion_id IN ({list}) ORDER BY promotion_id, tier_id");
        let rows: Vec<(i64, i64)> = dispatch!(tx tx, |c| sqlx::query_as(&sql).fetch_all(c).await).context("load promotion tiers")?;
        for (p, t) in rows {
            tiers.entry(p).or_default().push(t);
        }
    }
    rows.into_iter()
        .map(|r| {
            let id = r.id;
            r.into_record(products.get(&id).map(Vec::as_slice).unwrap_or(&[]), tiers.remove(&id).unwrap_or_default())
        })
        .collect()
}

#[tracing::instrument(skip_all)]
pub(super) async fn load_in(tx: &mut Tx, id: i64, lock: bool) -> anyhow::Result<Option<PromotionRecord>> {
    if lock {
        // Serializes changes to one promotion (PostgreSQL; SQLite's writer is already alone).
        let sql = format!("SELECT id FROM promotions WHERE id = $1{}", tx.for_update());
        dispatch!(tx tx, |c| sqlx::query_scalar::<_, i64>(&sql).bind(id).fetch_optional(c).await).context("lock promotion")?;
    }
    Ok(load_where(tx, "p.id = $1", Some(id)).await?.pop())
}
