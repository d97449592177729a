//! `/customers` (every staff role): search, tier and loyal filters, spending sort,
//! pages; and `/customers/:id`: the profile, derived values with where they come
//! from, latest orders and notifications.

use crate::api::customers::{customer_detail, list_customers, CustomerDetailDto, CustomerPage, TierExplanation};
use crate::components::errors::refusal_view;
use crate::components::format::{local_time, money, OrderStatusBadge, TierName};
use crate::components::list::{Pager, QueryState};
use crate::i18n::*;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};
use setia_domain::CurrencyFormat;

#[component]
pub fn CustomersPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let state = move || {
        let q = query.read();
        let v = |k: &str| q.get(k).map(|s| s.trim().to_string()).unwrap_or_default();
        let page = q.get("page").and_then(|p| p.parse::<i64>().ok()).unwrap_or(1).max(1);
        (page, QueryState(vec![("q", v("q")), ("tier", v("tier")), ("loyal", v("loyal")), ("sort", v("sort"))]))
    };
    let data = Resource::new(state, |(page, s)| {
        let opt = |k: &str| Some(s.get(k)).filter(|v| !v.is_empty());
        list_customers(page, opt("q"), opt("tier"), opt("loyal"), opt("sort"))
    });
    view! {
        <Title text=move || t_string!(i18n, customers.title).to_string()/>
        <Suspense fallback=move || view! { <p class="muted">{t!(i18n, app.loading)}</p> }>
            {move || Suspend::new(async move {
                let (_, s) = state();
                match data.await {
                    Ok(d) => view! { <CustomerList data=d state=s/> }.into_any(),
                    Err(e) => refusal_view(e),
                }
            })}
        </Suspense>
    }
}

