//! `GET /api/v1/openapi.json`: the OpenAPI document, generated from the handlers'
//! and DTOs' own annotations so it cannot drift from the code.

use axum::Json;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(title = "Setia REST API", version = "1", description = "Promotions, membership and vouchers. Contract: API.md."),
    paths(
        super::customers::upsert,
        super::customers::get_one,
        super::orders::quote,
        super::orders::create,
        super::orders::get_one,
        super::orders::pay,
        super::orders::cancel,
        super::orders::refund,
        super::orders::recalculate,
        super::products::upsert,
        super::promotions::create,
        super::promotions::replace,
        super::promotions::list,
        super::promotions::get_one,
        super::promotions::set_status,
        super::tiers::list,
        super::tiers::create,
    ),
    modifiers(&BearerAuth)
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme("bearer", SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()));
    }
}

/// `GET /api/v1/openapi.json` (public: it describes, it does not reveal data)
pub async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
