//! REST API: tokens and scopes, the error format, customers and products.
//! On SQLite and PostgreSQL.

use serde_json::json;

/// Every API route, with the scope it needs and a valid body.
fn routes() -> Vec<(&'static str, &'static str, &'static str, Option<serde_json::Value>)> {
    vec![
        ("POST", "/customers", "pos", Some(json!({"name": "Rina", "phone": "0812-1111-2222"}))),
        ("GET", "/customers/1", "pos", None),
        ("POST", "/products", "admin", Some(json!({"sku": "KOPI-1", "name": "Kopi Susu", "price": 18000}))),
        ("GET", "/tiers", "pos", None),
        ("POST", "/orders/quote", "pos", Some(json!({"lines": [{"sku": "KOPI-1", "quantity": 1}]}))),
        ("POST", "/orders", "pos", Some(json!({"source": "pos", "external_ref": "R-1", "lines": [{"sku": "KOPI-1", "quantity": 1}]}))),
        ("GET", "/orders/1", "pos", None),
        ("POST", "/orders/1/pay", "pos", Some(json!({"payment_ref": "PAY-1", "amount": 18000}))),
        ("POST", "/orders/1/cancel", "pos", None),
        ("POST", "/orders/1/refund", "pos", Some(json!({"refund_ref": "RF-1"}))),
        ("POST", "/orders/1/recalculate", "pos", None),
        ("GET", "/promotions", "admin", None),
        ("GET", "/promotions/1", "admin", None),
        (
            "POST",
            "/promotions",
            "admin",
            Some(
                json!({"name": "Hemat", "kind": "automatic", "priority": 0, "stacking": "combinable", "reward": {"type": "percent_order", "value": 10}}),
            ),
        ),
        (
            "PUT",
            "/promotions/1",
            "admin",
            Some(
                json!({"name": "Hemat", "kind": "automatic", "priority": 0, "stacking": "combinable", "reward": {"type": "percent_order", "value": 10}}),
            ),
        ),
        ("POST", "/promotions/1/status", "admin", Some(json!({"status": "active"}))),
        (
            "POST",
            "/tiers",
            "admin",
            Some(json!({"name": "Gold", "min_spending": 5000000, "window_days": 365, "earn_rate_points": 1, "earn_rate_per": 10000})),
        ),
    ]
}

both_backends!(every_route_refuses_a_missing_token_and_a_wrong_scope, |app| async move {
    let pos = app.api_token("pos").await;
    for (method, path, scope, body) in routes() {
        let r = app.api(method, path, None, body.clone()).await;
        assert_eq!(r.status, 401, "{method} {path}: {:?}", r.body);
        assert_eq!(r.body["error"]["code"], "unauthenticated");
        let r = app.api(method, path, Some("setia_bogus"), body.clone()).await;
        assert_eq!(r.status, 401, "{method} {path} with a bad token");
        if scope == "admin" {
            let r = app.api(method, path, Some(&pos), body).await;
            assert_eq!(r.status, 403, "{method} {path} with a pos token: {:?}", r.body);
            assert_eq!(r.body["error"]["code"], "forbidden");
        }
    }
});

both_backends!(customers_are_created_then_updated_by_phone_or_external_id, |app| async move {
    let pos = app.api_token("pos").await;
    let first = app
        .api("POST", "/customers", Some(&pos), Some(json!({"name": "Rina Wijaya", "phone": "0812-1111-2222", "email": "Rina@Mail.id"})))
        .await;
    assert_eq!(first.status, 201, "{:?}", first.body);
    assert_eq!(first.body["phone"], "+6281211112222");
    assert_eq!(first.body["email"], "rina@mail.id");
    assert_eq!(first.body["total_spending"], 0);
    assert_eq!(first.body["loyal"], false);
    assert_eq!(first.body["tier"], serde_json::Value::Null);
    let id = first.body["id"].as_i64().unwrap();

    // The same phone written another way is the same customer.
    let again = app
        .api("POST", "/customers", Some(&pos), Some(json!({"name": "Rina W.", "phone": "+62 812-1111-2222", "external_id": "POS-77"})))
        .await;
    assert_eq!(again.status, 200, "{:?}", again.body);
    assert_eq!(again.body["id"], id);
    assert_eq!(again.body["name"], "Rina W.");
    // By external id, even with a new phone.
    let moved = app
        .api("POST", "/customers", Some(&pos), Some(json!({"name": "Rina W.", "phone": "0813-9999-0000", "external_id": "POS-77"})))
        .await;
    assert_eq!(moved.status, 200);
    assert_eq!(moved.body["id"], id);
    assert_eq!(moved.body["phone"], "+6281399990000");

    let got = app.api("GET", &format!("/customers/{id}"), Some(&pos), None).await;
    assert_eq!(got.status, 200);
    assert_eq!(got.body["external_id"], "POS-77");
    assert_eq!(app.api("GET", "/customers/999999", Some(&pos), None).await.status, 404);
    let bad_id = app.api("GET", "/customers/abc", Some(&pos), None).await;
    // An id that cannot exist names nothing: 404, like one that does not exist.
    assert_eq!((bad_id.status, bad_id.body["error"]["code"].as_str()), (404, Some("not_found")));

    let actions = app.audit_actions().await;
    assert!(actions.contains(&"customer.create".to_string()) && actions.contains(&"customer.update".to_string()));
});

