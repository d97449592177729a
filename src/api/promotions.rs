//! Promotions over the API (admin scope; docs/API.md "Promotions (admin)"): create, replace,
//! list, read, change status. The JSON shape is parsed here into the domain's
//! types, each failure naming its field (`reward.value`, `conditions.weekdays[2]`).

use super::auth::{Admin, ApiId, Scoped};
use super::json::ApiJson;
use super::ApiError;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use setia_backend::promotions::{self, PromotionDefinition, PromotionRecord};
use setia_backend::AppState;
use setia_domain::promotion::{Conditions, HoursWindow, Limits, ProductSet, PromotionKind, PromotionStatus, Reward, Stacking};
use setia_domain::promotion_definition::{parse_hhmm, parse_reward, weekday_from_number, weekday_number, RewardDraft};
use setia_domain::{Money, Percent};

#[derive(Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HoursBody {
    /// `HH:MM`, store time zone, inclusive.
    #[schema(pattern = r"^([01][0-9]|2[0-3]):[0-5][0-9]$")]
    from: String,
    /// `HH:MM`, exclusive; at or before `from` wraps past midnight.
    #[schema(pattern = r"^([01][0-9]|2[0-3]):[0-5][0-9]$")]
    to: String,
}

#[derive(Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConditionsBody {
    /// Minor units, 0 to 10^15.
    #[schema(minimum = 0, maximum = 1_000_000_000_000_000i64)]
    min_subtotal: Option<i64>,
    /// At least 1.
    #[schema(minimum = 1, maximum = 9_223_372_036_854_775_807i64)]
    min_quantity: Option<i64>,
    /// SKUs of catalogue products.
    #[schema(min_length = 1, max_length = 64, pattern = r"^[A-Za-z0-9._/-]+$")]
    skus: Option<Vec<String>>,
    /// Categories of catalogue products (one line, at most 100 characters each).
    #[schema(
        min_length = 1,
        max_length = 100,
        pattern = r"^[^\u0000-\u001F\u007F-\u009F]*[^\s\u0000-\u001F\u007F-\u009F][^\u0000-\u001F\u007F-\u009F]*$"
    )]
    categories: Option<Vec<String>>,
    /// Ids of existing tiers.
    #[schema(minimum = 1, maximum = 9_223_372_036_854_775_807i64)]
    tier_ids: Option<Vec<i64>>,
    first_order_only: Option<bool>,
    /// ISO weekdays, Monday = 1 to Sunday = 7.
    #[schema(minimum = 1, maximum = 7)]
    weekdays: Option<Vec<i64>>,
    hours: Option<HoursBody>,
}

/// A reward as stored and shown (a request's reward is `RewardDoc`).
#[derive(Debug, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RewardBody {
    #[serde(rename = "type")]
    #[schema(value_type = RewardTypeDoc, inline)]
    kind: String,
    /// Percent (at most two decimals, in (0, 100]) or amount in minor units;
    /// for `buy_x_get_y` the percent off the free units (default 100).
    #[schema(value_type = Option<f64>)]
    value: Option<serde_json::Number>,
    buy: Option<i64>,
    get: Option<i64>,
    skus: Option<Vec<String>>,
    categories: Option<Vec<String>>,
}

#[derive(Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LimitsBody {
    /// At least 1.
    #[schema(minimum = 1, maximum = 9_223_372_036_854_775_807i64)]
    total_uses: Option<i64>,
    /// At least 1.
    #[schema(minimum = 1, maximum = 9_223_372_036_854_775_807i64)]
    uses_per_customer: Option<i64>,
    /// Total discount it may grant, minor units, 1 to 10^15.
    #[schema(minimum = 1, maximum = 1_000_000_000_000_000i64)]
    budget: Option<i64>,
}

/// The type of a reward: `percent_order`, `fixed_order`, `percent_items`,
/// `fixed_items` or `buy_x_get_y` (documents `RewardBody.type`).
#[derive(utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
#[allow(dead_code)]
enum RewardTypeDoc {
    PercentOrder,
    FixedOrder,
    PercentItems,
    FixedItems,
    BuyXGetY,
}

