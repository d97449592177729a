//! The signed-in frame: sidebar navigation (only pages the role may open), the
//! signed-in user with role, language switch and sign-out.

use crate::api::auth::{Logout, SessionUser};
use crate::components::errors::ErrorNotice;
use crate::components::format::RoleName;
use crate::components::language::LanguageSwitch;
use crate::i18n::*;
use crate::root::CurrentUser;
use leptos::prelude::*;
use leptos_router::components::{Outlet, Redirect, A};
use setia_domain::Role;

/// A page of the admin UI and who may open it (`None` = every staff user).
pub struct NavPage {
    pub href: &'static str,
    pub requires: Option<Role>,
}

pub const USERS: NavPage = NavPage { href: "/users", requires: Some(Role::Admin) };
pub const AUDIT: NavPage = NavPage { href: "/audit", requires: Some(Role::Admin) };
pub const SETTINGS: NavPage = NavPage { href: "/settings", requires: Some(Role::Admin) };
pub const JOBS: NavPage = NavPage { href: "/jobs", requires: Some(Role::Admin) };

pub fn may_open(user: &SessionUser, page: &NavPage) -> bool {
    page.requires.is_none_or(|r| user.role.grants(r))
}

/// The frame around every signed-in page. The page (`Outlet`) sits outside the
/// `Suspense` that waits for the user: were it inside, the page would be built
/// again whenever that Suspense re-runs during server rendering, and the first
/// build's resources (disposed with it, their context gone) would reach the
/// browser as errors and break hydration.
#[component]
pub fn SignedInLayout() -> impl IntoView {
    let CurrentUser(user) = expect_context::<CurrentUser>();
    let i18n = use_i18n();
    view! {
        <a class="skip-link" href="#content">{t!(i18n, app.skip_to_content)}</a>
        <div class="layout">
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match user.await {
                        Ok(Some(u)) => view! { <Frame user=u/> }.into_any(),
                        Ok(None) => view! { <Redirect path="/login"/> }.into_any(),
                        Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                    }
                })}
            </Suspense>
            <main id="content" class="content">
                <Outlet/>
            </main>
        </div>
    }
}

/// The header (who is signed in, language, sign-out) and the sidebar.
#[component]
fn Frame(user: SessionUser) -> impl IntoView {
    let i18n = use_i18n();
    let logout = ServerAction::<Logout>::new();
    // After a sign-out with JavaScript, load the login page afresh (no stale state).
    Effect::new(move |_| {
        if let Some(Ok(())) = logout.value().get() {
            #[cfg(feature = "hydrate")]
            if let Some(w) = web_sys::window() {
                let _ = w.location().assign("/login");
            }
        }
    });
    let admin_pages = [USERS, AUDIT, SETTINGS, JOBS].iter().any(|p| may_open(&user, p));
    let show = |p: &NavPage| may_open(&user, p);
    let (users, audit, settings, jobs) = (show(&USERS), show(&AUDIT), show(&SETTINGS), show(&JOBS));
    let header = view! {
            <header class="topbar">
                <a class="brand" href="/">
                    <span class="brand-mark" aria-hidden="true">"S"</span>
                    <span>{t!(i18n, app.name)}</span>
                </a>
                <div class="topbar-right">
                    <LanguageSwitch/>
                    <span class="whoami" data-testid="whoami">
                        <span class="sr-only">{t!(i18n, header.signed_in_as)} " "</span>
                        <strong>{user.name.clone()}</strong>
                        " "
                        <span class="badge badge-role" data-role=user.role.as_str()>
                            <RoleName role=user.role/>
                        </span>
                    </span>
                    <ActionForm action=logout attr:class="inline-form">
                        <button type="submit" class="button button-secondary" data-testid="logout">
                            {t!(i18n, header.logout)}
                        </button>
                    </ActionForm>
                </div>
            </header>
    }
    .into_any();
    let nav = view! {
            <nav class="sidebar" aria-label=move || t_string!(i18n, nav.main).to_string()>
                <ul>
                    <li><A href="/" exact=true>{t!(i18n, nav.home)}</A></li>
                </ul>
                <p class="nav-group">{t!(i18n, nav.group_sales)}</p>
                <ul>
                    <li><A href="/customers">{t!(i18n, nav.customers)}</A></li>
                    <li><A href="/orders">{t!(i18n, nav.orders)}</A></li>
                </ul>
                <p class="nav-group">{t!(i18n, nav.group_promotions)}</p>
                <ul>
                    <li><A href="/promotions">{t!(i18n, nav.promotions)}</A></li>
                    <li><A href="/simulator">{t!(i18n, nav.simulator)}</A></li>
                </ul>
                <p class="nav-group">{t!(i18n, nav.group_membership)}</p>
                <ul>
                    <li><A href="/tiers">{t!(i18n, nav.tiers)}</A></li>
                </ul>
                <Show when=move || admin_pages>
                    <p class="nav-group">{t!(i18n, nav.group_admin)}</p>
                    <ul>
                        <Show when=move || users><li><A href="/users">{t!(i18n, nav.users)}</A></li></Show>
                        <Show when=move || audit><li><A href="/audit">{t!(i18n, nav.audit)}</A></li></Show>
                        <Show when=move || jobs><li><A href="/jobs">{t!(i18n, nav.jobs)}</A></li></Show>
                        <Show when=move || settings><li><A href="/settings">{t!(i18n, nav.settings)}</A></li></Show>
                    </ul>
                </Show>
            </nav>
    }
    .into_any();
    view! { {header} {nav} }
}