both_backends!(bad_customer_input_names_the_field, |app| async move {
    let pos = app.api_token("pos").await;
    let cases = [
        (json!({"name": "A", "phone": "12"}), 422, "phone"),
        (json!({"name": "A", "phone": "0812-ABC"}), 422, "phone"),
        (json!({"name": "A", "phone": "081211112222", "email": "nope"}), 422, "email"),
        (json!({"name": "A", "phone": "081211112222", "birth_date": "17/05/1990"}), 422, "birth_date"),
        (json!({"name": "A", "phone": "081211112222", "birth_date": "2999-01-01"}), 422, "birth_date"),
        (json!({"name": " ", "phone": "081211112222"}), 422, "name"),
        (json!({"phone": "081211112222"}), 400, "name"),
        (json!({"name": 5, "phone": "081211112222"}), 400, "name"),
        (json!({"name": "A", "phone": "081211112222", "colour": "red"}), 400, ""),
    ];
    for (body, status, field) in cases {
        let r = app.api("POST", "/customers", Some(&pos), Some(body.clone())).await;
        assert_eq!(r.status, status, "{body}: {:?}", r.body);
        if !field.is_empty() {
            assert_eq!(r.body["error"]["field"], field, "{body}: {:?}", r.body);
        }
        assert!(r.body["error"]["code"].is_string() && r.body["error"]["message"].is_string());
    }
    let r = app.api_raw("/customers", &pos, "{\"name\": ").await;
    assert_eq!(r.status, 400);
    assert_eq!(r.body["error"]["code"], "malformed_request");

    // A second customer may not take the first one's email.
    assert_eq!(
        app.api("POST", "/customers", Some(&pos), Some(json!({"name": "A", "phone": "081211112222", "email": "a@x.id"}))).await.status,
        201
    );
    let r = app.api("POST", "/customers", Some(&pos), Some(json!({"name": "B", "phone": "081233334444", "email": "A@x.id"}))).await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    assert_eq!(r.body["error"]["field"], "email");
    assert_eq!(r.body["error"]["code"], "email_taken");
});

both_backends!(products_are_upserted_by_sku, |app| async move {
    let admin = app.api_token("admin").await;
    let r = app
        .api("POST", "/products", Some(&admin), Some(json!({"sku": "KOPI-1", "name": "Kopi Susu", "price": 18000, "category": "minuman"})))
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let id = r.body["id"].clone();
    let r = app.api("POST", "/products", Some(&admin), Some(json!({"sku": "KOPI-1", "name": "Kopi Susu Gula Aren", "price": 20000}))).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["id"], id);
    assert_eq!(r.body["price"], 20000);
    for (body, field) in [
        (json!({"sku": "KOPI 1", "name": "x", "price": 1}), "sku"),
        (json!({"sku": "KOPI-2", "name": "", "price": 1}), "name"),
        (json!({"sku": "KOPI-2", "name": "x", "price": -1}), "price"),
    ] {
        let r = app.api("POST", "/products", Some(&admin), Some(body)).await;
        assert_eq!(r.status, 422);
        assert_eq!(r.body["error"]["field"], field);
    }
    let r = app.api("POST", "/products", Some(&admin), Some(json!({"sku": "KOPI-2", "name": "x", "price": "mahal"}))).await;
    assert_eq!(r.status, 400);
    assert_eq!(r.body["error"]["field"], "price");
    assert_eq!(app.api("GET", "/nope", Some(&admin), None).await.status, 404);
});

