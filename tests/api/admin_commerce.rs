//! The Customers, Orders and Tiers admin pages and their server functions, on
//! SQLite and PostgreSQL: filters, sorts and derived values come out right, the
//! tier editor's preview counts the customers who would move.

use crate::common::TestApp;
use serde_json::{json, Value};
use setia_domain::Role;

struct Shop {
    ani: i64,
    budi: i64,
    citra: i64,
    dedi: i64,
    gold: i64,
    silver: i64,
}

async fn paid_order(app: &TestApp, pos: &str, customer: i64, reference: &str, amount: i64) {
    let o = app
        .api(
            "POST",
            "/orders",
            Some(pos),
            Some(json!({"source": "pos", "external_ref": reference, "customer_id": customer,
            "lines": [{"sku": "KOPI", "quantity": 1, "unit_price": amount}]})),
        )
        .await;
    assert_eq!(o.status, 201, "{:?}", o.body);
    let id = o.body["id"].as_i64().unwrap();
    let total = o.body["total"].as_i64().unwrap();
    let p = app
        .api("POST", &format!("/orders/{id}/pay"), Some(pos), Some(json!({"payment_ref": format!("PAY-{reference}"), "amount": total})))
        .await;
    assert_eq!(p.status, 200, "{:?}", p.body);
}

/// Silver from Rp 100.000 in 365 days, Gold from Rp 1.000.000 lifetime (5 % off).
/// Ani 950.000 (Silver, near Gold), Budi 150.000 (Silver), Citra nothing, Dedi 5.900.000 (Gold, loyal).
async fn shop(app: &TestApp) -> Shop {
    let admin = app.api_token("admin").await;
    let pos = app.api_token("pos").await;
    let r = app.api("POST", "/products", Some(&admin), Some(json!({"sku": "KOPI", "name": "Kopi", "price": 25000}))).await;
    assert_eq!(r.status, 201);
    let tier = |name: &str, min: i64, window: Option<i64>, discount: Option<i64>| json!({"name": name, "min_spending": min, "window_days": window, "earn_rate_points": 1, "earn_rate_per": 10000, "discount_percent": discount});
    let silver = app.api("POST", "/tiers", Some(&admin), Some(tier("Silver", 100_000, Some(365), None))).await.body["id"].as_i64().unwrap();
    let gold = app.api("POST", "/tiers", Some(&admin), Some(tier("Gold", 1_000_000, None, Some(5)))).await.body["id"].as_i64().unwrap();
    let mut ids = Vec::new();
    for (name, phone) in [
        ("Ani Susanti", "0812-4000-0001"),
        ("Budi Santoso", "0812-4000-0002"),
        ("Citra Dewi", "0812-4000-0003"),
        ("Dedi Kurniawan", "0812-4000-0004"),
    ] {
        let r = app.api("POST", "/customers", Some(&pos), Some(json!({"name": name, "phone": phone}))).await;
        ids.push(r.body["id"].as_i64().unwrap());
    }
    paid_order(app, &pos, ids[0], "A-1", 950_000).await;
    paid_order(app, &pos, ids[1], "B-1", 150_000).await;
    // Dedi reaches Gold with the first order; the second is discounted 5 % by the snapshot.
    paid_order(app, &pos, ids[3], "D-1", 4_000_000).await;
    paid_order(app, &pos, ids[3], "D-2", 2_000_000).await;
    // A pending order for Citra counts nothing.
    let o = app
        .api(
            "POST",
            "/orders",
            Some(&pos),
            Some(json!({"source": "online", "external_ref": "C-1", "customer_id": ids[2], "lines": [{"sku": "KOPI", "quantity": 2}]})),
        )
        .await;
    assert_eq!(o.status, 201);
    Shop { ani: ids[0], budi: ids[1], citra: ids[2], dedi: ids[3], gold, silver }
}

fn ids(body: &Value) -> Vec<i64> {
    body["rows"].as_array().unwrap().iter().map(|r| r["id"].as_i64().unwrap()).collect()
}

