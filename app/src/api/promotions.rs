//! Promotions in the admin UI (docs/SPEC.md §2.3, §3): the list (every staff role
//! reads; support answers "why didn't my code work?"), one promotion with its rule
//! in words and its codes, status changes and code work (marketing and admin).

use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use setia_domain::CurrencyFormat;

pub const PROMOTION_PAGE_SIZE: i64 = 50;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PromotionRowDto {
    pub id: i64,
    pub name: String,
    pub kind: String,
    pub status: String,
    pub starts_local: Option<chrono::NaiveDateTime>,
    pub ends_local: Option<chrono::NaiveDateTime>,
    pub priority: i32,
    pub uses: i64,
    pub total_uses: Option<i64>,
    /// Discount granted (reserved and confirmed uses).
    pub budget_used: i64,
    pub budget: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PromotionListDto {
    pub rows: Vec<PromotionRowDto>,
    pub total: i64,
    pub page: i64,
    pub page_size: i64,
    pub currency: CurrencyFormat,
    pub time_zone: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PromotionDetailDto {
    pub row: PromotionRowDto,
    pub description: String,
    pub code: Option<String>,
    pub stacking: String,
    /// The rule in words, English and Indonesian (`setia_domain::promotion_summary`).
    pub summary_en: String,
    pub summary_id: String,
    pub codes: i64,
    /// The simulator with this promotion's products and shared code filled in.
    pub try_href: String,
    pub can_edit: bool,
    pub currency: CurrencyFormat,
    pub time_zone: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CodeUseDto {
    pub order_id: i64,
    pub order_status: String,
    pub use_status: String,
    pub amount: i64,
    pub created_local: chrono::NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CodeDto {
    pub code: String,
    pub shared: bool,
    pub status: String,
    pub max_uses: Option<i64>,
    pub uses: i64,
    pub orders: Vec<CodeUseDto>,
    pub currency: CurrencyFormat,
}

/// What generating codes answered: the codes, or the task making them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GenerateOutcome {
    pub generated: Option<i64>,
    pub task_id: Option<i64>,
}

#[cfg(feature = "ssr")]
fn row_dto(r: &setia_backend::promotions::PromotionRecord, tz: &chrono_tz::Tz) -> PromotionRowDto {
    let p = &r.promotion;
    let local = |t: chrono::DateTime<chrono::Utc>| t.with_timezone(tz).naive_local();
    PromotionRowDto {
        id: p.id,
        name: p.name.clone(),
        kind: p.kind.as_str().into(),
        status: p.status.as_str().into(),
        starts_local: p.starts_at.map(local),
        ends_local: p.ends_at.map(local),
        priority: p.priority,
        uses: r.uses,
        total_uses: p.limits.total_uses,
        budget_used: r.budget_used.0,
        budget: p.limits.budget.map(|b| b.0),
    }
}

/// `/simulator?sku0=…&qty0=1&…&code=…`: the products the rule names, one each, and its shared code.
#[cfg(feature = "ssr")]
fn simulator_href(p: &setia_domain::promotion::Promotion) -> String {
    use crate::components::list::urlencode;
    let mut skus: Vec<&String> = p.conditions.products.skus.iter().collect();
    if let Some(t) = p.reward.own_target() {
        skus.extend(t.skus.iter().filter(|s| !p.conditions.products.skus.contains(s)));
    }
    let mut q: Vec<String> = skus
        .into_iter()
        .take(crate::api::simulator::SIMULATOR_ROWS)
        .enumerate()
        .map(|(i, s)| format!("sku{i}={}&qty{i}=1", urlencode(s)))
        .collect();
    if let Some(code) = &p.code {
        q.push(format!("code={}", urlencode(code)));
    }
    format!("/simulator?{}", q.join("&"))
}

/// `POST /api/list_promotions` — one page of promotions by the list's filters.
#[server(endpoint = "list_promotions")]
pub async fn list_promotions(
    page: i64,
    status: Option<String>,
    kind: Option<String>,
    running: Option<String>,
    q: Option<String>,
    sort: Option<String>,
) -> Result<PromotionListDto, AppError> {
    crate::guard::require_staff().await?;
    use setia_backend::promotions::list::{PromotionFilter, PromotionSort};
    use setia_domain::promotion::{PromotionKind, PromotionStatus};
    let state = crate::guard::app_state()?;
    let given = |v: Option<String>| v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    let filter = PromotionFilter {
        status: match given(status) {
            Some(s) => Some(PromotionStatus::parse(&s).ok_or_else(|| AppError::invalid("status", "invalid_status", "unknown status"))?),
            None => None,
        },
        kind: match given(kind) {
            Some(k) => Some(PromotionKind::parse(&k).ok_or_else(|| AppError::invalid("kind", "invalid_kind", "unknown kind"))?),
            None => None,
        },
        running_now: given(running).is_some(),
        text: setia_domain::text::SEARCH.parse_optional("q", q.as_deref())?,
        sort: given(sort).and_then(|s| PromotionSort::parse(&s)).unwrap_or_default(),
    };
    let at = setia_domain::paging::Page::new(page, PROMOTION_PAGE_SIZE);
    let data = setia_backend::promotions::pages::promotion_list(&state.db, &state.store, &filter, at, chrono::Utc::now()).await?;
    let tz = data.settings.tz();
    Ok(PromotionListDto {
        rows: data.page.rows.iter().map(|r| row_dto(r, &tz)).collect(),
        total: data.page.total,
        page: at.number,
        page_size: PROMOTION_PAGE_SIZE,
        currency: data.settings.currency.clone(),
        time_zone: data.settings.time_zone.clone(),
    })
}

/// `POST /api/promotion_detail` — one promotion, its rule in words and its code count.
#[server(endpoint = "promotion_detail")]
pub async fn promotion_detail(id: i64) -> Result<PromotionDetailDto, AppError> {
    let user = crate::guard::require_staff().await?;
    use setia_domain::promotion_summary::{summarize, RuleParts};
    use setia_domain::trace::Language;
    let state = crate::guard::app_state()?;
    let data = setia_backend::promotions::pages::promotion_page(&state.db, &state.store, id).await?;
    let tz = data.settings.tz();
    let p = &data.record.promotion;
    let names = |id: i64| data.tier_names.iter().find(|(t, _)| *t == id).map(|(_, n)| n.clone());
    let currency = data.settings.currency.clone();
    Ok(PromotionDetailDto {
        row: row_dto(&data.record, &tz),
        description: data.record.description.clone(),
        code: p.code.clone(),
        stacking: p.stacking.as_str().into(),
        summary_en: summarize(RuleParts::from(p), Language::En, &currency, &names),
        summary_id: summarize(RuleParts::from(p), Language::Id, &currency, &names),
        codes: data.codes,
        try_href: simulator_href(p),
        can_edit: user.role.grants_any(&[setia_domain::Role::Marketing]),
        currency,
        time_zone: data.settings.time_zone.clone(),
    })
}

/// `POST /api/set_promotion_status` (marketing, admin) — activate, pause or end;
/// ending needs the promotion's name typed (`confirm_name`), as the page asks.
#[server(endpoint = "set_promotion_status")]
pub async fn set_promotion_status(id: i64, status: String, confirm_name: Option<String>) -> Result<i64, AppError> {
    let user = crate::guard::require(setia_domain::Role::Marketing).await?;
    use setia_domain::promotion::PromotionStatus;
    let state = crate::guard::app_state()?;
    let status = match PromotionStatus::parse(status.trim()) {
        Some(s) if s != PromotionStatus::Draft => s,
        _ => return Err(AppError::invalid("status", "invalid_status", "status is active, paused or ended")),
    };
    let actor = setia_backend::audit::Actor::staff(user.id, &user.email).from_ip(crate::guard::client_ip().await);
    let typed = match status {
        PromotionStatus::Ended => Some(confirm_name.unwrap_or_default()),
        _ => None,
    };
    setia_backend::promotions::set_status(&state.db, id, status, typed.as_deref(), &actor, chrono::Utc::now()).await?;
    Ok(id)
}

/// `POST /api/generate_codes` (marketing, admin) — up to 10,000 codes now, more as a task.
#[server(endpoint = "generate_codes")]
pub async fn generate_codes(
    id: i64,
    count: String,
    prefix: String,
    pattern: String,
    max_uses: String,
) -> Result<GenerateOutcome, AppError> {
    let user = crate::guard::require(setia_domain::Role::Marketing).await?;
    use setia_backend::promotions::codes::{self, Generated};
    use setia_domain::promotion_code::CodeBatch;
    let state = crate::guard::app_state()?;
    let number = |field: &str, v: &str| -> Result<Option<i64>, AppError> {
        let v = v.trim();
        if v.is_empty() {
            return Ok(None);
        }
        v.parse().map(Some).map_err(|_| AppError::invalid(field, "invalid_number", "enter a whole number"))
    };
    let count = number("count", &count)?.ok_or_else(|| AppError::invalid("count", "invalid_count", "how many codes?"))?;
    let batch = CodeBatch::parse(count, Some(&prefix), Some(&pattern), number("max_uses", &max_uses)?)?;
    let actor = setia_backend::audit::Actor::staff(user.id, &user.email).from_ip(crate::guard::client_ip().await);
    Ok(match codes::generate_codes(&state.db, id, batch, &actor, None, chrono::Utc::now()).await? {
        Generated::Inline { generated } => GenerateOutcome { generated: Some(generated), task_id: None },
        Generated::Task(t) => GenerateOutcome { generated: None, task_id: Some(t.id) },
    })
}

/// `POST /api/find_code` — one code of a promotion, its uses and the orders behind them.
#[server(endpoint = "find_code")]
pub async fn find_code(id: i64, code: String) -> Result<Option<CodeDto>, AppError> {
    crate::guard::require_staff().await?;
    let state = crate::guard::app_state()?;
    let code = setia_domain::text::CODE.parse("code", &code)?;
    let store = state.store.snapshot(&state.db).await?;
    let tz = store.settings.tz();
    let found = setia_backend::promotions::codes::find_code(&state.db, id, &code).await?;
    Ok(found.map(|d| CodeDto {
        code: d.code.code,
        shared: d.code.shared,
        status: d.code.status,
        max_uses: d.code.max_uses,
        uses: d.code.uses,
        orders: d
            .uses
            .into_iter()
            .map(|u| CodeUseDto {
                order_id: u.order_id,
                order_status: u.order_status,
                use_status: u.use_status,
                amount: u.amount,
                created_local: u.created_at.with_timezone(&tz).naive_local(),
            })
            .collect(),
        currency: store.settings.currency.clone(),
    }))
}

/// `POST /api/set_code_status` (marketing, admin) — disable or enable one code.
#[server(endpoint = "set_code_status")]
pub async fn set_code_status(id: i64, code: String, disabled: bool) -> Result<String, AppError> {
    let user = crate::guard::require(setia_domain::Role::Marketing).await?;
    let state = crate::guard::app_state()?;
    let actor = setia_backend::audit::Actor::staff(user.id, &user.email).from_ip(crate::guard::client_ip().await);
    setia_backend::promotions::codes::set_code_status(&state.db, id, &code, disabled, &actor, chrono::Utc::now()).await?;
    Ok(code)
}
