//! `/orders` (every staff role): filters by status, source, dates, customer and
//! reference, in the query string; `/orders/:id`: lines, the discount trace,
//! refunds and refused payment notifications.

use crate::api::orders::{list_orders, order_detail, OrderDetailDto, OrderPage, RecalculateOrder};
use crate::components::errors::{refusal_view, ErrorNotice};
use crate::components::format::{local_time, money, OrderStatusBadge};
use crate::components::list::{Pager, QueryState};
use crate::components::trace::{LinesTable, RejectedList, RejectedRow, TraceTable};
use crate::i18n::*;
use crate::root::CurrentUser;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};
use setia_domain::OrderStatus;
use setia_domain::Role;

fn source_label(i18n: leptos_i18n::I18nContext<Locale>, source: &str) -> String {
    match source {
        "pos" => t_string!(i18n, orders.source_pos).to_string(),
        "online" => t_string!(i18n, orders.source_online).to_string(),
        "import" => t_string!(i18n, orders.source_import).to_string(),
        other => other.to_string(),
    }
}

#[component]
pub fn OrdersPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let state = move || {
        let q = query.read();
        let v = |k: &str| q.get(k).map(|s| s.trim().to_string()).unwrap_or_default();
        let page = q.get("page").and_then(|p| p.parse::<i64>().ok()).unwrap_or(1).max(1);
        (
            page,
            QueryState(vec![
                ("status", v("status")),
                ("source", v("source")),
                ("from", v("from")),
                ("until", v("until")),
                ("customer", v("customer")),
                ("reference", v("reference")),
            ]),
        )
    };
    let data = Resource::new(state, |(page, s)| {
        let opt = |k: &str| Some(s.get(k)).filter(|v| !v.is_empty());
        list_orders(
            page,
            opt("status"),
            opt("source"),
            opt("from"),
            opt("until"),
            opt("customer").and_then(|c| c.parse().ok()),
            opt("reference"),
        )
    });
    view! {
        <Title text=move || t_string!(i18n, orders.title).to_string()/>
        <Suspense fallback=move || view! { <p class="muted">{t!(i18n, app.loading)}</p> }>
            {move || Suspend::new(async move {
                let (_, s) = state();
                match data.await {
                    Ok(d) => view! { <OrderList data=d state=s/> }.into_any(),
                    Err(e) => refusal_view(e),
                }
            })}
        </Suspense>
    }
}

