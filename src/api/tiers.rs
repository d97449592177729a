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

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TierBody {
    name: String,
    min_spending: i64,
    window_days: Option<i64>,
    earn_rate_points: i64,
    earn_rate_per: i64,
    /// A JSON number with at most two decimals, in (0, 100].
    #[schema(value_type = Option<f64>)]
    discount_percent: Option<serde_json::Number>,
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
