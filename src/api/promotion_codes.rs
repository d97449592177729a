//! Promotion codes over the API (admin scope; docs/API.md "Promotions (admin)"):
//! generate codes (inline up to 10,000, else a task) and download them as CSV.

use super::auth::{Admin, ApiId, Scoped};
use super::json::ApiJson;
use super::ApiError;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::Utc;
use serde::{Deserialize, Serialize};
use setia_backend::promotions::codes::{self, Generated};
use setia_backend::AppState;
use setia_domain::promotion_code::CodeBatch;

#[derive(Debug, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GenerateBody {
    /// 1 to 1,000,000; more than 10,000 run as a task.
    #[schema(minimum = 1, maximum = 1_000_000)]
    count: i64,
    /// Put before every code (letters, digits, `-`, `_`).
    #[schema(max_length = 64, pattern = r"^[A-Za-z0-9_-]*$")]
    prefix: Option<String>,
    /// `#` = one character of the unambiguous alphabet; default `########`.
    #[schema(max_length = 64, pattern = r"^[A-Za-z0-9_#-]*$")]
    pattern: Option<String>,
    /// Uses allowed per code; none = only the promotion's limits.
    #[schema(minimum = 1, maximum = 9_223_372_036_854_775_807i64)]
    max_uses: Option<i64>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct GeneratedView {
    generated: i64,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TaskStartedView {
    task_id: i64,
}

/// `POST /api/v1/promotions/{id}/codes` (admin) — 201 `{"generated"}` when done
/// inline, 202 `{"task_id"}` when it runs as a task (or one is running already).
#[utoipa::path(post, path = "/api/v1/promotions/{id}/codes", tag = "promotions", request_body = GenerateBody, security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 201, body = GeneratedView), (status = 202, body = TaskStartedView), (status = 404, body = super::error::ErrorBody),
        (status = 422, body = super::error::ErrorBody)))]
pub async fn generate(
    auth: Scoped<Admin>,
    State(state): State<AppState>,
    ApiId(id): ApiId,
    ApiJson(body): ApiJson<GenerateBody>,
) -> Result<Response, ApiError> {
    let batch = CodeBatch::parse(body.count, body.prefix.as_deref(), body.pattern.as_deref(), body.max_uses)?;
    let actor = auth.actor();
    let scope = auth.token.scope().as_str();
    Ok(match codes::generate_codes(&state.db, id, batch, &actor, Some(scope), Utc::now()).await? {
        Generated::Inline { generated } => (StatusCode::CREATED, Json(GeneratedView { generated })).into_response(),
        Generated::Task(task) => (StatusCode::ACCEPTED, Json(TaskStartedView { task_id: task.id })).into_response(),
    })
}

/// `GET /api/v1/promotions/{id}/codes.csv` (admin) — every code of the promotion,
/// streamed: `code,max_uses,uses,status`.
#[utoipa::path(get, path = "/api/v1/promotions/{id}/codes.csv", tag = "promotions", security(("bearer" = [])),
    params(("id" = i64, Path)), responses((status = 200, content_type = "text/csv", body = String), (status = 404, body = super::error::ErrorBody)))]
pub async fn export_csv(_auth: Scoped<Admin>, State(state): State<AppState>, ApiId(id): ApiId) -> Result<Response, ApiError> {
    // 404 before the first byte: a stream cannot change its status later.
    setia_backend::promotions::get_promotion(&state.db, id).await?;
    Ok(crate::downloads::codes_csv(&state.db, id, false))
}
