//! Customers over the API (pos scope).

use super::auth::{ApiId, Pos, Scoped};
use super::json::ApiJson;
use super::ApiError;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use chrono::{NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use setia_backend::customer_facts::customer_facts;
use setia_backend::customers::{self, Customer, CustomerInput, Upserted};
use setia_backend::store_cache::StoreSnapshot;
use setia_backend::AppState;
use setia_domain::{Email, Phone};

/// A customer as sent. Text is trimmed; control characters are refused (line
/// breaks and tabs are allowed in `address` only).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CustomerBody {
    /// Required, one line, at most 200 characters.
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\u0000-\u001F\u007F-\u009F]*[^\s\u0000-\u001F\u007F-\u009F][^\u0000-\u001F\u007F-\u009F]*$"
    )]
    name: String,
    /// E.164 (`+6281234567890`: `+` then 8 to 15 digits), or an Indonesian number
    /// without its country code (`081234567890`, `81234567890`), stored as E.164.
    /// Spaces, dashes, dots and parentheses between the digits are also accepted
    /// and dropped; the pattern states the digits-only form.
    #[schema(pattern = r"^(\+[1-9][0-9]{7,14}|[1-79][0-9]{7,14}|0[0-9]{6,13}|8[0-9]{5,12})$")]
    phone: String,
    /// `name@example.com`: one `@`, a dotted domain, no spaces; at most 254 bytes
    /// (UTF-8). Stored in lower case. Empty or null: none.
    #[schema(
        max_length = 254,
        pattern = r"^[^@\s\u0000-\u001F\u007F-\u009F]+@[^@.\s\u0000-\u001F\u007F-\u009F]+(\.[^@.\s\u0000-\u001F\u007F-\u009F]+)+$"
    )]
    email: Option<String>,
    /// `YYYY-MM-DD`, not in the future. Empty or null: none.
    #[schema(format = Date, pattern = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")]
    birth_date: Option<String>,
    /// Several lines allowed, at most 2000 characters.
    #[schema(max_length = 2000, pattern = r"^[^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]*$")]
    address: Option<String>,
    /// The caller's own id for the customer (unique): one line, at most 128 characters.
    /// Empty or null: none.
    #[schema(max_length = 128, pattern = r"^[^\u0000-\u001F\u007F-\u009F]*$")]
    external_id: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TierRef {
    id: i64,
    name: String,
}

/// A customer with the values derived from their orders.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CustomerView {
    id: i64,
    name: String,
    phone: String,
    email: Option<String>,
    birth_date: Option<NaiveDate>,
    address: Option<String>,
    external_id: Option<String>,
    total_spending: i64,
    loyal: bool,
    tier: Option<TierRef>,
}

async fn view(state: &AppState, store: &StoreSnapshot, c: Customer) -> Result<CustomerView, ApiError> {
    let facts = customer_facts(&state.db, store, c.id, Utc::now()).await?;
    Ok(CustomerView {
        id: c.id,
        name: c.name,
        phone: c.phone,
        email: c.email,
        birth_date: c.birth_date,
        address: c.address,
        external_id: c.external_id,
        total_spending: facts.total_spending.0,
        loyal: facts.loyal,
        tier: facts.tier().map(|t| TierRef { id: t.id, name: t.name.clone() }),
    })
}

fn parse(body: CustomerBody) -> Result<CustomerInput, ApiError> {
    let phone = Phone::parse(&body.phone).map_err(|e| ApiError::invalid("phone", "invalid_phone", e.to_string()))?;
    let email = match body.email.as_deref().map(str::trim).filter(|e| !e.is_empty()) {
        Some(e) => Some(Email::parse(e).map_err(|e| ApiError::invalid("email", "invalid_email", e.to_string()))?),
        None => None,
    };
    let birth_date = match body.birth_date.as_deref().map(str::trim).filter(|d| !d.is_empty()) {
        Some(d) => Some(setia_domain::customer::parse_birth_date(d, Utc::now().date_naive())?),
        None => None,
    };
    Ok(CustomerInput { name: body.name, phone, email, birth_date, address: body.address, external_id: body.external_id })
}

/// `POST /api/v1/customers` — 201 created, or 200 updated when the external id
/// or phone already exists.
#[utoipa::path(post, path = "/api/v1/customers", tag = "customers", request_body = CustomerBody,
    security(("bearer" = [])),
    responses((status = 201, body = CustomerView, description = "created"), (status = 200, body = CustomerView, description = "updated"),
        (status = 400, body = super::error::ErrorBody), (status = 401, body = super::error::ErrorBody), (status = 422, body = super::error::ErrorBody)))]
pub async fn upsert(
    auth: Scoped<Pos>,
    State(state): State<AppState>,
    ApiJson(body): ApiJson<CustomerBody>,
) -> Result<(StatusCode, Json<CustomerView>), ApiError> {
    let input = parse(body)?;
    let actor = auth.actor();
    let (status, customer) = match customers::upsert_customer(&state.db, input, &actor).await {
        Ok(Upserted::Created(c)) => (StatusCode::CREATED, c),
        Ok(Upserted::Updated(c)) => (StatusCode::OK, c),
        Err(e) => return Err(e.into()),
    };
    Ok((status, Json(view(&state, &auth.store, customer).await?)))
}

/// `GET /api/v1/customers/{id}`
#[utoipa::path(get, path = "/api/v1/customers/{id}", tag = "customers", params(("id" = i64, Path, description = "customer id")),
    security(("bearer" = [])),
    responses((status = 200, body = CustomerView), (status = 404, body = super::error::ErrorBody), (status = 401, body = super::error::ErrorBody)))]
pub async fn get_one(auth: Scoped<Pos>, State(state): State<AppState>, ApiId(id): ApiId) -> Result<Json<CustomerView>, ApiError> {
    let customer = customers::find_customer(&state.db, id).await?.ok_or_else(|| ApiError::not_found("no customer with this id"))?;
    Ok(Json(view(&state, &auth.store, customer).await?))
}
