//! Orders over the REST API (docs/SPEC.md §2.1, §2.2; docs/API.md "Orders (pos)"), on SQLite and
//! PostgreSQL: pricing with the tier snapshot, idempotent creation and payment,
//! expiry, cancel, refunds, recalculation, tier-up notifications, races.

use crate::common;

use crate::common::TestApp;
use chrono::{Duration, Utc};
use serde_json::{json, Value};
use setia_backend::dispatch;

struct Store {
    pos: String,
    admin: String,
}

/// A catalogue of two products and tokens for both scopes.
async fn store(app: &TestApp) -> Store {
    let admin = app.api_token("admin").await;
    let pos = app.api_token("pos").await;
    for (sku, name, price, category) in [("KOPI", "Kopi Susu", 25_000, "minuman"), ("ROTI", "Roti Bakar", 15_500, "makanan")] {
        let r =
            app.api("POST", "/products", Some(&admin), Some(json!({"sku": sku, "name": name, "price": price, "category": category}))).await;
        assert_eq!(r.status, 201, "{:?}", r.body);
    }
    Store { pos, admin }
}

async fn tier(app: &TestApp, s: &Store, name: &str, min: i64, discount: Option<f64>) -> i64 {
    let mut body = json!({"name": name, "min_spending": min, "window_days": 365, "earn_rate_points": 1, "earn_rate_per": 1000});
    if let Some(d) = discount {
        body["discount_percent"] = json!(d);
    }
    let r = app.api("POST", "/tiers", Some(&s.admin), Some(body)).await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    r.body["id"].as_i64().unwrap()
}

async fn customer(app: &TestApp, s: &Store, phone: &str) -> i64 {
    let r = app.api("POST", "/customers", Some(&s.pos), Some(json!({"name": "Dewi Lestari", "phone": phone}))).await;
    assert!(r.status == 201 || r.status == 200, "{:?}", r.body);
    r.body["id"].as_i64().unwrap()
}

async fn create(app: &TestApp, s: &Store, body: Value) -> common::Reply {
    app.api("POST", "/orders", Some(&s.pos), Some(body)).await
}

async fn pay(app: &TestApp, s: &Store, id: i64, payment_ref: &str, amount: i64) -> common::Reply {
    app.api("POST", &format!("/orders/{id}/pay"), Some(&s.pos), Some(json!({"payment_ref": payment_ref, "amount": amount}))).await
}

async fn spending(app: &TestApp, s: &Store, customer: i64) -> i64 {
    let r = app.api("GET", &format!("/customers/{customer}"), Some(&s.pos), None).await;
    r.body["total_spending"].as_i64().unwrap()
}

both_backends!(quote_prices_from_the_catalogue_with_the_tier_discount_and_stores_nothing, |app| async move {
    let s = store(&app).await;
    tier(&app, &s, "Member", 0, Some(5.0)).await;
    let c = customer(&app, &s, "0812-3000-0001").await;
    let r = app
        .api(
            "POST",
            "/orders/quote",
            Some(&s.pos),
            Some(json!({"customer_id": c, "lines": [{"sku": "KOPI", "quantity": 2}, {"sku": "ROTI", "quantity": 1}], "shipping": 10000})),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["subtotal"], 65_500);
    assert_eq!(r.body["discount_total"], 3_275);
    assert_eq!(r.body["total"], 72_225);
    assert_eq!(r.body["lines"][0]["discount"], 2_500);
    assert_eq!(r.body["lines"][1]["discount"], 775);
    assert_eq!(r.body["adjustments"][0]["source"], "tier");
    assert_eq!(r.body["adjustments"][0]["amount"], 3_275);
    assert_eq!(r.body["adjustments"][0]["explanation"], "Member tier discount: 5% off Rp 65.500");
    assert_eq!(r.body["tier"]["name"], "Member");
    assert_eq!(r.body["points_to_earn"], 72, "floor(72.225 × 1 / 1.000)");
    assert!(r.body.get("id").is_none() && r.body.get("status").is_none() && r.body.get("payment_deadline").is_none());
    assert_eq!(app.count("SELECT COUNT(*) FROM orders").await, 0);

    // The trace speaks the reader's language; the id may be sent as a string.
    let http = reqwest::Client::new();
    let r = http
        .post(format!("{}/api/v1/orders/quote", app.base))
        .bearer_auth(&s.pos)
        .header("accept-language", "id-ID,id;q=0.9")
        .json(&json!({"customer_id": c.to_string(), "lines": [{"sku": "KOPI", "quantity": 2}, {"sku": "ROTI", "quantity": 1}]}))
        .send()
        .await
        .unwrap();
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["adjustments"][0]["explanation"], "Diskon tier Member: 5% dari Rp 65.500");
});

