//! `/tiers` (every staff role reads; admin and marketing edit): the ladder with
//! customers per tier as a bar chart and a table, the customers within 10 % of
//! their next tier, and the editor. Saving is two steps: preview how many
//! customers would move up or down, then save exactly what was previewed.

use crate::api::tiers::{tiers_overview, PreviewTier, SaveTier, TierDto, TierForm, TiersOverviewDto};
use crate::components::errors::{refusal_view, ErrorNotice, FieldError};
use crate::components::format::{money, TierName};
use crate::i18n::*;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn TiersPage() -> impl IntoView {
    let i18n = use_i18n();
    let save = ServerAction::<SaveTier>::new();
    let data = Resource::new(move || save.version().get(), |_| tiers_overview());
    let query = use_query_map();
    let editing = move || query.read().get("edit").unwrap_or_default();
    view! {
        <Title text=move || t_string!(i18n, tiers.title).to_string()/>
        <Suspense fallback=move || view! { <p class="muted">{t!(i18n, app.loading)}</p> }>
            {move || Suspend::new(async move {
                let edit = editing();
                match data.await {
                    Ok(d) => view! { <TiersView data=d edit save/> }.into_any(),
                    Err(e) => refusal_view(e),
                }
            })}
        </Suspense>
    }
}

fn form_of(t: Option<&TierDto>) -> TierForm {
    match t {
        Some(t) => TierForm {
            id: t.id.to_string(),
            name: t.name.clone(),
            min_spending: t.min_spending.to_string(),
            window_days: t.window_days.map(|d| d.to_string()).unwrap_or_default(),
            earn_rate_points: t.earn_rate_points.to_string(),
            earn_rate_per: t.earn_rate_per.to_string(),
            discount_percent: t.discount_percent.clone().unwrap_or_default(),
            colour: t.colour.clone(),
        },
        None => TierForm {
            earn_rate_points: "1".into(),
            earn_rate_per: "10000".into(),
            window_days: "365".into(),
            colour: "#9ca3af".into(),
            ..Default::default()
        },
    }
}

