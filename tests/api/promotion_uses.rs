//! Promotions applied to orders over the REST API (docs/SPEC.md §2.3, §2.3.1; API.md
//! "Orders"), on SQLite and PostgreSQL: codes, the trace's rejected promotions,
//! use rows through an order's life, and the limits under concurrent checkouts
//! (the anchors' "usage limits exceeded under concurrent checkouts").

use crate::common;

use crate::common::{Store, TestApp};
use serde_json::{json, Value};
use setia_backend::dispatch;
use std::sync::Arc;

/// KOPI at Rp 25.000 and ROTI at Rp 50.000, and tokens for both scopes.
async fn store(app: &TestApp) -> Store {
    app.store_with(&[("KOPI", 25_000), ("ROTI", 50_000)]).await
}

/// Sends every body to `POST /orders` at once; returns the replies in body order.
async fn create_concurrently(app: &Arc<TestApp>, pos: &str, bodies: Vec<Value>) -> Vec<common::Reply> {
    let tasks: Vec<_> = bodies
        .into_iter()
        .map(|body| {
            let (app, pos) = (app.clone(), pos.to_string());
            tokio::spawn(async move { app.api("POST", "/orders", Some(&pos), Some(body)).await })
        })
        .collect();
    let mut replies = Vec::new();
    for t in tasks {
        let r = t.await.unwrap();
        assert_eq!(r.status, 201, "{:?}", r.body);
        replies.push(r);
    }
    replies
}

fn reason_codes(body: &Value) -> Vec<String> {
    body["rejected"].as_array().unwrap().iter().map(|r| r["reason_code"].as_str().unwrap().to_string()).collect()
}