both_backends!(a_resent_order_is_the_same_order_and_doubles_nothing, |app| async move {
    let s = store(&app).await;
    let body = json!({"source": "pos", "external_ref": "TRX-0001", "lines": [{"sku": "KOPI", "quantity": 1}, {"sku": "ROTI", "quantity": 2, "unit_price": 14000}]});
    let first = create(&app, &s, body.clone()).await;
    assert_eq!(first.status, 201, "{:?}", first.body);
    assert_eq!(first.body["status"], "pending_payment");
    assert_eq!(first.body["total"], 53_000, "the given unit price replaces the catalogue's");
    let again = create(&app, &s, body.clone()).await;
    assert_eq!(again.status, 200);
    assert_eq!(again.body["id"], first.body["id"]);
    // Even with different content, the same reference is the same order.
    let changed = create(&app, &s, json!({"source": "pos", "external_ref": "TRX-0001", "lines": [{"sku": "KOPI", "quantity": 9}]})).await;
    assert_eq!(changed.status, 200);
    assert_eq!(changed.body["total"], 53_000);
    // Another source may reuse the reference.
    let online = create(&app, &s, json!({"source": "online", "external_ref": "TRX-0001", "lines": [{"sku": "KOPI", "quantity": 1}]})).await;
    assert_eq!(online.status, 201);
    assert_eq!(app.count("SELECT COUNT(*) FROM orders").await, 2);
    assert_eq!(app.count("SELECT COUNT(*) FROM order_lines").await, 3);

    let got = app.api("GET", &format!("/orders/{}", first.body["id"]), Some(&s.pos), None).await;
    assert_eq!(got.status, 200);
    assert_eq!(got.body["lines"].as_array().unwrap().len(), 2);
    assert_eq!(app.api("GET", "/orders/999999", Some(&s.pos), None).await.status, 404);
});

both_backends!(the_same_order_sent_concurrently_is_created_once, |app| async move {
    let s = store(&app).await;
    let app = std::sync::Arc::new(app);
    let pos = s.pos.clone();
    let mut tasks = Vec::new();
    for _ in 0..10 {
        let (app, pos) = (app.clone(), pos.clone());
        tasks.push(tokio::spawn(async move {
            app.api(
                "POST",
                "/orders",
                Some(&pos),
                Some(json!({"source": "online", "external_ref": "WEB-9", "lines": [{"sku": "KOPI", "quantity": 1}]})),
            )
            .await
        }));
    }
    let mut ids = std::collections::BTreeSet::new();
    let mut created = 0;
    for t in tasks {
        let r = t.await.unwrap();
        assert!(r.status == 201 || r.status == 200, "{} {:?}", r.status, r.body);
        created += usize::from(r.status == 201);
        ids.insert(r.body["id"].as_i64().unwrap());
    }
    assert_eq!((created, ids.len()), (1, 1));
    assert_eq!(app.count("SELECT COUNT(*) FROM order_lines").await, 1);
});