#[component]
fn OrderList(data: OrderPage, state: QueryState) -> impl IntoView {
    let i18n = use_i18n();
    let empty = data.rows.is_empty();
    let currency = data.currency.clone();
    let zone = data.time_zone.clone();
    let (status, source) = (state.get("status"), state.get("source"));
    view! {
        <section class="page" data-page="orders">
            <h1>{t!(i18n, orders.title)}</h1>
            <p class="muted">{t!(i18n, orders.intro, zone = move || zone.clone())}</p>
            <form method="get" action="/orders" class="filters" role="search">
                <div class="field">
                    <label for="f-status">{t!(i18n, orders.status)}</label>
                    <select id="f-status" name="status">
                        <option value="">{t!(i18n, orders.any_status)}</option>
                        {OrderStatus::ALL.into_iter().map(|s| {
                            let v = s.as_str();
                            view! { <option value=v selected=v == status><OrderStatusText status=v/></option> }
                        }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="f-source">{t!(i18n, orders.source)}</label>
                    <select id="f-source" name="source">
                        <option value="">{t!(i18n, orders.any_source)}</option>
                        {["pos", "online", "import"].into_iter().map(|v| view! {
                            <option value=v selected=v == source>{move || source_label(i18n, v)}</option>
                        }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="f-from">{t!(i18n, orders.from)}</label>
                    <input id="f-from" name="from" type="date" value=state.get("from")/>
                </div>
                <div class="field">
                    <label for="f-until">{t!(i18n, orders.until)}</label>
                    <input id="f-until" name="until" type="date" value=state.get("until")/>
                </div>
                <div class="field">
                    <label for="f-reference">{t!(i18n, orders.reference)}</label>
                    <input id="f-reference" name="reference" value=state.get("reference")/>
                </div>
                <input type="hidden" name="customer" value=state.get("customer")/>
                <div class="actions">
                    <button type="submit" class="button button-primary">{t!(i18n, common.filter)}</button>
                    <a class="button button-secondary" href="/orders">{t!(i18n, common.clear)}</a>
                </div>
            </form>
            <div class="table-wrap">
                <table class="table" data-testid="orders-table">
                    <thead>
                        <tr>
                            <th scope="col">{t!(i18n, orders.order)}</th>
                            <th scope="col">{t!(i18n, orders.source)}</th>
                            <th scope="col">{t!(i18n, orders.status)}</th>
                            <th scope="col">{t!(i18n, orders.customer)}</th>
                            <th scope="col" class="num">{t!(i18n, orders.discount)}</th>
                            <th scope="col" class="num">{t!(i18n, orders.total)}</th>
                            <th scope="col">{t!(i18n, orders.created)}</th>
                        </tr>
                    </thead>
                    <tbody>
                        <Show when=move || empty>
                            <tr><td colspan="7" class="empty">{t!(i18n, orders.empty)}</td></tr>
                        </Show>
                        {data.rows.into_iter().map(|o| {
                            let src = o.source.clone();
                            view! {
                                <tr data-order=o.id.to_string() data-status=o.status.clone()>
                                    <td><a href=format!("/orders/{}", o.id)>{format!("#{} · {}", o.id, o.external_ref)}</a></td>
                                    <td>{move || source_label(i18n, &src)}</td>
                                    <td><OrderStatusBadge status=o.status.clone()/></td>
                                    <td>{match o.customer_id {
                                        Some(c) => view! { <a href=format!("/customers/{c}")>{format!("#{c}")}</a> }.into_any(),
                                        None => view! { <span class="muted">{t!(i18n, orders.walk_in)}</span> }.into_any(),
                                    }}</td>
                                    <td class="num">{money(o.discount_total, &currency)}</td>
                                    <td class="num">{money(o.total, &currency)}</td>
                                    <td class="nowrap">{local_time(o.created_local)}</td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
            <Pager page=data.page total=data.total page_size=data.page_size base="/orders" state/>
        </section>
    }
}

/// A status's name as plain text (for `<option>`s).
#[component]
fn OrderStatusText(status: &'static str) -> impl IntoView {
    let i18n = use_i18n();
    move || match status {
        "pending_payment" => t_string!(i18n, order_status.pending_payment),
        "paid" => t_string!(i18n, order_status.paid),
        "shipped" => t_string!(i18n, order_status.shipped),
        "completed" => t_string!(i18n, order_status.completed),
        "cancelled" => t_string!(i18n, order_status.cancelled),
        "expired" => t_string!(i18n, order_status.expired),
        "partially_refunded" => t_string!(i18n, order_status.partially_refunded),
        _ => t_string!(i18n, order_status.refunded),
    }
}

#[component]
pub fn OrderPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let id = move || params.read().get("id").and_then(|v| v.parse::<i64>().ok()).unwrap_or(0);
    let recalculate = ServerAction::<RecalculateOrder>::new();
    let data = Resource::new(move || (id(), recalculate.version().get()), |(id, _)| order_detail(id));
    let CurrentUser(me) = expect_context::<CurrentUser>();
    view! {
        <Title text=move || t_string!(i18n, orders.title).to_string()/>
        <Suspense fallback=move || view! { <p class="muted">{t!(i18n, app.loading)}</p> }>
            {move || Suspend::new(async move {
                let is_admin = matches!(me.await, Ok(Some(ref u)) if u.role.grants(Role::Admin));
                match data.await {
                    Ok(d) => view! { <OrderView data=d recalculate=is_admin.then_some(recalculate)/> }.into_any(),
                    Err(e) => refusal_view(e),
                }
            })}
        </Suspense>
    }
}

#[component]
fn OrderView(data: OrderDetailDto, recalculate: Option<ServerAction<RecalculateOrder>>) -> impl IntoView {
    let i18n = use_i18n();
    let pending = data.row.status == "pending_payment";
    let recalculate_form = recalculate.filter(|_| pending).map(|action| {
        let error = move || action.value().get().and_then(Result::err);
        let done = move || matches!(action.value().get(), Some(Ok(_)));
        view! {
            <ActionForm action attr:class="inline-form" attr:data-testid="recalculate-form">
                <input type="hidden" name="id" value=data.row.id.to_string()/>
                <button type="submit" class="button button-secondary" disabled=move || action.pending().get()
                    title=move || t_string!(i18n, orders.recalculate_hint).to_string()>
                    {t!(i18n, orders.recalculate)}
                </button>
            </ActionForm>
            <Show when=done><span class="notice notice-ok" role="status">{t!(i18n, orders.recalculated)}</span></Show>
            {move || error().map(|e| view! { <ErrorNotice error=e/> })}
        }
    });
    let c = data.currency.clone();
    let o = data.row.clone();
    let no_refunds = data.refunds.is_empty();
    let no_rejections = data.rejections.is_empty();
    let src = o.source.clone();
    let customer = match (o.customer_id, data.customer_name.clone()) {
        (Some(id), name) => view! { <a href=format!("/customers/{id}")>{name.unwrap_or_else(|| format!("#{id}"))}</a> }.into_any(),
        (None, _) => view! { <span class="muted">{t!(i18n, orders.walk_in)}</span> }.into_any(),
    };
    let totals = view! {
        <dl class="facts">
            <dt>{t!(i18n, orders.subtotal)}</dt><dd>{money(data.subtotal, &c)}</dd>
            <dt>{t!(i18n, orders.discount)}</dt><dd data-testid="order-discount">{money(o.discount_total, &c)}</dd>
            <dt>{t!(i18n, orders.points_discount)}</dt><dd>{money(data.points_discount, &c)}</dd>
            <dt>{t!(i18n, orders.shipping)}</dt><dd>{money(data.shipping, &c)}</dd>
            <dt>{t!(i18n, orders.total)}</dt><dd data-testid="order-total"><strong>{money(o.total, &c)}</strong></dd>
            <dt>{t!(i18n, orders.refunded)}</dt><dd>{money(data.refunded, &c)}</dd>
        </dl>
    }
    .into_any();
    let facts = view! {
        <dl class="facts">
            <dt>{t!(i18n, orders.source)}</dt><dd>{move || source_label(i18n, &src)}</dd>
            <dt>{t!(i18n, orders.customer)}</dt><dd>{customer}</dd>
            <dt>{t!(i18n, orders.tier_snapshot)}</dt><dd>{data.tier_name.clone().unwrap_or_else(|| "—".into())}</dd>
            <dt>{t!(i18n, orders.points_to_earn)}</dt><dd>{data.points_to_earn}</dd>
            <dt>{t!(i18n, orders.created)}</dt><dd>{local_time(o.created_local)}</dd>
            <dt>{t!(i18n, orders.deadline)}</dt><dd>{local_time(data.deadline_local)}</dd>
            <dt>{t!(i18n, orders.paid)}</dt><dd>{o.paid_local.map(|t| local_time(t).into_any()).unwrap_or_else(|| "—".into_any())}</dd>
            <dt>{t!(i18n, orders.payment_ref)}</dt><dd>{data.payment_ref.clone().unwrap_or_else(|| "—".into())}</dd>
        </dl>
    }
    .into_any();
    let lines = data.lines.clone();
    let trace = data.adjustments.clone();
    let rejected_promotions = data
        .rejected_promotions
        .iter()
        .map(|r| RejectedRow {
            promotion_id: r.promotion_id,
            name: r.name.clone().unwrap_or_else(|| format!("#{}", r.promotion_id)),
            reason: r.reason.clone(),
        })
        .collect::<Vec<_>>();
    let refunds = view! {
        <Show when=move || no_refunds>
            <p class="muted">{t!(i18n, orders.no_refunds)}</p>
        </Show>
        <ul class="plain-list" data-testid="order-refunds">
            {data.refunds.iter().map(|r| view! {
                <li><span class="muted nowrap">{local_time(r.created_local)}</span> " " <code>{r.refund_ref.clone()}</code> " " {money(r.amount, &c)}</li>
            }).collect_view()}
        </ul>
        <h2>{t!(i18n, orders.rejections)}</h2>
        <Show when=move || no_rejections>
            <p class="muted">{t!(i18n, orders.no_rejections)}</p>
        </Show>
        <ul class="plain-list" data-testid="order-rejections">
            {data.rejections.iter().map(|r| view! {
                <li>
                    <span class="muted nowrap">{local_time(r.created_local)}</span> " "
                    <code>{r.payment_ref.clone()}</code> " " {money(r.amount, &c)} " " <span class="badge badge-error">{r.reason.clone()}</span>
                </li>
            }).collect_view()}
        </ul>
    }
    .into_any();
    view! {
        <section class="page" data-page="order">
            <header class="record-header">
                <h1>{format!("#{} · {}", o.id, o.external_ref)}</h1>
                <OrderStatusBadge status=o.status.clone()/>
                {recalculate_form}
            </header>
            <div class="cards">
                <section class="card">{facts}</section>
                <section class="card">{totals}</section>
            </div>
            <h2>{t!(i18n, orders.lines)}</h2>
            <LinesTable rows=lines currency=c.clone() testid="order-lines"/>
            <h2>{t!(i18n, orders.trace)}</h2>
            <TraceTable rows=trace currency=c.clone() testid="order-trace"/>
            <h2>{t!(i18n, orders.rejected_promotions)}</h2>
            <RejectedList rows=rejected_promotions currency=c.clone() testid="order-rejected-promotions"
                none=t!(i18n, orders.none_rejected_promotions).into_any()/>
            <h2>{t!(i18n, orders.refunds)}</h2>
            {refunds}
        </section>
    }
}
