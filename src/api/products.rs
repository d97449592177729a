//! The catalogue over the API (admin scope).

use super::auth::{Admin, Scoped};
use super::json::ApiJson;
use super::ApiError;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use setia_backend::products::{self, ProductInput};
use setia_backend::AppState;
use setia_domain::Money;

/// A catalogue entry as sent; text is trimmed first.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProductBody {
    /// 1 to 64 ASCII letters, digits, `-`, `_`, `.` or `/` (unique).
    #[schema(min_length = 1, max_length = 64, pattern = r"^[A-Za-z0-9._/-]+$")]
    sku: String,
    /// Required, one line, at most 200 characters.
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\u0000-\u001F\u007F-\u009F]*[^\s\u0000-\u001F\u007F-\u009F][^\u0000-\u001F\u007F-\u009F]*$"
    )]
    name: String,
    /// Minor units (`Rp 12.500` is `12500`), 0 or more.
    #[schema(minimum = 0, maximum = 9_223_372_036_854_775_807i64)]
    price: i64,
    /// One line, at most 100 characters. Empty or null: none.
    #[schema(max_length = 100, pattern = r"^[^\u0000-\u001F\u007F-\u009F]*$")]
    category: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ProductView {
    id: i64,
    sku: String,
    name: String,
    category: Option<String>,
    price: i64,
    active: bool,
}

/// `POST /api/v1/products` — 201 created, 200 updated when the SKU exists.
#[utoipa::path(post, path = "/api/v1/products", tag = "catalog", request_body = ProductBody, security(("bearer" = [])),
    responses((status = 201, body = ProductView), (status = 200, body = ProductView), (status = 403, body = super::error::ErrorBody),
        (status = 422, body = super::error::ErrorBody)))]
pub async fn upsert(
    auth: Scoped<Admin>,
    State(state): State<AppState>,
    ApiJson(body): ApiJson<ProductBody>,
) -> Result<(StatusCode, Json<ProductView>), ApiError> {
    let actor = auth.actor();
    let input = ProductInput { sku: body.sku, name: body.name, category: body.category, price: Money(body.price) };
    let (p, created) = products::upsert_product(&state.db, input, &actor).await?;
    let status = if created { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, Json(ProductView { id: p.id, sku: p.sku, name: p.name, category: p.category, price: p.price, active: p.active })))
}