both_backends!(a_code_of_50_uses_is_confirmed_exactly_50_times_under_200_concurrent_orders, |app| async move {
    let s = store(&app).await;
    let promo = app
        .active_promotion(
            &s,
            json!({"name": "Hemat 10", "kind": "code", "code": "HEMAT10", "priority": 0, "stacking": "combinable",
               "conditions": {}, "reward": {"type": "percent_order", "value": 10}, "limits": {"total_uses": 50}}),
        )
        .await;
    let app = Arc::new(app);
    // The code in every case the cashiers type it.
    let bodies = (0..200)
        .map(|n| {
            json!({"source": "pos", "external_ref": format!("R-{n}"), "coupon_code": if n % 2 == 0 { "hemat10" } else { " HEMAT10 " },
                        "lines": [{"sku": "KOPI", "quantity": 2}]})
        })
        .collect();
    let orders = create_concurrently(&app, &s.pos, bodies).await;
    let discounted: Vec<&common::Reply> = orders.iter().filter(|o| o.body["discount_total"] == 5_000).collect();
    assert_eq!(discounted.len(), 50, "exactly the promotion's 50 uses were granted");
    for o in &orders {
        if o.body["discount_total"] == 5_000 {
            assert_eq!(o.body["adjustments"][0]["promotion_id"], promo);
            assert_eq!(o.body["adjustments"][0]["code"], "HEMAT10");
        } else {
            assert_eq!(o.body["discount_total"], 0, "priced without the discount it could not reserve");
            assert_eq!(o.body["rejected"][0]["promotion_id"], promo);
            assert_eq!(reason_codes(&o.body), ["uses_exhausted"], "{:?}", o.body);
            assert_eq!(o.body["rejected"][0]["reason"], "used up (50 uses)");
        }
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM promotion_uses WHERE status = 'reserved'").await, 50);
    // Every order paid, concurrently: the reservations become exactly 50 confirmed uses.
    let tasks: Vec<_> = orders
        .iter()
        .map(|o| {
            let (app, pos) = (app.clone(), s.pos.clone());
            let (id, total) = (o.body["id"].as_i64().unwrap(), o.body["total"].as_i64().unwrap());
            tokio::spawn(async move {
                app.api("POST", &format!("/orders/{id}/pay"), Some(&pos), Some(json!({"payment_ref": format!("GW-{id}"), "amount": total})))
                    .await
            })
        })
        .collect();
    for t in tasks {
        assert_eq!(t.await.unwrap().status, 200);
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM promotion_uses WHERE status = 'confirmed'").await, 50);
    assert_eq!(app.count("SELECT COUNT(*) FROM promotion_uses").await, 50);
    let p = app.api("GET", &format!("/promotions/{promo}"), Some(&s.admin), None).await;
    assert_eq!((p.body["uses"].as_i64(), p.body["budget_used"].as_i64()), (Some(50), Some(250_000)));
});

both_backends!(a_limit_of_one_use_per_customer_holds_under_20_concurrent_orders, |app| async move {
    let s = store(&app).await;
    let promo = app
        .active_promotion(
            &s,
            json!({"name": "Sekali saja", "kind": "automatic", "priority": 0, "stacking": "combinable",
               "conditions": {}, "reward": {"type": "fixed_order", "value": 7000}, "limits": {"uses_per_customer": 1}}),
        )
        .await;
    let budi = app.customer(&s, "0812-4000-0001").await;
    let app = Arc::new(app);
    let bodies = (0..20)
        .map(|n| json!({"source": "online", "external_ref": format!("C-{n}"), "customer_id": budi, "lines": [{"sku": "KOPI", "quantity": 1}]}))
        .collect();
    let orders = create_concurrently(&app, &s.pos, bodies).await;
    let granted: Vec<_> = orders.iter().filter(|o| o.body["discount_total"] == 7_000).collect();
    assert_eq!(granted.len(), 1, "one use for this customer, whatever the concurrency");
    let refused = orders.iter().filter(|o| reason_codes(&o.body) == ["customer_uses_exhausted"]).count();
    assert_eq!(refused, 19);
    assert_eq!(app.count(&format!("SELECT COUNT(*) FROM promotion_uses WHERE promotion_id = {promo} AND customer_id = {budi}")).await, 1);
    // Another customer still gets theirs; an anonymous cart cannot (the limit needs a customer).
    let ani = app.customer(&s, "0812-4000-0002").await;
    let r = app
        .api(
            "POST",
            "/orders",
            Some(&s.pos),
            Some(json!({"source": "pos", "external_ref": "C-ani", "customer_id": ani, "lines": [{"sku": "KOPI", "quantity": 1}]})),
        )
        .await;
    assert_eq!(r.body["discount_total"], 7_000);
    let r = app.api("POST", "/orders/quote", Some(&s.pos), Some(json!({"lines": [{"sku": "KOPI", "quantity": 1}]}))).await;
    assert_eq!((r.body["discount_total"].as_i64(), reason_codes(&r.body)), (Some(0), vec!["needs_customer".to_string()]));
});

both_backends!(a_budget_of_100000_is_never_exceeded_and_the_last_order_gets_what_is_left, |app| async move {
    let s = store(&app).await;
    app.active_promotion(
        &s,
        json!({"name": "Potongan 30rb", "kind": "automatic", "priority": 0, "stacking": "combinable",
               "conditions": {}, "reward": {"type": "fixed_order", "value": 30000}, "limits": {"budget": 100000}}),
    )
    .await;
    let app = Arc::new(app);
    let bodies =
        (0..20).map(|n| json!({"source": "pos", "external_ref": format!("B-{n}"), "lines": [{"sku": "ROTI", "quantity": 1}]})).collect();
    let orders = create_concurrently(&app, &s.pos, bodies).await;
    let mut discounts: Vec<i64> = orders.iter().map(|o| o.body["discount_total"].as_i64().unwrap()).collect();
    discounts.sort_unstable_by(|a, b| b.cmp(a));
    // Rule 5: the budget left caps the reward; once nothing is left it is rejected.
    assert_eq!(&discounts[..5], &[30_000, 30_000, 30_000, 10_000, 0]);
    assert_eq!(discounts.iter().sum::<i64>(), 100_000);
    assert_eq!(app.count("SELECT CAST(SUM(amount) AS BIGINT) FROM promotion_uses").await, 100_000);
    let capped = orders.iter().find(|o| o.body["discount_total"] == 10_000).unwrap();
    let explanation = capped.body["adjustments"][0]["explanation"].as_str().unwrap();
    assert!(explanation.contains("Rp 10.000"), "{explanation}");
    let empty = orders.iter().filter(|o| reason_codes(&o.body) == ["budget_exhausted"]).count();
    assert_eq!(empty, 16);
});

both_backends!(uses_are_reserved_confirmed_and_released_with_their_order, |app| async move {
    let s = store(&app).await;
    let promo = app
        .active_promotion(
            &s,
            json!({"name": "Satu kali", "kind": "code", "code": "SATU", "priority": 0, "stacking": "combinable",
               "conditions": {}, "reward": {"type": "percent_order", "value": 20}, "limits": {"total_uses": 1}}),
        )
        .await;
    let cart = |r: &str| json!({"source": "pos", "external_ref": r, "coupon_code": "satu", "lines": [{"sku": "KOPI", "quantity": 1}]});
    let status = |app: &TestApp| {
        let sql = format!("SELECT status FROM promotion_uses WHERE promotion_id = {promo} ORDER BY id");
        let db = app.state.db.clone();
        async move { dispatch!(&db, |c| sqlx::query_scalar::<_, String>(&sql).fetch_all(c).await).unwrap() }
    };
    // Reserved at creation; a second order finds the one use taken.
    let a = app.api("POST", "/orders", Some(&s.pos), Some(cart("U-1"))).await;
    assert_eq!(a.body["discount_total"], 5_000);
    let b = app.api("POST", "/orders", Some(&s.pos), Some(cart("U-2"))).await;
    assert_eq!((b.body["discount_total"].as_i64(), reason_codes(&b.body)), (Some(0), vec!["uses_exhausted".to_string()]));
    // The rejection is stored with the order and read back in the reader's language.
    let got = reqwest::Client::new()
        .get(format!("{}/api/v1/orders/{}", app.base, b.body["id"]))
        .bearer_auth(&s.pos)
        .header("accept-language", "id")
        .send()
        .await
        .unwrap();
    let got: Value = got.json().await.unwrap();
    assert_eq!(got["rejected"][0]["reason_code"], "uses_exhausted");
    assert_eq!(got["rejected"][0]["reason"], "kuota habis (1 kali)");
    assert_eq!(status(&app).await, ["reserved"]);

    // Recalculating keeps the order's own use (it does not count against itself).
    let a_id = a.body["id"].as_i64().unwrap();
    for _ in 0..2 {
        let r = app.api("POST", &format!("/orders/{a_id}/recalculate"), Some(&s.pos), None).await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        assert_eq!(r.body["discount_total"], 5_000, "a discount is never lost by recalculating");
        assert_eq!(r.body["adjustments"].as_array().unwrap().len(), 1, "nor doubled");
    }
    assert_eq!(status(&app).await, ["reserved"]);

    // Cancelled: released, and the next order gets the use.
    assert_eq!(app.api("POST", &format!("/orders/{a_id}/cancel"), Some(&s.pos), None).await.status, 200);
    assert_eq!(status(&app).await, ["released"]);
    let b_id = b.body["id"].as_i64().unwrap();
    let b = app.api("POST", &format!("/orders/{b_id}/recalculate"), Some(&s.pos), None).await;
    assert_eq!((b.body["discount_total"].as_i64(), reason_codes(&b.body)), (Some(5_000), vec![]), "{:?}", b.body);
    assert_eq!(status(&app).await, ["released", "reserved"]);

    // Expired by the job: released in the same transaction.
    let later = chrono::Utc::now() + chrono::Duration::hours(2);
    assert_eq!(setia_backend::orders::expiry::expire_overdue_orders(&app.state.db, later).await.unwrap(), 1, "order b");
    assert_eq!(status(&app).await, ["released", "released"]);

    // Paid: confirmed; refunded in full: released.
    let c = app.api("POST", "/orders", Some(&s.pos), Some(cart("U-3"))).await;
    assert_eq!(c.body["discount_total"], 5_000);
    let c_id = c.body["id"].as_i64().unwrap();
    let paid = app.api("POST", &format!("/orders/{c_id}/pay"), Some(&s.pos), Some(json!({"payment_ref": "GW-U3", "amount": 20_000}))).await;
    assert_eq!(paid.status, 200, "{:?}", paid.body);
    assert_eq!(status(&app).await, ["released", "released", "confirmed"]);
    let part = app.api("POST", &format!("/orders/{c_id}/refund"), Some(&s.pos), Some(json!({"refund_ref": "RF-1", "amount": 5_000}))).await;
    assert_eq!(part.status, 200);
    assert_eq!(status(&app).await, ["released", "released", "confirmed"], "a partial refund keeps the use");
    let rest = app.api("POST", &format!("/orders/{c_id}/refund"), Some(&s.pos), Some(json!({"refund_ref": "RF-2"}))).await;
    assert_eq!(rest.body["status"], "refunded");
    assert_eq!(status(&app).await, ["released", "released", "released"]);
});

both_backends!(a_code_must_belong_to_an_active_promotion, |app| async move {
    let s = store(&app).await;
    let promo = app
        .active_promotion(
            &s,
            json!({"name": "Pagi", "kind": "code", "code": "Pagi", "priority": 0, "stacking": "combinable",
               "conditions": {}, "reward": {"type": "percent_items", "value": 15, "skus": ["KOPI"]}}),
        )
        .await;
    let quote = |code: &str| {
        let body = json!({"coupon_code": code, "lines": [{"sku": "KOPI", "quantity": 2}, {"sku": "ROTI", "quantity": 1}]});
        app.api("POST", "/orders/quote", Some(&s.pos), Some(body))
    };
    let r = quote("pagi").await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["discount_total"], 7_500);
    assert_eq!(r.body["lines"][0]["discount"], 7_500);
    assert_eq!(r.body["lines"][1]["discount"], 0);
    assert_eq!(r.body["adjustments"][0]["code"], "Pagi");
    assert_eq!(app.count("SELECT COUNT(*) FROM promotion_uses").await, 0, "a quote reserves nothing");

    let r = quote("SORE").await;
    assert_eq!(
        (r.status, r.body["error"]["field"].as_str(), r.body["error"]["code"].as_str()),
        (422, Some("coupon_code"), Some("unknown_code"))
    );
    let paused = app.api("POST", &format!("/promotions/{promo}/status"), Some(&s.admin), Some(json!({"status": "paused"}))).await;
    assert_eq!(paused.status, 200);
    let r = quote("PAGI").await;
    assert_eq!(
        (r.status, r.body["error"]["field"].as_str(), r.body["error"]["code"].as_str()),
        (422, Some("coupon_code"), Some("code_inactive"))
    );
    let r = app
        .api(
            "POST",
            "/orders",
            Some(&s.pos),
            Some(json!({"source": "pos", "external_ref": "X-1", "coupon_code": "PAGI", "lines": [{"sku": "KOPI", "quantity": 1}]})),
        )
        .await;
    assert_eq!((r.status, r.body["error"]["field"].as_str()), (422, Some("coupon_code")));
    assert_eq!(app.count("SELECT COUNT(*) FROM orders").await, 0);
});

both_backends!(the_store_maximum_discount_share_caps_quotes_and_orders, |app| async move {
    let s = store(&app).await;
    app.active_promotion(
        &s,
        json!({"name": "Cuci gudang", "kind": "automatic", "priority": 0, "stacking": "combinable",
               "conditions": {}, "reward": {"type": "percent_order", "value": 70}}),
    )
    .await;
    let cart = json!({"source": "pos", "external_ref": "S-1", "lines": [{"sku": "ROTI", "quantity": 2}, {"sku": "KOPI", "quantity": 4}]});
    let q = app.api("POST", "/orders/quote", Some(&s.pos), Some(cart.clone())).await;
    assert_eq!(q.body["discount_total"], 140_000, "no cap by default (100 %)");
    let mut rules = setia_backend::settings::load(&app.state.db).await.unwrap();
    rules.max_discount_share = setia_domain::Percent::parse("40").unwrap();
    setia_backend::settings::save(&app.state.db, &rules, &setia_backend::audit::Actor::system("test"), None).await.unwrap();
    // 70 % of the 200.000 subtotal would be 140.000; 40 % of it is the most (rule 5).
    let q = app.api("POST", "/orders/quote", Some(&s.pos), Some(cart.clone())).await;
    assert_eq!(q.body["discount_total"], 80_000);
    let o = app.api("POST", "/orders", Some(&s.pos), Some(cart)).await;
    assert_eq!((o.body["discount_total"].as_i64(), o.body["total"].as_i64()), (Some(80_000), Some(120_000)));
    let explanation = o.body["adjustments"][0]["explanation"].as_str().unwrap();
    assert!(explanation.contains("40%"), "{explanation}");
});

both_backends!(a_first_order_promotion_is_for_a_customer_without_a_live_order, |app| async move {
    let s = store(&app).await;
    app.active_promotion(
        &s,
        json!({"name": "Pesanan pertama", "kind": "automatic", "priority": 0, "stacking": "combinable",
               "conditions": {"first_order_only": true}, "reward": {"type": "fixed_order", "value": 10000}}),
    )
    .await;
    let dewi = app.customer(&s, "0812-4000-0009").await;
    let cart = |r: &str| json!({"source": "pos", "external_ref": r, "customer_id": dewi, "lines": [{"sku": "KOPI", "quantity": 1}]});
    let first = app.api("POST", "/orders", Some(&s.pos), Some(cart("F-1"))).await;
    assert_eq!(first.body["discount_total"], 10_000);
    // A pending first order already counts: a second cart is not a first order.
    let second = app.api("POST", "/orders", Some(&s.pos), Some(cart("F-2"))).await;
    assert_eq!((second.body["discount_total"].as_i64(), reason_codes(&second.body)), (Some(0), vec!["not_first_order".to_string()]));
    // Recalculating the first order does not count the order against itself.
    let id = first.body["id"].as_i64().unwrap();
    let again = app.api("POST", &format!("/orders/{id}/recalculate"), Some(&s.pos), None).await;
    assert_eq!(again.body["discount_total"], 10_000);
    // Cancelled orders never happened: with both cancelled, the next cart is a first order again.
    for o in [&first, &second] {
        let r = app.api("POST", &format!("/orders/{}/cancel", o.body["id"]), Some(&s.pos), None).await;
        assert_eq!(r.status, 200);
    }
    let q = app.api("POST", "/orders/quote", Some(&s.pos), Some(cart("F-3"))).await;
    assert_eq!(q.body["discount_total"], 10_000);
    // A walk-in cart cannot claim it.
    let q = app.api("POST", "/orders/quote", Some(&s.pos), Some(json!({"lines": [{"sku": "KOPI", "quantity": 1}]}))).await;
    assert_eq!(reason_codes(&q.body), ["needs_customer"]);
});

both_backends!(recalculating_while_other_carts_want_the_last_use_keeps_it_once, |app| async move {
    let s = store(&app).await;
    let promo = app
        .active_promotion(
            &s,
            json!({"name": "Terakhir", "kind": "code", "code": "AKHIR", "priority": 0, "stacking": "combinable",
               "conditions": {}, "reward": {"type": "percent_order", "value": 10}, "limits": {"total_uses": 1}}),
        )
        .await;
    let cart = |r: String| json!({"source": "pos", "external_ref": r, "coupon_code": "AKHIR", "lines": [{"sku": "ROTI", "quantity": 1}]});
    let holder = app.api("POST", "/orders", Some(&s.pos), Some(cart("H-0".into()))).await;
    assert_eq!(holder.body["discount_total"], 5_000);
    let id = holder.body["id"].as_i64().unwrap();
    let app = Arc::new(app);
    let mut tasks = Vec::new();
    for n in 0..6 {
        let (a, pos) = (app.clone(), s.pos.clone());
        tasks.push(tokio::spawn(async move { a.api("POST", &format!("/orders/{id}/recalculate"), Some(&pos), None).await }));
        let (a, pos) = (app.clone(), s.pos.clone());
        let body = cart(format!("H-{}", n + 1));
        tasks.push(tokio::spawn(async move { a.api("POST", "/orders", Some(&pos), Some(body)).await }));
    }
    for t in tasks {
        let r = t.await.unwrap();
        assert!(r.status == 200 || r.status == 201, "{:?}", r.body);
        if r.body["id"] == id {
            assert_eq!(r.body["discount_total"], 5_000, "the holder keeps its use through every recalculation");
        } else {
            assert_eq!(r.body["discount_total"], 0, "no other cart gets the one use");
        }
    }
    let uses = app.count(&format!("SELECT COUNT(*) FROM promotion_uses WHERE promotion_id = {promo} AND status = 'reserved'")).await;
    assert_eq!(uses, 1);
    assert_eq!(app.count(&format!("SELECT COUNT(*) FROM promotion_uses WHERE order_id = {id}")).await, 1);
});

both_backends!(a_reservation_past_its_payment_deadline_holds_nothing_back, |app| async move {
    let s = store(&app).await;
    app.active_promotion(
        &s,
        json!({"name": "Satu saja", "kind": "automatic", "priority": 0, "stacking": "combinable",
               "conditions": {}, "reward": {"type": "fixed_order", "value": 5000}, "limits": {"total_uses": 1}}),
    )
    .await;
    let a = app
        .api(
            "POST",
            "/orders",
            Some(&s.pos),
            Some(json!({"source": "pos", "external_ref": "D-1", "payment_deadline_minutes": 1, "lines": [{"sku": "KOPI", "quantity": 1}]})),
        )
        .await;
    assert_eq!(a.body["discount_total"], 5_000);
    let cart = setia_backend::orders::CartInput {
        lines: vec![setia_backend::orders::LineInput { sku: "KOPI".into(), quantity: 1, unit_price: None }],
        ..Default::default()
    };
    let store = app.state.store.snapshot(&app.state.db).await.unwrap();
    let quote = |at| setia_backend::orders::quote(&app.state.db, &store, &cart, at);
    let now = chrono::Utc::now();
    assert_eq!(quote(now).await.unwrap().priced.discount_total.0, 0, "the one use is reserved");
    // Two minutes on, order D-1 can no longer be paid: its use holds nothing back,
    // even before the expiry job has run.
    let later = now + chrono::Duration::minutes(2);
    assert_eq!(quote(later).await.unwrap().priced.discount_total.0, 5_000);
    assert_eq!(app.count("SELECT COUNT(*) FROM promotion_uses WHERE status = 'reserved'").await, 1);
});

/// PostgreSQL only: there a promotion can change between the moment a checkout
/// reads the promotions and the moment it prices under its locks (SQLite's one
/// writer leaves no such gap). A held lock on the customer row opens the gap on
/// purpose: the order must come out priced by the promotion as it is now.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_promotion_changed_while_a_checkout_waits_prices_the_order_by_its_new_rules() {
    let app = TestApp::spawn(common::Backend::Postgres).await;
    let s = store(&app).await;
    let promo = app
        .active_promotion(
            &s,
            json!({"name": "Berubah", "kind": "automatic", "priority": 0, "stacking": "combinable",
               "conditions": {}, "reward": {"type": "percent_order", "value": 10}}),
        )
        .await;
    let budi = app.customer(&s, "0812-4000-0077").await;
    let setia_backend::Db::Postgres(pool) = app.state.db.clone() else { panic!("PostgreSQL") };
    let pool = &pool;
    let mut blocker = pool.begin().await.unwrap();
    sqlx::query("SELECT id FROM customers WHERE id = $1 FOR UPDATE").bind(budi).execute(&mut *blocker).await.unwrap();
    let app = Arc::new(app);
    let order = {
        let (app, pos) = (app.clone(), s.pos.clone());
        tokio::spawn(async move {
            let body = json!({"source": "pos", "external_ref": "W-1", "customer_id": budi, "lines": [{"sku": "ROTI", "quantity": 1}]});
            app.api("POST", "/orders", Some(&pos), Some(body)).await
        })
    };
    // Wait until the checkout has read the promotions and waits on the customer row.
    let mut waiting = 0;
    for _ in 0..200 {
        waiting = sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
        )
        .fetch_one(pool)
        .await
        .unwrap();
        if waiting > 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(waiting, 1, "the checkout waits on the customer lock");
    let mut changed = json!({"name": "Berubah", "kind": "automatic", "priority": 0, "stacking": "combinable",
                             "conditions": {}, "reward": {"type": "percent_order", "value": 30}, "limits": {"total_uses": 5}});
    changed["description"] = json!("now 30 %");
    let r = app.api("PUT", &format!("/promotions/{promo}"), Some(&s.admin), Some(changed)).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    blocker.rollback().await.unwrap();
    let o = order.await.unwrap();
    assert_eq!(o.status, 201, "{:?}", o.body);
    assert_eq!(o.body["discount_total"], 15_000, "30 % as the promotion says now, not the 10 % read before");
}