/// A reward as sent, by its `type`: the fields each type reads. A percent is a
/// JSON number with at most two decimals in (0, 100]; an amount is a whole number
/// of minor units. An order reward works on every line, so it names no products.
#[derive(utoipa::ToSchema)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
#[allow(dead_code)]
enum RewardDoc {
    /// `value` percent off the order.
    PercentOrder {
        #[schema(exclusive_minimum = 0, maximum = 100, multiple_of = 0.01)]
        value: f64,
    },
    /// `value` (minor units) off the order.
    FixedOrder {
        #[schema(minimum = 1, maximum = 1_000_000_000_000_000i64)]
        value: i64,
    },
    /// `value` percent off the lines of the named products.
    PercentItems {
        #[schema(exclusive_minimum = 0, maximum = 100, multiple_of = 0.01)]
        value: f64,
        /// SKUs of catalogue products.
        #[schema(min_length = 1, max_length = 64, pattern = r"^[A-Za-z0-9._/-]+$")]
        skus: Option<Vec<String>>,
        /// Categories of catalogue products (one line, at most 100 characters each).
        #[schema(
            min_length = 1,
            max_length = 100,
            pattern = r"^[^\u0000-\u001F\u007F-\u009F]*[^\s\u0000-\u001F\u007F-\u009F][^\u0000-\u001F\u007F-\u009F]*$"
        )]
        categories: Option<Vec<String>>,
    },
    /// `value` (minor units) off the lines of the named products.
    FixedItems {
        #[schema(minimum = 1, maximum = 1_000_000_000_000_000i64)]
        value: i64,
        /// SKUs of catalogue products.
        #[schema(min_length = 1, max_length = 64, pattern = r"^[A-Za-z0-9._/-]+$")]
        skus: Option<Vec<String>>,
        /// Categories of catalogue products (one line, at most 100 characters each).
        #[schema(
            min_length = 1,
            max_length = 100,
            pattern = r"^[^\u0000-\u001F\u007F-\u009F]*[^\s\u0000-\u001F\u007F-\u009F][^\u0000-\u001F\u007F-\u009F]*$"
        )]
        categories: Option<Vec<String>>,
    },
    /// Buy `buy` units, get `get` more `value` percent off (default 100: free).
    BuyXGetY {
        #[schema(exclusive_minimum = 0, maximum = 100, multiple_of = 0.01)]
        value: Option<f64>,
        #[schema(minimum = 1, maximum = 1000)]
        buy: i64,
        #[schema(minimum = 1, maximum = 1000)]
        get: i64,
        /// SKUs of catalogue products.
        #[schema(min_length = 1, max_length = 64, pattern = r"^[A-Za-z0-9._/-]+$")]
        skus: Option<Vec<String>>,
        /// Categories of catalogue products (one line, at most 100 characters each).
        #[schema(
            min_length = 1,
            max_length = 100,
            pattern = r"^[^\u0000-\u001F\u007F-\u009F]*[^\s\u0000-\u001F\u007F-\u009F][^\u0000-\u001F\u007F-\u009F]*$"
        )]
        categories: Option<Vec<String>>,
    },
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PromotionBody {
    /// Required, one line, at most 200 characters (trimmed).
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\u0000-\u001F\u007F-\u009F]*[^\s\u0000-\u001F\u007F-\u009F][^\u0000-\u001F\u007F-\u009F]*$"
    )]
    name: String,
    /// Several lines allowed, at most 2000 characters.
    #[schema(max_length = 2000, pattern = r"^[^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]*$")]
    description: Option<String>,
    #[schema(value_type = PromotionKindDoc, inline)]
    kind: String,
    starts_at: Option<DateTime<Utc>>,
    /// After `starts_at`.
    ends_at: Option<DateTime<Utc>>,
    /// Larger applies first.
    #[schema(minimum = -2_147_483_648, maximum = 2_147_483_647)]
    priority: i32,
    #[schema(value_type = StackingDoc, inline)]
    stacking: String,
    #[serde(default)]
    conditions: ConditionsBody,
    #[schema(value_type = RewardDoc)]
    reward: RewardBody,
    /// The most discount one order gets, minor units, 1 to 10^15.
    #[schema(minimum = 1, maximum = 1_000_000_000_000_000i64)]
    max_discount: Option<i64>,
    #[serde(default)]
    limits: LimitsBody,
    /// The shared code of a `code` promotion (case-insensitive, unique): 1 to 64
    /// letters, digits, `-` or `_`. A promotion of kind `automatic` has none.
    #[schema(max_length = 64, pattern = r"^[A-Za-z0-9_-]*$")]
    code: Option<String>,
}

/// How a promotion is applied: `automatic` (to every cart it fits) or `code`
/// (to a cart that enters its code). Documents `PromotionBody.kind`.
#[derive(utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
#[allow(dead_code)]
enum PromotionKindDoc {
    Automatic,
    Code,
}

/// Whether a promotion combines with others: `exclusive` or `combinable`
/// (documents `PromotionBody.stacking`).
#[derive(utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
#[allow(dead_code)]
enum StackingDoc {
    Exclusive,
    Combinable,
}

