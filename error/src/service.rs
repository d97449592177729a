//! The one mapping from each backend service error to [`AppError`]. Server
//! functions use it with `?`; the REST API turns the result into its JSON error
//! format (`src/api/error.rs`). A service error is mapped here and nowhere else.

use crate::AppError;
use setia_backend::customers::CustomerError;
use setia_backend::login::LoginError;
use setia_backend::orders::OrderError;
use setia_backend::products::ProductError;
use setia_backend::promotions::PromotionError;
use setia_backend::settings::SettingsError;
use setia_backend::staff::StaffError;
use setia_backend::tiers::TierError;

/// An unexpected failure: `Busy` when the database was only busy (a lock or
/// statement timeout: retrying helps), else `Internal` with the cause logged.
impl From<anyhow::Error> for AppError {
    fn from(e: anyhow::Error) -> Self {
        if setia_backend::db::is_busy(&e) {
            tracing::warn!(cause = ?e, "request refused: database busy");
            return AppError::Busy;
        }
        AppError::internal(e)
    }
}

impl From<TierError> for AppError {
    fn from(e: TierError) -> Self {
        match e {
            TierError::Invalid(e) => e.into(),
            TierError::NotFound => AppError::not_found("no tier with this id"),
            TierError::Unexpected(e) => e.into(),
        }
    }
}

impl From<OrderError> for AppError {
    fn from(e: OrderError) -> Self {
        let code = e.code();
        match e {
            OrderError::Invalid { field, message, .. } => AppError::invalid(&field, code, message),
            OrderError::NotFound => AppError::not_found("no order with this id"),
            OrderError::Unexpected(cause) => cause.into(),
            conflict => AppError::conflict(code, conflict.to_string()),
        }
    }
}

impl From<PromotionError> for AppError {
    fn from(e: PromotionError) -> Self {
        match e {
            PromotionError::Invalid { field, code, message } => AppError::invalid(&field, code, message),
            PromotionError::NotFound => AppError::not_found("no promotion with this id"),
            e @ PromotionError::StatusChange { .. } => {
                AppError::Conflict { code: "invalid_status_change".into(), message: e.to_string(), field: Some("status".into()) }
            }
            PromotionError::Unexpected(e) => e.into(),
        }
    }
}

impl From<CustomerError> for AppError {
    fn from(e: CustomerError) -> Self {
        let message = e.to_string();
        match e {
            CustomerError::PhoneTaken => AppError::invalid("phone", "phone_taken", message),
            CustomerError::EmailTaken => AppError::invalid("email", "email_taken", message),
            CustomerError::ExternalIdTaken => AppError::invalid("external_id", "external_id_taken", message),
            CustomerError::Invalid(e) => e.into(),
            CustomerError::Unexpected(e) => e.into(),
        }
    }
}

impl From<ProductError> for AppError {
    fn from(e: ProductError) -> Self {
        let message = e.to_string();
        match e {
            ProductError::BadSku => AppError::invalid("sku", "invalid_sku", message),
            ProductError::NameRequired => AppError::invalid("name", "name_required", message),
            ProductError::NegativePrice => AppError::invalid("price", "invalid_amount", message),
            ProductError::Text(e) => e.into(),
            ProductError::Unexpected(e) => e.into(),
        }
    }
}

impl From<StaffError> for AppError {
    fn from(e: StaffError) -> Self {
        let message = e.to_string();
        match e {
            StaffError::EmailTaken => AppError::invalid("email", "email_taken", message),
            StaffError::NameRequired => AppError::invalid("name", "name_required", message),
            StaffError::Text(e) => e.into(),
            StaffError::Unexpected(e) => e.into(),
        }
    }
}

impl From<SettingsError> for AppError {
    fn from(e: SettingsError) -> Self {
        let message = e.to_string();
        let (field, code) = match e {
            SettingsError::UnknownTimeZone(_) => ("time_zone", "time_zone_unknown"),
            SettingsError::BadCurrencySymbol => ("currency_symbol", "currency_symbol_invalid"),
            SettingsError::BadDecimals => ("currency_decimals", "currency_decimals_invalid"),
            SettingsError::BadLoyaltyThreshold => ("loyalty_threshold", "loyalty_threshold_invalid"),
            SettingsError::BadMaxDiscountShare => ("max_discount_share", "invalid_percent"),
            SettingsError::Text(e) => return e.into(),
            SettingsError::Unexpected(e) => return e.into(),
        };
        AppError::invalid(field, code, message)
    }
}

impl From<LoginError> for AppError {
    fn from(e: LoginError) -> Self {
        match e {
            LoginError::InvalidCredentials => AppError::InvalidCredentials,
            LoginError::TooManyAttempts { retry_after_minutes } => AppError::TooManyAttempts { retry_after_minutes },
            e @ LoginError::MalformedEmail => AppError::invalid("email", "email_malformed", e.to_string()),
            LoginError::Busy => AppError::Busy,
            LoginError::Unexpected(e) => e.into(),
        }
    }
}
