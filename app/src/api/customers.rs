//! Customers in the admin UI (every staff role reads them): the list with search,
//! tier and loyal filters and spending sort; the customer page with derived
//! values explained.

use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use setia_domain::CurrencyFormat;

pub const CUSTOMER_PAGE_SIZE: i64 = 50;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TierBadge {
    pub id: i64,
    pub name: String,
    pub colour: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomerRowDto {
    pub id: i64,
    pub name: String,
    pub phone: String,
    pub email: Option<String>,
    pub total_spending: i64,
    pub loyal: bool,
    pub tier: Option<TierBadge>,
    pub created_local: chrono::NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomerPage {
    pub rows: Vec<CustomerRowDto>,
    pub total: i64,
    pub page: i64,
    pub page_size: i64,
    pub tiers: Vec<TierBadge>,
    pub currency: CurrencyFormat,
}

/// Why a customer is in their tier: spending in its window, and the next tier.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TierExplanation {
    pub tier: Option<TierBadge>,
    /// Spending counted for the current tier (in its window).
    pub spending: i64,
    pub window_days: Option<u32>,
    pub next: Option<NextTierDto>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NextTierDto {
    pub name: String,
    pub spending: i64,
    pub missing: i64,
    pub window_days: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NotificationDto {
    pub kind: String,
    pub message: String,
    pub is_read: bool,
    pub created_local: chrono::NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomerDetailDto {
    pub id: i64,
    pub name: String,
    pub phone: String,
    pub email: Option<String>,
    pub birth_date: Option<chrono::NaiveDate>,
    pub address: Option<String>,
    pub external_id: Option<String>,
    pub created_local: chrono::NaiveDateTime,
    pub total_spending: i64,
    pub loyal: bool,
    pub loyalty_threshold: i64,
    pub explanation: TierExplanation,
    pub orders: Vec<crate::api::orders::OrderRowDto>,
    pub orders_total: i64,
    pub notifications: Vec<NotificationDto>,
    pub currency: CurrencyFormat,
}

#[cfg(feature = "ssr")]
fn badge(t: &setia_backend::tiers::TierRow) -> TierBadge {
    TierBadge { id: t.id, name: t.name.clone(), colour: t.colour.clone() }
}

#[cfg(feature = "ssr")]
fn explain(facts: &setia_backend::customer_facts::CustomerFacts) -> TierExplanation {
    let tier = facts.tier().map(badge);
    let (spending, window_days) = match &facts.standing.current {
        Some((rule, spent)) => (spent.0, rule.window.days()),
        None => (facts.total_spending.0, None),
    };
    TierExplanation {
        tier,
        spending,
        window_days,
        next: facts.standing.next.as_ref().map(|n| NextTierDto {
            name: n.tier.name.clone(),
            spending: n.spending.0,
            missing: n.missing.0,
            window_days: n.tier.window.days(),
        }),
    }
}

/// `POST /api/list_customers` — one page of customers with their derived values.
#[server(endpoint = "list_customers")]
pub async fn list_customers(
    page: i64,
    q: Option<String>,
    tier: Option<String>,
    loyal: Option<String>,
    sort: Option<String>,
) -> Result<CustomerPage, AppError> {
    crate::guard::require_staff().await?;
    use setia_backend::customer_directory::{self, CustomerFilter, CustomerSort, TierFilter};
    let state = crate::guard::app_state()?;
    let at = setia_domain::paging::Page::new(page, CUSTOMER_PAGE_SIZE);
    let page = at.number;
    let tier = match tier.as_deref().map(str::trim) {
        None | Some("") => TierFilter::Any,
        Some("none") => TierFilter::NoTier,
        Some(id) => TierFilter::Tier(id.parse().map_err(|_| AppError::invalid("tier", "invalid_tier", "unknown tier"))?),
    };
    let loyal = match loyal.as_deref() {
        Some("yes") => Some(true),
        Some("no") => Some(false),
        _ => None,
    };
    let search = setia_domain::text::SEARCH.parse_optional("q", q.as_deref())?;
    let filter = CustomerFilter { search, tier, loyal, sort: CustomerSort::parse(sort.as_deref().unwrap_or("")) };
    let now = chrono::Utc::now();
    let (rows, total) = customer_directory::list_customers(&state.db, &state.store, &filter, at.size, at.offset(), now).await?;
    let settings = setia_backend::settings::load(&state.db).await?;
    let tz = settings.tz();
    let tiers = setia_backend::tiers::list_tiers(&state.db).await?;
    Ok(CustomerPage {
        rows: rows
            .into_iter()
            .map(|r| CustomerRowDto {
                id: r.customer.id,
                name: r.customer.name.clone(),
                phone: r.customer.phone.clone(),
                email: r.customer.email.clone(),
                total_spending: r.facts.total_spending.0,
                loyal: r.facts.loyal,
                tier: r.facts.tier().map(badge),
                created_local: r.customer.created_at.with_timezone(&tz).naive_local(),
            })
            .collect(),
        total,
        page,
        page_size: CUSTOMER_PAGE_SIZE,
        tiers: tiers.iter().map(badge).collect(),
        currency: settings.currency,
    })
}

/// `POST /api/customer_detail` — a customer, their derived values explained,
/// latest orders and notifications.
#[server(endpoint = "customer_detail")]
pub async fn customer_detail(id: i64) -> Result<CustomerDetailDto, AppError> {
    crate::guard::require_staff().await?;
    let state = crate::guard::app_state()?;
    let page = setia_backend::back_office_pages::customer_page(&state.db, &state.store, id, chrono::Utc::now())
        .await?
        .ok_or_else(|| AppError::not_found("no customer with this id"))?;
    let (customer, facts, tz) = (page.customer, page.facts, page.settings.tz());
    Ok(CustomerDetailDto {
        id: customer.id,
        name: customer.name,
        phone: customer.phone,
        email: customer.email,
        birth_date: customer.birth_date,
        address: customer.address,
        external_id: customer.external_id,
        created_local: customer.created_at.with_timezone(&tz).naive_local(),
        total_spending: facts.total_spending.0,
        loyal: facts.loyal,
        loyalty_threshold: facts.loyalty_threshold.0,
        explanation: explain(&facts),
        orders: page.orders.iter().map(|o| crate::api::orders::row_dto(o, &tz)).collect(),
        orders_total: page.orders_total,
        notifications: page
            .notifications
            .into_iter()
            .map(|n| NotificationDto {
                kind: n.kind,
                message: n.message,
                is_read: n.is_read,
                created_local: n.created_at.with_timezone(&tz).naive_local(),
            })
            .collect(),
        currency: page.settings.currency,
    })
}
