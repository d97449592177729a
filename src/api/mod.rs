//! REST API v1 (`/api/v1`, API.md): the contract POS terminals, web shops and
//! scripts rely on. Every handler's first argument checks the bearer token's scope
//! (`auth::Scoped`), before the path and the body are read.

mod auth;
mod customers;
mod error;
mod json;
mod openapi;
mod orders;
mod products;
mod promotion_codes;
mod promotions;
mod tasks;
mod tiers;

use crate::server::ServerState;
use axum::routing::{get, MethodRouter};
use axum::Router;
pub use error::ApiError;

/// Declares every route once: the router, and [`ROUTES`] (method, path) that the
/// tests walk (auth first on every route, the OpenAPI document lists each one).
macro_rules! api_routes {
    ($($path:literal => $($method:ident($handler:path)),+;)*) => {
        /// Every authenticated route, as (method, path).
        pub const ROUTES: &[(&str, &str)] = &[$($((stringify!($method), $path)),+),*];

        pub fn router() -> Router<ServerState> {
            Router::new()
                $(.route($path, MethodRouter::new()$(.$method($handler))+))*
                .route("/openapi.json", get(openapi::document))
                .fallback(|| async { ApiError::not_found("no such API route") })
        }
    };
}

api_routes! {
    "/customers" => post(customers::upsert);
    "/customers/{id}" => get(customers::get_one);
    "/orders/quote" => post(orders::quote);
    "/orders" => post(orders::create);
    "/orders/{id}" => get(orders::get_one);
    "/orders/{id}/pay" => post(orders::pay);
    "/orders/{id}/cancel" => post(orders::cancel);
    "/orders/{id}/refund" => post(orders::refund);
    "/orders/{id}/recalculate" => post(orders::recalculate);
    "/products" => post(products::upsert);
    "/promotions" => get(promotions::list), post(promotions::create);
    "/promotions/{id}" => get(promotions::get_one), put(promotions::replace);
    "/promotions/{id}/status" => post(promotions::set_status);
    "/promotions/{id}/codes" => post(promotion_codes::generate);
    "/promotions/{id}/codes.csv" => get(promotion_codes::export_csv);
    "/tasks/{id}" => get(tasks::get_one);
    "/tiers" => get(tiers::list), post(tiers::create);
}
