//! `/simulator` (every staff role; it stores nothing): products and quantities,
//! a customer, a code and a moment → the priced cart with the full trace
//! (docs/SPEC.md §2.3.1 rule 7), priced by the same function as checkout. The form is a
//! GET form, so a simulation is a link that can be shared and reloaded.

use crate::api::simulator::{simulate_pricing, simulator_choices, PickerData, SimLine, Simulation, SIMULATOR_ROWS};
use crate::components::errors::{refusal_view, ErrorNotice};
use crate::components::format::{local_time, money};
use crate::components::trace::{LinesTable, RejectedList, RejectedRow, TraceTable};
use crate::error::AppError;
use crate::i18n::*;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use setia_domain::priced_order::LineAmounts;

/// What the query string asks for: the form's rows, customer, code and moment.
#[derive(Debug, Clone, PartialEq, Default)]
struct Ask {
    lines: Vec<SimLine>,
    customer: String,
    code: String,
    at: String,
}

impl Ask {
    fn wants_pricing(&self) -> bool {
        self.lines.iter().any(|l| !l.sku.trim().is_empty())
    }
}

#[component]
pub fn SimulatorPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let ask = move || {
        let q = query.read();
        let v = |k: &str| q.get(k).map(|s| s.to_string()).unwrap_or_default();
        Ask {
            lines: (0..SIMULATOR_ROWS).map(|i| SimLine { sku: v(&format!("sku{i}")), quantity: v(&format!("qty{i}")) }).collect(),
            customer: v("customer"),
            code: v("code"),
            at: v("at"),
        }
    };
    let setup = Resource::new(|| (), |_| simulator_choices());
    let result = Resource::new(ask, |a| async move {
        if a.wants_pricing() {
            Some(simulate_pricing(a.lines, a.customer, a.code, a.at).await)
        } else {
            None
        }
    });
    view! {
        <Title text=move || t_string!(i18n, simulator.title).to_string()/>
        <Suspense fallback=move || view! { <p class="muted">{t!(i18n, app.loading)}</p> }>
            {move || Suspend::new(async move {
                let a = ask();
                match (setup.await, result.await) {
                    (Ok(s), r) => view! { <Simulator setup=s ask=a result=r/> }.into_any(),
                    (Err(e), _) => refusal_view(e),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Simulator(setup: PickerData, ask: Ask, result: Option<Result<Simulation, AppError>>) -> impl IntoView {
    let i18n = use_i18n();
    let error = result.as_ref().and_then(|r| r.as_ref().err().cloned());
    let blamed = error.as_ref().and_then(|e| e.field().map(str::to_string)).unwrap_or_default();
    let field_error = move |field: &str| {
        error.clone().filter(|_| blamed == field).map(|e| {
            view! { <p class="field-error" id=format!("{field}-error") role="alert">{move || crate::components::errors::error_text(i18n, &e)}</p> }
        })
    };
    let unplaced = result.as_ref().and_then(|r| r.as_ref().err()).filter(|e| {
        !e.field().is_some_and(|f| f == "customer" || f == "code" || f == "at" || f.starts_with("sku") || f.starts_with("qty"))
    });
    let zone = setup.time_zone.clone();
    view! {
        <section class="page" data-page="simulator">
            <h1>{t!(i18n, simulator.title)}</h1>
            <p class="muted">{t!(i18n, simulator.intro, zone = move || zone.clone())}</p>
            {unplaced.cloned().map(|e| view! { <ErrorNotice error=e/> })}
            <form method="get" action="/simulator" class="form" data-testid="simulator-form">
                <datalist id="sim-products">
                    {setup.products.iter().map(|p| view! {
                        <option value=p.sku.clone()>{format!("{} · {}", p.name, money(p.price, &setup.currency))}</option>
                    }).collect_view()}
                </datalist>
                <div class="table-wrap">
                    <table class="table">
                        <thead>
                            <tr>
                                <th scope="col">{t!(i18n, simulator.product)}</th>
                                <th scope="col">{t!(i18n, simulator.quantity)}</th>
                            </tr>
                        </thead>
                        <tbody>
                            {ask.lines.iter().enumerate().map(|(i, l)| {
                                let (sku, qty) = (format!("sku{i}"), format!("qty{i}"));
                                view! {
                                    <tr>
                                        <td>
                                            <input id=sku.clone() name=sku.clone() list="sim-products" value=l.sku.clone()
                                                aria-label=move || t_string!(i18n, simulator.product_n, n = i + 1).to_string()/>
                                            {field_error(&sku)}
                                        </td>
                                        <td>
                                            <input id=qty.clone() name=qty.clone() inputmode="numeric" value=l.quantity.clone() placeholder="1"
                                                aria-label=move || t_string!(i18n, simulator.quantity_n, n = i + 1).to_string()/>
                                            {field_error(&qty)}
                                        </td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
                <div class="field">
                    <label for="customer">{t!(i18n, simulator.customer)}</label>
                    <input id="customer" name="customer" value=ask.customer.clone() aria-describedby="customer-hint"/>
                    <p class="hint" id="customer-hint">{t!(i18n, simulator.customer_hint)}</p>
                    {field_error("customer")}
                </div>
                <div class="field">
                    <label for="code">{t!(i18n, simulator.code)}</label>
                    <input id="code" name="code" value=ask.code.clone() autocapitalize="characters"/>
                    {field_error("code")}
                </div>
                <div class="field">
                    <label for="at">{t!(i18n, simulator.at)}</label>
                    <input id="at" name="at" type="datetime-local" value=ask.at.clone() aria-describedby="at-hint"/>
                    <p class="hint" id="at-hint">{t!(i18n, simulator.at_hint, now = local_time(setup.now_local))}</p>
                    {field_error("at")}
                </div>
                <div class="actions">
                    <button type="submit" class="button button-primary">{t!(i18n, simulator.price)}</button>
                    <a class="button button-secondary" href="/simulator">{t!(i18n, common.clear)}</a>
                </div>
            </form>
            {result.and_then(Result::ok).map(|s| view! { <PricedCartView sim=s/> })}
        </section>
    }
}

#[component]
fn PricedCartView(sim: Simulation) -> impl IntoView {
    let i18n = use_i18n();
    let c = sim.currency.clone();
    let p = &sim.priced;
    let lines = p.lines.iter().map(LineAmounts::from).collect::<Vec<_>>();
    let trace = sim.adjustments.clone();
    let rejected = sim
        .rejected
        .iter()
        .map(|r| RejectedRow { promotion_id: r.promotion.id, name: r.promotion.name.clone(), reason: r.reason.clone() })
        .collect::<Vec<_>>();
    let who = match (sim.customer_name.clone(), sim.tier_name.clone()) {
        (Some(name), Some(tier)) => format!("{name} · {tier}"),
        (Some(name), None) => name,
        (None, _) => String::new(),
    };
    let anonymous = who.is_empty();
    view! {
        <section class="card" data-testid="simulation">
            <h2>{t!(i18n, simulator.result)}</h2>
            <dl class="facts">
                <dt>{t!(i18n, simulator.priced_at)}</dt><dd>{local_time(sim.at_local)}</dd>
                <dt>{t!(i18n, simulator.customer)}</dt>
                <dd>{move || if anonymous { t_string!(i18n, orders.walk_in).to_string() } else { who.clone() }}</dd>
                <dt>{t!(i18n, orders.subtotal)}</dt><dd>{money(p.subtotal.0, &c)}</dd>
                <dt>{t!(i18n, orders.discount)}</dt><dd data-testid="sim-discount">{money(p.discount_total.0, &c)}</dd>
                <dt>{t!(i18n, orders.total)}</dt><dd data-testid="sim-total"><strong>{money(p.total.0, &c)}</strong></dd>
                <dt>{t!(i18n, orders.points_to_earn)}</dt><dd>{p.points_to_earn}</dd>
            </dl>
        </section>
        <h2>{t!(i18n, orders.lines)}</h2>
        <LinesTable rows=lines currency=c.clone() testid="sim-lines"/>
        <h2>{t!(i18n, orders.trace)}</h2>
        <TraceTable rows=trace currency=c.clone() testid="sim-trace"/>
        <h2>{t!(i18n, simulator.candidates)}</h2>
        <p class="muted">{t!(i18n, simulator.candidates_hint)}</p>
        <ul class="plain-list" data-testid="sim-candidates">
            {sim.candidates.iter().map(|k| {
                let name = k.exclusive.as_ref().map(|p| p.name.clone());
                view! {
                    <li data-chosen=k.chosen.to_string()>
                        {move || match &name {
                            Some(n) => t_string!(i18n, simulator.exclusive_alone, name = n.clone()).to_string(),
                            None => t_string!(i18n, simulator.combinable_set).to_string(),
                        }}
                        " · " {money(k.discount, &c)}
                        {k.chosen.then(|| view! { " " <span class="badge badge-ok">{t!(i18n, simulator.chosen)}</span> })}
                    </li>
                }
            }).collect_view()}
        </ul>
        <h2>{t!(i18n, simulator.rejected)}</h2>
        <RejectedList rows=rejected currency=c.clone() testid="sim-rejected" none=t!(i18n, simulator.none_rejected).into_any()/>
    }
}