both_backends!(bad_order_inputs_name_the_field_and_never_500, |app| async move {
    let s = store(&app).await;
    let cases: Vec<(Value, u16, &str, &str)> = vec![
        (
            json!({"source": "pos", "external_ref": "A", "lines": [{"sku": "KOPI", "quantity": 1}, {"sku": "NOPE", "quantity": 1}]}),
            422,
            "lines[1].sku",
            "unknown_sku",
        ),
        (
            json!({"source": "pos", "external_ref": "A", "lines": [{"sku": "KOPI", "quantity": -2}]}),
            422,
            "lines[0].quantity",
            "invalid_quantity",
        ),
        (
            json!({"source": "pos", "external_ref": "A", "lines": [{"sku": "KOPI", "quantity": 0}]}),
            422,
            "lines[0].quantity",
            "invalid_quantity",
        ),
        (
            json!({"source": "pos", "external_ref": "A", "lines": [{"sku": "KOPI", "quantity": "two"}]}),
            400,
            "lines[0].quantity",
            "malformed_request",
        ),
        (
            json!({"source": "pos", "external_ref": "A", "lines": [{"sku": "KOPI", "quantity": 1, "unit_price": -1}]}),
            422,
            "lines[0].unit_price",
            "invalid_amount",
        ),
        (
            json!({"source": "pos", "external_ref": "A", "lines": [{"sku": "KOPI", "quantity": 1, "unit_price": 9_000_000_000_000_000i64}]}),
            422,
            "lines[0].quantity",
            "amount_too_large",
        ),
        (json!({"source": "pos", "external_ref": "A", "lines": []}), 422, "lines", "lines_required"),
        (json!({"source": "shop", "external_ref": "A", "lines": [{"sku": "KOPI", "quantity": 1}]}), 422, "source", "invalid_source"),
        (json!({"external_ref": "A", "lines": [{"sku": "KOPI", "quantity": 1}]}), 400, "source", "malformed_request"),
        (json!({"source": "pos", "lines": [{"sku": "KOPI", "quantity": 1}]}), 400, "external_ref", "malformed_request"),
        (
            json!({"source": "pos", "external_ref": " ", "lines": [{"sku": "KOPI", "quantity": 1}]}),
            422,
            "external_ref",
            "invalid_external_ref",
        ),
        (
            json!({"source": "pos", "external_ref": "A", "customer_id": 424242, "lines": [{"sku": "KOPI", "quantity": 1}]}),
            422,
            "customer_id",
            "unknown_customer",
        ),
        (
            json!({"source": "pos", "external_ref": "A", "customer_id": "abc", "lines": [{"sku": "KOPI", "quantity": 1}]}),
            422,
            "customer_id",
            "invalid_id",
        ),
        (
            json!({"source": "pos", "external_ref": "A", "shipping": -5, "lines": [{"sku": "KOPI", "quantity": 1}]}),
            422,
            "shipping",
            "invalid_amount",
        ),
        (
            json!({"source": "pos", "external_ref": "A", "coupon_code": "HEMAT10", "lines": [{"sku": "KOPI", "quantity": 1}]}),
            422,
            "coupon_code",
            "unknown_code",
        ),
        (
            json!({"source": "pos", "external_ref": "A", "redeem_points": 100, "lines": [{"sku": "KOPI", "quantity": 1}]}),
            422,
            "redeem_points",
            "points_unavailable",
        ),
        (
            json!({"source": "pos", "external_ref": "A", "payment_deadline_minutes": 0, "lines": [{"sku": "KOPI", "quantity": 1}]}),
            422,
            "payment_deadline_minutes",
            "invalid_deadline",
        ),
        (
            json!({"source": "pos", "external_ref": "A", "lines": [{"sku": "KOPI", "quantity": 1, "colour": "red"}]}),
            400,
            "lines[0]",
            "malformed_request",
        ),
    ];
    for (body, status, field, code) in cases {
        let r = create(&app, &s, body.clone()).await;
        assert_eq!(r.status, status, "{body}: {:?}", r.body);
        assert_eq!(r.body["error"]["code"], code, "{body}");
        assert!(r.body["error"]["field"].as_str().is_some_and(|f| f.starts_with(field)), "{body}: {:?}", r.body);
    }
    // An inactive product cannot be sold.
    dispatch!(&app.state.db, |c| sqlx::query("UPDATE products SET active = FALSE WHERE sku = 'ROTI'")
        .execute(c)
        .await
        .map(|r| r.rows_affected()))
    .unwrap();
    let r = create(&app, &s, json!({"source": "pos", "external_ref": "B", "lines": [{"sku": "ROTI", "quantity": 1}]})).await;
    assert_eq!((r.status, r.body["error"]["field"].as_str()), (422, Some("lines[0].sku")));
    assert_eq!(app.api("POST", "/orders/abc/pay", Some(&s.pos), Some(json!({"payment_ref": "P", "amount": 1}))).await.status, 404);
    assert_eq!(app.count("SELECT COUNT(*) FROM orders").await, 0);
});

