//! Orders over the API (pos scope, docs/API.md "Orders (pos)"): quote, create, get, pay,
//! cancel, refund, recalculate. The rules live in `setia_backend::orders`; these
//! handlers check the token, parse the body, call it and shape the answer.

use super::auth::{ApiId, Pos, Scoped};
use super::json::ApiJson;
use super::ApiError;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::Json;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use setia_backend::orders::{self, CartInput, Created, LineInput, NewOrder, Order, OrderSource, Quote};
use setia_backend::AppState;
use setia_domain::priced_order::{AppliedReward, LineAmounts};
use setia_domain::pricing::{Rejection, TierSnapshot};
use setia_domain::trace::Language;
use setia_domain::{CurrencyFormat, Money};

/// An id as clients send it: a number or a string of digits (API.md: ids are opaque).
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(untagged)]
pub enum IdValue {
    #[schema(value_type = IdNumberDoc)]
    Number(i64),
    #[schema(value_type = IdDigitsDoc)]
    Text(String),
}

/// An id as a number (documents `IdValue`).
#[derive(utoipa::ToSchema)]
#[schema(minimum = 1, maximum = 9_223_372_036_854_775_807i64)]
#[allow(dead_code)]
struct IdNumberDoc(i64);

/// An id as a string of its digits (documents `IdValue`).
#[derive(utoipa::ToSchema)]
#[schema(pattern = r"^[0-9]{1,18}$")]
#[allow(dead_code)]
struct IdDigitsDoc(String);

impl IdValue {
    fn parse(&self, field: &str) -> Result<i64, ApiError> {
        match self {
            IdValue::Number(n) => Ok(*n),
            IdValue::Text(t) => t.trim().parse().map_err(|_| ApiError::invalid(field, "invalid_id", format!("{field} is not an id"))),
        }
    }
}

/// A cart line. Its amount (`unit_price` × `quantity`) and the cart's subtotal are
/// at most 10^15.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LineBody {
    /// The SKU of an active catalogue product (trimmed).
    #[schema(min_length = 1, max_length = 64, pattern = r"^[A-Za-z0-9._/-]+$")]
    sku: String,
    #[schema(minimum = 1, maximum = 1_000_000)]
    quantity: i64,
    /// Minor units; defaults to the catalogue price.
    #[schema(minimum = 0, maximum = 1_000_000_000_000_000i64)]
    unit_price: Option<i64>,
}

/// Where an order comes from: `pos`, `online` or `import` (documents `OrderBody.source`).
#[derive(utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
#[allow(dead_code)]
enum OrderSourceDoc {
    Pos,
    Online,
    Import,
}

