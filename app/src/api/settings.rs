//! Store settings: every staff user reads them (money and time display), admins change them.

use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use setia_domain::{CurrencyFormat, Money, Percent};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SettingsDto {
    pub time_zone: String,
    pub currency: CurrencyFormat,
    pub loyalty_threshold: Money,
    pub max_discount_share: Percent,
    /// The store's current local time, to show what the zone means.
    pub now_local: chrono::NaiveDateTime,
}

#[cfg(feature = "ssr")]
fn to_dto(s: setia_backend::settings::StoreSettings) -> SettingsDto {
    let now_local = chrono::Utc::now().with_timezone(&s.tz()).naive_local();
    SettingsDto {
        time_zone: s.time_zone,
        currency: s.currency,
        loyalty_threshold: s.loyalty_threshold,
        max_discount_share: s.max_discount_share,
        now_local,
    }
}

/// `POST /api/get_settings` — the store settings (any staff user).
#[server(endpoint = "get_settings")]
pub async fn get_settings() -> Result<SettingsDto, AppError> {
    crate::guard::require_staff().await?;
    let state = crate::guard::app_state()?;
    Ok(to_dto(setia_backend::settings::load(&state.db).await?))
}

/// `POST /api/save_settings` — changes the store settings (admin), audited.
#[server(endpoint = "save_settings")]
pub async fn save_settings(
    time_zone: String,
    currency_symbol: String,
    currency_decimals: String,
    loyalty_threshold: String,
    max_discount_share: String,
) -> Result<SettingsDto, AppError> {
    let admin = crate::guard::require(setia_domain::Role::Admin).await?;
    use setia_backend::settings::{self, SettingsError};
    let state = crate::guard::app_state()?;
    let decimals = currency_decimals.trim().parse::<i64>().map_err(|_| AppError::from(SettingsError::BadDecimals))?;
    let threshold =
        loyalty_threshold.trim().replace(['.', ' '], "").parse::<i64>().map_err(|_| AppError::from(SettingsError::BadLoyaltyThreshold))?;
    let new = settings::validate(&time_zone, &currency_symbol, decimals, threshold, &max_discount_share)?;
    let actor = setia_backend::audit::Actor::staff(admin.id, &admin.email);
    let saved = settings::save(&state.db, &new, &actor, crate::guard::client_ip().await).await?;
    Ok(to_dto(saved))
}
