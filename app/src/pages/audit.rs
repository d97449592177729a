//! `/audit` (admin): the audit log, newest first, filtered and paged through the
//! query string (`/audit?action=auth.login_failed&page=2` can be shared).

use crate::api::audit::{list_audit, AuditPage as AuditData};
use crate::components::errors::refusal_view;
use crate::components::format::local_time;
use crate::components::list::urlencode;
use crate::i18n::*;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// Actions written by the code so far, offered in the filter.
const KNOWN_ACTIONS: [&str; 6] =
    ["auth.login", "auth.login_failed", "auth.logout", "staff.create", "staff.update_access", "settings.update"];

#[component]
pub fn AuditPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let params = move || {
        let q = query.read();
        let page = q.get("page").and_then(|p| p.parse::<i64>().ok()).unwrap_or(1).max(1);
        let nonempty = |k: &str| q.get(k).filter(|v| !v.trim().is_empty());
        (page, nonempty("action"), nonempty("actor"))
    };
    let data = Resource::new(params, |(page, action, actor)| list_audit(page, action, actor));
    view! {
        <Title text=move || t_string!(i18n, audit.title).to_string()/>
        <Suspense fallback=move || view! { <p class="muted">{t!(i18n, app.loading)}</p> }>
            {move || Suspend::new(async move {
                let (_, action, actor) = params();
                match data.await {
                    Ok(d) => view! { <AuditView data=d action actor/> }.into_any(),
                    Err(e) => refusal_view(e),
                }
            })}
        </Suspense>
    }
}

fn page_href(page: i64, action: &Option<String>, actor: &Option<String>) -> String {
    let mut q = vec![format!("page={page}")];
    if let Some(a) = action {
        q.push(format!("action={}", urlencode(a)));
    }
    if let Some(a) = actor {
        q.push(format!("actor={}", urlencode(a)));
    }
    format!("/audit?{}", q.join("&"))
}

#[component]
fn AuditView(data: AuditData, action: Option<String>, actor: Option<String>) -> impl IntoView {
    let i18n = use_i18n();
    let pages = ((data.total + data.page_size - 1) / data.page_size).max(1);
    let (page, total) = (data.page, data.total);
    let zone = data.time_zone.clone();
    let prev = (page > 1).then(|| page_href(page - 1, &action, &actor));
    let next = (page < pages).then(|| page_href(page + 1, &action, &actor));
    let empty = data.rows.is_empty();
    let selected_action = action.clone().unwrap_or_default();
    view! {
        <section class="page" data-page="audit">
            <h1>{t!(i18n, audit.title)}</h1>
            <p class="muted">{t!(i18n, audit.intro, zone = move || zone.clone())}</p>
            <form method="get" action="/audit" class="filters" role="search">
                <div class="field">
                    <label for="f-action">{t!(i18n, audit.filter_action)}</label>
                    <select id="f-action" name="action">
                        <option value="">{t!(i18n, audit.any_action)}</option>
                        {KNOWN_ACTIONS.into_iter().map(|a| view! {
                            <option value=a selected=a == selected_action>{a}</option>
                        }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="f-actor">{t!(i18n, audit.filter_actor)}</label>
                    <input id="f-actor" name="actor" value=actor.clone().unwrap_or_default()/>
                </div>
                <div class="actions">
                    <button type="submit" class="button button-primary">{t!(i18n, common.filter)}</button>
                    <a class="button button-secondary" href="/audit">{t!(i18n, common.clear)}</a>
                </div>
            </form>
            <div class="table-wrap">
                <table class="table">
                    <thead>
                        <tr>
                            <th scope="col">{t!(i18n, audit.time)}</th>
                            <th scope="col">{t!(i18n, audit.actor)}</th>
                            <th scope="col">{t!(i18n, audit.action)}</th>
                            <th scope="col">{t!(i18n, audit.entity)}</th>
                            <th scope="col">{t!(i18n, audit.ip)}</th>
                            <th scope="col">{t!(i18n, common.details)}</th>
                        </tr>
                    </thead>
                    <tbody>
                        <Show when=move || empty>
                            <tr><td colspan="6" class="empty">{t!(i18n, audit.empty)}</td></tr>
                        </Show>
                        {data.rows.into_iter().map(|r| {
                            let entity = match &r.entity_id {
                                Some(id) => format!("{} #{id}", r.entity_type),
                                None => r.entity_type.clone(),
                            };
                            let has_details = r.before.is_some() || r.after.is_some();
                            view! {
                                <tr data-action=r.action.clone()>
                                    <td class="nowrap">{local_time(r.at_local)}</td>
                                    <td>{r.actor_label.clone()}</td>
                                    <td><code>{r.action.clone()}</code></td>
                                    <td>{entity}</td>
                                    <td>{r.ip.clone().unwrap_or_else(|| "—".into())}</td>
                                    <td>
                                        {has_details.then(|| view! {
                                            <details>
                                                <summary>{t!(i18n, common.details)}</summary>
                                                {r.before.clone().map(|b| view! { <p><strong>{t!(i18n, audit.before)}</strong> <code class="json">{b}</code></p> })}
                                                {r.after.clone().map(|a| view! { <p><strong>{t!(i18n, audit.after)}</strong> <code class="json">{a}</code></p> })}
                                            </details>
                                        })}
                                    </td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
            <nav class="pager" aria-label=move || t_string!(i18n, common.pagination).to_string()>
                {prev.map(|h| view! { <a class="button button-secondary" href=h rel="prev">{t!(i18n, common.previous)}</a> })}
                <span class="muted">{t!(i18n, common.page_of, page = page, pages = pages, total = total)}</span>
                {next.map(|h| view! { <a class="button button-secondary" href=h rel="next">{t!(i18n, common.next)}</a> })}
            </nav>
        </section>
    }
}
