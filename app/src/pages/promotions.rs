//! `/promotions` (every staff role reads): name, kind, status, window, priority,
//! uses against their limit, discount granted and budget left; filters (status,
//! kind, running now, name or code) and sort in the query string.

use crate::api::promotions::{list_promotions, PromotionListDto, PromotionRowDto};
use crate::components::errors::refusal_view;
use crate::components::format::{local_time, money};
use crate::components::list::{Pager, QueryState};
use crate::i18n::*;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn PromotionsPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let state = move || {
        let q = query.read();
        let v = |k: &str| q.get(k).map(|s| s.trim().to_string()).unwrap_or_default();
        let page = q.get("page").and_then(|p| p.parse::<i64>().ok()).unwrap_or(1).max(1);
        (
            page,
            QueryState(vec![("q", v("q")), ("status", v("status")), ("kind", v("kind")), ("running", v("running")), ("sort", v("sort"))]),
        )
    };
    let data = Resource::new(state, |(page, s)| {
        let opt = |k: &str| Some(s.get(k)).filter(|v| !v.is_empty());
        list_promotions(page, opt("status"), opt("kind"), opt("running"), opt("q"), opt("sort"))
    });
    view! {
        <Title text=move || t_string!(i18n, promotions.title).to_string()/>
        <Suspense fallback=move || view! { <p class="muted">{t!(i18n, app.loading)}</p> }>
            {move || Suspend::new(async move {
                let (_, s) = state();
                match data.await {
                    Ok(d) => view! { <PromotionList data=d state=s/> }.into_any(),
                    Err(e) => refusal_view(e),
                }
            })}
        </Suspense>
    }
}

/// A promotion status as a badge with its word (UI.md: draft and ended grey,
/// paused amber, active green).
#[component]
pub fn PromotionStatusBadge(#[prop(into)] status: String) -> impl IntoView {
    let i18n = use_i18n();
    let class = match status.as_str() {
        "active" => "badge badge-ok",
        "paused" => "badge badge-warn",
        _ => "badge badge-muted",
    };
    let s = status.clone();
    let label = move || status_word(i18n, &s);
    view! { <span class=class data-status=status>{label}</span> }
}

pub fn kind_label(i18n: leptos_i18n::I18nContext<Locale>, kind: &str) -> String {
    match kind {
        "automatic" => t_string!(i18n, promotions.kind_automatic).to_string(),
        "code" => t_string!(i18n, promotions.kind_code).to_string(),
        other => other.to_string(),
    }
}

/// The promotion's dates in words: "Always", "from …", "until …", "… – …".
#[component]
pub fn PromotionWindow(row: PromotionRowDto) -> impl IntoView {
    let i18n = use_i18n();
    match (row.starts_local, row.ends_local) {
        (None, None) => view! { <span class="muted">{t!(i18n, promotions.always)}</span> }.into_any(),
        (Some(s), None) => view! { <span>{t!(i18n, promotions.from, at = local_time(s))}</span> }.into_any(),
        (None, Some(e)) => view! { <span>{t!(i18n, promotions.until, at = local_time(e))}</span> }.into_any(),
        (Some(s), Some(e)) => view! { <span>{local_time(s)} " – " {local_time(e)}</span> }.into_any(),
    }
}

