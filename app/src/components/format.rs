//! Showing values in the user's language.

use crate::i18n::*;
use leptos::prelude::*;
use setia_domain::datetime::{format_local_datetime, DisplayLanguage};
use setia_domain::Role;

pub fn display_language(locale: Locale) -> DisplayLanguage {
    match locale {
        Locale::en => DisplayLanguage::En,
        Locale::id => DisplayLanguage::Id,
    }
}

/// The language discount traces are written in for this locale.
pub fn trace_language(locale: Locale) -> setia_domain::trace::Language {
    match display_language(locale) {
        DisplayLanguage::Id => setia_domain::trace::Language::Id,
        DisplayLanguage::En => setia_domain::trace::Language::En,
    }
}

/// A store-local time in the current language, reactive to language changes.
pub fn local_time(t: chrono::NaiveDateTime) -> impl Fn() -> String + Clone + Send + Sync + 'static {
    let i18n = use_i18n();
    move || format_local_datetime(t, display_language(i18n.get_locale()))
}

/// A role's name in the current language.
#[component]
pub fn RoleName(role: Role) -> impl IntoView {
    let i18n = use_i18n();
    move || match role {
        Role::Admin => t_string!(i18n, roles.admin),
        Role::Marketing => t_string!(i18n, roles.marketing),
        Role::Support => t_string!(i18n, roles.support),
    }
}

/// Money in the store's currency, e.g. `Rp 1.250.000`.
pub fn money(amount: i64, currency: &setia_domain::CurrencyFormat) -> String {
    setia_domain::Money(amount).format(currency)
}

/// An order status as a coloured badge that always carries its name (UI.md:
/// green paid/completed, amber pending, red expired, grey cancelled).
#[component]
pub fn OrderStatusBadge(#[prop(into)] status: String) -> impl IntoView {
    let i18n = use_i18n();
    let class = match status.as_str() {
        "paid" | "shipped" | "completed" => "badge badge-ok",
        "pending_payment" | "partially_refunded" => "badge badge-warn",
        "expired" => "badge badge-error",
        _ => "badge badge-muted",
    };
    let label = {
        let status = status.clone();
        move || match status.as_str() {
            "pending_payment" => t_string!(i18n, order_status.pending_payment).to_string(),
            "paid" => t_string!(i18n, order_status.paid).to_string(),
            "shipped" => t_string!(i18n, order_status.shipped).to_string(),
            "completed" => t_string!(i18n, order_status.completed).to_string(),
            "cancelled" => t_string!(i18n, order_status.cancelled).to_string(),
            "expired" => t_string!(i18n, order_status.expired).to_string(),
            "partially_refunded" => t_string!(i18n, order_status.partially_refunded).to_string(),
            "refunded" => t_string!(i18n, order_status.refunded).to_string(),
            other => other.to_string(),
        }
    };
    view! { <span class=class data-status=status>{label}</span> }
}

/// A tier's name with its colour as a swatch (the name is always written).
#[component]
pub fn TierName(#[prop(into)] name: String, #[prop(into)] colour: String) -> impl IntoView {
    view! {
        <span class="tier-name">
            <span class="swatch" aria-hidden="true" style=format!("background:{colour}")></span>
            {name}
        </span>
    }
}