both_backends!(payment_is_idempotent_and_the_amount_must_match, |app| async move {
    let s = store(&app).await;
    let c = customer(&app, &s, "0812-3000-0002").await;
    let o = create(&app, &s, json!({"source": "pos", "external_ref": "P-1", "customer_id": c, "lines": [{"sku": "KOPI", "quantity": 4}]}))
        .await;
    let id = o.body["id"].as_i64().unwrap();

    let wrong = pay(&app, &s, id, "GW-1", 99_999).await;
    assert_eq!((wrong.status, wrong.body["error"]["code"].as_str()), (409, Some("amount_mismatch")));
    let paid = pay(&app, &s, id, "GW-1", 100_000).await;
    assert_eq!(paid.status, 200, "{:?}", paid.body);
    assert_eq!(paid.body["status"], "paid");
    let paid_at = paid.body["paid_at"].clone();
    // The gateway retries: nothing changes.
    let replay = pay(&app, &s, id, "GW-1", 100_000).await;
    assert_eq!(replay.status, 200);
    assert_eq!(replay.body["paid_at"], paid_at);
    // A second payment under another reference is refused and recorded.
    let twice = pay(&app, &s, id, "GW-2", 100_000).await;
    assert_eq!((twice.status, twice.body["error"]["code"].as_str()), (409, Some("order_already_paid")));
    // A reference already used cannot pay another order.
    let other = create(&app, &s, json!({"source": "pos", "external_ref": "P-2", "lines": [{"sku": "ROTI", "quantity": 1}]})).await;
    let reused = pay(&app, &s, other.body["id"].as_i64().unwrap(), "GW-1", 15_500).await;
    assert_eq!((reused.status, reused.body["error"]["code"].as_str()), (409, Some("payment_ref_used")));

    assert_eq!(spending(&app, &s, c).await, 100_000, "counted once");
    assert_eq!(app.count("SELECT COUNT(*) FROM payment_rejections").await, 3);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM payment_rejections WHERE reason IN ('amount_mismatch', 'already_paid', 'payment_ref_used')").await,
        3
    );
});

both_backends!(concurrent_payment_notifications_pay_once, |app| async move {
    let s = store(&app).await;
    let c = customer(&app, &s, "0812-3000-0003").await;
    let o =
        create(&app, &s, json!({"source": "online", "external_ref": "W-1", "customer_id": c, "lines": [{"sku": "KOPI", "quantity": 1}]}))
            .await;
    let id = o.body["id"].as_i64().unwrap();
    let app = std::sync::Arc::new(app);
    let mut tasks = Vec::new();
    for i in 0..12 {
        let (app, pos) = (app.clone(), s.pos.clone());
        // Half the notifications repeat one reference, half carry their own.
        let reference = if i % 2 == 0 { "GW-A".to_string() } else { format!("GW-{i}") };
        tasks.push(tokio::spawn(async move {
            app.api("POST", &format!("/orders/{id}/pay"), Some(&pos), Some(json!({"payment_ref": reference, "amount": 25_000}))).await
        }));
    }
    let mut ok = Vec::new();
    for t in tasks {
        let r = t.await.unwrap();
        assert!(r.status == 200 || r.status == 409, "{} {:?}", r.status, r.body);
        if r.status == 200 {
            ok.push(r.body["payment_ref"].as_str().unwrap().to_string());
        }
    }
    ok.dedup();
    assert_eq!(ok.len(), 1, "every successful answer names the one payment: {ok:?}");
    assert_eq!(spending(&app, &s, c).await, 25_000);
});