#[component]
fn TiersView(data: TiersOverviewDto, edit: String, save: ServerAction<SaveTier>) -> impl IntoView {
    let i18n = use_i18n();
    let c = data.currency.clone();
    let biggest = data.tiers.iter().map(|t| t.customers).chain([data.no_tier]).max().unwrap_or(0).max(1);
    let bar = move |n: i64| format!("width:{}%", (n * 100 / biggest).max(if n > 0 { 1 } else { 0 }));
    let empty = data.tiers.is_empty();
    let near_empty = data.near.is_empty();
    let near_total = data.near_total;
    let editing = data.tiers.iter().find(|t| t.id.to_string() == edit);
    let form = form_of(editing);
    let heading = editing.map(|t| t.name.clone());
    let can_edit = data.can_edit;
    let saved = move || matches!(save.value().get(), Some(Ok(_)));
    let chart = view! {
        <section class="card" aria-labelledby="dist-h">
            <h2 id="dist-h">{t!(i18n, tiers.distribution)}</h2>
            <ul class="bars" data-testid="tier-distribution">
                {data.tiers.iter().rev().map(|t| view! {
                    <li data-tier=t.name.clone()>
                        <span class="bar-label"><TierName name=t.name.clone() colour=t.colour.clone()/></span>
                        <span class="bar-track"><span class="bar" style=format!("{};background:{}", bar(t.customers), t.colour)></span></span>
                        <span class="bar-value" data-testid="tier-count">{t.customers}</span>
                    </li>
                }).collect_view()}
                <li data-tier="">
                    <span class="bar-label">{t!(i18n, tiers.no_tier)}</span>
                    <span class="bar-track"><span class="bar" style=bar(data.no_tier)></span></span>
                    <span class="bar-value">{data.no_tier}</span>
                </li>
            </ul>
        </section>
    }
    .into_any();
    let ladder = view! {
        <div class="table-wrap">
            <table class="table" data-testid="tiers-table">
                <thead>
                    <tr>
                        <th scope="col">{t!(i18n, tiers.name)}</th>
                        <th scope="col" class="num">{t!(i18n, tiers.min_spending)}</th>
                        <th scope="col">{t!(i18n, tiers.window)}</th>
                        <th scope="col">{t!(i18n, tiers.earn)}</th>
                        <th scope="col">{t!(i18n, tiers.discount)}</th>
                        <th scope="col" class="num">{t!(i18n, tiers.customers)}</th>
                        <th scope="col"><span class="sr-only">{t!(i18n, tiers.edit)}</span></th>
                    </tr>
                </thead>
                <tbody>
                    <Show when=move || empty>
                        <tr><td colspan="7" class="empty">{t!(i18n, tiers.empty)}</td></tr>
                    </Show>
                    {data.tiers.iter().map(|t| {
                        let window = t.window_days;
                        view! {
                            <tr data-tier=t.name.clone()>
                                <td><TierName name=t.name.clone() colour=t.colour.clone()/></td>
                                <td class="num">{money(t.min_spending, &c)}</td>
                                <td>{move || match window {
                                    Some(d) => t_string!(i18n, tiers.days, days = d).to_string(),
                                    None => t_string!(i18n, tiers.lifetime).to_string(),
                                }}</td>
                                <td>{format!("{} / {}", t.earn_rate_points, money(t.earn_rate_per, &c))}</td>
                                <td>{t.discount_percent.clone().map(|p| format!("{p} %")).unwrap_or_else(|| "—".into())}</td>
                                <td class="num">{t.customers}</td>
                                <td>{can_edit.then(|| view! { <a href=format!("/tiers?edit={}", t.id)>{t!(i18n, tiers.edit)}</a> })}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any();
    let near = view! {
        <section aria-labelledby="near-h">
            <h2 id="near-h">{t!(i18n, tiers.near)}</h2>
            <p class="muted">{t!(i18n, tiers.near_intro, total = near_total)}</p>
            <Show when=move || near_empty>
                <p class="muted">{t!(i18n, tiers.near_empty)}</p>
            </Show>
            <ul class="plain-list" data-testid="near-next-tier">
                {data.near.iter().map(|n| view! {
                    <li>
                        <a href=format!("/customers/{}", n.customer_id)>{n.name.clone()}</a>
                        " · " {n.tier.clone().unwrap_or_else(|| "—".into())} " → " {n.next.clone()}
                        " · " {t!(i18n, tiers.missing)} " " {money(n.missing, &c)}
                    </li>
                }).collect_view()}
            </ul>
        </section>
    }
    .into_any();
    view! {
        <section class="page" data-page="tiers">
            <h1>{t!(i18n, tiers.title)}</h1>
            <p class="muted">{t!(i18n, tiers.intro)}</p>
            <Show when=saved>
                <div class="notice notice-ok" role="status">{t!(i18n, tiers.saved)}</div>
            </Show>
            {ladder}
            <div class="cards">
                {chart}
                <section class="card">{near}</section>
            </div>
            {if can_edit {
                view! { <TierEditor form heading save/> }.into_any()
            } else {
                view! { <p class="muted">{t!(i18n, tiers.read_only)}</p> }.into_any()
            }}
        </section>
    }
}

/// Step one posts to `preview_tier`; its answer shows the moves and a confirm
/// form carrying exactly the previewed values to `save_tier`.
#[component]
fn TierEditor(form: TierForm, heading: Option<String>, save: ServerAction<SaveTier>) -> impl IntoView {
    let i18n = use_i18n();
    let preview = ServerAction::<PreviewTier>::new();
    let error = Signal::derive(move || save.value().get().and_then(Result::err).or_else(|| preview.value().get().and_then(Result::err)));
    let moves = move || preview.value().get().and_then(Result::ok);
    let title = heading.clone();
    let f = form;
    view! {
        <section class="card editor" aria-labelledby="editor-h" data-testid="tier-editor">
            <h2 id="editor-h">{move || match &title {
                Some(n) => t_string!(i18n, tiers.editing, name = n.clone()).to_string(),
                None => t_string!(i18n, tiers.new).to_string(),
            }}</h2>
            <p class="muted">{t!(i18n, tiers.preview_first)}</p>
            {move || error.get().filter(|e| e.field().is_none()).map(|e| view! { <ErrorNotice error=e/> })}
            <ActionForm action=preview attr:class="form form-grid" attr:data-testid="tier-form">
                <input type="hidden" name="id" value=f.id.clone()/>
                <div class="field">
                    <label for="t-name">{t!(i18n, tiers.name)}</label>
                    <input id="t-name" name="name" value=f.name.clone() required maxlength="40"/>
                    <FieldError field="name" error/>
                </div>
                <div class="field">
                    <label for="t-min">{t!(i18n, tiers.min_spending)}</label>
                    <input id="t-min" name="min_spending" inputmode="numeric" value=f.min_spending.clone() required/>
                    <FieldError field="min_spending" error/>
                </div>
                <div class="field">
                    <label for="t-window">{t!(i18n, tiers.window_days)}</label>
                    <input id="t-window" name="window_days" inputmode="numeric" value=f.window_days.clone() aria-describedby="t-window-hint"/>
                    <p class="hint" id="t-window-hint">{t!(i18n, tiers.window_hint)}</p>
                    <FieldError field="window_days" error/>
                </div>
                <div class="field">
                    <label for="t-points">{t!(i18n, tiers.earn_rate_points)}</label>
                    <input id="t-points" name="earn_rate_points" inputmode="numeric" value=f.earn_rate_points.clone() required/>
                    <FieldError field="earn_rate_points" error/>
                </div>
                <div class="field">
                    <label for="t-per">{t!(i18n, tiers.earn_rate_per)}</label>
                    <input id="t-per" name="earn_rate_per" inputmode="numeric" value=f.earn_rate_per.clone() required/>
                    <FieldError field="earn_rate_per" error/>
                </div>
                <div class="field">
                    <label for="t-discount">{t!(i18n, tiers.discount_percent)}</label>
                    <input id="t-discount" name="discount_percent" inputmode="decimal" value=f.discount_percent.clone()/>
                    <FieldError field="discount_percent" error/>
                </div>
                <div class="field">
                    <label for="t-colour">{t!(i18n, tiers.colour)}</label>
                    <input id="t-colour" name="colour" type="color" value=f.colour.clone()/>
                    <FieldError field="colour" error/>
                </div>
                <div class="actions">
                    <button type="submit" class="button button-secondary" data-testid="tier-preview" disabled=move || preview.pending().get()>
                        {t!(i18n, tiers.preview)}
                    </button>
                </div>
            </ActionForm>
            {move || moves().map(|m| {
                let (up, down, unchanged) = (m.up, m.down, m.unchanged);
                let p = m.form;
                view! {
                    <div class="notice notice-info" role="status" data-testid="tier-moves">
                        {t!(i18n, tiers.preview_result, up = up, down = down, unchanged = unchanged)}
                    </div>
                    <ActionForm action=save attr:class="inline-form">
                        <input type="hidden" name="id" value=p.id/>
                        <input type="hidden" name="name" value=p.name/>
                        <input type="hidden" name="min_spending" value=p.min_spending/>
                        <input type="hidden" name="window_days" value=p.window_days/>
                        <input type="hidden" name="earn_rate_points" value=p.earn_rate_points/>
                        <input type="hidden" name="earn_rate_per" value=p.earn_rate_per/>
                        <input type="hidden" name="discount_percent" value=p.discount_percent/>
                        <input type="hidden" name="colour" value=p.colour/>
                        <button type="submit" class="button button-primary" data-testid="tier-save" disabled=move || save.pending().get()>
                            {t!(i18n, common.save)}
                        </button>
                    </ActionForm>
                }
            })}
        </section>
    }
}
