//! The pricing simulator page and its server function, and the order page's
//! promotion trace and recalculate action, on SQLite and PostgreSQL (docs/SPEC.md §2.3,
//! §2.3.1 rule 7; issue 6 item 7).

use crate::common::TestApp;
use serde_json::json;
use setia_domain::Role;

struct Store {
    pos: String,
    admin: String,
    budi: i64,
    happy_hour: i64,
    big_spender: i64,
    pagi: i64,
}

/// KOPI Rp 25.000, ROTI Rp 50.000; a Member tier (5 % off); Budi a Member;
/// "Happy hour" 20 % off KOPI on Fridays 15:00–17:00 (combinable);
/// "Belanja besar" Rp 40.000 off orders from Rp 200.000 (exclusive); "PAGI" code, 10 % off.
async fn store(app: &TestApp) -> Store {
    let admin = app.api_token("admin").await;
    let pos = app.api_token("pos").await;
    for (sku, price) in [("KOPI", 25_000), ("ROTI", 50_000)] {
        let r =
            app.api("POST", "/products", Some(&admin), Some(json!({"sku": sku, "name": format!("Produk {sku}"), "price": price}))).await;
        assert_eq!(r.status, 201, "{:?}", r.body);
    }
    let t = app
        .api("POST", "/tiers", Some(&admin), Some(json!({"name": "Member", "min_spending": 0, "window_days": 365, "earn_rate_points": 1, "earn_rate_per": 1000, "discount_percent": 5})))
        .await;
    assert_eq!(t.status, 201, "{:?}", t.body);
    let budi = app.api("POST", "/customers", Some(&pos), Some(json!({"name": "Budi Santoso", "phone": "0812-5000-0001"}))).await.body["id"]
        .as_i64()
        .unwrap();
    let mut ids = Vec::new();
    for body in [
        json!({"name": "Happy hour", "kind": "automatic", "priority": 0, "stacking": "combinable",
               "conditions": {"skus": ["KOPI"], "weekdays": [5], "hours": {"from": "15:00", "to": "17:00"}}, "reward": {"type": "percent_items", "value": 20}}),
        json!({"name": "Belanja besar", "kind": "automatic", "priority": 0, "stacking": "exclusive",
               "conditions": {"min_subtotal": 200000}, "reward": {"type": "fixed_order", "value": 40000}}),
        json!({"name": "Pagi", "kind": "code", "code": "PAGI", "priority": 0, "stacking": "combinable", "conditions": {}, "reward": {"type": "percent_order", "value": 10}}),
    ] {
        let r = app.api("POST", "/promotions", Some(&admin), Some(body)).await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        let id = r.body["id"].as_i64().unwrap();
        assert_eq!(app.api("POST", &format!("/promotions/{id}/status"), Some(&admin), Some(json!({"status": "active"}))).await.status, 200);
        ids.push(id);
    }
    Store { pos, admin, budi, happy_hour: ids[0], big_spender: ids[1], pagi: ids[2] }
}

