//! A priced cart as the order page and the simulator show it (docs/SPEC.md §2.3.1 rule
//! 7): its lines, the trace of applied rewards, and the promotions turned down
//! with their reasons, each explained in the reader's language.

use crate::components::format::{money, trace_language};
use crate::i18n::*;
use leptos::prelude::*;
use setia_domain::priced_order::{AppliedReward, LineAmounts};
use setia_domain::trace::RejectReason;
use setia_domain::CurrencyFormat;

/// One promotion turned down.
#[derive(Debug, Clone, PartialEq)]
pub struct RejectedRow {
    pub promotion_id: i64,
    pub name: String,
    pub reason: RejectReason,
}

#[component]
pub fn LinesTable(rows: Vec<LineAmounts>, currency: CurrencyFormat, testid: &'static str) -> impl IntoView {
    let i18n = use_i18n();
    let c = currency;
    view! {
        <div class="table-wrap">
            <table class="table" data-testid=testid>
                <thead>
                    <tr>
                        <th scope="col">"#"</th>
                        <th scope="col">{t!(i18n, orders.sku)}</th>
                        <th scope="col" class="num">{t!(i18n, orders.quantity)}</th>
                        <th scope="col" class="num">{t!(i18n, orders.unit_price)}</th>
                        <th scope="col" class="num">{t!(i18n, orders.base_amount)}</th>
                        <th scope="col" class="num">{t!(i18n, orders.discount)}</th>
                        <th scope="col" class="num">{t!(i18n, orders.final_amount)}</th>
                    </tr>
                </thead>
                <tbody>
                    {rows.into_iter().enumerate().map(|(i, l)| view! {
                        <tr>
                            <td>{i + 1}</td>
                            <td><code>{l.sku}</code></td>
                            <td class="num">{l.quantity}</td>
                            <td class="num">{money(l.unit_price, &c)}</td>
                            <td class="num">{money(l.base_amount, &c)}</td>
                            <td class="num">{money(l.discount, &c)}</td>
                            <td class="num">{money(l.final_amount, &c)}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

#[component]
pub fn TraceTable(rows: Vec<AppliedReward>, currency: CurrencyFormat, testid: &'static str) -> impl IntoView {
    let i18n = use_i18n();
    let empty = rows.is_empty();
    let c = currency;
    view! {
        <div class="table-wrap">
            <table class="table" data-testid=testid>
                <thead>
                    <tr>
                        <th scope="col">{t!(i18n, orders.line)}</th>
                        <th scope="col">{t!(i18n, orders.explanation)}</th>
                        <th scope="col" class="num">{t!(i18n, orders.amount)}</th>
                    </tr>
                </thead>
                <tbody>
                    <Show when=move || empty>
                        <tr><td colspan="3" class="empty">{t!(i18n, orders.trace_empty)}</td></tr>
                    </Show>
                    {rows.into_iter().map(|a| {
                        let (reward, currency) = (a.clone(), c.clone());
                        let text = move || reward.explained(trace_language(i18n.get_locale()), &currency);
                        view! {
                            <tr data-source=a.source data-promotion=a.promotion_id.map(|id| id.to_string())>
                                <td>{match a.line {
                                    Some(n) => (n + 1).to_string().into_any(),
                                    None => t!(i18n, orders.all_lines).into_any(),
                                }}</td>
                                <td>{text}</td>
                                <td class="num">{money(a.amount, &c)}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

/// The promotions turned down; `none` is said when there are none.
#[component]
pub fn RejectedList(rows: Vec<RejectedRow>, currency: CurrencyFormat, testid: &'static str, none: AnyView) -> impl IntoView {
    let i18n = use_i18n();
    let empty = rows.is_empty();
    view! {
        {empty.then(|| view! { <p class="muted">{none}</p> })}
        <ul class="plain-list" data-testid=testid>
            {rows.into_iter().map(|r| {
                let (reason, c) = (r.reason.clone(), currency.clone());
                view! {
                    <li data-promotion=r.promotion_id.to_string() data-reason=r.reason.code()>
                        <strong>{r.name}</strong> " — " {move || reason.render(trace_language(i18n.get_locale()), &c)}
                    </li>
                }
            }).collect_view()}
        </ul>
    }
}
