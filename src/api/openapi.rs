//! `GET /api/v1/openapi.json`: the OpenAPI document, generated from the handlers'
//! and DTOs' own annotations so it cannot drift from the code.

use axum::Json;
use utoipa::openapi::schema::{AdditionalProperties, AllOfBuilder, ObjectBuilder, OneOfBuilder, Ref, Schema, Type};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::RefOr;
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
        super::promotion_codes::generate,
        super::promotion_codes::export_csv,
        super::tasks::get_one,
        super::tiers::list,
        super::tiers::create,
    ),
    modifiers(&BearerAuth, &JoinedFieldRules)
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme("bearer", SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()));
    }
}

/// The rules that join two fields of one body, which the DTOs' own annotations
/// cannot state: an order needs its `source` and `external_ref` (a quote of the
/// same cart does not), and only a promotion of kind `code` has a shared code
/// (optional: its codes may all be generated).
struct JoinedFieldRules;

/// The schema `POST /api/v1/orders` reads: an `OrderBody` with `source` and `external_ref`.
const NEW_ORDER_BODY: &str = "NewOrderBody";

impl Modify for JoinedFieldRules {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let string = || ObjectBuilder::new().schema_type(Type::String);
        let components = openapi.components.get_or_insert_with(Default::default);
        let new_order = AllOfBuilder::new()
            .description(Some("A cart with the `source` and `external_ref` an order needs."))
            .item(Ref::from_schema_name("OrderBody"))
            .item(
                ObjectBuilder::new()
                    .property("source", string())
                    .property("external_ref", string())
                    .required("source")
                    .required("external_ref"),
            );
        components.schemas.insert(NEW_ORDER_BODY.to_string(), new_order.into());
        let create = openapi.paths.paths.get_mut("/api/v1/orders").and_then(|p| p.post.as_mut());
        if let Some(RefOr::T(body)) = create.and_then(|op| op.request_body.as_mut()) {
            for content in body.content.values_mut() {
                if let RefOr::T(content) = content {
                    content.schema = Some(Ref::from_schema_name(NEW_ORDER_BODY).into());
                }
            }
        }

        // Each type of reward takes its own fields and no others (serde's
        // `deny_unknown_fields` on `RewardBody`), which the variants do not say.
        if let Some(RefOr::T(Schema::OneOf(rewards))) = components.schemas.get_mut("RewardDoc") {
            for variant in &mut rewards.items {
                if let RefOr::T(Schema::Object(object)) = variant {
                    object.additional_properties = Some(Box::new(AdditionalProperties::FreeForm(false)));
                }
            }
        }

        if let Some(promotion) = components.schemas.remove("PromotionBody") {
            let automatic = ObjectBuilder::new()
                .property("kind", string().enum_values(Some(["automatic"])))
                .property("code", ObjectBuilder::new().schema_type(Type::Null));
            let code =
                ObjectBuilder::new().property("kind", string().enum_values(Some(["code"]))).property("code", string().min_length(Some(1)));
            let joined = AllOfBuilder::new().item(promotion).item(OneOfBuilder::new().item(automatic).item(code));
            components.schemas.insert("PromotionBody".to_string(), joined.into());
        }
    }
}

/// `GET /api/v1/openapi.json` (public: it describes, it does not reveal data)
pub async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
