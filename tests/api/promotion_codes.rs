//! Promotion codes (docs/SPEC.md §2.3; API.md "Promotions (admin)"), on SQLite and
//! PostgreSQL: shared and generated codes unique across promotions, generation
//! inline and as a task, the CSV export, checkout looking codes up in the
//! database, a code's max uses under concurrent orders, disabled and used-up codes.

use crate::common;

use crate::common::{Store, TestApp};
use serde_json::{json, Value};
use setia_backend::audit::Actor;
use setia_backend::promotions::codes;
use std::sync::Arc;
use std::time::Duration;

async fn store(app: &TestApp) -> Store {
    app.store_with(&[("KOPI", 25_000)]).await
}

/// A code promotion (10 % off the order) with `code` as its shared code, or none.
fn campaign(name: &str, code: Option<&str>) -> Value {
    json!({"name": name, "kind": "code", "code": code, "priority": 0, "stacking": "combinable",
           "conditions": {}, "reward": {"type": "percent_order", "value": 10}})
}

/// The codes of a promotion, read from its CSV export (header checked).
async fn exported(app: &TestApp, s: &Store, id: i64) -> Vec<Vec<String>> {
    let r = app.api("GET", &format!("/promotions/{id}/codes.csv"), Some(&s.admin), None).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(r.headers["content-type"].to_str().unwrap().starts_with("text/csv"));
    let mut lines = r.text.lines();
    assert_eq!(lines.next(), Some("code,max_uses,uses,status"), "a header row, no BOM for scripts");
    lines.map(|l| l.split(',').map(str::to_string).collect()).collect()
}

