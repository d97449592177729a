//! `/login`: email and password. Works before hydration (a plain form post that
//! the server answers with a redirect) and after (errors shown in place).

use crate::api::auth::Login;
use crate::components::errors::{code_text, error_text};
use crate::components::language::LanguageSwitch;
use crate::i18n::*;
use crate::root::CurrentUser;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Redirect;
use leptos_router::hooks::use_query_map;

#[component]
pub fn LoginPage() -> impl IntoView {
    let i18n = use_i18n();
    let CurrentUser(user) = expect_context::<CurrentUser>();
    let login = ServerAction::<Login>::new();
    let query = use_query_map();
    Effect::new(move |_| {
        if let Some(Ok(())) = login.value().get() {
            // A full load of `/` so every part of the page sees the new session.
            #[cfg(feature = "hydrate")]
            if let Some(w) = web_sys::window() {
                let _ = w.location().assign("/");
            }
        }
    });
    let message = move || match login.value().get() {
        Some(Err(e)) => Some((e.code().to_string(), error_text(i18n, &e))),
        Some(Ok(())) => None,
        None => {
            let q = query.read();
            let code = q.get("error")?;
            let text = if code == "too_many_attempts" {
                let minutes: i64 = q.get("minutes").and_then(|m| m.parse().ok()).unwrap_or(15);
                t_string!(i18n, errors.too_many_attempts, minutes).to_string()
            } else {
                code_text(i18n, &code).unwrap_or_else(|| t_string!(i18n, errors.internal).to_string())
            };
            Some((code, text))
        }
    };
    view! {
        <Title text=move || t_string!(i18n, login.title).to_string()/>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                matches!(user.await, Ok(Some(_))).then(|| view! { <Redirect path="/"/> })
            })}
        </Suspense>
        <main class="login-page" data-page="login">
            <div class="login-card">
                <div class="login-head">
                    <span class="brand-mark" aria-hidden="true">"S"</span>
                    <LanguageSwitch/>
                </div>
                <h1>{t!(i18n, login.title)}</h1>
                <p class="muted">{t!(i18n, app.tagline)}</p>
                {move || message().map(|(code, text)| view! {
                    <div class="notice notice-error" role="alert" data-error-code=code>{text}</div>
                })}
                <ActionForm action=login attr:class="form" attr:data-testid="login-form">
                    <div class="field">
                        <label for="email">{t!(i18n, login.email)}</label>
                        <input id="email" name="email" type="email" autocomplete="username" required/>
                    </div>
                    <div class="field">
                        <label for="password">{t!(i18n, login.password)}</label>
                        <input id="password" name="password" type="password" autocomplete="current-password" required/>
                    </div>
                    <button type="submit" class="button button-primary" disabled=move || login.pending().get()>
                        {move || if login.pending().get() {
                            t_string!(i18n, login.submitting).to_string()
                        } else {
                            t_string!(i18n, login.submit).to_string()
                        }}
                    </button>
                </ActionForm>
                <p class="muted small">{t!(i18n, login.help)}</p>
            </div>
        </main>
    }
}