both_backends!(expired_and_cancelled_orders_refuse_payment_and_record_it, |app| async move {
    let s = store(&app).await;
    let o = create(
        &app,
        &s,
        json!({"source": "online", "external_ref": "E-1", "payment_deadline_minutes": 1, "lines": [{"sku": "KOPI", "quantity": 1}]}),
    )
    .await;
    let id = o.body["id"].as_i64().unwrap();
    let expired = setia_backend::orders::expiry::expire_overdue_orders(&app.state.db, Utc::now() + Duration::minutes(2)).await.unwrap();
    assert_eq!(expired, 1);
    let late = pay(&app, &s, id, "GW-LATE", 25_000).await;
    assert_eq!((late.status, late.body["error"]["code"].as_str()), (409, Some("order_not_payable")));
    let got = app.api("GET", &format!("/orders/{id}"), Some(&s.pos), None).await;
    assert_eq!(got.body["status"], "expired");

    // Past its deadline but before the job ran: expired on the spot, refused.
    let o = create(&app, &s, json!({"source": "online", "external_ref": "E-2", "lines": [{"sku": "KOPI", "quantity": 1}]})).await;
    let id2 = o.body["id"].as_i64().unwrap();
    dispatch!(&app.state.db, |c| sqlx::query("UPDATE orders SET payment_deadline = $1 WHERE id = $2")
        .bind(Utc::now() - Duration::seconds(1))
        .bind(id2)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))
    .unwrap();
    let late = pay(&app, &s, id2, "GW-LATE-2", 25_000).await;
    assert_eq!((late.status, late.body["error"]["code"].as_str()), (409, Some("order_not_payable")));
    assert_eq!(app.api("GET", &format!("/orders/{id2}"), Some(&s.pos), None).await.body["status"], "expired");

    // Cancel: pending only; cancelling again answers the same; paying is refused.
    let o = create(&app, &s, json!({"source": "pos", "external_ref": "C-1", "lines": [{"sku": "ROTI", "quantity": 1}]})).await;
    let id3 = o.body["id"].as_i64().unwrap();
    let cancelled = app.api("POST", &format!("/orders/{id3}/cancel"), Some(&s.pos), None).await;
    assert_eq!((cancelled.status, cancelled.body["status"].as_str()), (200, Some("cancelled")));
    assert_eq!(app.api("POST", &format!("/orders/{id3}/cancel"), Some(&s.pos), None).await.status, 200);
    let late = pay(&app, &s, id3, "GW-C", 15_500).await;
    assert_eq!((late.status, late.body["error"]["code"].as_str()), (409, Some("order_not_payable")));
    let refused = app.api("POST", &format!("/orders/{id}/cancel"), Some(&s.pos), None).await;
    assert_eq!((refused.status, refused.body["error"]["code"].as_str()), (409, Some("order_not_pending")));

    assert_eq!(app.count("SELECT COUNT(*) FROM payment_rejections WHERE reason = 'order_not_payable'").await, 3);
    assert_eq!(app.count("SELECT COUNT(*) FROM orders WHERE paid_at IS NOT NULL").await, 0);
});

