//! `/promotions/:id` (every staff role reads; marketing and admin act): the
//! promotion's header with its status and actions, its rule in words, its
//! figures, and for a code promotion its codes — export, generate (a task with
//! a progress bar past 10,000), look one up with the orders that used it,
//! disable or enable it. Status changes confirm first and say what happens;
//! ending asks for the name (it is final).

use crate::api::promotions::{promotion_detail, FindCode, GenerateCodes, PromotionDetailDto, SetCodeStatus, SetPromotionStatus};
use crate::components::errors::{refusal_view, ErrorNotice, FieldError};
use crate::components::format::{local_time, money, OrderStatusBadge};
use crate::components::task_progress::TaskProgress;
use crate::i18n::*;
use crate::pages::promotions::{kind_label, PromotionStatusBadge, PromotionWindow};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};
use setia_domain::promotion::PromotionStatus;

#[component]
pub fn PromotionPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let id = move || params.read().get("id").and_then(|v| v.parse::<i64>().ok()).unwrap_or(0);
    let change = ServerAction::<SetPromotionStatus>::new();
    let data = Resource::new(move || (id(), change.version().get()), |(id, _)| promotion_detail(id));
    view! {
        <Title text=move || t_string!(i18n, promotions.title).to_string()/>
        <Suspense fallback=move || view! { <p class="muted">{t!(i18n, app.loading)}</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(d) => view! { <PromotionView data=d change/> }.into_any(),
                    Err(e) => refusal_view(e),
                }
            })}
        </Suspense>
    }
}

#[component]
fn PromotionView(data: PromotionDetailDto, change: ServerAction<SetPromotionStatus>) -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let asked = move || query.read().get("confirm").unwrap_or_default();
    let r = data.row.clone();
    let currency = data.currency.clone();
    let (summary_en, summary_id) = (data.summary_en.clone(), data.summary_id.clone());
    let summary = move || if i18n.get_locale() == Locale::id { summary_id.clone() } else { summary_en.clone() };
    let error = Signal::derive(move || change.value().get().and_then(Result::err));
    let changed = move || matches!(change.value().get(), Some(Ok(_)));
    let status = r.status.clone();
    // The moves the domain allows from here (`PromotionStatus::can_become`).
    let from = PromotionStatus::parse(&status);
    let can = |to: &str| from.zip(PromotionStatus::parse(to)).is_some_and(|(f, t)| f != t && f.can_become(t));
    let actions: Vec<&'static str> =
        if data.can_edit { ["active", "paused", "ended"].into_iter().filter(|t| can(t)).collect() } else { vec![] };
    let base = format!("/promotions/{}", r.id);
    let name = r.name.clone();
    let limit = r.total_uses.map(|l| l.to_string()).unwrap_or_else(|| "∞".into());
    let kind = r.kind.clone();
    let is_code = r.kind == "code";
    view! {
        <section class="page" data-page="promotion" data-promotion=r.id.to_string()>
            <header class="page-header">
                <h1>{r.name.clone()} " " <PromotionStatusBadge status=r.status.clone()/></h1>
                <div class="actions">
                    {actions.iter().map(|to| {
                        let href = format!("{base}?confirm={to}");
                        let to = *to;
                        view! { <a class="button button-secondary" href=href data-action=to>{move || action_word(i18n, to)}</a> }
                    }).collect_view()}
                    <a class="button button-secondary" href=data.try_href.clone()>{t!(i18n, promotions.try_simulator)}</a>
                </div>
            </header>
            <Show when=changed>
                <div class="notice notice-ok" role="status">{t!(i18n, promotions.status_changed)}</div>
            </Show>
            {move || {
                let to = asked();
                (actions.contains(&to.as_str()) && !changed()).then(|| view! {
                    <StatusConfirm id=r.id name=name.clone() to=to base=base.clone() change error/>
                })
            }}
            <section class="card" aria-labelledby="rule-h">
                <h2 id="rule-h">{t!(i18n, promotions.summary)}</h2>
                <p class="summary" data-testid="promotion-summary">{summary}</p>
                {(!data.description.is_empty()).then(|| view! { <p class="muted">{data.description.clone()}</p> })}
            </section>
            <dl class="facts">
                <dt>{t!(i18n, promotions.kind)}</dt><dd>{move || kind_label(i18n, &kind)}</dd>
                <dt>{t!(i18n, promotions.window)}</dt><dd><PromotionWindow row=data.row.clone()/></dd>
                <dt>{t!(i18n, promotions.priority)}</dt><dd>{r.priority}</dd>
                <dt>{t!(i18n, promotions.uses)}</dt><dd data-testid="promotion-uses">{r.uses} " / " {limit}</dd>
                <dt>{t!(i18n, promotions.discount)}</dt><dd>{money(r.budget_used, &currency)}</dd>
                <dt>{t!(i18n, promotions.budget_left)}</dt><dd>{r.budget.map(|b| money(b - r.budget_used, &currency)).unwrap_or_else(|| "—".into())}</dd>
            </dl>
            {is_code.then(|| view! {
                <Codes id=data.row.id count=data.codes shared=data.code.clone() can_edit=data.can_edit currency=data.currency.clone()/>
            })}
        </section>
    }
}

