//! Orders in the admin UI (every staff role reads them): the filtered list and
//! the order page with lines, the discount trace, refunds and refused payments.

use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use setia_domain::priced_order::{AppliedReward, LineAmounts};
use setia_domain::CurrencyFormat;

pub const ORDER_PAGE_SIZE: i64 = 50;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrderRowDto {
    pub id: i64,
    pub source: String,
    pub external_ref: String,
    pub customer_id: Option<i64>,
    pub status: String,
    pub total: i64,
    pub discount_total: i64,
    pub created_local: chrono::NaiveDateTime,
    pub paid_local: Option<chrono::NaiveDateTime>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrderPage {
    pub rows: Vec<OrderRowDto>,
    pub total: i64,
    pub page: i64,
    pub page_size: i64,
    pub currency: CurrencyFormat,
    pub time_zone: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RefundDto {
    pub refund_ref: String,
    pub amount: i64,
    pub created_local: chrono::NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RejectionDto {
    pub payment_ref: String,
    pub amount: i64,
    pub reason: String,
    pub created_local: chrono::NaiveDateTime,
}

/// A promotion the order's pricing turned down, and why (rule 7).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RejectedPromotionDto {
    pub promotion_id: i64,
    pub name: Option<String>,
    pub reason: setia_domain::trace::RejectReason,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrderDetailDto {
    pub row: OrderRowDto,
    pub customer_name: Option<String>,
    pub subtotal: i64,
    pub shipping: i64,
    pub points_discount: i64,
    pub payment_ref: Option<String>,
    pub deadline_local: chrono::NaiveDateTime,
    pub tier_name: Option<String>,
    pub points_to_earn: i64,
    pub refunded: i64,
    pub lines: Vec<LineAmounts>,
    pub adjustments: Vec<AppliedReward>,
    pub rejected_promotions: Vec<RejectedPromotionDto>,
    pub refunds: Vec<RefundDto>,
    pub rejections: Vec<RejectionDto>,
    pub currency: CurrencyFormat,
    pub time_zone: String,
}

#[cfg(feature = "ssr")]
pub fn row_dto(o: &setia_backend::orders::OrderRow, tz: &chrono_tz::Tz) -> OrderRowDto {
    OrderRowDto {
        id: o.id,
        source: o.source.clone(),
        external_ref: o.external_ref.clone(),
        customer_id: o.customer_id,
        status: o.status.clone(),
        total: o.total,
        discount_total: o.discount_total,
        created_local: o.created_at.with_timezone(tz).naive_local(),
        paid_local: o.paid_at.map(|t| t.with_timezone(tz).naive_local()),
    }
}

/// A `YYYY-MM-DD` day in the store's time zone, as the UTC instant it starts.
#[cfg(feature = "ssr")]
fn day_start(field: &str, day: &str, tz: &chrono_tz::Tz) -> Result<chrono::DateTime<chrono::Utc>, AppError> {
    let date = chrono::NaiveDate::parse_from_str(day.trim(), "%Y-%m-%d")
        .map_err(|_| AppError::invalid(field, "invalid_date", "a date like 2026-11-25"))?;
    Ok(setia_domain::datetime::local_to_utc(tz, date.and_hms_opt(0, 0, 0).unwrap_or_default()))
}

/// `POST /api/list_orders` — one page of orders, newest first. `from` and `until`
/// are days in the store's time zone, both included.
#[server(endpoint = "list_orders")]
pub async fn list_orders(
    page: i64,
    status: Option<String>,
    source: Option<String>,
    from: Option<String>,
    until: Option<String>,
    customer: Option<i64>,
    reference: Option<String>,
) -> Result<OrderPage, AppError> {
    crate::guard::require_staff().await?;
    use setia_backend::orders::list::OrderFilter;
    use setia_backend::orders::OrderSource;
    let state = crate::guard::app_state()?;
    let settings = setia_backend::settings::load(&state.db).await?;
    let tz = settings.tz();
    let at = setia_domain::paging::Page::new(page, ORDER_PAGE_SIZE);
    let page = at.number;
    let nonempty = |v: Option<String>| v.filter(|s| !s.trim().is_empty());
    let filter = OrderFilter {
        status: match nonempty(status) {
            Some(s) => Some(
                setia_domain::OrderStatus::parse(s.trim())
                    .ok_or_else(|| AppError::invalid("status", "invalid_status", "unknown status"))?,
            ),
            None => None,
        },
        source: match nonempty(source) {
            Some(s) => Some(OrderSource::parse(s.trim()).ok_or_else(|| AppError::invalid("source", "invalid_source", "unknown source"))?),
            None => None,
        },
        from: nonempty(from).map(|d| day_start("from", &d, &tz)).transpose()?,
        until: nonempty(until).map(|d| day_start("until", &d, &tz).map(|t| t + chrono::Duration::days(1))).transpose()?,
        customer_id: customer,
        reference: setia_domain::text::SEARCH.parse_optional("reference", reference.as_deref())?,
    };
    let (rows, total) = setia_backend::orders::list::list_orders(&state.db, &filter, at.size, at.offset()).await?;
    Ok(OrderPage {
        rows: rows.iter().map(|o| row_dto(o, &tz)).collect(),
        total,
        page,
        page_size: ORDER_PAGE_SIZE,
        currency: settings.currency,
        time_zone: settings.time_zone,
    })
}

/// `POST /api/order_detail` — an order with its lines, trace, refunds and refused payments.
#[server(endpoint = "order_detail")]
pub async fn order_detail(id: i64) -> Result<OrderDetailDto, AppError> {
    crate::guard::require_staff().await?;
    use setia_backend::orders::load_order;
    let state = crate::guard::app_state()?;
    let order = load_order(&state.db, id).await?;
    let settings = setia_backend::settings::load(&state.db).await?;
    let tz = settings.tz();
    let customer_name = match order.order.customer_id {
        Some(c) => setia_backend::customers::find_customer(&state.db, c).await?.map(|c| c.name),
        None => None,
    };
    let local = |t: chrono::DateTime<chrono::Utc>| t.with_timezone(&tz).naive_local();
    let refunded = order.refunded();
    let rejected = order.order.promotions_rejected();
    let names = setia_backend::promotions::names_of(&state.db, &rejected.iter().map(|r| r.promotion_id).collect::<Vec<_>>()).await?;
    let o = &order.order;
    Ok(OrderDetailDto {
        row: row_dto(o, &tz),
        customer_name,
        subtotal: o.subtotal,
        shipping: o.shipping,
        points_discount: o.points_discount,
        payment_ref: o.payment_ref.clone(),
        deadline_local: local(o.payment_deadline),
        tier_name: o.tier_name.clone(),
        points_to_earn: o.points_to_earn(),
        refunded,
        lines: order.lines.iter().map(LineAmounts::from).collect(),
        adjustments: order.adjustments.iter().map(AppliedReward::from).collect(),
        rejected_promotions: rejected
            .into_iter()
            .map(|r| RejectedPromotionDto { name: names.get(&r.promotion_id).cloned(), promotion_id: r.promotion_id, reason: r.reason })
            .collect(),
        refunds: order
            .refunds
            .iter()
            .map(|r| RefundDto { refund_ref: r.refund_ref.clone(), amount: r.amount, created_local: local(r.created_at) })
            .collect(),
        rejections: order
            .rejections
            .iter()
            .map(|r| RejectionDto {
                payment_ref: r.payment_ref.clone(),
                amount: r.amount,
                reason: r.reason.clone(),
                created_local: local(r.created_at),
            })
            .collect(),
        currency: settings.currency,
        time_zone: settings.time_zone,
    })
}

/// `POST /api/recalculate_order` (admin) — prices a pending order again by the
/// current rules (docs/SPEC.md §2.3.1), as `POST /api/v1/orders/{id}/recalculate` does.
#[server(endpoint = "recalculate_order")]
pub async fn recalculate_order(id: i64) -> Result<i64, AppError> {
    crate::guard::require(setia_domain::Role::Admin).await?;
    let state = crate::guard::app_state()?;
    setia_backend::orders::recalculate_order(&state.db, &state.store, id, chrono::Utc::now()).await?;
    Ok(id)
}
