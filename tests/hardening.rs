//! Issue 13's defects, each reproduced through the surfaces an attacker or a
//! careless client reaches, on SQLite and PostgreSQL: money that could wrap
//! around i64, a promotion use confirmed past its limit, and more.

mod common;

use common::TestApp;
use serde_json::{json, Value};
use setia_backend::dispatch;

struct Store {
    pos: String,
    admin: String,
}

async fn store(app: &TestApp) -> Store {
    let admin = app.api_token("admin").await;
    let pos = app.api_token("pos").await;
    let r = app.api("POST", "/products", Some(&admin), Some(json!({"sku": "KOPI", "name": "Kopi Susu", "price": 25_000}))).await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    Store { pos, admin }
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    dispatch!(&app.state.db, |c| sqlx::query_scalar::<_, i64>(sql).fetch_one(c).await).unwrap()
}

fn lines_of(n: usize, unit_price: i64) -> Value {
    Value::Array((0..n).map(|_| json!({"sku": "KOPI", "quantity": 1, "unit_price": unit_price})).collect())
}

// 18,447 lines of Rp 10^15 once summed past i64::MAX and wrapped to a small
// positive subtotal (a debug build panicked instead). A cart has at most 500 lines.
both_backends!(a_cart_whose_sum_would_wrap_around_i64_is_refused_and_nothing_is_stored, |app| async move {
    let s = store(&app).await;
    for path in ["/orders/quote", "/orders"] {
        let body = json!({"source": "pos", "external_ref": "WRAP-1", "lines": lines_of(18_447, 1_000_000_000_000_000)});
        let r = app.api("POST", path, Some(&s.pos), Some(body)).await;
        assert_eq!(r.status, 422, "{path}: {:?}", r.body);
        assert_eq!(r.body["error"]["code"], "too_many_lines");
        assert_eq!(r.body["error"]["field"], "lines");
    }
    let r = app.api("POST", "/orders", Some(&s.pos), Some(json!({"source": "pos", "external_ref": "BIG", "lines": lines_of(500, 1_000_000_000_000_000)}))).await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    assert_eq!(r.body["error"]["code"], "amount_too_large");
    let r = app.api("POST", "/orders", Some(&s.pos), Some(json!({"source": "pos", "external_ref": "MAX", "lines": lines_of(500, 1_000)}))).await;
    assert_eq!(r.status, 201, "500 lines is allowed: {:?}", r.body);
    assert_eq!(r.body["total"], 500_000);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM orders").await, 1);
    let _ = &s.admin;
});
