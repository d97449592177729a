//! Store settings (docs/SPEC.md §2, §3): time zone, currency display, loyalty threshold, the
//! maximum share of an order all discounts together may take (§2.3.1 rule 5). Stored as rows
//! under stable keys; a missing row means the default written here.

use crate::audit::{self, Actor, AuditEntry};
use crate::db::Db;
use crate::dispatch;
use anyhow::Context;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use serde_json::json;
use setia_domain::pricing::PricingSettings;
use setia_domain::text::{self, TextError, TextProblem};
use setia_domain::{CurrencyFormat, Money, Percent};
use std::collections::HashMap;

pub const DEFAULT_TIME_ZONE: &str = "Asia/Jakarta";
/// A customer is loyal from this much total spending (docs/SPEC.md §2.1): Rp 5.000.000.
pub const DEFAULT_LOYALTY_THRESHOLD: Money = Money(5_000_000);

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoreSettings {
    /// IANA zone in which "today", birthdays and shown times are reckoned.
    pub time_zone: String,
    pub currency: CurrencyFormat,
    /// Total spending from which a customer is loyal, in minor units.
    pub loyalty_threshold: Money,
    /// The most of an order's subtotal all its discounts together may take (rule 5).
    #[serde(default = "full_share")]
    pub max_discount_share: Percent,
}

fn full_share() -> Percent {
    Percent::HUNDRED
}

impl Default for StoreSettings {
    fn default() -> Self {
        StoreSettings {
            time_zone: DEFAULT_TIME_ZONE.into(),
            currency: CurrencyFormat::idr(),
            loyalty_threshold: DEFAULT_LOYALTY_THRESHOLD,
            max_discount_share: Percent::HUNDRED,
        }
    }
}

impl StoreSettings {
    pub fn tz(&self) -> Tz {
        self.time_zone.parse().unwrap_or(chrono_tz::Asia::Jakarta)
    }