/// The statuses a promotion may be given: `active`, `paused` or `ended`
/// (documents `StatusBody.status`).
#[derive(utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
#[allow(dead_code)]
enum StatusChangeDoc {
    Active,
    Paused,
    Ended,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusBody {
    #[schema(value_type = StatusChangeDoc, inline)]
    status: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PromotionView {
    id: i64,
    status: String,
    name: String,
    description: String,
    kind: String,
    code: Option<String>,
    starts_at: Option<DateTime<Utc>>,
    ends_at: Option<DateTime<Utc>>,
    priority: i32,
    stacking: String,
    conditions: ConditionsBody,
    reward: RewardBody,
    max_discount: Option<i64>,
    limits: LimitsBody,
    /// Reserved and confirmed uses (derived from the use rows).
    uses: i64,
    /// Discount granted by those uses.
    budget_used: i64,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

fn list_or_none<T>(v: Vec<T>) -> Option<Vec<T>> {
    (!v.is_empty()).then_some(v)
}

fn number(n: i64) -> Option<serde_json::Number> {
    Some(serde_json::Number::from(n))
}

fn percent_number(p: Percent) -> Option<serde_json::Number> {
    serde_json::Number::from_f64(f64::from(p.basis_points()) / 100.0)
}

impl From<PromotionRecord> for PromotionView {
    fn from(r: PromotionRecord) -> Self {
        let p = r.promotion;
        let c = p.conditions;
        let (kind, value, buy, get, target) = match p.reward {
            Reward::PercentOrder { percent } => ("percent_order", percent_number(percent), None, None, ProductSet::default()),
            Reward::FixedOrder { amount } => ("fixed_order", number(amount.0), None, None, ProductSet::default()),
            Reward::PercentItems { percent, target } => ("percent_items", percent_number(percent), None, None, target),
            Reward::FixedItems { amount, target } => ("fixed_items", number(amount.0), None, None, target),
            Reward::BuyXGetY { buy, get, percent, target } => ("buy_x_get_y", percent_number(percent), Some(buy), Some(get), target),
        };
        PromotionView {
            id: p.id,
            status: p.status.as_str().to_string(),
            name: p.name,
            description: r.description,
            kind: p.kind.as_str().to_string(),
            code: p.code,
            starts_at: p.starts_at,
            ends_at: p.ends_at,
            priority: p.priority,
            stacking: p.stacking.as_str().to_string(),
            conditions: ConditionsBody {
                min_subtotal: c.min_subtotal.map(|m| m.0),
                min_quantity: c.min_quantity,
                skus: list_or_none(c.products.skus),
                categories: list_or_none(c.products.categories),
                tier_ids: list_or_none(c.tier_ids),
                first_order_only: Some(c.first_order_only),
                weekdays: list_or_none(c.weekdays.iter().map(|d| i64::from(weekday_number(*d))).collect()),
                hours: c.hours.map(|h| HoursBody { from: h.from.format("%H:%M").to_string(), to: h.to.format("%H:%M").to_string() }),
            },
            reward: RewardBody {
                kind: kind.to_string(),
                value,
                buy,
                get,
                skus: list_or_none(target.skus),
                categories: list_or_none(target.categories),
            },
            max_discount: p.max_discount.map(|m| m.0),
            limits: LimitsBody {
                total_uses: p.limits.total_uses,
                uses_per_customer: p.limits.uses_per_customer,
                budget: p.limits.budget.map(|m| m.0),
            },
            uses: r.uses,
            budget_used: r.budget_used.0,
            created_at: p.created_at,
            updated_at: r.updated_at,
        }
    }
}

/// The body as the domain's promotion, or the first field that is wrong.
fn parse(body: PromotionBody) -> Result<PromotionDefinition, ApiError> {
    let kind = PromotionKind::parse(&body.kind).ok_or_else(|| ApiError::invalid("kind", "invalid_kind", "kind is automatic or code"))?;
    let stacking = Stacking::parse(&body.stacking)
        .ok_or_else(|| ApiError::invalid("stacking", "invalid_stacking", "stacking is exclusive or combinable"))?;
    let c = body.conditions;
    let mut weekdays = Vec::new();
    for (i, d) in c.weekdays.unwrap_or_default().into_iter().enumerate() {
        let day = u8::try_from(d).ok().and_then(weekday_from_number);
        weekdays.push(day.ok_or_else(|| {
            ApiError::invalid(&format!("conditions.weekdays[{i}]"), "invalid_weekday", "a weekday is 1 (Monday) to 7 (Sunday)")
        })?);
    }
    let hours = match c.hours {
        Some(h) => Some(HoursWindow { from: parse_hhmm("conditions.hours.from", &h.from)?, to: parse_hhmm("conditions.hours.to", &h.to)? }),
        None => None,
    };
    let conditions = Conditions {
        min_subtotal: c.min_subtotal.map(Money),
        min_quantity: c.min_quantity,
        products: ProductSet { skus: c.skus.unwrap_or_default(), categories: c.categories.unwrap_or_default() },
        tier_ids: c.tier_ids.unwrap_or_default(),
        first_order_only: c.first_order_only.unwrap_or(false),
        weekdays,
        hours,
    };
    let r = body.reward;
    let reward = parse_reward(RewardDraft {
        kind: r.kind,
        value: r.value.map(|v| v.to_string()),
        buy: r.buy,
        get: r.get,
        target: ProductSet { skus: r.skus.unwrap_or_default(), categories: r.categories.unwrap_or_default() },
    })?;
    Ok(PromotionDefinition {
        name: body.name,
        description: body.description.unwrap_or_default(),
        kind,
        code: body.code,
        starts_at: body.starts_at,
        ends_at: body.ends_at,
        priority: body.priority,
        stacking,
        conditions,
        reward,
        max_discount: body.max_discount.map(Money),
        limits: Limits {
            total_uses: body.limits.total_uses,
            uses_per_customer: body.limits.uses_per_customer,
            budget: body.limits.budget.map(Money),
        },
    })
}

/// `POST /api/v1/promotions` (admin) — 201 the new promotion, a `draft`.
#[utoipa::path(post, path = "/api/v1/promotions", tag = "promotions", request_body = PromotionBody, security(("bearer" = [])),
    responses((status = 201, body = PromotionView), (status = 422, body = super::error::ErrorBody)))]
pub async fn create(
    auth: Scoped<Admin>,
    State(state): State<AppState>,
    ApiJson(body): ApiJson<PromotionBody>,
) -> Result<(StatusCode, Json<PromotionView>), ApiError> {
    let input = parse(body)?;
    let actor = auth.actor();
    let saved = promotions::create_promotion(&state.db, input, &actor, Utc::now()).await?;
    Ok((StatusCode::CREATED, Json(saved.into())))
}

/// `PUT /api/v1/promotions/{id}` (admin) — replaces the definition; status and uses stay.
#[utoipa::path(put, path = "/api/v1/promotions/{id}", tag = "promotions", request_body = PromotionBody, security(("bearer" = [])),
    params(("id" = i64, Path)), responses((status = 200, body = PromotionView), (status = 404, body = super::error::ErrorBody), (status = 422, body = super::error::ErrorBody)))]
