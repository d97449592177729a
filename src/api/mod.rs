//! REST API v1 (`/api/v1`, API.md): the contract POS terminals, web shops and
//! scripts rely on. Every handler's first line checks the bearer token's scope.

mod auth;
mod customers;
mod error;
mod json;
mod openapi;
mod products;
mod tiers;

use crate::server::ServerState;
use axum::routing::{get, post};
use axum::Router;
pub use error::ApiError;

pub fn router() -> Router<ServerState> {
    Router::new()
        .route("/customers", post(customers::upsert))
        .route("/customers/{id}", get(customers::get_one))
        .route("/products", post(products::upsert))
        .route("/tiers", get(tiers::list).post(tiers::create))
        .route("/openapi.json", get(openapi::document))
        .fallback(|| async { ApiError::not_found("no such API route") })
}