both_backends!(customer_list_filters_sorts_and_derives, |app| async move {
    let s = shop(&app).await;
    let support = app.signed_in(Role::Support).await;
    let list = |args: Vec<(&'static str, String)>| {
        let support = &support;
        async move {
            let mut form: Vec<(&str, &str)> = vec![("page", "1")];
            form.extend(args.iter().map(|(k, v)| (*k, v.as_str())));
            let r = support.server_fn("list_customers", &form).await;
            assert_eq!(r.status, 200, "{:?}", r.body);
            r.body
        }
    };
    let all = list(vec![]).await;
    assert_eq!(all["total"], 4);
    assert_eq!(ids(&all), vec![s.dedi, s.citra, s.budi, s.ani], "newest first");
    let by_spending = list(vec![("sort", "spending_desc".into())]).await;
    assert_eq!(ids(&by_spending), vec![s.dedi, s.ani, s.budi, s.citra]);
    assert_eq!(by_spending["rows"][0]["total_spending"], 5_900_000);
    assert_eq!(by_spending["rows"][0]["tier"]["name"], "Gold");
    assert_eq!(by_spending["rows"][0]["loyal"], true);
    let silver = list(vec![("tier", s.silver.to_string()), ("sort", "spending_asc".into())]).await;
    assert_eq!((ids(&silver), silver["total"].as_i64()), (vec![s.budi, s.ani], Some(2)));
    assert_eq!(ids(&list(vec![("tier", s.gold.to_string())]).await), vec![s.dedi]);
    assert_eq!(ids(&list(vec![("tier", "none".into())]).await), vec![s.citra]);
    assert_eq!(ids(&list(vec![("loyal", "yes".into())]).await), vec![s.dedi]);
    assert_eq!(list(vec![("loyal", "no".into())]).await["total"], 3);
    assert_eq!(ids(&list(vec![("q", "budi".into())]).await), vec![s.budi]);
    assert_eq!(ids(&list(vec![("q", "0812-4000-0003".into())]).await), vec![s.citra], "a local phone finds the E.164 one");
    assert_eq!(ids(&list(vec![("q", "san".into()), ("sort", "spending_desc".into())]).await), vec![s.ani, s.budi]);
    assert_eq!(list(vec![("q", "zzz".into()), ("tier", s.gold.to_string())]).await["total"], 0);

    // The same derived values on the customer's page, explained.
    let ani = support.server_fn("customer_detail", &[("id", &s.ani.to_string())]).await;
    assert_eq!(ani.body["total_spending"], 950_000);
    assert_eq!(ani.body["explanation"]["tier"]["name"], "Silver");
    assert_eq!(ani.body["explanation"]["spending"], 950_000);
    assert_eq!(ani.body["explanation"]["window_days"], 365);
    assert_eq!(ani.body["explanation"]["next"]["name"], "Gold");
    assert_eq!(ani.body["explanation"]["next"]["missing"], 50_000);
    assert_eq!(ani.body["orders_total"], 1);
    let page = support.get(&format!("/customers/{}", s.ani)).await;
    assert_eq!(page.status, 200);
    assert!(page.text.contains("Silver: Rp 950.000 in the last 365 days"), "{}", page.text);
    assert!(page.text.contains("Rp 50.000 more to reach Gold"));
    let dedi = support.server_fn("customer_detail", &[("id", &s.dedi.to_string())]).await;
    let notes = dedi.body["notifications"].as_array().unwrap();
    assert_eq!(notes.len(), 1, "straight into Gold, once: {notes:?}");
    assert!(notes[0]["message"].as_str().unwrap().contains("Gold"));
    assert_eq!(support.server_fn("customer_detail", &[("id", "999999")]).await.status, 404);

    let list_page = support.get("/customers?q=Budi").await;
    assert!(list_page.text.contains("Budi Santoso") && list_page.text.contains("Rp 150.000"));
    assert!(!list_page.text.contains("Ani Susanti"));
});