pub async fn replace(
    auth: Scoped<Admin>,
    State(state): State<AppState>,
    ApiId(id): ApiId,
    ApiJson(body): ApiJson<PromotionBody>,
) -> Result<Json<PromotionView>, ApiError> {
    let input = parse(body)?;
    let actor = auth.actor();
    let saved = promotions::replace_promotion(&state.db, id, input, &actor, Utc::now()).await?;
    Ok(Json(saved.into()))
}

/// `GET /api/v1/promotions` (admin) — every promotion with its uses and budget spent.
#[utoipa::path(get, path = "/api/v1/promotions", tag = "promotions", security(("bearer" = [])), responses((status = 200, body = [PromotionView])))]
pub async fn list(_auth: Scoped<Admin>, State(state): State<AppState>) -> Result<Json<Vec<PromotionView>>, ApiError> {
    let all = promotions::list_promotions(&state.db).await?;
    Ok(Json(all.into_iter().map(PromotionView::from).collect()))
}

/// `GET /api/v1/promotions/{id}` (admin)
#[utoipa::path(get, path = "/api/v1/promotions/{id}", tag = "promotions", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = PromotionView), (status = 404, body = super::error::ErrorBody)))]
pub async fn get_one(_auth: Scoped<Admin>, State(state): State<AppState>, ApiId(id): ApiId) -> Result<Json<PromotionView>, ApiError> {
    Ok(Json(promotions::get_promotion(&state.db, id).await?.into()))
}

/// `POST /api/v1/promotions/{id}/status` (admin) `{"status": "active"|"paused"|"ended"}`
#[utoipa::path(post, path = "/api/v1/promotions/{id}/status", tag = "promotions", request_body = StatusBody, security(("bearer" = [])),
    params(("id" = i64, Path)), responses((status = 200, body = PromotionView), (status = 409, body = super::error::ErrorBody)))]
pub async fn set_status(
    auth: Scoped<Admin>,
    State(state): State<AppState>,
    ApiId(id): ApiId,
    ApiJson(body): ApiJson<StatusBody>,
) -> Result<Json<PromotionView>, ApiError> {
    let status = match PromotionStatus::parse(&body.status) {
        Some(s) if s != PromotionStatus::Draft => s,
        _ => return Err(ApiError::invalid("status", "invalid_status", "status is active, paused or ended")),
    };
    let actor = auth.actor();
    let saved = promotions::set_status(&state.db, id, status, None, &actor, Utc::now()).await?;
    Ok(Json(saved.into()))
}