    /// What pricing reads from the settings.
    pub fn pricing(&self) -> PricingSettings {
        PricingSettings { max_discount_share: self.max_discount_share }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("`{0}` is not a known time zone (use a name like Asia/Jakarta)")]
    UnknownTimeZone(String),
    #[error("currency symbol is required (at most 8 characters)")]
    BadCurrencySymbol,
    #[error("currency decimals must be 0, 1, 2 or 3")]
    BadDecimals,
    #[error("loyalty threshold must be a whole amount of at least 0")]
    BadLoyaltyThreshold,
    #[error("the maximum discount share is a percent above 0 and at most 100, with at most two decimals")]
    BadMaxDiscountShare,
    #[error(transparent)]
    Text(TextError),
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

/// The checked form of a settings change.
pub fn validate(
    time_zone: &str,
    currency_symbol: &str,
    currency_decimals: i64,
    loyalty_threshold: i64,
    max_discount_share: &str,
) -> Result<StoreSettings, SettingsError> {
    let tz = time_zone.trim();
    tz.parse::<Tz>().map_err(|_| SettingsError::UnknownTimeZone(tz.to_string()))?;
    let symbol = text::CURRENCY_SYMBOL.parse("currency_symbol", currency_symbol).map_err(|e| match e.problem {
        TextProblem::ControlCharacter => SettingsError::Text(e),
        TextProblem::Required | TextProblem::TooLong { .. } => SettingsError::BadCurrencySymbol,
    })?;
    let decimals = u8::try_from(currency_decimals).ok().filter(|d| *d <= 3).ok_or(SettingsError::BadDecimals)?;
    let mut currency = CurrencyFormat::idr();
    currency.symbol = symbol;
    currency.decimals = decimals;
    if loyalty_threshold < 0 {
        return Err(SettingsError::BadLoyaltyThreshold);
    }
    let max_discount_share =
        Percent::parse(max_discount_share).ok().filter(|p| p.basis_points() > 0).ok_or(SettingsError::BadMaxDiscountShare)?;
    Ok(StoreSettings { time_zone: tz.to_string(), currency, loyalty_threshold: Money(loyalty_threshold), max_discount_share })
}

#[tracing::instrument(skip_all)]
pub async fn load(db: &Db) -> anyhow::Result<StoreSettings> {
    let rows: Vec<(String, String)> =
        dispatch!(db, |c| sqlx::query_as("SELECT key, value FROM settings").fetch_all(c).await).context("load settings")?;
    let map: HashMap<String, String> = rows.into_iter().collect();
    let mut s = StoreSettings::default();
    if let Some(tz) = map.get("store.time_zone").filter(|v| v.parse::<Tz>().is_ok()) {
        s.time_zone = tz.clone();
    }
    if let Some(sym) = map.get("currency.symbol") {
        s.currency.symbol = sym.clone();
    }
    if let Some(d) = map.get("currency.decimals").and_then(|d| d.parse().ok()) {
        s.currency.decimals = d;
    }
    if let Some(t) = map.get("loyalty.threshold").and_then(|t| t.parse().ok()) {
        s.loyalty_threshold = Money(t);
    }
    if let Some(p) = map.get("pricing.max_discount_share").and_then(|p| Percent::parse(p).ok()).filter(|p| p.basis_points() > 0) {
        s.max_discount_share = p;
    }
    Ok(s)
}

/// Saves new settings and one audit row with before and after, in one transaction.
#[tracing::instrument(skip_all)]
pub async fn save(db: &Db, new: &StoreSettings, actor: &Actor, ip: Option<String>) -> Result<StoreSettings, SettingsError> {
    let before = load(db).await?;
    let now: DateTime<Utc> = Utc::now();
    let mut tx = db.begin_write().await?;
    let pairs = [
        ("store.time_zone", new.time_zone.clone()),
        ("currency.symbol", new.currency.symbol.clone()),
        ("currency.decimals", new.currency.decimals.to_string()),
        ("loyalty.threshold", new.loyalty_threshold.0.to_string()),
        ("pricing.max_discount_share", new.max_discount_share.to_string()),
    ];
    for (key, value) in pairs {
        dispatch!(tx &mut tx, |c| sqlx::query(
            "INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at"
        )
        .bind(key)
        .bind(&value)
        .bind(now)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))
        .context("save setting")?;
    }
    audit::record(
        &mut tx,
        AuditEntry {
            actor: actor.clone(),
            action: "settings.update",
            entity_type: "settings",
            entity_id: None,
            before: Some(json!(before)),
            after: Some(json!(new)),
            ip,
            at: now,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(new.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validates_each_field() {
        assert!(validate("Asia/Jakarta", "Rp", 0, 5_000_000, "100").is_ok());
        assert!(matches!(validate("Mars/Olympus", "Rp", 0, 0, "100"), Err(SettingsError::UnknownTimeZone(_))));
        assert!(matches!(validate("Asia/Makassar", " ", 0, 0, "100"), Err(SettingsError::BadCurrencySymbol)));
        assert!(matches!(validate("Asia/Makassar", "Rupiah123", 0, 0, "100"), Err(SettingsError::BadCurrencySymbol)));
        assert!(matches!(validate("Asia/Makassar", "R\u{0}p", 0, 0, "100"), Err(SettingsError::Text(_))));
        assert_eq!(validate("Asia/Makassar", " Rp ", 0, 0, "100").unwrap().currency.symbol, "Rp");
        assert!(matches!(validate("Asia/Makassar", "Rp", 4, 0, "100"), Err(SettingsError::BadDecimals)));
        assert!(matches!(validate("Asia/Makassar", "Rp", -1, 0, "100"), Err(SettingsError::BadDecimals)));
        assert!(matches!(validate("Asia/Makassar", "Rp", 0, -1, "100"), Err(SettingsError::BadLoyaltyThreshold)));
        assert_eq!(validate("Asia/Makassar", "Rp", 0, 0, "60.5").unwrap().max_discount_share.basis_points(), 6_050);
        for bad in ["0", "100.01", "-5", "lima", "12.345", ""] {
            assert!(matches!(validate("Asia/Makassar", "Rp", 0, 0, bad), Err(SettingsError::BadMaxDiscountShare)), "{bad}");
        }
    }
}
