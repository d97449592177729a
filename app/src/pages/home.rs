//! `/`: the signed-in user's home: who they are, the store's time and money
//! format, and the pages their role opens.

use crate::api::settings::get_settings;
use crate::components::errors::ErrorNotice;
use crate::components::format::{local_time, RoleName};
use crate::components::layout::{may_open, AUDIT, JOBS, SETTINGS, USERS};
use crate::i18n::*;
use crate::root::CurrentUser;
use leptos::prelude::*;
use leptos_meta::Title;
use setia_domain::Money;

#[component]
pub fn HomePage() -> impl IntoView {
    let i18n = use_i18n();
    let CurrentUser(user) = expect_context::<CurrentUser>();
    let settings = Resource::new(|| (), |_| get_settings());
    view! {
        <Title text=move || t_string!(i18n, home.title).to_string()/>
        <section class="page" data-page="home">
            <Suspense fallback=move || view! { <p class="muted">{t!(i18n, app.loading)}</p> }>
                {move || Suspend::new(async move {
                    let (user, settings) = (user.await, settings.await);
                    let user = match user {
                        Ok(Some(u)) => u,
                        Ok(None) => return ().into_any(),
                        Err(e) => return view! { <ErrorNotice error=e/> }.into_any(),
                    };
                    let settings = match settings {
                        Ok(s) => s,
                        Err(e) => return view! { <ErrorNotice error=e/> }.into_any(),
                    };
                    let name = user.name.clone();
                    let time = local_time(settings.now_local);
                    let zone = settings.time_zone.clone();
                    let example = Money(1_250_000 * 10i64.pow(u32::from(settings.currency.decimals))).format(&settings.currency);
                    let cards = [
                        (may_open(&user, &USERS), USERS.href, 0),
                        (may_open(&user, &AUDIT), AUDIT.href, 1),
                        (may_open(&user, &SETTINGS), SETTINGS.href, 2),
                        (may_open(&user, &JOBS), JOBS.href, 3),
                    ];
                    let role = user.role;
                    view! {
                        <h1>{t!(i18n, home.welcome, name = move || name.clone())}</h1>
                        <p class="muted">{t!(i18n, home.your_role, role = move || view! { <RoleName role/> })}</p>
                        <dl class="facts">
                            <div>
                                <dt>{t!(i18n, home.store_time)}</dt>
                                <dd data-testid="store-time">{t!(i18n, home.store_time_value, time = time.clone(), zone = move || zone.clone())}</dd>
                            </div>
                            <div>
                                <dt>{t!(i18n, home.currency_example)}</dt>
                                <dd data-testid="money-example">{example}</dd>
                            </div>
                        </dl>
                        <h2>{t!(i18n, home.open_pages)}</h2>
                        <div class="cards">
                            {cards.into_iter().filter(|(ok, _, _)| *ok).map(|(_, href, which)| view! {
                                <a class="card" href=href>
                                    <strong>{move || match which {
                                        0 => t_string!(i18n, nav.users).to_string(),
                                        1 => t_string!(i18n, nav.audit).to_string(),
                                        2 => t_string!(i18n, nav.settings).to_string(),
                                        _ => t_string!(i18n, nav.jobs).to_string(),
                                    }}</strong>
                                    <span class="muted">{move || match which {
                                        0 => t_string!(i18n, home.users_card).to_string(),
                                        1 => t_string!(i18n, home.audit_card).to_string(),
                                        2 => t_string!(i18n, home.settings_card).to_string(),
                                        _ => t_string!(i18n, home.jobs_card).to_string(),
                                    }}</span>
                                </a>
                            }).collect_view()}
                        </div>
                        <p class="muted">{t!(i18n, home.nothing_yet)}</p>
                    }.into_any()
                })}
            </Suspense>
        </section>
    }
}
