//! Errors in words, in the user's language.

use crate::error::AppError;
use crate::i18n::*;
use leptos::prelude::*;

/// The sentence for an error; codes without a translation fall back to the
/// server's English message.
pub fn error_text(i18n: leptos_i18n::I18nContext<Locale>, err: &AppError) -> String {
    match err {
        AppError::Unauthenticated => t_string!(i18n, errors.unauthenticated).to_string(),
        AppError::Forbidden => t_string!(i18n, errors.forbidden).to_string(),
        AppError::CrossSite => t_string!(i18n, errors.cross_site_request).to_string(),
        AppError::InvalidCredentials => t_string!(i18n, errors.invalid_credentials).to_string(),
        AppError::TooManyAttempts { retry_after_minutes } => {
            t_string!(i18n, errors.too_many_attempts, minutes = *retry_after_minutes).to_string()
        }
        AppError::RateLimited { .. } => t_string!(i18n, errors.rate_limited).to_string(),
        AppError::Busy => t_string!(i18n, errors.busy).to_string(),
        AppError::NotFound { .. } => t_string!(i18n, errors.not_found).to_string(),
        AppError::Internal => t_string!(i18n, errors.internal).to_string(),
        AppError::Transport { .. } => t_string!(i18n, errors.transport).to_string(),
        AppError::MalformedRequest { .. } => t_string!(i18n, errors.malformed_request).to_string(),
        AppError::Invalid { code, message, .. } | AppError::Conflict { code, message, .. } => {
            code_text(i18n, code).unwrap_or_else(|| message.clone())
        }
    }
}

/// The sentence for an error code carried in a URL (`/login?error=…`).
pub fn code_text(i18n: leptos_i18n::I18nContext<Locale>, code: &str) -> Option<String> {
    Some(match code {
        "unauthenticated" => t_string!(i18n, errors.unauthenticated).to_string(),
        "forbidden" => t_string!(i18n, errors.forbidden).to_string(),
        "cross_site_request" => t_string!(i18n, errors.cross_site_request).to_string(),
        "invalid_credentials" => t_string!(i18n, errors.invalid_credentials).to_string(),
        "internal" => t_string!(i18n, errors.internal).to_string(),
        "rate_limited" => t_string!(i18n, errors.rate_limited).to_string(),
        "invalid_text" => t_string!(i18n, errors.invalid_text).to_string(),
        "text_too_long" => t_string!(i18n, errors.text_too_long).to_string(),
        "required" => t_string!(i18n, errors.required).to_string(),
        "external_id_taken" => t_string!(i18n, errors.external_id_taken).to_string(),
        "busy" => t_string!(i18n, errors.busy).to_string(),
        "email_malformed" => t_string!(i18n, errors.email_malformed).to_string(),
        "email_taken" => t_string!(i18n, errors.email_taken).to_string(),
        "name_required" => t_string!(i18n, errors.name_required).to_string(),
        "role_unknown" => t_string!(i18n, errors.role_unknown).to_string(),
        "password_too_short" => t_string!(i18n, errors.password_too_short).to_string(),
        "cannot_change_self" => t_string!(i18n, errors.cannot_change_self).to_string(),
        "time_zone_unknown" => t_string!(i18n, errors.time_zone_unknown).to_string(),
        "currency_symbol_invalid" => t_string!(i18n, errors.currency_symbol_invalid).to_string(),
        "currency_decimals_invalid" => t_string!(i18n, errors.currency_decimals_invalid).to_string(),
        "loyalty_threshold_invalid" => t_string!(i18n, errors.loyalty_threshold_invalid).to_string(),
        "invalid_number" => t_string!(i18n, errors.invalid_number).to_string(),
        "invalid_window" => t_string!(i18n, errors.invalid_window).to_string(),
        "invalid_percent" => t_string!(i18n, errors.invalid_percent).to_string(),
        "minimums_not_increasing" => t_string!(i18n, errors.minimums_not_increasing).to_string(),
        "invalid_amount" => t_string!(i18n, errors.invalid_amount).to_string(),
        "unknown_code" => t_string!(i18n, errors.unknown_code).to_string(),
        "code_inactive" => t_string!(i18n, errors.code_inactive).to_string(),
        "code_disabled" => t_string!(i18n, errors.code_disabled).to_string(),
        "code_used_up" => t_string!(i18n, errors.code_used_up).to_string(),
        "name_taken" => t_string!(i18n, errors.name_taken).to_string(),
        "invalid_colour" => t_string!(i18n, errors.invalid_colour).to_string(),
        "invalid_earn_rate" => t_string!(i18n, errors.invalid_earn_rate).to_string(),
        "invalid_date" => t_string!(i18n, errors.invalid_date).to_string(),
        _ => return None,
    })
}

/// A notice box for an error, announced to screen readers.
#[component]
pub fn ErrorNotice(error: AppError) -> impl IntoView {
    let i18n = use_i18n();
    let code = error.code().to_string();
    view! {
        <div class="notice notice-error" role="alert" data-error-code=code>
            {move || error_text(i18n, &error)}
        </div>
    }
}

/// The message under a form field when the server blamed that field.
#[component]
pub fn FieldError(#[prop(into)] field: String, #[prop(into)] error: Signal<Option<AppError>>) -> impl IntoView {
    let i18n = use_i18n();
    let id = format!("{field}-error");
    move || {
        error.get().filter(|e| e.field() == Some(field.as_str())).map(|e| {
            view! { <p class="field-error" id=id.clone() role="alert">{error_text(i18n, &e)}</p> }
        })
    }
}

/// The page shown when the signed-in user's role may not open a page.
#[component]
pub fn Forbidden() -> impl IntoView {
    let i18n = use_i18n();
    // A server-rendered refusal is a 403 even when no server function refused
    // (e.g. settings are readable by all, but only admins open their editor).
    #[cfg(feature = "ssr")]
    if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
        res.set_status(http::StatusCode::FORBIDDEN);
    }
    view! {
        <section class="page" data-page="forbidden">
            <h1>{t!(i18n, errors.forbidden_title)}</h1>
            <div class="notice notice-error" role="alert" data-error-code="forbidden">
                {t!(i18n, errors.forbidden)}
            </div>
        </section>
    }
}

/// What a page shows when its data could not be loaded: the refusal page for a
/// role that may not open it, the login page for a visitor, the error otherwise.
pub fn refusal_view(error: AppError) -> AnyView {
    match error {
        AppError::Forbidden => view! { <Forbidden/> }.into_any(),
        AppError::Unauthenticated => view! { <leptos_router::components::Redirect path="/login"/> }.into_any(),
        AppError::NotFound { .. } => {
            // A record that does not exist is a 404 page, not a 200 with a notice.
            #[cfg(feature = "ssr")]
            if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
                res.set_status(http::StatusCode::NOT_FOUND);
            }
            view! { <section class="page" data-page="not-found"><ErrorNotice error=AppError::not_found("page")/></section> }.into_any()
        }
        other => view! { <ErrorNotice error=other/> }.into_any(),
    }
}
