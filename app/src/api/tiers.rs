//! The tier editor (docs/SPEC.md §2.2): every staff role reads the tiers, their
//! distribution and who is close to the next tier; admins and marketing edit
//! them, after a preview of how many customers would move.

use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use setia_domain::CurrencyFormat;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TierDto {
    pub id: i64,
    pub name: String,
    pub min_spending: i64,
    pub window_days: Option<i32>,
    pub earn_rate_points: i64,
    pub earn_rate_per: i64,
    pub discount_percent: Option<String>,
    pub colour: String,
    pub customers: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NearDto {
    pub customer_id: i64,
    pub name: String,
    pub tier: Option<String>,
    pub next: String,
    pub missing: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TiersOverviewDto {
    pub tiers: Vec<TierDto>,
    pub no_tier: i64,
    pub near: Vec<NearDto>,
    pub near_total: i64,
    pub currency: CurrencyFormat,
    pub can_edit: bool,
}

/// The editor's fields as typed; a preview hands them back so the save that
/// follows saves exactly what was previewed.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct TierForm {
    pub id: String,
    pub name: String,
    pub min_spending: String,
    pub window_days: String,
    pub earn_rate_points: String,
    pub earn_rate_per: String,
    pub discount_percent: String,
    pub colour: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TierMovesDto {
    pub up: i64,
    pub down: i64,
    pub unchanged: i64,
    pub form: TierForm,
}

pub const EDITORS: [setia_domain::Role; 2] = [setia_domain::Role::Admin, setia_domain::Role::Marketing];

/// `POST /api/tiers_overview` — the ladder, customers per tier, and customers
/// within 10 % of their next tier.
#[server(endpoint = "tiers_overview")]
pub async fn tiers_overview() -> Result<TiersOverviewDto, AppError> {
    let me = crate::guard::require_staff().await?;
    let state = crate::guard::app_state()?;
    let o = setia_backend::back_office_pages::tiers_overview(&state.db, &state.store, chrono::Utc::now(), 20).await?;
    let count_of = |id: Option<i64>| o.counts.iter().find(|(t, _)| *t == id).map_or(0, |(_, n)| *n);
    let near = o
        .near
        .into_iter()
        .filter_map(|n| {
            let next = n.facts.standing.next.as_ref()?;
            Some(NearDto {
                customer_id: n.facts.customer_id,
                name: n.name,
                tier: n.facts.tier().map(|t| t.name.clone()),
                next: next.tier.name.clone(),
                missing: next.missing.0,
            })
        })
        .collect();
    Ok(TiersOverviewDto {
        tiers: o
            .tiers
            .iter()
            .map(|t| TierDto {
                id: t.id,
                name: t.name.clone(),
                min_spending: t.min_spending,
                window_days: t.window_days,
                earn_rate_points: t.earn_rate_points,
                earn_rate_per: t.earn_rate_per,
                discount_percent: t.discount().map(|p| p.to_string()),
                colour: t.colour.clone(),
                customers: count_of(Some(t.id)),
            })
            .collect(),
        no_tier: count_of(None),
        near,
        near_total: o.near_total,
        currency: o.settings.currency,
        can_edit: me.role.grants_any(&EDITORS),
    })
}

/// Reads the editor's form; errors name the field.
#[cfg(feature = "ssr")]
#[allow(clippy::too_many_arguments)]
fn parse_form(
    id: &str,
    name: String,
    min_spending: &str,
    window_days: &str,
    earn_rate_points: &str,
    earn_rate_per: &str,
    discount_percent: &str,
    colour: String,
) -> Result<(Option<i64>, setia_backend::tiers::TierDefinition), AppError> {
    // The form's numbers may carry thousands separators (`1.000.000`); the rule
    // for the tier itself is the domain's, the same the API applies.
    let int = |field: &str, v: &str| -> Result<i64, AppError> {
        v.trim().replace(['.', ' '], "").parse::<i64>().map_err(|_| AppError::invalid(field, "invalid_number", "a whole number"))
    };
    let id = match id.trim() {
        "" => None,
        v => Some(v.parse::<i64>().map_err(|_| AppError::invalid("id", "invalid_id", "unknown tier"))?),
    };
    let window_days = match window_days.trim() {
        "" => None,
        v => Some(int("window_days", v)?),
    };
    let draft = setia_backend::tiers::TierDraft {
        name,
        min_spending: int("min_spending", min_spending)?,
        window_days,
        earn_rate_points: int("earn_rate_points", earn_rate_points)?,
        earn_rate_per: int("earn_rate_per", earn_rate_per)?,
        discount_percent: Some(discount_percent.replace(',', ".")),
        colour: Some(colour),
    };
    Ok((id, setia_backend::tiers::TierDefinition::parse(draft)?))
}

/// `POST /api/preview_tier` — how many customers would move up or down if the
/// form were saved. Changes nothing.
#[server(endpoint = "preview_tier")]
#[allow(clippy::too_many_arguments)]
pub async fn preview_tier(
    id: String,
    name: String,
    min_spending: String,
    window_days: String,
    earn_rate_points: String,
    earn_rate_per: String,
    discount_percent: String,
    colour: String,
) -> Result<TierMovesDto, AppError> {
    crate::guard::require_any(&EDITORS).await?;
    use setia_backend::tiers::{proposed_ladder, TierRow};
    let state = crate::guard::app_state()?;
    let form = TierForm {
        id: id.clone(),
        name: name.clone(),
        min_spending: min_spending.clone(),
        window_days: window_days.clone(),
        earn_rate_points: earn_rate_points.clone(),
        earn_rate_per: earn_rate_per.clone(),
        discount_percent: discount_percent.clone(),
        colour: colour.clone(),
    };
    let (id, input) = parse_form(&id, name, &min_spending, &window_days, &earn_rate_points, &earn_rate_per, &discount_percent, colour)?;
    let existing = setia_backend::tiers::list_tiers(&state.db).await?;
    if id.is_some_and(|id| !existing.iter().any(|t| t.id == id)) {
        return Err(AppError::not_found("no tier with this id"));
    }
    let proposed = proposed_ladder(&existing, id, &input);
    setia_domain::tier::validate_ladder(&proposed).map_err(setia_domain::Invalid::from)?;
    let current: Vec<_> = existing.iter().map(TierRow::rule).collect();
    let m = setia_backend::tier_census::preview_moves(&state.db, &current, &proposed, chrono::Utc::now()).await?;
    Ok(TierMovesDto { up: m.up, down: m.down, unchanged: m.unchanged, form })
}

/// `POST /api/save_tier` — creates (empty id) or changes a tier, audited.
#[server(endpoint = "save_tier")]
#[allow(clippy::too_many_arguments)]
pub async fn save_tier(
    id: String,
    name: String,
    min_spending: String,
    window_days: String,
    earn_rate_points: String,
    earn_rate_per: String,
    discount_percent: String,
    colour: String,
) -> Result<i64, AppError> {
    let me = crate::guard::require_any(&EDITORS).await?;
    let state = crate::guard::app_state()?;
    let (id, input) = parse_form(&id, name, &min_spending, &window_days, &earn_rate_points, &earn_rate_per, &discount_percent, colour)?;
    let actor = setia_backend::audit::Actor::staff(me.id, &me.email).from_ip(crate::guard::client_ip().await);
    let saved = match id {
        Some(id) => setia_backend::tiers::update_tier(&state.db, id, input, &actor).await,
        None => setia_backend::tiers::create_tier(&state.db, input, &actor).await,
    }?;
    Ok(saved.id)
}