#[component]
fn PromotionList(data: PromotionListDto, state: QueryState) -> impl IntoView {
    let i18n = use_i18n();
    let currency = data.currency.clone();
    let zone = data.time_zone.clone();
    let filtered = state.0.iter().any(|(_, v)| !v.is_empty());
    let empty = data.rows.is_empty();
    let (status, kind, sort) = (state.get("status"), state.get("kind"), state.get("sort"));
    let running = !state.get("running").is_empty();
    view! {
        <section class="page" data-page="promotions">
            <h1>{t!(i18n, promotions.title)}</h1>
            <p class="muted">{t!(i18n, promotions.intro, zone = move || zone.clone())}</p>
            <form method="get" action="/promotions" class="filters" role="search">
                <div class="field">
                    <label for="f-q">{t!(i18n, promotions.search)}</label>
                    <input id="f-q" name="q" value=state.get("q")/>
                </div>
                <div class="field">
                    <label for="f-status">{t!(i18n, promotions.status)}</label>
                    <select id="f-status" name="status">
                        <option value="">{t!(i18n, promotions.any_status)}</option>
                        {["draft", "active", "paused", "ended"].into_iter().map(|v| view! {
                            <option value=v selected=v == status>{move || status_word(i18n, v)}</option>
                        }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="f-kind">{t!(i18n, promotions.kind)}</label>
                    <select id="f-kind" name="kind">
                        <option value="">{t!(i18n, promotions.any_kind)}</option>
                        {["automatic", "code"].into_iter().map(|v| view! {
                            <option value=v selected=v == kind>{move || kind_label(i18n, v)}</option>
                        }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="f-sort">{t!(i18n, promotions.sort)}</label>
                    <select id="f-sort" name="sort">
                        {["newest", "name", "priority", "uses", "discount"].into_iter().map(|v| view! {
                            <option value=v selected=v == sort>{move || sort_word(i18n, v)}</option>
                        }).collect_view()}
                    </select>
                </div>
                <div class="field field-check">
                    <input id="f-running" name="running" type="checkbox" value="1" checked=running/>
                    <label for="f-running">{t!(i18n, promotions.running)}</label>
                </div>
                <div class="actions">
                    <button type="submit" class="button button-primary">{t!(i18n, common.filter)}</button>
                    <a class="button button-secondary" href="/promotions">{t!(i18n, common.clear)}</a>
                </div>
            </form>
            <div class="table-wrap">
                <table class="table" data-testid="promotions-table">
                    <thead>
                        <tr>
                            <th scope="col">{t!(i18n, promotions.name)}</th>
                            <th scope="col">{t!(i18n, promotions.kind)}</th>
                            <th scope="col">{t!(i18n, promotions.status)}</th>
                            <th scope="col">{t!(i18n, promotions.window)}</th>
                            <th scope="col" class="num">{t!(i18n, promotions.priority)}</th>
                            <th scope="col" class="num">{t!(i18n, promotions.uses)}</th>
                            <th scope="col" class="num">{t!(i18n, promotions.discount)}</th>
                            <th scope="col" class="num">{t!(i18n, promotions.budget_left)}</th>
                        </tr>
                    </thead>
                    <tbody>
                        <Show when=move || empty>
                            <tr><td colspan="8" class="empty">{if filtered {
                                view! { {t!(i18n, promotions.no_match)} " " <a href="/promotions">{t!(i18n, promotions.clear_filters)}</a> }.into_any()
                            } else {
                                view! { {t!(i18n, promotions.empty)} }.into_any()
                            }}</td></tr>
                        </Show>
                        {data.rows.into_iter().map(|r| {
                            let kind = r.kind.clone();
                            let limit = r.total_uses.map(|l| l.to_string());
                            let left = r.budget.map(|b| money(b - r.budget_used, &currency));
                            view! {
                                <tr data-promotion=r.id.to_string()>
                                    <td><a href=format!("/promotions/{}", r.id)>{r.name.clone()}</a></td>
                                    <td>{move || kind_label(i18n, &kind)}</td>
                                    <td><PromotionStatusBadge status=r.status.clone()/></td>
                                    <td class="nowrap"><PromotionWindow row=r.clone()/></td>
                                    <td class="num">{r.priority}</td>
                                    <td class="num">{r.uses} " / " {limit.unwrap_or_else(|| "∞".into())}</td>
                                    <td class="num">{money(r.budget_used, &currency)}</td>
                                    <td class="num">{left.unwrap_or_else(|| "—".into())}</td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
            <Pager page=data.page total=data.total page_size=data.page_size base="/promotions" state/>
        </section>
    }
}

fn status_word(i18n: leptos_i18n::I18nContext<Locale>, s: &str) -> String {
    match s {
        "draft" => t_string!(i18n, promotions.status_draft).to_string(),
        "active" => t_string!(i18n, promotions.status_active).to_string(),
        "paused" => t_string!(i18n, promotions.status_paused).to_string(),
        "ended" => t_string!(i18n, promotions.status_ended).to_string(),
        other => other.to_string(),
    }
}

fn sort_word(i18n: leptos_i18n::I18nContext<Locale>, s: &str) -> String {
    match s {
        "name" => t_string!(i18n, promotions.sort_name).to_string(),
        "priority" => t_string!(i18n, promotions.sort_priority).to_string(),
        "uses" => t_string!(i18n, promotions.sort_uses).to_string(),
        "discount" => t_string!(i18n, promotions.sort_discount).to_string(),
        _ => t_string!(i18n, promotions.sort_newest).to_string(),
    }
}