both_backends!(order_list_filters_and_detail_shows_the_trace, |app| async move {
    let s = shop(&app).await;
    let marketing = app.signed_in(Role::Marketing).await;
    let list = |form: Vec<(&'static str, String)>| {
        let m = &marketing;
        async move {
            let mut f: Vec<(&str, &str)> = vec![("page", "1")];
            f.extend(form.iter().map(|(k, v)| (*k, v.as_str())));
            let r = m.server_fn("list_orders", &f).await;
            assert_eq!(r.status, 200, "{:?}", r.body);
            r.body
        }
    };
    assert_eq!(list(vec![]).await["total"], 5);
    assert_eq!(list(vec![("status", "paid".into())]).await["total"], 4);
    assert_eq!(list(vec![("status", "pending_payment".into())]).await["total"], 1);
    assert_eq!(list(vec![("source", "online".into())]).await["total"], 1);
    assert_eq!(list(vec![("customer", s.dedi.to_string())]).await["total"], 2);
    assert_eq!(list(vec![("reference", "D-".into())]).await["total"], 2);
    let today = chrono::Utc::now().with_timezone(&chrono_tz::Asia::Jakarta).date_naive();
    assert_eq!(list(vec![("from", today.to_string()), ("until", today.to_string())]).await["total"], 5);
    assert_eq!(list(vec![("until", (today - chrono::Duration::days(1)).to_string())]).await["total"], 0);
    let bad = marketing.server_fn("list_orders", &[("page", "1"), ("from", "25/11/2026")]).await;
    assert_eq!((bad.status, bad.body["field"].as_str()), (422, Some("from")));

    // Dedi's second order carries the Gold discount in its trace.
    let d2 = list(vec![("reference", "D-2".into())]).await["rows"][0]["id"].as_i64().unwrap();
    let detail = marketing.server_fn("order_detail", &[("id", &d2.to_string())]).await;
    assert_eq!(detail.body["row"]["discount_total"], 100_000);
    assert_eq!(detail.body["adjustments"][0]["source"], "tier");
    assert_eq!(detail.body["tier_name"], "Gold");
    let page = marketing.get(&format!("/orders/{d2}")).await;
    assert!(page.text.contains("Gold tier discount: 5% off Rp 2.000.000"), "{}", page.text);
    let paid = marketing.get("/orders?status=paid").await;
    assert_eq!(paid.text.matches(r#"data-status="paid""#).count(), 4 * 2, "4 rows, each with its badge");
    assert!(!paid.text.contains(r#"data-status="pending_payment""#));
});

both_backends!(tier_editor_previews_moves_then_saves, |app| async move {
    let s = shop(&app).await;
    let marketing = app.signed_in(Role::Marketing).await;
    let overview = marketing.server_fn("tiers_overview", &[]).await;
    assert_eq!(overview.status, 200, "{:?}", overview.body);
    let count =
        |o: &Value, name: &str| o["tiers"].as_array().unwrap().iter().find(|t| t["name"] == name).unwrap()["customers"].as_i64().unwrap();
    assert_eq!((count(&overview.body, "Silver"), count(&overview.body, "Gold"), overview.body["no_tier"].as_i64()), (2, 1, Some(1)));
    assert_eq!(overview.body["near_total"], 1);
    assert_eq!(overview.body["near"][0]["customer_id"], s.ani);
    assert_eq!(overview.body["near"][0]["missing"], 50_000);
    assert_eq!(overview.body["can_edit"], true);

    let gold = |min: &str| -> Vec<(&'static str, String)> {
        [
            ("id", s.gold.to_string()),
            ("name", "Gold".into()),
            ("min_spending", min.into()),
            ("window_days", "".into()),
            ("earn_rate_points", "1".into()),
            ("earn_rate_per", "10000".into()),
            ("discount_percent", "5".into()),
            ("colour", "#d4a017".into()),
        ]
        .into_iter()
        .collect()
    };
    let f = |v: &Vec<(&'static str, String)>| v.iter().map(|(k, v)| (*k, v.clone())).collect::<Vec<_>>();
    let call = |name: &'static str, form: Vec<(&'static str, String)>| {
        let m = &marketing;
        async move { m.server_fn(name, &form.iter().map(|(k, v)| (*k, v.as_str())).collect::<Vec<_>>()).await }
    };
    let lower = call("preview_tier", f(&gold("900.000"))).await;
    assert_eq!(lower.status, 200, "{:?}", lower.body);
    assert_eq!((lower.body["up"].as_i64(), lower.body["down"].as_i64(), lower.body["unchanged"].as_i64()), (Some(1), Some(0), Some(3)));
    let mut silver = f(&gold("200000"));
    silver[0].1 = s.silver.to_string();
    silver[1].1 = "Silver".into();
    silver[3].1 = "365".into();
    let stricter = call("preview_tier", silver).await;
    assert_eq!((stricter.body["up"].as_i64(), stricter.body["down"].as_i64()), (Some(0), Some(1)), "Budi would drop out of Silver");
    let clash = call("preview_tier", f(&gold("100000"))).await;
    assert_eq!((clash.status, clash.body["field"].as_str()), (422, Some("min_spending")));
    let bad = call("preview_tier", f(&gold("lots"))).await;
    assert_eq!((bad.status, bad.body["field"].as_str()), (422, Some("min_spending")));
    // Nothing changed yet.
    assert_eq!(count(&marketing.server_fn("tiers_overview", &[]).await.body, "Gold"), 1);

    let saved = call("save_tier", f(&gold("900000"))).await;
    assert_eq!(saved.status, 200, "{:?}", saved.body);
    let after = marketing.server_fn("tiers_overview", &[]).await.body;
    assert_eq!((count(&after, "Silver"), count(&after, "Gold")), (1, 2));
    assert!(app.audit_actions().await.contains(&"tier.update".to_string()));
    let support = app.signed_in(Role::Support).await;
    assert_eq!(support.server_fn("tiers_overview", &[]).await.body["can_edit"], false);
    let page = support.get("/tiers").await;
    assert_eq!(page.status, 200);
    assert!(page.text.contains(r#"data-testid="tier-distribution""#));
    assert!(!page.text.contains(r#"data-testid="tier-editor""#), "support reads, does not edit");
});

both_backends!(the_pages_work_on_an_empty_store, |app| async move {
    let admin = app.signed_in(Role::Admin).await;
    let call = |name: &'static str, form: Vec<(&'static str, &'static str)>| {
        let admin = &admin;
        async move {
            let r = admin.server_fn(name, &form).await;
            assert_eq!(r.status, 200, "{name}: {:?}", r.body);
            r.body
        }
    };
    let tiers = call("tiers_overview", vec![]).await;
    assert_eq!(tiers["tiers"], json!([]));
    assert_eq!(tiers["near"], json!([]));
    assert_eq!((tiers["no_tier"].as_i64(), tiers["near_total"].as_i64(), tiers["can_edit"].as_bool()), (Some(0), Some(0), Some(true)));
    for (form, page) in [(vec![("page", "1"), ("sort", "spending_desc")], 1), (vec![("page", "3"), ("loyal", "yes")], 3)] {
        let customers = call("list_customers", form).await;
        assert_eq!((&customers["rows"], customers["total"].as_i64(), customers["page"].as_i64()), (&json!([]), Some(0), Some(page)));
    }
    let orders = call("list_orders", vec![("page", "1")]).await;
    assert_eq!((&orders["rows"], orders["total"].as_i64()), (&json!([]), Some(0)));
    let preview = call(
        "preview_tier",
        vec![
            ("id", ""),
            ("name", "Silver"),
            ("min_spending", "0"),
            ("window_days", ""),
            ("earn_rate_points", "1"),
            ("earn_rate_per", "1000"),
            ("discount_percent", ""),
            ("colour", ""),
        ],
    )
    .await;
    assert_eq!((preview["up"].as_i64(), preview["down"].as_i64(), preview["unchanged"].as_i64()), (Some(0), Some(0), Some(0)));
    assert_eq!(preview["form"]["name"], "Silver");

    // Each page says it has nothing to show, in one empty row of its table.
    for (page, table, empty) in [
        ("/customers", "customers-table", "No customer matches. Clear the filters, or register customers from the POS or the API."),
        ("/customers?sort=spending_desc&tier=none", "customers-table", "No customer matches."),
        ("/orders", "orders-table", "No order matches these filters."),
        ("/tiers", "tiers-table", "No tiers yet. Create the first one below."),
    ] {
        let r = admin.get(page).await;
        assert_eq!(r.status, 200, "{page}");
        assert!(r.text.contains(&format!(r#"data-testid="{table}""#)), "{page}: {}", r.text);
        assert!(r.text.contains(empty), "{page} says: {empty}\n{}", r.text);
        assert_eq!(r.text.matches(r#"class="empty""#).count(), 1, "{page}: one empty row and no other");
    }
    let tiers_page = admin.get("/tiers").await.text;
    assert!(tiers_page.contains("Nobody is within 10 % of a next tier."), "{tiers_page}");
    assert_eq!(tiers_page.matches(r#"data-testid="tier-count""#).count(), 0, "no tier in the chart");
    assert!(tiers_page.contains(r#"<span class="bar-value">0</span>"#), "nobody without a tier either: {tiers_page}");
    let missing = admin.get("/customers/12345").await;
    assert_eq!(missing.status, 404);
    assert!(!missing.text.contains(r#"data-testid="total-spending""#));
});