#[component]
fn CustomerList(data: CustomerPage, state: QueryState) -> impl IntoView {
    let i18n = use_i18n();
    let empty = data.rows.is_empty();
    let currency = data.currency.clone();
    let (tier, loyal, sort) = (state.get("tier"), state.get("loyal"), state.get("sort"));
    let sort_options = [
        ("newest", t_string!(i18n, customers.sort_newest)),
        ("name", t_string!(i18n, customers.sort_name)),
        ("spending_desc", t_string!(i18n, customers.sort_spending_desc)),
        ("spending_asc", t_string!(i18n, customers.sort_spending_asc)),
    ];
    view! {
        <section class="page" data-page="customers">
            <h1>{t!(i18n, customers.title)}</h1>
            <p class="muted">{t!(i18n, customers.intro)}</p>
            <form method="get" action="/customers" class="filters" role="search">
                <div class="field">
                    <label for="f-q">{t!(i18n, customers.search)}</label>
                    <input id="f-q" name="q" type="search" value=state.get("q")
                        placeholder=move || t_string!(i18n, customers.search_placeholder).to_string()/>
                </div>
                <div class="field">
                    <label for="f-tier">{t!(i18n, customers.tier)}</label>
                    <select id="f-tier" name="tier">
                        <option value="">{t!(i18n, customers.any_tier)}</option>
                        <option value="none" selected=tier == "none">{t!(i18n, customers.no_tier)}</option>
                        {data.tiers.iter().map(|t| {
                            let id = t.id.to_string();
                            view! { <option value=id.clone() selected=id == tier>{t.name.clone()}</option> }
                        }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="f-loyal">{t!(i18n, customers.loyal)}</label>
                    <select id="f-loyal" name="loyal">
                        <option value="">{t!(i18n, customers.any_loyal)}</option>
                        <option value="yes" selected=loyal == "yes">{t!(i18n, customers.loyal_yes)}</option>
                        <option value="no" selected=loyal == "no">{t!(i18n, customers.loyal_no)}</option>
                    </select>
                </div>
                <div class="field">
                    <label for="f-sort">{t!(i18n, customers.sort)}</label>
                    <select id="f-sort" name="sort">
                        {sort_options.into_iter().map(|(v, label)| view! {
                            <option value=v selected=v == sort>{label}</option>
                        }).collect_view()}
                    </select>
                </div>
                <div class="actions">
                    <button type="submit" class="button button-primary">{t!(i18n, common.filter)}</button>
                    <a class="button button-secondary" href="/customers">{t!(i18n, common.clear)}</a>
                </div>
            </form>
            <div class="table-wrap">
                <table class="table" data-testid="customers-table">
                    <thead>
                        <tr>
                            <th scope="col">{t!(i18n, customers.name)}</th>
                            <th scope="col">{t!(i18n, customers.phone)}</th>
                            <th scope="col">{t!(i18n, customers.email)}</th>
                            <th scope="col" class="num">
                                <abbr title=move || t_string!(i18n, customers.spending_hint).to_string()>{t!(i18n, customers.spending)}</abbr>
                            </th>
                            <th scope="col">{t!(i18n, customers.tier)}</th>
                            <th scope="col">{t!(i18n, customers.loyal)}</th>
                            <th scope="col">{t!(i18n, customers.joined)}</th>
                        </tr>
                    </thead>
                    <tbody>
                        <Show when=move || empty>
                            <tr><td colspan="7" class="empty">{t!(i18n, customers.empty)}</td></tr>
                        </Show>
                        {data.rows.into_iter().map(|c| view! {
                            <tr data-customer=c.id.to_string()>
                                <td><a href=format!("/customers/{}", c.id)>{c.name.clone()}</a></td>
                                <td class="nowrap">{c.phone.clone()}</td>
                                <td>{c.email.clone().unwrap_or_else(|| "—".into())}</td>
                                <td class="num">{money(c.total_spending, &currency)}</td>
                                <td>{match c.tier.clone() {
                                    Some(t) => view! { <TierName name=t.name colour=t.colour/> }.into_any(),
                                    None => view! { <span class="muted">{t!(i18n, customers.no_tier)}</span> }.into_any(),
                                }}</td>
                                <td>{if c.loyal {
                                    view! { <span class="badge badge-ok">{t!(i18n, customers.loyal_yes)}</span> }.into_any()
                                } else {
                                    view! { <span class="muted">{t!(i18n, common.no)}</span> }.into_any()
                                }}</td>
                                <td class="nowrap">{local_time(c.created_local)}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
            <Pager page=data.page total=data.total page_size=data.page_size base="/customers" state/>
        </section>
    }
}

#[component]
pub fn CustomerPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let id = move || params.read().get("id").and_then(|v| v.parse::<i64>().ok()).unwrap_or(0);
    let data = Resource::new(id, customer_detail);
    view! {
        <Title text=move || t_string!(i18n, customers.title).to_string()/>
        <Suspense fallback=move || view! { <p class="muted">{t!(i18n, app.loading)}</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(d) => view! { <CustomerView data=d/> }.into_any(),
                    Err(e) => refusal_view(e),
                }
            })}
        </Suspense>
    }
}

/// "Gold: Rp X in the last 365 days; Rp Y more to reach Platinum".
fn explanation_text(i18n: leptos_i18n::I18nContext<Locale>, e: &TierExplanation, currency: &CurrencyFormat) -> (String, String) {
    let spending = money(e.spending, currency);
    let current = match (&e.tier, e.window_days) {
        (Some(t), Some(days)) => {
            t_string!(i18n, customers.tier_explained_window, tier = t.name.clone(), spending = spending, days = days).to_string()
        }
        (Some(t), None) => t_string!(i18n, customers.tier_explained_lifetime, tier = t.name.clone(), spending = spending).to_string(),
        (None, _) => t_string!(i18n, customers.no_tier_explained, spending = spending).to_string(),
    };
    let next = match &e.next {
        Some(n) => {
            let missing = money(n.missing, currency);
            match n.window_days {
                Some(days) => {
                    t_string!(i18n, customers.next_tier_window, missing = missing, days = days, next = n.name.clone()).to_string()
                }
                None => t_string!(i18n, customers.next_tier_lifetime, missing = missing, next = n.name.clone()).to_string(),
            }
        }
        None => t_string!(i18n, customers.top_tier).to_string(),
    };
    (current, next)
}

#[component]
fn CustomerView(data: CustomerDetailDto) -> impl IntoView {
    let i18n = use_i18n();
    let currency = data.currency.clone();
    let explained = {
        let (e, c) = (data.explanation.clone(), currency.clone());
        move || explanation_text(i18n, &e, &c)
    };
    let explained2 = explained.clone();
    let threshold = money(data.loyalty_threshold, &currency);
    let no_orders = data.orders.is_empty();
    let no_notes = data.notifications.is_empty();
    let orders_href = format!("/orders?customer={}", data.id);
    let orders_total = data.orders_total;
    let loyal = data.loyal;
    view! {
        <section class="page" data-page="customer">
            <header class="record-header">
                <h1>{data.name.clone()}</h1>
                {data.explanation.tier.clone().map(|t| view! { <TierName name=t.name colour=t.colour/> })}
                {loyal.then(|| view! { <span class="badge badge-ok" data-testid="loyal-badge">{t!(i18n, customers.loyal_yes)}</span> })}
            </header>
            <div class="cards">
                <section class="card" aria-labelledby="derived-h">
                    <h2 id="derived-h">{t!(i18n, customers.derived)}</h2>
                    <dl class="facts">
                        <dt>{t!(i18n, customers.spending)}</dt>
                        <dd data-testid="total-spending">
                            <a href=orders_href.clone() title=move || t_string!(i18n, customers.spending_hint).to_string()>
                                {money(data.total_spending, &currency)}
                            </a>
                        </dd>
                        <dt>{t!(i18n, customers.loyal)}</dt>
                        <dd data-testid="loyal">
                            {move || if loyal { t_string!(i18n, common.yes) } else { t_string!(i18n, common.no) }}
                            " · "
                            <span class="muted">{t!(i18n, customers.loyal_threshold, threshold = threshold.clone())}</span>
                        </dd>
                        <dt>{t!(i18n, customers.tier)}</dt>
                        <dd data-testid="tier-explanation">{move || explained().0}</dd>
                        <dt>{t!(i18n, tiers.next)}</dt>
                        <dd data-testid="next-tier">{move || explained2().1}</dd>
                    </dl>
                </section>
                <section class="card" aria-labelledby="profile-h">
                    <h2 id="profile-h">{t!(i18n, customers.profile)}</h2>
                    <dl class="facts">
                        <dt>{t!(i18n, customers.phone)}</dt><dd>{data.phone.clone()}</dd>
                        <dt>{t!(i18n, customers.email)}</dt><dd>{data.email.clone().unwrap_or_else(|| "—".into())}</dd>
                        <dt>{t!(i18n, customers.birth_date)}</dt><dd>{data.birth_date.map(|d| d.format("%Y-%m-%d").to_string()).unwrap_or_else(|| "—".into())}</dd>
                        <dt>{t!(i18n, customers.address)}</dt><dd>{data.address.clone().unwrap_or_else(|| "—".into())}</dd>
                        <dt>{t!(i18n, customers.external_id)}</dt><dd>{data.external_id.clone().unwrap_or_else(|| "—".into())}</dd>
                        <dt>{t!(i18n, customers.joined)}</dt><dd>{local_time(data.created_local)}</dd>
                    </dl>
                </section>
            </div>
            <h2>{t!(i18n, customers.orders)}</h2>
            <div class="table-wrap">
                <table class="table" data-testid="customer-orders">
                    <thead>
                        <tr>
                            <th scope="col">{t!(i18n, orders.order)}</th>
                            <th scope="col">{t!(i18n, orders.status)}</th>
                            <th scope="col" class="num">{t!(i18n, orders.total)}</th>
                            <th scope="col">{t!(i18n, orders.created)}</th>
                            <th scope="col">{t!(i18n, orders.paid)}</th>
                        </tr>
                    </thead>
                    <tbody>
                        <Show when=move || no_orders>
                            <tr><td colspan="5" class="empty">{t!(i18n, customers.no_orders)}</td></tr>
                        </Show>
                        {data.orders.into_iter().map(|o| view! {
                            <tr>
                                <td><a href=format!("/orders/{}", o.id)>{format!("#{} · {}", o.id, o.external_ref)}</a></td>
                                <td><OrderStatusBadge status=o.status.clone()/></td>
                                <td class="num">{money(o.total, &currency)}</td>
                                <td class="nowrap">{local_time(o.created_local)}</td>
                                <td class="nowrap">{o.paid_local.map(|t| local_time(t).into_any()).unwrap_or_else(|| "—".into_any())}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
            <p><a href=orders_href>{t!(i18n, customers.orders_all, total = orders_total)}</a></p>
            <h2>{t!(i18n, customers.notifications)}</h2>
            <Show when=move || no_notes>
                <p class="muted">{t!(i18n, customers.no_notifications)}</p>
            </Show>
            <ul class="plain-list" data-testid="notifications">
                {data.notifications.into_iter().map(|n| view! {
                    <li><span class="muted nowrap">{local_time(n.created_local)}</span> " " <code>{n.kind.clone()}</code> " " {n.message.clone()}</li>
                }).collect_view()}
            </ul>
        </section>
    }
}
