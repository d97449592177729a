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