both_backends!(the_simulator_prices_like_checkout_and_shows_the_whole_trace, |app| async move {
    let s = store(&app).await;
    let marketing = app.signed_in(Role::Marketing).await;
    // Friday 2026-12-04 16:00 in the store's zone: happy hour is on.
    let form = [
        ("lines[0][sku]", "KOPI"),
        ("lines[0][quantity]", "4"),
        ("lines[1][sku]", ""),
        ("lines[1][quantity]", ""),
        ("lines[2][sku]", "ROTI"),
        ("lines[2][quantity]", "1"),
        ("customer", "0812 5000 0001"),
        ("code", "pagi"),
        ("at", "2026-12-04T16:00"),
    ];
    let r = marketing.server_fn("simulate_pricing", &form).await;
    assert_eq!(r.status, 200, "{:?}", r.text);
    let b = &r.body;
    assert_eq!(b["customer_name"], "Budi Santoso");
    assert_eq!(b["tier_name"], "Member");
    // Combinable: 20 % off KOPI (20.000), then 10 % (13.000) and 5 % (5.850) off what is left = 38.850;
    // exclusive alone: 40.000 off a 150.000 cart? No: 150.000 < 200.000, so it is rejected.
    assert_eq!(b["priced"]["subtotal"], 150_000);
    assert_eq!(b["priced"]["discount_total"], 38_850);
    let sources: Vec<&str> = b["adjustments"].as_array().unwrap().iter().map(|a| a["source"].as_str().unwrap()).collect();
    assert_eq!(sources, ["promotion", "promotion", "tier"]);
    assert_eq!(b["adjustments"][0]["promotion_id"], s.happy_hour);
    assert_eq!(b["adjustments"][0]["explanation"]["Ok"]["name"], "Happy hour", "{}", b["adjustments"][0]);
    assert_eq!(b["adjustments"][1]["code"], "PAGI");
    assert_eq!(b["rejected"][0]["promotion"]["id"], s.big_spender);
    assert_eq!(b["rejected"][0]["reason"]["code"], "below_min_subtotal", "{}", b["rejected"]);
    // The same cart through the REST quote: see the_rest_quote_prices_a_cart_as_the_simulator_does.

    // Saturday: the weekday window rejects happy hour; a bigger cart makes the exclusive win.
    let form = [
        ("lines[0][sku]", "ROTI"),
        ("lines[0][quantity]", "4"),
        ("lines[1][sku]", "KOPI"),
        ("lines[1][quantity]", "1"),
        ("customer", ""),
        ("code", ""),
        ("at", "2026-12-05T16:00"),
    ];
    let r = marketing.server_fn("simulate_pricing", &form).await;
    assert_eq!(r.status, 200, "{:?}", r.text);
    assert_eq!(r.body["priced"]["discount_total"], 40_000);
    assert_eq!(r.body["candidates"].as_array().unwrap().len(), 2);
    assert_eq!(r.body["candidates"][1]["exclusive"]["name"], "Belanja besar");
    assert_eq!(r.body["candidates"][1]["chosen"], true);
    let rejected: Vec<i64> = r.body["rejected"].as_array().unwrap().iter().map(|x| x["promotion"]["id"].as_i64().unwrap()).collect();
    assert_eq!(rejected, [s.happy_hour]);
    assert_eq!(r.body["rejected"][0]["reason"]["code"], "wrong_weekday");

    // Bad input names the form's field.
    let blame = |form: Vec<(&'static str, &'static str)>| {
        let marketing = &marketing;
        async move {
            let mut full = form.clone();
            for key in ["customer", "code", "at"] {
                if !form.iter().any(|(k, _)| *k == key) {
                    full.push((key, ""));
                }
            }
            let r = marketing.server_fn("simulate_pricing", &full).await;
            assert_eq!(r.status, 422, "{:?}", r.text);
            r.body["field"].as_str().unwrap_or_default().to_string()
        }
    };
    assert_eq!(blame(vec![("lines[0][sku]", ""), ("lines[0][quantity]", "")]).await, "sku0");
    assert_eq!(blame(vec![("lines[0][sku]", ""), ("lines[1][sku]", "TEH"), ("lines[1][quantity]", "1")]).await, "sku1");
    assert_eq!(blame(vec![("lines[0][sku]", "KOPI"), ("lines[0][quantity]", "0")]).await, "qty0");
    // The page always sends every row, empty ones included, so rows keep their place.
    let rows = vec![
        ("lines[0][sku]", "ROTI"),
        ("lines[1][sku]", ""),
        ("lines[2][sku]", ""),
        ("lines[3][sku]", "KOPI"),
        ("lines[3][quantity]", "dua"),
    ];
    assert_eq!(blame(rows).await, "qty3");
    let rows = vec![("lines[0][sku]", "ROTI"), ("lines[1][sku]", ""), ("lines[2][sku]", "KOPI"), ("lines[2][quantity]", "0")];
    assert_eq!(blame(rows).await, "qty2", "a pricing refusal of the second filled row blames the form's third");
    let with = |k: &'static str, v: &'static str| vec![("lines[0][sku]", "KOPI"), ("lines[0][quantity]", "1"), (k, v)];
    assert_eq!(blame(with("code", "SORE")).await, "code");
    assert_eq!(blame(with("customer", "0899 1111 2222")).await, "customer");
    assert_eq!(blame(with("at", "besok")).await, "at");

    // Every staff role may simulate (it stores nothing); a visitor may not.
    for role in [Role::Support, Role::Admin] {
        let c = app.signed_in(role).await;
        assert_eq!(
            c.server_fn(
                "simulate_pricing",
                &[("lines[0][sku]", "KOPI"), ("lines[0][quantity]", "1"), ("customer", ""), ("code", ""), ("at", "")]
            )
            .await
            .status,
            200
        );
    }
    assert_eq!(
        app.client().server_fn("simulate_pricing", &[("lines[0][sku]", "KOPI"), ("customer", ""), ("code", ""), ("at", "")]).await.status,
        401
    );

    // The page, rendered on the server from the query string.
    let page = marketing.get("/simulator?sku0=ROTI&qty0=4&sku1=KOPI&qty1=1&at=2026-12-05T16%3A00").await;
    assert_eq!(page.status, 200);
    assert!(page.text.contains("data-testid=\"simulation\""), "{}", page.text);
    assert!(page.text.contains("Belanja besar"));
    assert!(page.text.contains("Rp 40.000"));
    assert!(page.text.contains("data-reason=\"wrong_weekday\""));
    let empty = marketing.get("/simulator").await;
    assert_eq!(empty.status, 200);
    assert!(empty.text.contains("data-testid=\"simulator-form\"") && !empty.text.contains("data-testid=\"simulation\""));
    assert_eq!(app.client().get("/simulator").await.status, 302);
    let _ = &s.admin;
});

