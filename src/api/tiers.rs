//! Membership tiers over the API: admins create them, POS terminals may list them.

use super::auth::require_scope;
use super::json::ApiJson;
use super::ApiError;
use crate::limits::ClientIp;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::{Extension, Json};
use serde::{Deserialize, Serialize};
use setia_backend::api_tokens::Scope;
use setia_backend::tiers::{self, TierError, TierInput, TierRow};
use setia_backend::AppState;
use setia_domain::tier::LadderError;
use setia_domain::{Money, Percent, TierWindow};

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
    State(state): State<AppState>,
    headers: HeaderMap,
    Extension(client): Extension<ClientIp>,
    ApiJson(body): ApiJson<TierBody>,
) -> Result<(StatusCode, Json<TierView>), ApiError> {
    let token = require_scope(&state, &headers, Scope::Admin).await?;
    if body.min_spending < 0 {
        return Err(ApiError::invalid("min_spending", "invalid_amount", "min_spending cannot be negative"));
    }
    let window = match body.window_days {
        None => TierWindow::Lifetime,
        Some(d) if (1..=36_500).contains(&d) => TierWindow::RollingDays(d as u32),
        Some(_) => return Err(ApiError::invalid("window_days", "invalid_window", "window_days must be 1 to 36500, or null for lifetime")),
    };
    let discount = match &body.discount_percent {
        Some(n) => {
            Some(Percent::parse(&n.to_string()).map_err(|e| ApiError::invalid("discount_percent", "invalid_percent", e.to_string()))?)
        }
        None => None,
    };
    let input = TierInput {
        name: body.name,
        min_spending: Money(body.min_spending),
        window,
        earn_rate_points: body.earn_rate_points,
        earn_rate_per: body.earn_rate_per,
        discount,
        colour: body.colour,
    };
    let actor = super::auth::token_actor(&token, client);
    let row = tiers::create_tier(&state.db, input, &actor).await.map_err(|e| match e {
        TierError::Ladder(LadderError::NameRequired) => ApiError::invalid("name", "name_required", e.to_string()),
        TierError::Ladder(LadderError::DuplicateName(_)) => ApiError::invalid("name", "name_taken", e.to_string()),
        TierError::Ladder(LadderError::NegativeMinimum) | TierError::Ladder(LadderError::SameMinimum(..)) => {
            ApiError::invalid("min_spending", "minimums_not_increasing", e.to_string())
        }
        TierError::BadEarnPoints => ApiError::invalid("earn_rate_points", "invalid_earn_rate", e.to_string()),
        TierError::BadEarnPer => ApiError::invalid("earn_rate_per", "invalid_earn_rate", e.to_string()),
        TierError::BadColour => ApiError::invalid("colour", "invalid_colour", e.to_string()),
        TierError::NotFound => ApiError::not_found("no tier with this id"),
        TierError::Text(e) => ApiError::invalid(&e.field, e.code(), e.to_string()),
        TierError::Unexpected(e) => ApiError::internal(e),
    })?;
    Ok((StatusCode::CREATED, Json(row.into())))
}

/// `GET /api/v1/tiers` (pos) — every tier, lowest minimum first.
#[utoipa::path(get, path = "/api/v1/tiers", tag = "tiers", security(("bearer" = [])), responses((status = 200, body = [TierView])))]
pub async fn list(State(state): State<AppState>, headers: HeaderMap) -> Result<Json<Vec<TierView>>, ApiError> {
    require_scope(&state, &headers, Scope::Pos).await?;
    Ok(Json(tiers::list_tiers(&state.db).await?.into_iter().map(TierView::from).collect()))
}
