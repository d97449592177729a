//! The English / Bahasa Indonesia switch. The choice is kept in a cookie, so the
//! next server render already uses it.

use crate::i18n::*;
use leptos::prelude::*;

#[component]
pub fn LanguageSwitch() -> impl IntoView {
    let i18n = use_i18n();
    let button = move |locale: Locale, label: &'static str, name: &'static str| {
        view! {
            <button
                type="button"
                class="lang-option"
                lang=name
                data-locale=name
                aria-pressed=move || (i18n.get_locale() == locale).to_string()
                on:click=move |_| i18n.set_locale(locale)
            >
                {label}
            </button>
        }
    };
    view! {
        <div class="lang-switch" role="group" aria-label=move || t_string!(i18n, header.language).to_string()>
            {button(Locale::en, "EN", "en")}
            {button(Locale::id, "ID", "id")}
        </div>
    }
}