/// A cart. `source` and `external_ref` are required to create an order; a quote ignores them.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrderBody {
    #[schema(value_type = Option<OrderSourceDoc>, inline)]
    source: Option<String>,
    /// The caller's reference: with `source`, it identifies a re-sent order. One line,
    /// at most 128 characters (trimmed).
    #[schema(
        min_length = 1,
        max_length = 128,
        pattern = r"^[^\u0000-\u001F\u007F-\u009F]*[^\s\u0000-\u001F\u007F-\u009F][^\u0000-\u001F\u007F-\u009F]*$"
    )]
    external_ref: Option<String>,
    /// An existing customer's id (a number or a string of digits).
    customer_id: Option<IdValue>,
    /// 1 to 500 lines.
    #[schema(min_items = 1, max_items = 500)]
    lines: Vec<LineBody>,
    /// The code of an active `code` promotion (case-insensitive). Empty or null: none.
    #[schema(max_length = 64, pattern = r"^[A-Za-z0-9_-]*$")]
    coupon_code: Option<String>,
    /// Must be 0 (or absent) until the points ledger is enabled.
    #[schema(minimum = 0, maximum = 0)]
    redeem_points: Option<i64>,
    /// Minor units, default 0.
    #[schema(minimum = 0, maximum = 1_000_000_000_000_000i64)]
    shipping: Option<i64>,
    /// Minutes the new order may be paid in, default 60 (at most a week).
    #[schema(minimum = 1, maximum = 10_080)]
    payment_deadline_minutes: Option<i64>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PayBody {
    /// The payment's reference (idempotency key): one line, at most 128 characters (trimmed).
    #[schema(
        min_length = 1,
        max_length = 128,
        pattern = r"^[^\u0000-\u001F\u007F-\u009F]*[^\s\u0000-\u001F\u007F-\u009F][^\u0000-\u001F\u007F-\u009F]*$"
    )]
    payment_ref: String,
    /// Minor units; must equal the order's total (else 409 `amount_mismatch`).
    #[schema(minimum = 0, maximum = 9_223_372_036_854_775_807i64)]
    amount: i64,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefundBody {
    /// Minor units, above zero and at most what is left to refund; the rest of the
    /// order when absent.
    #[schema(minimum = 1, maximum = 9_223_372_036_854_775_807i64)]
    amount: Option<i64>,
    /// The refund's reference (idempotency key): one line, at most 128 characters (trimmed).
    #[schema(
        min_length = 1,
        max_length = 128,
        pattern = r"^[^\u0000-\u001F\u007F-\u009F]*[^\s\u0000-\u001F\u007F-\u009F][^\u0000-\u001F\u007F-\u009F]*$"
    )]
    refund_ref: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AdjustmentView {
    /// `promotion`, `customer_discount`, `tier` or `points`.
    source: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    promotion_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    customer_discount_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    code: Option<String>,
    /// The line (0-based) when the reward touched one line only.
    #[serde(skip_serializing_if = "Option::is_none")]
    line: Option<i64>,
    amount: i64,
    /// In the language of `Accept-Language` (English or Bahasa Indonesia).
    explanation: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RejectedView {
    promotion_id: i64,
    /// Why it was not applied, in the language of `Accept-Language`.
    reason: String,
    /// The same reason as a stable snake_case code (`uses_exhausted`, `below_min_subtotal`, …).
    reason_code: String,
}

fn adjustment_views(rewards: impl IntoIterator<Item = AppliedReward>, r: &Reader) -> Vec<AdjustmentView> {
    rewards
        .into_iter()
        .map(|a| AdjustmentView {
            explanation: a.explained(r.lang, &r.currency),
            source: a.source,
            promotion_id: a.promotion_id,
            customer_discount_id: a.customer_discount_id,
            code: a.code,
            line: a.line.and_then(|l| i64::try_from(l).ok()),
            amount: a.amount,
        })
        .collect()
}

fn rejected_views(rejected: Vec<Rejection>, r: &Reader) -> Vec<RejectedView> {
    rejected
        .into_iter()
        .map(|j| RejectedView {
            promotion_id: j.promotion_id,
            reason: j.reason.render(r.lang, &r.currency),
            reason_code: j.reason.code().to_string(),
        })
        .collect()
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TierSnapshotView {
    id: i64,
    name: String,
    earn_rate_points: i64,
    earn_rate_per: i64,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RefundView {
    refund_ref: String,
    amount: i64,
    created_at: DateTime<Utc>,
}

/// A priced cart (quote) or an order. `id`, `status`, `payment_deadline` and the
/// order's own fields are absent on a quote.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct OrderView {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    source: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    external_ref: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    customer_id: Option<i64>,
    subtotal: i64,
    discount_total: i64,
    points_discount: i64,
    shipping: i64,
    total: i64,
    lines: Vec<LineAmounts>,
    adjustments: Vec<AdjustmentView>,
    rejected: Vec<RejectedView>,
    tier: Option<TierSnapshotView>,
    points_to_earn: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    payment_deadline: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    paid_at: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    payment_ref: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    refunded: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    refunds: Option<Vec<RefundView>>,
}

fn tier_view(t: TierSnapshot) -> TierSnapshotView {
    TierSnapshotView { id: t.id, name: t.name, earn_rate_points: t.earn_rate_points, earn_rate_per: t.earn_rate_per }
}

/// How explanations are written for this request.
struct Reader {
    lang: Language,
    currency: CurrencyFormat,
}

fn reader(auth: &Scoped<Pos>, headers: &HeaderMap) -> Reader {
    let lang = headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).map(Language::from_accept_language).unwrap_or_default();
    Reader { lang, currency: auth.store.settings.currency.clone() }
}

fn quote_view(q: Quote, r: &Reader) -> OrderView {
    let p = q.priced;
    OrderView {
        id: None,
        status: None,
        source: None,
        external_ref: None,
        customer_id: None,
        subtotal: p.subtotal.0,
        discount_total: p.discount_total.0,
        points_discount: 0,
        shipping: p.shipping.0,
        total: p.total.0,
        lines: p.lines.iter().map(LineAmounts::from).collect(),
        adjustments: adjustment_views(p.adjustments.iter().map(AppliedReward::from), r),
        rejected: rejected_views(p.rejected, r),
        tier: q.tier.map(tier_view),
        points_to_earn: p.points_to_earn,
        payment_deadline: None,
        paid_at: None,
        payment_ref: None,
        refunded: None,
        refunds: None,
    }
}

fn order_view(o: Order, r: &Reader) -> OrderView {
    let refunded = o.refunded();
    let row = o.order;
    OrderView {
        id: Some(row.id),
        status: Some(row.status.clone()),
        source: Some(row.source.clone()),
        external_ref: Some(row.external_ref.clone()),
        customer_id: row.customer_id,
        subtotal: row.subtotal,
        discount_total: row.discount_total,
        points_discount: row.points_discount,
        shipping: row.shipping,
        total: row.total,
        lines: o.lines.iter().map(LineAmounts::from).collect(),
        adjustments: adjustment_views(o.adjustments.iter().map(AppliedReward::from), r),
        rejected: rejected_views(row.promotions_rejected(), r),
        tier: row.tier_snapshot().map(tier_view),
        points_to_earn: row.points_to_earn(),
        payment_deadline: Some(row.payment_deadline),
        paid_at: row.paid_at,
        payment_ref: row.payment_ref,
        refunded: Some(refunded),
        refunds: Some(
            o.refunds.into_iter().map(|f| RefundView { refund_ref: f.refund_ref, amount: f.amount, created_at: f.created_at }).collect(),
        ),
    }
}

/// A body's cart, source, external reference and payment minutes.
type OrderParts = (CartInput, Option<String>, Option<String>, Option<i64>);

fn cart(body: OrderBody) -> Result<OrderParts, ApiError> {
    let customer_id = body.customer_id.as_ref().map(|c| c.parse("customer_id")).transpose()?;
    let cart = CartInput {
        customer_id,
        lines: body
            .lines
            .into_iter()
            .map(|l| LineInput { sku: l.sku.trim().to_string(), quantity: l.quantity, unit_price: l.unit_price.map(Money) })
            .collect(),
        shipping: Money(body.shipping.unwrap_or(0)),
        coupon_code: body.coupon_code,
        redeem_points: body.redeem_points,
    };
    Ok((cart, body.source, body.external_ref, body.payment_deadline_minutes))
}

/// `POST /api/v1/orders/quote` — prices a cart; stores nothing.
#[utoipa::path(post, path = "/api/v1/orders/quote", tag = "orders", request_body = OrderBody, security(("bearer" = [])),
    responses((status = 200, body = OrderView), (status = 400, body = super::error::ErrorBody), (status = 401, body = super::error::ErrorBody),
        (status = 403, body = super::error::ErrorBody), (status = 422, body = super::error::ErrorBody)))]
