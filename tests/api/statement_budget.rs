//! Statements per POS request, counted (issue 15): every SQL statement sqlx sends is
//! logged at the `sqlx::query` target inside the request's span, which carries the
//! request's `x-request-id`; a tracing layer in this test binary counts them per id.
//! The budgets hold the write path lean as points and vouchers join it: a change that
//! adds a round trip fails here, and the message lists the statements sent.
//!
//! What sqlx logs is what is counted: on PostgreSQL that includes `COMMIT` but not
//! the `BEGIN` of a transaction (one more round trip per transaction, not counted);
//! SQLite's connection thread opens and ends transactions itself, and it locks no
//! rows (its `BEGIN IMMEDIATE` holds the one write lock), so its counts are lower.

use crate::common::TestApp;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::{LazyLock, Mutex, Once};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id};
use tracing::{Event, Subscriber};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;

/// Statements sent per request id (their first words, in order).
static SENT: LazyLock<Mutex<HashMap<String, Vec<String>>>> = LazyLock::new(Default::default);

struct RequestIdOf(String);

struct StatementCounter;

struct Fields {
    request_id: Option<String>,
    statement: Option<String>,
}

impl Visit for Fields {
    fn record_str(&mut self, field: &Field, value: &str) {
        match field.name() {
            "request_id" => self.request_id = Some(value.to_string()),
            "db.statement" | "summary" if self.statement.is_none() => self.statement = Some(value.to_string()),
            _ => {}
        }
    }
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.record_str(field, &format!("{value:?}"))
    }
}

impl<S: Subscriber + for<'a> LookupSpan<'a>> Layer<S> for StatementCounter {
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        if attrs.metadata().name() != "request" {
            return;
        }
        let mut f = Fields { request_id: None, statement: None };
        attrs.record(&mut f);
        if let (Some(rid), Some(span)) = (f.request_id, ctx.span(id)) {
            span.extensions_mut().insert(RequestIdOf(rid));
        }
    }

    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        if event.metadata().target() != "sqlx::query" {
            return;
        }
        let Some(scope) = ctx.event_scope(event) else { return };
        for span in scope {
            if let Some(RequestIdOf(rid)) = span.extensions().get::<RequestIdOf>() {
                let mut f = Fields { request_id: None, statement: None };
                event.record(&mut f);
                let text = f.statement.unwrap_or_default().split_whitespace().take(6).collect::<Vec<_>>().join(" ");
                SENT.lock().unwrap().entry(rid.clone()).or_default().push(text);
                return;
            }
        }
    }
}

fn count_statements() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        use tracing_subscriber::filter::Targets;
        let only = Targets::new().with_target("sqlx::query", tracing::Level::TRACE).with_target("setia::request_id", tracing::Level::INFO);
        let subscriber = tracing_subscriber::registry().with(StatementCounter.with_filter(only));
        tracing::subscriber::set_global_default(subscriber).expect("no other global subscriber in the test binary");
    });
}

/// Sends one API request under a fresh request id; its reply and the statements it sent.
async fn counted(app: &TestApp, method: &str, path: &str, token: &str, body: Option<Value>) -> (crate::common::Reply, Vec<String>) {
    static N: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let rid = format!("budget-{}-{}", std::process::id(), N.fetch_add(1, std::sync::atomic::Ordering::Relaxed));
    let mut req = reqwest::Client::new().request(method.parse().unwrap(), format!("{}/api/v1{path}", app.base)).bearer_auth(token);
    req = req.header("x-request-id", &rid);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let reply = crate::common::Client::reply(req.send().await.expect("request")).await;
    assert_eq!(reply.headers.get("x-request-id").and_then(|v| v.to_str().ok()), Some(rid.as_str()), "the id is echoed");
    let sent = SENT.lock().unwrap().remove(&rid).unwrap_or_default();
    (reply, sent)
}