both_backends!(refunds_are_rows_and_reduce_spending, |app| async move {
    let s = store(&app).await;
    let c = customer(&app, &s, "0812-3000-0004").await;
    let o = create(&app, &s, json!({"source": "pos", "external_ref": "R-1", "customer_id": c, "lines": [{"sku": "KOPI", "quantity": 4}]}))
        .await;
    let id = o.body["id"].as_i64().unwrap();
    let refund = |body: Value| {
        let app = &app;
        let pos = s.pos.clone();
        async move { app.api("POST", &format!("/orders/{id}/refund"), Some(&pos), Some(body)).await }
    };
    let early = refund(json!({"refund_ref": "RF-0"})).await;
    assert_eq!((early.status, early.body["error"]["code"].as_str()), (409, Some("order_not_refundable")));
    assert_eq!(pay(&app, &s, id, "GW-R", 100_000).await.status, 200);

    let part = refund(json!({"refund_ref": "RF-1", "amount": 30_000})).await;
    assert_eq!((part.status, part.body["status"].as_str()), (200, Some("partially_refunded")));
    assert_eq!(part.body["refunded"], 30_000);
    assert_eq!(refund(json!({"refund_ref": "RF-1", "amount": 30_000})).await.body["refunded"], 30_000, "a replay adds nothing");
    let too_much = refund(json!({"refund_ref": "RF-2", "amount": 70_001})).await;
    assert_eq!((too_much.status, too_much.body["error"]["code"].as_str()), (409, Some("refund_exceeds_remaining")));
    let zero = refund(json!({"refund_ref": "RF-2", "amount": 0})).await;
    assert_eq!((zero.status, zero.body["error"]["field"].as_str()), (422, Some("amount")));
    assert_eq!(spending(&app, &s, c).await, 70_000);
    let rest = refund(json!({"refund_ref": "RF-3"})).await;
    assert_eq!((rest.status, rest.body["status"].as_str()), (200, Some("refunded")));
    assert_eq!(rest.body["refunded"], 100_000);
    assert_eq!(spending(&app, &s, c).await, 0);
    let after = refund(json!({"refund_ref": "RF-4", "amount": 1})).await;
    assert_eq!((after.status, after.body["error"]["code"].as_str()), (409, Some("order_not_refundable")));
    assert_eq!(app.count("SELECT COUNT(*) FROM refunds").await, 2);
});

both_backends!(the_tier_snapshot_survives_a_tier_change_before_payment, |app| async move {
    let s = store(&app).await;
    let member = tier(&app, &s, "Member", 0, Some(10.0)).await;
    let c = customer(&app, &s, "0812-3000-0005").await;
    let o = create(&app, &s, json!({"source": "pos", "external_ref": "S-1", "customer_id": c, "lines": [{"sku": "KOPI", "quantity": 4}]}))
        .await;
    assert_eq!(o.body["total"], 90_000);
    assert_eq!(o.body["points_to_earn"], 90);
    let id = o.body["id"].as_i64().unwrap();
    // The store changes the tier before the customer pays.
    dispatch!(&app.state.db, |c| sqlx::query("UPDATE tiers SET discount_basis_points = 2500, earn_rate_points = 5 WHERE id = $1")
        .bind(member)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))
    .unwrap();
    let quote =
        app.api("POST", "/orders/quote", Some(&s.pos), Some(json!({"customer_id": c, "lines": [{"sku": "KOPI", "quantity": 4}]}))).await;
    assert_eq!(quote.body["total"], 75_000, "a new cart uses the new rule");
    let again = app.api("POST", &format!("/orders/{id}/recalculate"), Some(&s.pos), None).await;
    assert_eq!(again.status, 200);
    assert_eq!(again.body["total"], 90_000, "recalculating keeps the order's snapshot");
    let paid = pay(&app, &s, id, "GW-S", 90_000).await;
    assert_eq!(paid.status, 200, "{:?}", paid.body);
    assert_eq!(paid.body["tier"]["earn_rate_points"], 1);
    assert_eq!(paid.body["points_to_earn"], 90);
    assert_eq!(paid.body["adjustments"][0]["explanation"], "Member tier discount: 10% off Rp 100.000");
});