pub async fn quote(
    auth: Scoped<Pos>,
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<OrderBody>,
) -> Result<Json<OrderView>, ApiError> {
    let (cart, _, _, _) = cart(body)?;
    let q = orders::quote(&state.db, &auth.store, &cart, Utc::now()).await?;
    Ok(Json(quote_view(q, &reader(&auth, &headers))))
}

/// `POST /api/v1/orders` — 201 with the new order, or 200 with the one already
/// created for this `source` + `external_ref`.
#[utoipa::path(post, path = "/api/v1/orders", tag = "orders", request_body = OrderBody, security(("bearer" = [])),
    responses((status = 201, body = OrderView, description = "created"), (status = 200, body = OrderView, description = "the same order, sent again"),
        (status = 400, body = super::error::ErrorBody), (status = 401, body = super::error::ErrorBody),
        (status = 403, body = super::error::ErrorBody), (status = 422, body = super::error::ErrorBody)))]
pub async fn create(
    auth: Scoped<Pos>,
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<OrderBody>,
) -> Result<(StatusCode, Json<OrderView>), ApiError> {
    let (cart, source, external_ref, minutes) = cart(body)?;
    let source = source.ok_or_else(|| ApiError::malformed(Some("source"), "missing field `source`"))?;
    let source = OrderSource::parse(source.trim())
        .ok_or_else(|| ApiError::invalid("source", "invalid_source", "source must be pos, online or import"))?;
    let external_ref = external_ref.ok_or_else(|| ApiError::malformed(Some("external_ref"), "missing field `external_ref`"))?;
    let created = orders::create_order(
        &state.db,
        &state.store,
        &auth.store,
        NewOrder { source, external_ref, cart, payment_deadline_minutes: minutes },
        Utc::now(),
    )
    .await?;
    let r = reader(&auth, &headers);
    Ok(match created {
        Created::New(o) => (StatusCode::CREATED, Json(order_view(o, &r))),
        Created::Existing(o) => (StatusCode::OK, Json(order_view(o, &r))),
    })
}

