//! Any path that is not a page.

use crate::i18n::*;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn NotFoundPage() -> impl IntoView {
    let i18n = use_i18n();
    #[cfg(feature = "ssr")]
    if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
        res.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text=move || t_string!(i18n, errors.not_found_title).to_string()/>
        <main class="login-page" data-page="not-found">
            <div class="login-card">
                <h1>{t!(i18n, errors.not_found_title)}</h1>
                <p><a href="/">{t!(i18n, errors.not_found_link)}</a></p>
            </div>
        </main>
    }
}