/// The form of the simulator for Budi's cart (4 KOPI, 1 ROTI, the code PAGI) at `at`.
fn budis_cart_at(at: &str) -> Vec<(&'static str, String)> {
    [("lines[0][sku]", "KOPI"), ("lines[0][quantity]", "4"), ("lines[1][sku]", "ROTI"), ("lines[1][quantity]", "1")]
        .into_iter()
        .map(|(k, v)| (k, v.to_string()))
        .chain([("customer", "0812 5000 0001".to_string()), ("code", "PAGI".to_string()), ("at", at.to_string())])
        .collect()
}

// The REST quote prices at the moment it is asked, the simulator at the moment
// it is given. Happy hour's schedule is made valid at every moment (every
// weekday, and 00:00–00:00 is the whole day), so both price the same promotions
// whenever the test runs, and every figure of the two answers must agree.
both_backends!(the_rest_quote_prices_a_cart_as_the_simulator_does, |app| async move {
    let s = store(&app).await;
    let always = json!({"name": "Happy hour", "kind": "automatic", "priority": 0, "stacking": "combinable",
        "conditions": {"skus": ["KOPI"], "weekdays": [1, 2, 3, 4, 5, 6, 7], "hours": {"from": "00:00", "to": "00:00"}},
        "reward": {"type": "percent_items", "value": 20}});
    let r = app.api("PUT", &format!("/promotions/{}", s.happy_hour), Some(&s.admin), Some(always)).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let marketing = app.signed_in(Role::Marketing).await;
    let quote = app
        .api("POST", "/orders/quote", Some(&s.pos), Some(json!({"customer_id": s.budi, "coupon_code": "PAGI", "lines": [{"sku": "KOPI", "quantity": 4}, {"sku": "ROTI", "quantity": 1}]})))
        .await;
    assert_eq!(quote.status, 200, "{:?}", quote.body);
    let q = &quote.body;
    // 20 % off KOPI (20.000), then 10 % (13.000) and the Member 5 % (5.850) off what is left.
    assert_eq!((q["subtotal"].as_i64(), q["discount_total"].as_i64(), q["total"].as_i64()), (Some(150_000), Some(38_850), Some(111_150)));
    // A Friday afternoon (the old happy hour) and a Saturday night (outside it): the same prices.
    for at in ["2026-12-04T16:00", "2026-12-05T03:00"] {
        let form = budis_cart_at(at);
        let sim = marketing.server_fn("simulate_pricing", &form.iter().map(|(k, v)| (*k, v.as_str())).collect::<Vec<_>>()).await;
        assert_eq!(sim.status, 200, "{at}: {}", sim.text);
        let (b, p) = (&sim.body, &sim.body["priced"]);
        for field in ["subtotal", "discount_total", "shipping", "total", "points_to_earn"] {
            assert_eq!(p[field], q[field], "{at}: {field}");
        }
        assert_eq!(b["tier_name"], q["tier"]["name"], "{at}");
        let lines = |v: &serde_json::Value| -> Vec<serde_json::Value> {
            v.as_array()
                .unwrap()
                .iter()
                .map(|l| json!([l["sku"], l["quantity"], l["unit_price"], l["base_amount"], l["discount"], l["final_amount"]]))
                .collect()
        };
        assert_eq!(lines(&p["lines"]), lines(&q["lines"]), "{at}: the lines");
        assert_eq!(lines(&q["lines"]).len(), 2);
        let sim_adjustments: Vec<serde_json::Value> = b["adjustments"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| json!([a["source"], a["promotion_id"], a["code"], a["line"], a["amount"]]))
            .collect();
        let quote_adjustments: Vec<serde_json::Value> = q["adjustments"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| json!([a["source"], a["promotion_id"], a["code"], a["line"], a["amount"]]))
            .collect();
        assert_eq!(sim_adjustments, quote_adjustments, "{at}: the adjustments");
        assert_eq!(
            quote_adjustments.iter().map(|a| (a[1].as_i64(), a[4].as_i64().unwrap())).collect::<Vec<_>>(),
            [(Some(s.happy_hour), 20_000), (Some(s.pagi), 13_000), (None, 5_850)],
            "happy hour, PAGI, then the tier"
        );
        let sim_rejected: Vec<serde_json::Value> =
            b["rejected"].as_array().unwrap().iter().map(|r| json!([r["promotion"]["id"], r["reason"]["code"]])).collect();
        let quote_rejected: Vec<serde_json::Value> =
            q["rejected"].as_array().unwrap().iter().map(|r| json!([r["promotion_id"], r["reason_code"]])).collect();
        assert_eq!(sim_rejected, quote_rejected, "{at}: the rejected promotions");
        assert_eq!(quote_rejected, [json!([s.big_spender, "below_min_subtotal"])]);
    }
});

