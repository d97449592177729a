//! The API's error format (API.md):
//! `{"error": {"code": "snake_case", "message": "human text", "field": "lines[0].quantity"}}`.
//!
//! Policy: 400 malformed input (bad JSON, wrong types, missing fields), 401 no or
//! bad token, 403 scope too small, 404, 409 conflict with state, 422 well-formed
//! but invalid values. Never 500 for bad input; a 500 carries no detail (the
//! cause is logged where it happened).

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;
use setia_error::AppError;

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: String,
    pub message: String,
    pub field: Option<String>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &str, message: impl Into<String>, field: Option<&str>) -> Self {
        ApiError { status, code: code.into(), message: message.into(), field: field.map(str::to_string) }
    }

    pub fn malformed(field: Option<&str>, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "malformed_request", message, field)
    }

    pub fn invalid(field: &str, code: &str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, code, message, Some(field))
    }

    pub fn not_found(message: &str) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", message, None)
    }

    pub fn unauthenticated() -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthenticated", "a valid bearer token is required", None)
    }

    pub fn forbidden(needed: &str) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", format!("this token's scope does not include `{needed}`"), None)
    }

    /// Logs the cause; the client learns only that it failed.
    pub fn internal(cause: impl std::fmt::Debug) -> Self {
        tracing::error!(?cause, "API internal error");
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "something went wrong on the server; it has been logged", None)
    }
}

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        ApiError { status, code: e.code().to_string(), message: e.message(), field: e.field().map(str::to_string) }
    }
}

/// Every service error reaches the API through its one mapping to [`AppError`]
/// (`setia_error`), the same the server functions use.
macro_rules! through_app_error {
    ($($error:ty),* $(,)?) => {$(
        impl From<$error> for ApiError {
            fn from(e: $error) -> Self {
                AppError::from(e).into()
            }
        }
    )*};
}

through_app_error!(
    anyhow::Error,
    setia_domain::Invalid,
    setia_domain::text::TextError,
    setia_backend::customers::CustomerError,
    setia_backend::orders::OrderError,
    setia_backend::products::ProductError,
    setia_backend::promotions::PromotionError,
    setia_backend::tiers::TierError,
);

impl ApiError {
    /// An unexpected failure: 503 `busy` when the database was only busy, else 500.
    pub fn unexpected(e: anyhow::Error) -> Self {
        e.into()
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut error = json!({"code": self.code, "message": self.message});
        if let Some(f) = self.field {
            error["field"] = json!(f);
        }
        let mut res = (self.status, Json(json!({ "error": error }))).into_response();
        if self.status == StatusCode::SERVICE_UNAVAILABLE {
            res.headers_mut().insert(axum::http::header::RETRY_AFTER, axum::http::HeaderValue::from_static("5"));
        }
        res
    }
}

/// The error format, for the OpenAPI document.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    error: ErrorDetail,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// Stable snake_case code, e.g. `invalid_phone`.
    code: String,
    /// Human text.
    message: String,
    /// The input to blame, e.g. `lines[0].quantity`, when there is one.
    field: Option<String>,
}
