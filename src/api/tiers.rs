//! Membership tiers over the API: admins create them, POS terminals may list them.

use super::auth::{Admin, Pos, Scoped};
use super::json::ApiJson;
use super::ApiError;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use setia_backend::tiers::{self, TierDefinition, TierDraft, TierRow};
use setia_backend::AppState;

/// A tier as sent. Names are unique (case-insensitive) and minimums strictly
/// increasing across the tiers; both are checked against the stored tiers.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TierBody {
    /// Required, one line, at most 200 characters (trimmed).
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\u0000-\u001F\u007F-\u009F]*[^\s\u0000-\u001F\u007F-\u009F][^\u0000-\u001F\u007F-\u009F]*$"
    )]
    name: String,
    /// Spending (minor units) that reaches this tier, 0 or more.
    #[schema(minimum = 0, maximum = 9_223_372_036_854_775_807i64)]
    min_spending: i64,
    /// Days of spending counted, 1 to 3650; null for lifetime spending.
    #[schema(minimum = 1, maximum = 3650)]
    window_days: Option<i64>,
    /// Points earned per `earn_rate_per` spent, 0 or more.
    #[schema(minimum = 0, maximum = 9_223_372_036_854_775_807i64)]
    earn_rate_points: i64,
    /// Spending (minor units) that earns `earn_rate_points`, at least 1.
    #[schema(minimum = 1, maximum = 9_223_372_036_854_775_807i64)]
    earn_rate_per: i64,
    /// A JSON number with at most two decimals, in (0, 100].
    #[schema(value_type = Option<f64>, exclusive_minimum = 0, maximum = 100, multiple_of = 0.01)]
    discount_percent: Option<serde_json::Number>,
    /// `#rrggbb`; null for the default grey.
    #[schema(pattern = r"^#[0-9a-fA-F]{6}$")]
    colour: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TierView {
    id: i64,
    name: String,
    min_spending: i64,
    window_days: Option<i32>,
    earn_rate_points: i64,
    earn_rate_per: i64,
    discount_percent: Option<String>,
    colour: String,
}

impl From<TierRow> for TierView {
    fn from(t: TierRow) -> Self {
        let discount_percent = t.discount().map(|p| p.to_string());
        TierView {
            id: t.id,
            name: t.name,
            min_spending: t.min_spending,
            window_days: t.window_days,
            earn_rate_points: t.earn_rate_points,
            earn_rate_per: t.earn_rate_per,
            discount_percent,
            colour: t.colour,
        }
    }
}

/// `POST /api/v1/tiers` (admin) — 201 tier.
#[utoipa::path(post, path = "/api/v1/tiers", tag = "tiers", request_body = TierBody, security(("bearer" = [])),
    responses((status = 201, body = TierView), (status = 422, body = super::error::ErrorBody)))]
pub async fn create(
    auth: Scoped<Admin>,
    State(state): State<AppState>,
    ApiJson(body): ApiJson<TierBody>,
) -> Result<(StatusCode, Json<TierView>), ApiError> {
    let tier = TierDefinition::parse(TierDraft {
        name: body.name,
        min_spending: body.min_spending,
        window_days: body.window_days,
        earn_rate_points: body.earn_rate_points,
        earn_rate_per: body.earn_rate_per,
        discount_percent: body.discount_percent.map(|n| n.to_string()),
        colour: body.colour,
    })?;
    let actor = auth.actor();
    let row = tiers::create_tier(&state.db, tier, &actor).await?;
    Ok((StatusCode::CREATED, Json(row.into())))
}

/// `GET /api/v1/tiers` (pos) — every tier, lowest minimum first.
#[utoipa::path(get, path = "/api/v1/tiers", tag = "tiers", security(("bearer" = [])), responses((status = 200, body = [TierView])))]
pub async fn list(_auth: Scoped<Pos>, State(state): State<AppState>) -> Result<Json<Vec<TierView>>, ApiError> {
    Ok(Json(tiers::list_tiers(&state.db).await?.into_iter().map(TierView::from).collect()))
}