fn within(what: &str, sent: &[String], budget: usize) {
    assert!(sent.len() <= budget, "{what}: {} statements, budget {budget}:\n  {}", sent.len(), sent.join("\n  "));
    eprintln!("{what}: {} statements (budget {budget})\n  {}", sent.len(), sent.join("\n  "));
}

both_backends!(pos_requests_stay_within_their_statement_budgets, |app| async move {
    count_statements();
    let (admin, pos) = (app.api_token("admin").await, app.api_token("pos").await);
    for (sku, price) in [("KOPI", 25_000), ("ROTI", 15_500), ("TEH", 9_000)] {
        let r =
            app.api("POST", "/products", Some(&admin), Some(json!({"sku": sku, "name": sku, "price": price, "category": "minuman"}))).await;
        assert_eq!(r.status, 201, "{}", r.text);
    }
    for (name, min) in [("Silver", 100_000), ("Gold", 1_000_000)] {
        let body = json!({"name": name, "min_spending": min, "window_days": 365, "earn_rate_points": 1, "earn_rate_per": 1000, "discount_percent": 5});
        assert_eq!(app.api("POST", "/tiers", Some(&admin), Some(body)).await.status, 201);
    }
    let promo = json!({"name": "Kopi pagi", "kind": "automatic", "priority": 10, "stacking": "combinable",
                       "reward": {"type": "percent_items", "value": 10, "skus": ["KOPI"]}});
    let r = app.api("POST", "/promotions", Some(&admin), Some(promo)).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let id = r.body["id"].as_i64().unwrap();
    assert_eq!(app.api("POST", &format!("/promotions/{id}/status"), Some(&admin), Some(json!({"status": "active"}))).await.status, 200);
    let r = app.api("POST", "/customers", Some(&pos), Some(json!({"name": "Dewi Lestari", "phone": "+6281234567801"}))).await;
    let customer = r.body["id"].as_i64().unwrap();
    let cart = |n: usize| {
        json!({"source": "pos", "external_ref": format!("budget-{n}"), "customer_id": customer,
               "lines": [{"sku": "KOPI", "quantity": 2}, {"sku": "ROTI", "quantity": 1}, {"sku": "TEH", "quantity": 3}]})
    };
    // Warm: the first request after a change may rebuild what is cached.
    let (first, _) = counted(&app, "POST", "/orders", &pos, Some(cart(0))).await;
    assert_eq!(first.status, 201, "{}", first.text);

    let (quote, sent) = counted(&app, "POST", "/orders/quote", &pos, Some(cart(1))).await;
    assert_eq!(quote.status, 200, "{}", quote.text);
    within("quote with a customer", &sent, 4);

    let (created, sent) = counted(&app, "POST", "/orders", &pos, Some(cart(2))).await;
    assert_eq!(created.status, 201, "{}", created.text);
    assert!(created.body["discount_total"].as_i64().unwrap() > 0, "the promotion applied: {}", created.text);
    within("create", &sent, 10);

    let order = created.body["id"].as_i64().unwrap();
    let pay = json!({"payment_ref": "budget-pay-2", "amount": created.body["total"]});
    let (paid, sent) = counted(&app, "POST", &format!("/orders/{order}/pay"), &pos, Some(pay.clone())).await;
    assert_eq!(paid.status, 200, "{}", paid.text);
    assert_eq!(paid.body["status"], "paid");
    within("pay", &sent, 10);

    let (again, sent) = counted(&app, "POST", &format!("/orders/{order}/pay"), &pos, Some(pay)).await;
    assert_eq!((again.status, &again.body["status"]), (200, &json!("paid")), "{}", again.text);
    within("pay sent again", &sent, 10);

    let (resent, sent) = counted(&app, "POST", "/orders", &pos, Some(cart(2))).await;
    assert_eq!((resent.status, &resent.body["id"]), (200, &json!(order)), "{}", resent.text);
    within("create sent again", &sent, 10);

    let (read, sent) = counted(&app, "GET", &format!("/customers/{customer}"), &pos, None).await;
    assert_eq!(read.status, 200, "{}", read.text);
    within("one customer", &sent, 3);
});