/// `GET /api/v1/orders/{id}`
#[utoipa::path(get, path = "/api/v1/orders/{id}", tag = "orders", params(("id" = i64, Path, description = "order id")), security(("bearer" = [])),
    responses((status = 200, body = OrderView), (status = 401, body = super::error::ErrorBody), (status = 404, body = super::error::ErrorBody)))]
pub async fn get_one(
    auth: Scoped<Pos>,
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiId(id): ApiId,
) -> Result<Json<OrderView>, ApiError> {
    let o = orders::load_order(&state.db, id).await?;
    Ok(Json(order_view(o, &reader(&auth, &headers))))
}

/// `POST /api/v1/orders/{id}/pay` — idempotent by `payment_ref`; 409 when the
/// amount is not the total or the order is expired or cancelled.
#[utoipa::path(post, path = "/api/v1/orders/{id}/pay", tag = "orders", request_body = PayBody, params(("id" = i64, Path, description = "order id")),
    security(("bearer" = [])),
    responses((status = 200, body = OrderView), (status = 401, body = super::error::ErrorBody), (status = 404, body = super::error::ErrorBody),
        (status = 409, body = super::error::ErrorBody, description = "order_not_payable, amount_mismatch, order_already_paid, payment_ref_used, promotion_limit_reached, spending_limit_reached"),
        (status = 422, body = super::error::ErrorBody)))]
pub async fn pay(
    auth: Scoped<Pos>,
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiId(id): ApiId,
    ApiJson(body): ApiJson<PayBody>,
) -> Result<Json<OrderView>, ApiError> {
    let paid = orders::pay_order(&state.db, &auth.store.tiers, id, &body.payment_ref, body.amount, Utc::now).await?;
    Ok(Json(order_view(paid.order, &reader(&auth, &headers))))
}

/// `POST /api/v1/orders/{id}/cancel` — pending orders only (409 `order_not_pending`).
#[utoipa::path(post, path = "/api/v1/orders/{id}/cancel", tag = "orders", params(("id" = i64, Path, description = "order id")), security(("bearer" = [])),
    responses((status = 200, body = OrderView), (status = 401, body = super::error::ErrorBody), (status = 404, body = super::error::ErrorBody),
        (status = 409, body = super::error::ErrorBody)))]
pub async fn cancel(
    auth: Scoped<Pos>,
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiId(id): ApiId,
) -> Result<Json<OrderView>, ApiError> {
    let o = orders::cancel_order(&state.db, id, Utc::now).await?;
    Ok(Json(order_view(o, &reader(&auth, &headers))))
}

/// `POST /api/v1/orders/{id}/refund` — full (no amount) or partial; idempotent by `refund_ref`.
#[utoipa::path(post, path = "/api/v1/orders/{id}/refund", tag = "orders", request_body = RefundBody, params(("id" = i64, Path, description = "order id")),
    security(("bearer" = [])),
    responses((status = 200, body = OrderView), (status = 401, body = super::error::ErrorBody), (status = 404, body = super::error::ErrorBody),
        (status = 409, body = super::error::ErrorBody, description = "order_not_refundable, refund_exceeds_remaining"),
        (status = 422, body = super::error::ErrorBody)))]
pub async fn refund(
    auth: Scoped<Pos>,
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiId(id): ApiId,
    ApiJson(body): ApiJson<RefundBody>,
) -> Result<Json<OrderView>, ApiError> {
    let o = orders::refund_order(&state.db, id, &body.refund_ref, body.amount, Utc::now()).await?;
    Ok(Json(order_view(o, &reader(&auth, &headers))))
}

/// `POST /api/v1/orders/{id}/recalculate` — prices a pending order again (409 `order_not_pending` otherwise).
#[utoipa::path(post, path = "/api/v1/orders/{id}/recalculate", tag = "orders", params(("id" = i64, Path, description = "order id")),
    security(("bearer" = [])),
    responses((status = 200, body = OrderView), (status = 401, body = super::error::ErrorBody), (status = 404, body = super::error::ErrorBody),
        (status = 409, body = super::error::ErrorBody)))]
pub async fn recalculate(
    auth: Scoped<Pos>,
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiId(id): ApiId,
) -> Result<Json<OrderView>, ApiError> {
    let o = orders::recalculate_order(&state.db, &state.store, id, Utc::now()).await?;
    Ok(Json(order_view(o, &reader(&auth, &headers))))
}
