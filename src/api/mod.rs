//! REST API v1 (`/api/v1`, API.md): the contract POS terminals, web shops and
//! scripts rely on. Every handler's first line checks the bearer token's scope.

mod auth;
mod customers;
mod error;
mod json;
mod openapi;
mod orders;
mod products;
mod promotions;
mod tiers;

use crate::server::ServerState;
use axum::routing::{get, post};
use axum::Router;
pub use error::ApiError;

pub fn router() -> Router<ServerState> {
    Router::new()
        .route("/customers", post(customers::upsert))
        .route("/customers/{id}", get(customers::get_one))
        .route("/orders/quote", post(orders::quote))
        .route("/orders", post(orders::create))
        .route("/orders/{id}", get(orders::get_one))
        .route("/orders/{id}/pay", post(orders::pay))
        .route("/orders/{id}/cancel", post(orders::cancel))
        .route("/orders/{id}/refund", post(orders::refund))
        .route("/orders/{id}/recalculate", post(orders::recalculate))
        .route("/products", post(products::upsert))
        .route("/promotions", get(promotions::list).post(promotions::create))
        .route("/promotions/{id}", get(promotions::get_one).put(promotions::replace))
        .route("/promotions/{id}/status", post(promotions::set_status))
        .route("/tiers", get(tiers::list).post(tiers::create))
        .route("/openapi.json", get(openapi::document))
        .fallback(|| async { ApiError::not_found("no such API route") })
}
