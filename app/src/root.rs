//! The document shell and the route table.

use crate::api::auth::{current_user, SessionUser};
use crate::components::layout::SignedInLayout;
use crate::error::AppError;
use crate::i18n::*;
use crate::pages::{
    AuditPage, CustomerPage, CustomersPage, HomePage, JobsPage, LoginPage, NotFoundPage, OrderPage, OrdersPage, PromotionPage,
    PromotionsPage, SettingsPage, SimulatorPage, TaskPage, TiersPage, UsersPage,
};
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::components::{ParentRoute, Route, Router, Routes};
use leptos_router::{path, SsrMode};

/// The HTML document the server renders around the app.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html>
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                <AutoReload options=options.clone()/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// Who is signed in, loaded once per page and shared by every component.
#[derive(Clone, Copy)]
pub struct CurrentUser(pub Resource<Result<Option<SessionUser>, AppError>>);

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    provide_context(CurrentUser(Resource::new(|| (), |_| current_user())));
    // Flips after hydration; browser tests wait for it to know the page is live.
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));

    view! {
        <Stylesheet id="leptos" href="/pkg/setia.css"/>
        <I18nContextProvider>
            <Title text="Setia"/>
            <div id="app" data-hydrated=move || hydrated.get().to_string()>
                <Router>
                    <Routes fallback=|| view! { <NotFoundPage/> }>
                        <Route path=path!("/login") view=LoginPage ssr=SsrMode::Async/>
                        <ParentRoute path=path!("") view=SignedInLayout ssr=SsrMode::Async>
                            <Route path=path!("") view=HomePage ssr=SsrMode::Async/>
                            <Route path=path!("customers") view=CustomersPage ssr=SsrMode::Async/>
                            <Route path=path!("customers/:id") view=CustomerPage ssr=SsrMode::Async/>
                            <Route path=path!("orders") view=OrdersPage ssr=SsrMode::Async/>
                            <Route path=path!("orders/:id") view=OrderPage ssr=SsrMode::Async/>
                            <Route path=path!("promotions") view=PromotionsPage ssr=SsrMode::Async/>
                            <Route path=path!("promotions/:id") view=PromotionPage ssr=SsrMode::Async/>
                            <Route path=path!("tasks/:id") view=TaskPage ssr=SsrMode::Async/>
                            <Route path=path!("simulator") view=SimulatorPage ssr=SsrMode::Async/>
                            <Route path=path!("tiers") view=TiersPage ssr=SsrMode::Async/>
                            <Route path=path!("users") view=UsersPage ssr=SsrMode::Async/>
                            <Route path=path!("audit") view=AuditPage ssr=SsrMode::Async/>
                            <Route path=path!("settings") view=SettingsPage ssr=SsrMode::Async/>
                            <Route path=path!("jobs") view=JobsPage ssr=SsrMode::Async/>
                        </ParentRoute>
                    </Routes>
                </Router>
            </div>
        </I18nContextProvider>
    }
}