both_backends!(tiers_form_a_strictly_increasing_ladder, |app| async move {
    let admin = app.api_token("admin").await;
    let pos = app.api_token("pos").await;
    let tier = |name: &str, min: i64| json!({"name": name, "min_spending": min, "window_days": 365, "earn_rate_points": 1, "earn_rate_per": 10000});
    let r = app
        .api(
            "POST",
            "/tiers",
            Some(&admin),
            Some(json!({"name": "Silver", "min_spending": 0, "window_days": null, "earn_rate_points": 1, "earn_rate_per": 20000})),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert_eq!(r.body["window_days"], serde_json::Value::Null);
    let mut gold = tier("Gold", 5_000_000);
    gold["discount_percent"] = json!(2.5);
    let r = app.api("POST", "/tiers", Some(&admin), Some(gold)).await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert_eq!(r.body["discount_percent"], "2.5");
    let gold_id = r.body["id"].as_i64().unwrap();

    for (body, field, code) in [
        (tier("Gold Plus", 5_000_000), "min_spending", "minimums_not_increasing"),
        (tier("gold", 9_000_000), "name", "name_taken"),
        (tier("", 9_000_000), "name", "name_required"),
        (tier("X", -1), "min_spending", "invalid_amount"),
        (
            json!({"name": "X", "min_spending": 9, "window_days": 0, "earn_rate_points": 1, "earn_rate_per": 1}),
            "window_days",
            "invalid_window",
        ),
        (json!({"name": "X", "min_spending": 9, "earn_rate_points": 1, "earn_rate_per": 0}), "earn_rate_per", "invalid_earn_rate"),
        (
            json!({"name": "X", "min_spending": 9, "earn_rate_points": 1, "earn_rate_per": 1, "discount_percent": 100.5}),
            "discount_percent",
            "invalid_percent",
        ),
        (
            json!({"name": "X", "min_spending": 9, "earn_rate_points": 1, "earn_rate_per": 1, "discount_percent": 1.234}),
            "discount_percent",
            "invalid_percent",
        ),
        (json!({"name": "X", "min_spending": 9, "earn_rate_points": 1, "earn_rate_per": 1, "colour": "gold"}), "colour", "invalid_colour"),
    ] {
        let r = app.api("POST", "/tiers", Some(&admin), Some(body.clone())).await;
        assert_eq!(r.status, 422, "{body}: {:?}", r.body);
        assert_eq!(r.body["error"]["field"], field, "{body}");
        assert_eq!(r.body["error"]["code"], code, "{body}");
    }
    let list = app.api("GET", "/tiers", Some(&pos), None).await;
    assert_eq!(list.status, 200);
    let names: Vec<&str> = list.body.as_array().unwrap().iter().map(|t| t["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Silver", "Gold"]);
    assert_eq!(list.body[1]["id"], gold_id);

    // A customer's tier in the API comes from their spending, never a stored column.
    let c = app.api("POST", "/customers", Some(&pos), Some(json!({"name": "Dewi", "phone": "081255556666"}))).await;
    assert_eq!(c.body["tier"]["name"], "Silver");
});

both_backends!(openapi_document_describes_every_route, |app| async move {
    let doc = app.api("GET", "/openapi.json", None, None).await;
    assert_eq!(doc.status, 200);
    assert!(doc.body["openapi"].as_str().unwrap().starts_with('3'));
    for (method, path, _, _) in routes() {
        // Concrete ids in the test table become the documented template.
        let templated = path
            .replace("/customers/1", "/customers/{id}")
            .replace("/orders/1", "/orders/{id}")
            .replace("/promotions/1", "/promotions/{id}");
        let op = &doc.body["paths"][format!("/api/v1{templated}")][method.to_lowercase()];
        assert!(op.is_object(), "{method} {path} is not in the OpenAPI document");
        assert!(op["security"].is_array(), "{method} {path} declares its bearer security");
    }
    let schemas = &doc.body["components"]["schemas"];
    for name in [
        "CustomerBody",
        "CustomerView",
        "ProductBody",
        "TierBody",
        "TierView",
        "ErrorBody",
        "OrderBody",
        "OrderView",
        "PayBody",
        "RefundBody",
        "PromotionBody",
        "PromotionView",
        "StatusBody",
    ] {
        assert!(schemas[name].is_object(), "schema {name} missing");
    }
    assert_eq!(doc.body["components"]["securitySchemes"]["bearer"]["scheme"], "bearer");
});

both_backends!(concurrent_registrations_of_one_phone_make_one_customer, |app| async move {
    let pos = app.api_token("pos").await;
    let app = std::sync::Arc::new(app);
    let mut tasks = Vec::new();
    for i in 0..12 {
        let (app, pos) = (app.clone(), pos.clone());
        tasks.push(tokio::spawn(async move {
            app.api("POST", "/customers", Some(&pos), Some(json!({"name": format!("Putri {i}"), "phone": "0817-7777-8888"}))).await
        }));
    }
    let mut created = 0;
    let mut ids = std::collections::BTreeSet::new();
    for t in tasks {
        let r = t.await.unwrap();
        assert!(r.status == 200 || r.status == 201, "{:?}", r.body);
        if r.status == 201 {
            created += 1;
        }
        ids.insert(r.body["id"].as_i64().unwrap());
    }
    assert_eq!(created, 1, "exactly one registration creates the customer");
    assert_eq!(ids.len(), 1, "every registration answers with the same customer");
});