fn action_word(i18n: leptos_i18n::I18nContext<Locale>, to: &str) -> String {
    match to {
        "active" => t_string!(i18n, promotions.activate).to_string(),
        "paused" => t_string!(i18n, promotions.pause).to_string(),
        _ => t_string!(i18n, promotions.end).to_string(),
    }
}

/// The confirm step of a status change: what will happen, Cancel first; ending
/// asks for the promotion's name.
#[component]
fn StatusConfirm(
    id: i64,
    name: String,
    to: String,
    base: String,
    change: ServerAction<SetPromotionStatus>,
    error: Signal<Option<crate::error::AppError>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let ending = to == "ended";
    let what = {
        let (name, to) = (name.clone(), to.clone());
        move || match to.as_str() {
            "active" => t_string!(i18n, promotions.confirm_activate, name = name.clone()).to_string(),
            "paused" => t_string!(i18n, promotions.confirm_pause, name = name.clone()).to_string(),
            _ => t_string!(i18n, promotions.confirm_end, name = name.clone()).to_string(),
        }
    };
    view! {
        <div class="card confirm" role="alertdialog" aria-labelledby="confirm-text" data-testid="status-confirm">
            <p id="confirm-text">{what}</p>
            {move || error.get().filter(|e| e.field().is_none()).map(|e| view! { <ErrorNotice error=e/> })}
            <ActionForm action=change attr:class="inline-form">
                <input type="hidden" name="id" value=id.to_string()/>
                <input type="hidden" name="status" value=to.clone()/>
                <a class="button button-secondary" href=base autofocus=true>{t!(i18n, promotions.cancel)}</a>
                {ending.then(|| view! {
                    <label for="confirm-name">{t!(i18n, promotions.type_name)}</label>
                    <input id="confirm-name" name="confirm_name" autocomplete="off" required/>
                    <FieldError field="confirm_name" error/>
                })}
                <button type="submit" class="button button-primary" data-testid="status-confirm-button">{t!(i18n, promotions.confirm)}</button>
            </ActionForm>
        </div>
    }
}