/// Waits for a task to finish; its last state.
async fn finished_task(app: &TestApp, token: &str, id: i64) -> Value {
    for _ in 0..600 {
        let r = app.api("GET", &format!("/tasks/{id}"), Some(token), None).await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        if r.body["status"] == "done" || r.body["status"] == "failed" {
            return r.body;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("task {id} did not finish in 60 s");
}

both_backends!(codes_are_unique_across_promotions_shared_and_generated, |app| async move {
    let s = store(&app).await;
    let a = app.active_promotion(&s, campaign("A", Some("HEMAT"))).await;
    // The same code in another case is the same code.
    let r = app.api("POST", "/promotions", Some(&s.admin), Some(campaign("B", Some("hemat")))).await;
    assert_eq!((r.status, r.body["error"]["code"].as_str()), (422, Some("code_taken")), "{:?}", r.body);
    // A code promotion may have no shared code at all: its codes are generated.
    let b = app.active_promotion(&s, campaign("B", None)).await;
    for id in [a, b] {
        let r =
            app.api("POST", &format!("/promotions/{id}/codes"), Some(&s.admin), Some(json!({"count": 2_000, "pattern": "#####"}))).await;
        assert_eq!((r.status, &r.body), (201, &json!({"generated": 2_000})));
    }
    let a_codes = exported(&app, &s, a).await;
    let b_codes = exported(&app, &s, b).await;
    assert_eq!((a_codes.len(), b_codes.len()), (2_001, 2_000), "A's shared code is one of its codes");
    let distinct = app.count("SELECT COUNT(DISTINCT code_key) FROM promotion_codes").await;
    assert_eq!(distinct, 4_001);
    // A generated code cannot become another promotion's shared code.
    let taken = &b_codes[0][0];
    let r = app.api("POST", "/promotions", Some(&s.admin), Some(campaign("C", Some(taken)))).await;
    assert_eq!((r.status, r.body["error"]["code"].as_str()), (422, Some("code_taken")), "{taken}: {:?}", r.body);
    // Generated codes: the alphabet without 0/O/1/I/L, the pattern's length.
    for row in &b_codes {
        assert_eq!(row[0].len(), 5);
        assert!(row[0].bytes().all(|c| setia_domain::promotion_code::ALPHABET.contains(&c)), "{}", row[0]);
        assert_eq!(&row[1..], ["", "0", "active"]);
    }
    // Every generation is audited.
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'promotion.codes.generate'").await, 2);
    // Only a code promotion has codes; bad requests name their field.
    let auto = app
        .active_promotion(
            &s,
            json!({"name": "Auto", "kind": "automatic", "priority": 0, "stacking": "combinable",
                                      "conditions": {}, "reward": {"type": "percent_order", "value": 5}}),
        )
        .await;
    let r = app.api("POST", &format!("/promotions/{auto}/codes"), Some(&s.admin), Some(json!({"count": 5}))).await;
    assert_eq!((r.status, r.body["error"]["code"].as_str()), (422, Some("not_a_code_promotion")));
    let r = app.api("POST", &format!("/promotions/{b}/codes"), Some(&s.admin), Some(json!({"count": 5_000, "pattern": "##"}))).await;
    assert_eq!((r.status, r.body["error"]["field"].as_str()), (422, Some("pattern")), "{:?}", r.body);
    let r = app.api("POST", "/promotions/999999/codes", Some(&s.admin), Some(json!({"count": 5}))).await;
    assert_eq!(r.status, 404);
    let r = app.api("POST", &format!("/promotions/{b}/codes"), Some(&s.pos), Some(json!({"count": 5}))).await;
    assert_eq!(r.status, 403, "generating codes is admin work");
});

both_backends!(a_generated_code_prices_its_promotion_and_its_use_carries_the_code, |app| async move {
    let s = store(&app).await;
    let id = app.active_promotion(&s, campaign("Kode unik", None)).await;
    let r = app.api("POST", &format!("/promotions/{id}/codes"), Some(&s.admin), Some(json!({"count": 3, "prefix": "SETIA-"}))).await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let code = exported(&app, &s, id).await[0][0].clone();
    assert!(code.starts_with("SETIA-") && code.len() == 14, "{code}");
    let cart = json!({"coupon_code": code.to_lowercase(), "lines": [{"sku": "KOPI", "quantity": 2}]});
    let q = app.api("POST", "/orders/quote", Some(&s.pos), Some(cart.clone())).await;
    assert_eq!((q.status, &q.body["discount_total"]), (200, &json!(5_000)), "{:?}", q.body);
    let mut order = cart;
    order["source"] = json!("pos");
    order["external_ref"] = json!("K-1");
    let o = app.api("POST", "/orders", Some(&s.pos), Some(order)).await;
    assert_eq!((o.status, &o.body["discount_total"]), (201, &json!(5_000)), "{:?}", o.body);
    let uses = app
        .count(&format!("SELECT COUNT(*) FROM promotion_uses u JOIN promotion_codes c ON c.id = u.code_id WHERE c.code = '{code}'"))
        .await;
    assert_eq!(uses, 1, "the use row carries the code");
    assert_eq!(exported(&app, &s, id).await.iter().find(|r| r[0] == code).unwrap()[2], "1", "the export counts it");
    let r = app
        .api("POST", "/orders/quote", Some(&s.pos), Some(json!({"coupon_code": "NOPE-0000", "lines": [{"sku": "KOPI", "quantity": 1}]})))
        .await;
    assert_eq!(
        (r.status, r.body["error"]["code"].as_str(), r.body["error"]["field"].as_str()),
        (422, Some("unknown_code"), Some("coupon_code"))
    );
});

both_backends!(a_code_with_3_uses_is_taken_exactly_3_times_under_50_concurrent_orders, |app| async move {
    let s = store(&app).await;
    let id = app.active_promotion(&s, campaign("Tiga kali", None)).await;
    let r = app.api("POST", &format!("/promotions/{id}/codes"), Some(&s.admin), Some(json!({"count": 1, "max_uses": 3}))).await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let code = exported(&app, &s, id).await[0][0].clone();
    let app = Arc::new(app);
    let tasks: Vec<_> = (0..50)
        .map(|n| {
            let (app, pos, code) = (app.clone(), s.pos.clone(), code.clone());
            tokio::spawn(async move {
                let body = json!({"source": "pos", "external_ref": format!("M-{n}"), "coupon_code": code, "lines": [{"sku": "KOPI", "quantity": 1}]});
                app.api("POST", "/orders", Some(&pos), Some(body)).await
            })
        })
        .collect();
    let mut created = 0;
    for t in tasks {
        let r = t.await.unwrap();
        match r.status {
            201 => {
                assert_eq!(r.body["discount_total"], 2_500, "{:?}", r.body);
                created += 1;
            }
            422 => assert_eq!(
                (r.body["error"]["code"].as_str(), r.body["error"]["field"].as_str()),
                (Some("code_used_up"), Some("coupon_code"))
            ),
            other => panic!("unexpected {other}: {:?}", r.body),
        }
    }
    assert_eq!(created, 3, "exactly the code's max uses");
    let rows = app.count("SELECT COUNT(*) FROM promotion_uses WHERE code_id IS NOT NULL AND status <> 'released'").await;
    assert_eq!(rows, 3);
    let row = &exported(&app, &s, id).await[0];
    assert_eq!(&row[1..], ["3", "3", "active"]);
});

both_backends!(disabled_and_used_up_codes_are_refused_with_their_reasons, |app| async move {
    let s = store(&app).await;
    let id = app.active_promotion(&s, campaign("Sekali", None)).await;
    let r = app.api("POST", &format!("/promotions/{id}/codes"), Some(&s.admin), Some(json!({"count": 2, "max_uses": 1}))).await;
    assert_eq!(r.status, 201);
    let rows = exported(&app, &s, id).await;
    let (once, other) = (rows[0][0].clone(), rows[1][0].clone());
    let cart =
        |code: &str, r: &str| json!({"source": "pos", "external_ref": r, "coupon_code": code, "lines": [{"sku": "KOPI", "quantity": 1}]});
    let r = app.api("POST", "/orders", Some(&s.pos), Some(cart(&once, "U-1"))).await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let order = r.body["id"].clone();
    let refused = |r: &common::Reply| (r.status, r.body["error"]["code"].as_str().map(str::to_string), r.body["error"]["field"].clone());
    let r = app.api("POST", "/orders", Some(&s.pos), Some(cart(&once, "U-2"))).await;
    assert_eq!(refused(&r), (422, Some("code_used_up".into()), json!("coupon_code")));
    // Cancelling the order gives the use back.
    let r = app.api("POST", &format!("/orders/{order}/cancel"), Some(&s.pos), None).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let r = app.api("POST", "/orders/quote", Some(&s.pos), Some(cart(&once, "U-3"))).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    // Disabled: refused with its own reason; enabled again: usable.
    let actor = Actor::system("test");
    codes::set_code_status(&app.state.db, id, &other.to_lowercase(), true, &actor, chrono::Utc::now()).await.unwrap();
    let r = app.api("POST", "/orders/quote", Some(&s.pos), Some(cart(&other, "U-4"))).await;
    assert_eq!(refused(&r), (422, Some("code_disabled".into()), json!("coupon_code")));
    codes::set_code_status(&app.state.db, id, &other, false, &actor, chrono::Utc::now()).await.unwrap();
    let r = app.api("POST", "/orders/quote", Some(&s.pos), Some(cart(&other, "U-5"))).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let audited = app.count("SELECT COUNT(*) FROM audit_log WHERE action IN ('promotion.code.disable', 'promotion.code.enable')").await;
    assert_eq!(audited, 2);
    // A paused promotion's code says so.
    let r = app.api("POST", &format!("/promotions/{id}/status"), Some(&s.admin), Some(json!({"status": "paused"}))).await;
    assert_eq!(r.status, 200);
    let r = app.api("POST", "/orders/quote", Some(&s.pos), Some(cart(&other, "U-6"))).await;
    assert_eq!(refused(&r), (422, Some("code_inactive".into()), json!("coupon_code")));
});

both_backends!(more_than_ten_thousand_codes_run_as_a_task_read_back_by_its_scope, |app| async move {
    let s = store(&app).await;
    let id = app.active_promotion(&s, campaign("Banyak", None)).await;
    let body = json!({"count": 25_000, "prefix": "B-", "pattern": "######", "max_uses": 2});
    let r = app.api("POST", &format!("/promotions/{id}/codes"), Some(&s.admin), Some(body.clone())).await;
    assert_eq!(r.status, 202, "{:?}", r.body);
    let task = r.body["task_id"].as_i64().unwrap();
    // Starting the same work while it runs answers the running task.
    let again = app.api("POST", &format!("/promotions/{id}/codes"), Some(&s.admin), Some(body)).await;
    let done = finished_task(&app, &s.admin, task).await;
    if again.body["task_id"] != json!(task) {
        // Only if the first had finished already.
        finished_task(&app, &s.admin, again.body["task_id"].as_i64().unwrap()).await;
    }
    assert_eq!(done["status"], "done", "{done:?}");
    assert_eq!((&done["kind"], &done["done"], &done["total"]), (&json!("generate_codes"), &json!(25_000), &json!(25_000)));
    assert_eq!(done["result"], json!({"generated": 25_000}));
    assert_eq!(done["error"], Value::Null);
    let rows = exported(&app, &s, id).await;
    let expected = if again.body["task_id"] == json!(task) { 25_000 } else { 50_000 };
    assert_eq!(rows.len(), expected);
    assert!(rows.iter().all(|r| r[0].starts_with("B-") && r[1] == "2"));
    // A pos token cannot read an admin's task; an unknown task is 404.
    let r = app.api("GET", &format!("/tasks/{task}"), Some(&s.pos), None).await;
    assert_eq!(r.status, 403);
    let r = app.api("GET", "/tasks/99999999", Some(&s.admin), None).await;
    assert_eq!(r.status, 404);
});
