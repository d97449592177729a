//! The pricing simulator (docs/SPEC.md §2.3; marketing and admin use it, support may
//! read it too: it stores nothing): a cart, a customer, a code and a moment →
//! the priced cart with the full trace, from `setia_backend::orders::quote`, the
//! very function the REST quote and order creation call.

use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use setia_domain::priced_order::AppliedReward;
use setia_domain::pricing::PricedCart;
use setia_domain::trace::RejectReason;
use setia_domain::CurrencyFormat;

/// Rows the simulator form offers.
pub const SIMULATOR_ROWS: usize = 8;

/// One row of the simulator form, as typed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct SimLine {
    #[serde(default)]
    pub sku: String,
    /// Empty = 1.
    #[serde(default)]
    pub quantity: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductChoice {
    pub sku: String,
    pub name: String,
    pub price: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PickerData {
    pub products: Vec<ProductChoice>,
    pub currency: CurrencyFormat,
    pub time_zone: String,
    pub now_local: chrono::NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SimPromotion {
    pub id: i64,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SimRejected {
    pub promotion: SimPromotion,
    pub reason: RejectReason,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SimCandidate {
    /// `None` = the combinable set (rule 2a); else the exclusive promotion alone.
    pub exclusive: Option<SimPromotion>,
    pub discount: i64,
    pub chosen: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Simulation {
    pub priced: PricedCart,
    pub adjustments: Vec<AppliedReward>,
    pub rejected: Vec<SimRejected>,
    pub candidates: Vec<SimCandidate>,
    pub customer_name: Option<String>,
    pub tier_name: Option<String>,
    pub at_local: chrono::NaiveDateTime,
    pub currency: CurrencyFormat,
}

/// `POST /api/simulator_choices` — the products on sale to pick from, and the store clock.
#[server(endpoint = "simulator_choices")]
pub async fn simulator_choices() -> Result<PickerData, AppError> {
    crate::guard::require_staff().await?;
    let state = crate::guard::app_state()?;
    let settings = setia_backend::settings::load(&state.db).await?;
    let products = setia_backend::products::list_on_sale(&state.db, 5_000).await?;
    Ok(PickerData {
        products: products.into_iter().map(|p| ProductChoice { sku: p.sku, name: p.name, price: p.price }).collect(),
        now_local: chrono::Utc::now().with_timezone(&settings.tz()).naive_local(),
        currency: settings.currency,
        time_zone: settings.time_zone,
    })
}

/// The form's field for a field the pricing blamed (`lines[2].quantity` → `qty5`
/// when the third filled row is the form's sixth).
#[cfg(feature = "ssr")]
fn form_field(field: &str, rows: &[usize]) -> String {
    let line = |rest: &str| rest.split(']').next().and_then(|n| n.parse::<usize>().ok()).and_then(|n| rows.get(n).copied());
    match field {
        "coupon_code" => "code".into(),
        "customer_id" => "customer".into(),
        f if f.starts_with("lines[") => match (line(&f[6..]), f.ends_with(".sku")) {
            (Some(row), true) => format!("sku{row}"),
            (Some(row), false) => format!("qty{row}"),
            (None, _) => "sku0".into(),
        },
        "lines" => "sku0".into(),
        other => other.into(),
    }
}

/// `POST /api/simulate_pricing` — prices the cart as checkout would at `at` (a
/// local `YYYY-MM-DDTHH:MM` in the store's time zone; now when empty). Stores and
/// reserves nothing.
#[server(endpoint = "simulate_pricing")]
pub async fn simulate_pricing(lines: Vec<SimLine>, customer: String, code: String, at: String) -> Result<Simulation, AppError> {
    crate::guard::require_staff().await?;
    use setia_backend::orders::{CartInput, LineInput, OrderError};
    use setia_domain::pricing::Candidate;
    let state = crate::guard::app_state()?;
    let settings = setia_backend::settings::load(&state.db).await?;
    let tz = settings.tz();
    let mut cart = CartInput::default();
    let mut rows = Vec::new();
    for (row, l) in lines.iter().enumerate().take(SIMULATOR_ROWS) {
        let sku = l.sku.trim();
        if sku.is_empty() {
            continue;
        }
        let quantity = match l.quantity.trim() {
            "" => 1,
            q => q.parse::<i64>().map_err(|_| AppError::invalid(&format!("qty{row}"), "invalid_number", "a whole number"))?,
        };
        rows.push(row);
        cart.lines.push(LineInput { sku: sku.to_string(), quantity, unit_price: None });
    }
    if cart.lines.is_empty() {
        return Err(AppError::invalid("sku0", "lines_required", "pick at least one product"));
    }
    let customer = customer.trim();
    let found = match setia_domain::customer::CustomerRef::parse(customer) {
        Some(r) => setia_backend::customers::find_by_ref(&state.db, &r).await?,
        None => None,
    };
    if !customer.is_empty() && found.is_none() {
        return Err(AppError::invalid("customer", "unknown_customer", "no customer has this phone number or id"));
    }
    cart.customer_id = found.as_ref().map(|c| c.id);
    cart.coupon_code = Some(code.trim().to_string()).filter(|c| !c.is_empty());
    let at_utc = match at.trim() {
        "" => chrono::Utc::now(),
        raw => {
            let local = chrono::NaiveDateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M")
                .map_err(|_| AppError::invalid("at", "invalid_date", "a date and time like 2026-12-04T09:30"))?;
            setia_domain::datetime::local_to_utc(&tz, local)
        }
    };
    let store = state.store.snapshot(&state.db).await?;
    let quote = setia_backend::orders::quote(&state.db, &store, &cart, at_utc).await.map_err(|e| match e {
        OrderError::Invalid { field, code, message } => AppError::invalid(&form_field(&field, &rows), code, message),
        other => AppError::internal(other),
    })?;
    let index = &store.promotions;
    let named = |id: i64| SimPromotion { id, name: index.get(id).map_or_else(|| format!("#{id}"), |p| p.name.clone()) };
    let p = quote.priced;
    Ok(Simulation {
        adjustments: p.adjustments.iter().map(AppliedReward::from).collect(),
        rejected: p.rejected.iter().map(|r| SimRejected { promotion: named(r.promotion_id), reason: r.reason.clone() }).collect(),
        candidates: p
            .candidates
            .iter()
            .map(|c| SimCandidate {
                exclusive: match c.candidate {
                    Candidate::Combinable => None,
                    Candidate::Exclusive { promotion_id } => Some(named(promotion_id)),
                },
                discount: c.discount.0,
                chosen: c.chosen,
            })
            .collect(),
        customer_name: found.map(|c| c.name),
        tier_name: quote.tier.map(|t| t.name),
        at_local: at_utc.with_timezone(&tz).naive_local(),
        currency: settings.currency,
        priced: p,
    })
}