/// A code promotion's codes: export, generate, look up.
#[component]
fn Codes(id: i64, count: i64, shared: Option<String>, can_edit: bool, currency: setia_domain::CurrencyFormat) -> impl IntoView {
    let i18n = use_i18n();
    let generate = ServerAction::<GenerateCodes>::new();
    let find = ServerAction::<FindCode>::new();
    let set_status = ServerAction::<SetCodeStatus>::new();
    let gen_error = Signal::derive(move || generate.value().get().and_then(Result::err));
    let find_error =
        Signal::derive(move || find.value().get().and_then(Result::err).or_else(|| set_status.value().get().and_then(Result::err)));
    view! {
        <section class="card" aria-labelledby="codes-h" data-testid="codes">
            <h2 id="codes-h">{t!(i18n, promotions.codes)}</h2>
            <p>
                {t!(i18n, promotions.codes_intro, count = count)} " "
                {shared.map(|c| view! { <span>{t!(i18n, promotions.code)} ": " <code>{c}</code></span> })}
            </p>
            {can_edit.then(|| view! {
                <p><a class="button button-secondary" href=format!("/promotions/{id}/codes.csv") download="" data-testid="codes-export">{t!(i18n, promotions.export)}</a></p>
                <h3>{t!(i18n, promotions.generate)}</h3>
                {move || gen_error.get().filter(|e| e.field().is_none()).map(|e| view! { <ErrorNotice error=e/> })}
                <ActionForm action=generate attr:class="form form-grid" attr:data-testid="generate-form">
                    <input type="hidden" name="id" value=id.to_string()/>
                    <div class="field">
                        <label for="g-count">{t!(i18n, promotions.count)}</label>
                        <input id="g-count" name="count" inputmode="numeric" required/>
                        <FieldError field="count" error=gen_error/>
                    </div>
                    <div class="field">
                        <label for="g-prefix">{t!(i18n, promotions.prefix)}</label>
                        <input id="g-prefix" name="prefix" maxlength="32"/>
                        <FieldError field="prefix" error=gen_error/>
                    </div>
                    <div class="field">
                        <label for="g-pattern">{t!(i18n, promotions.pattern)}</label>
                        <input id="g-pattern" name="pattern" value="########" aria-describedby="g-pattern-hint"/>
                        <p class="hint" id="g-pattern-hint">{t!(i18n, promotions.pattern_hint)}</p>
                        <FieldError field="pattern" error=gen_error/>
                    </div>
                    <div class="field">
                        <label for="g-max">{t!(i18n, promotions.max_uses)}</label>
                        <input id="g-max" name="max_uses" inputmode="numeric" aria-describedby="g-max-hint"/>
                        <p class="hint" id="g-max-hint">{t!(i18n, promotions.max_uses_hint)}</p>
                        <FieldError field="max_uses" error=gen_error/>
                    </div>
                    <div class="actions">
                        <button type="submit" class="button button-primary" data-testid="generate" disabled=move || generate.pending().get()>
                            {t!(i18n, promotions.generate)}
                        </button>
                    </div>
                </ActionForm>
                {move || generate.value().get().and_then(Result::ok).map(|o| match (o.generated, o.task_id) {
                    (Some(n), _) => view! { <div class="notice notice-ok" role="status" data-testid="generated">{t!(i18n, promotions.generated, count = n)}</div> }.into_any(),
                    (None, Some(task)) => view! {
                        <TaskProgress id=task/>
                        <p><a href=format!("/tasks/{task}")>{t!(i18n, tasks.title, id = task)}</a></p>
                    }.into_any(),
                    _ => ().into_any(),
                })}
            })}
            <h3>{t!(i18n, promotions.lookup)}</h3>
            <ActionForm action=find attr:class="inline-form" attr:data-testid="lookup-form">
                <input type="hidden" name="id" value=id.to_string()/>
                <label for="l-code">{t!(i18n, promotions.lookup)}</label>
                <input id="l-code" name="code" required/>
                <button type="submit" class="button button-secondary">{t!(i18n, promotions.lookup_button)}</button>
            </ActionForm>
            {move || find_error.get().map(|e| view! { <ErrorNotice error=e/> })}
            {move || find.value().get().and_then(Result::ok).map(|found| match found {
                None => view! { <p class="notice notice-warn" role="status">{t!(i18n, promotions.not_found)}</p> }.into_any(),
                Some(c) => {
                    let disabled = c.status == "disabled";
                    let status_now = move || match set_status.value().get() {
                        Some(Ok(_)) => !disabled,
                        _ => disabled,
                    };
                    let currency = currency.clone();
                    let the_code = c.code.clone();
                    view! {
                        <div data-testid="code-found" data-code=c.code.clone()>
                            <p>
                                <code>{c.code.clone()}</code> " · "
                                {t!(i18n, promotions.code_uses)} ": " {c.uses} " / " {c.max_uses.map(|m| m.to_string()).unwrap_or_else(|| "∞".into())} " · "
                                {move || if status_now() {
                                    view! { <span class="badge badge-muted" data-status="disabled">{t!(i18n, promotions.code_disabled)}</span> }.into_any()
                                } else {
                                    view! { <span class="badge badge-ok" data-status="active">{t!(i18n, promotions.code_active)}</span> }.into_any()
                                }}
                            </p>
                            {can_edit.then(|| view! {
                                <ActionForm action=set_status attr:class="inline-form">
                                    <input type="hidden" name="id" value=id.to_string()/>
                                    <input type="hidden" name="code" value=the_code.clone()/>
                                    <input type="hidden" name="disabled" value=move || (!status_now()).to_string()/>
                                    <button type="submit" class="button button-secondary" data-testid="code-toggle">
                                        {move || if status_now() { t_string!(i18n, promotions.enable).to_string() } else { t_string!(i18n, promotions.disable).to_string() }}
                                    </button>
                                </ActionForm>
                            })}
                            <h4>{t!(i18n, promotions.orders_used)}</h4>
                            {if c.orders.is_empty() {
                                view! { <p class="muted">{t!(i18n, promotions.no_orders)}</p> }.into_any()
                            } else {
                                view! {
                                    <table class="table">
                                        <thead><tr>
                                            <th scope="col">{t!(i18n, promotions.order)}</th>
                                            <th scope="col">{t!(i18n, promotions.use_status)}</th>
                                            <th scope="col" class="num">{t!(i18n, promotions.amount)}</th>
                                            <th scope="col">{t!(i18n, promotions.when)}</th>
                                        </tr></thead>
                                        <tbody>
                                            {c.orders.into_iter().map(|u| view! {
                                                <tr>
                                                    <td><a href=format!("/orders/{}", u.order_id)>{format!("#{}", u.order_id)}</a> " " <OrderStatusBadge status=u.order_status/></td>
                                                    <td>{u.use_status}</td>
                                                    <td class="num">{money(u.amount, &currency)}</td>
                                                    <td class="nowrap">{local_time(u.created_local)}</td>
                                                </tr>
                                            }).collect_view()}
                                        </tbody>
                                    </table>
                                }.into_any()
                            }}
                        </div>
                    }.into_any()
                }
            })}
        </section>
    }
}