both_backends!(the_order_page_shows_rejected_promotions_and_admins_recalculate, |app| async move {
    let s = store(&app).await;
    let o = app
        .api(
            "POST",
            "/orders",
            Some(&s.pos),
            Some(json!({"source": "pos", "external_ref": "SIM-1", "lines": [{"sku": "KOPI", "quantity": 1}]})),
        )
        .await;
    assert_eq!(o.status, 201, "{:?}", o.body);
    let id = o.body["id"].as_i64().unwrap();
    let support = app.signed_in(Role::Support).await;
    let detail = support.server_fn("order_detail", &[("id", &id.to_string())]).await;
    assert_eq!(detail.status, 200, "{:?}", detail.text);
    let rejected = detail.body["rejected_promotions"].as_array().unwrap();
    let big = rejected.iter().find(|r| r["promotion_id"] == s.big_spender).expect("the exclusive is listed");
    assert_eq!(big["name"], "Belanja besar");
    assert_eq!(big["reason"]["code"], "below_min_subtotal");
    let page = support.get(&format!("/orders/{id}")).await;
    assert!(page.text.contains("data-testid=\"order-rejected-promotions\""));
    assert!(page.text.contains("needs Rp 200.000 of matching products"), "{}", page.text);
    assert!(!page.text.contains("recalculate-form"), "only admins see the action");

    // Recalculate: admins only; a pending order only.
    let id_s = id.to_string();
    assert_eq!(support.server_fn("recalculate_order", &[("id", &id_s)]).await.status, 403);
    assert_eq!(app.signed_in(Role::Marketing).await.server_fn("recalculate_order", &[("id", &id_s)]).await.status, 403);
    let admin = app.signed_in(Role::Admin).await;
    assert!(admin.get(&format!("/orders/{id}")).await.text.contains("recalculate-form"));
    let r = admin.server_fn("recalculate_order", &[("id", &id_s)]).await;
    assert_eq!(r.status, 200, "{:?}", r.text);
    assert_eq!(admin.server_fn("recalculate_order", &[("id", "999999")]).await.status, 404);
    let cancelled = app.api("POST", &format!("/orders/{id}/cancel"), Some(&s.pos), None).await;
    assert_eq!(cancelled.status, 200);
    let r = admin.server_fn("recalculate_order", &[("id", &id_s)]).await;
    assert_eq!(r.status, 409, "{:?}", r.text);
    assert!(!admin.get(&format!("/orders/{id}")).await.text.contains("recalculate-form"), "not on a cancelled order");
});