both_backends!(recalculating_twice_or_concurrently_gives_the_same_order, |app| async move {
    let s = store(&app).await;
    tier(&app, &s, "Member", 0, Some(12.5)).await;
    let c = customer(&app, &s, "0812-3000-0006").await;
    let o = create(&app, &s, json!({"source": "pos", "external_ref": "RC-1", "customer_id": c, "lines": [{"sku": "KOPI", "quantity": 3}, {"sku": "ROTI", "quantity": 3}]})).await;
    let id = o.body["id"].as_i64().unwrap();
    let app = std::sync::Arc::new(app);
    let mut tasks = Vec::new();
    for _ in 0..6 {
        let (app, pos) = (app.clone(), s.pos.clone());
        tasks.push(tokio::spawn(async move { app.api("POST", &format!("/orders/{id}/recalculate"), Some(&pos), None).await }));
    }
    for t in tasks {
        let r = t.await.unwrap();
        assert_eq!(r.status, 200, "{:?}", r.body);
        for key in ["subtotal", "discount_total", "total", "lines", "adjustments"] {
            assert_eq!(r.body[key], o.body[key], "{key}");
        }
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM order_adjustments").await, 1);
    assert_eq!(pay(&app, &s, id, "GW-RC", o.body["total"].as_i64().unwrap()).await.status, 200);
    let r = app.api("POST", &format!("/orders/{id}/recalculate"), Some(&s.pos), None).await;
    assert_eq!((r.status, r.body["error"]["code"].as_str()), (409, Some("order_not_pending")));
});

both_backends!(a_payment_that_moves_a_customer_up_a_tier_notifies_once, |app| async move {
    let s = store(&app).await;
    tier(&app, &s, "Silver", 100_000, None).await;
    tier(&app, &s, "Gold", 1_000_000, None).await;
    let c = customer(&app, &s, "0812-3000-0007").await;
    // Two orders of 75.000 paid at the same moment: only together do they reach Silver.
    let mut ids = Vec::new();
    for n in 0..2 {
        let o = create(
            &app,
            &s,
            json!({"source": "pos", "external_ref": format!("T-{n}"), "customer_id": c, "lines": [{"sku": "KOPI", "quantity": 3}]}),
        )
        .await;
        ids.push(o.body["id"].as_i64().unwrap());
    }
    let app = std::sync::Arc::new(app);
    let tasks: Vec<_> = ids
        .iter()
        .map(|id| {
            let (app, pos, id) = (app.clone(), s.pos.clone(), *id);
            tokio::spawn(async move {
                app.api(
                    "POST",
                    &format!("/orders/{id}/pay"),
                    Some(&pos),
                    Some(json!({"payment_ref": format!("GW-T{id}"), "amount": 75_000})),
                )
                .await
            })
        })
        .collect();
    for t in tasks {
        assert_eq!(t.await.unwrap().status, 200);
    }
    let n = app.count("SELECT COUNT(*) FROM notifications WHERE kind = 'tier_up'").await;
    assert_eq!(n, 1, "the second payment of the pair crossed into Silver, exactly once");
    let message: String =
        dispatch!(&app.state.db, |c| sqlx::query_scalar::<_, String>("SELECT message FROM notifications").fetch_one(c).await).unwrap();
    assert!(message.contains("Silver"), "{message}");
    // Another payment inside Silver notifies nothing.
    let o = create(&app, &s, json!({"source": "pos", "external_ref": "T-9", "customer_id": c, "lines": [{"sku": "ROTI", "quantity": 1}]}))
        .await;
    assert_eq!(pay(&app, &s, o.body["id"].as_i64().unwrap(), "GW-T9", 15_500).await.status, 200);
    assert_eq!(app.count("SELECT COUNT(*) FROM notifications").await, 1);
    let r = app.api("GET", &format!("/customers/{c}"), Some(&s.pos), None).await;
    assert_eq!(r.body["tier"]["name"], "Silver");
});
