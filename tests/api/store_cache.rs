//! The per-instance cache of settings, tiers, API tokens, promotions and products is exact on
//! every instance (issue 15): a change committed through one instance — or by
//! plain SQL, as an operator might — is what the next request on another instance
//! sees, because the change raises a version in its own transaction.

use serde_json::json;
use setia_backend::dispatch;

both_backends!(a_change_on_one_instance_is_seen_at_once_on_another, |app| async move {
    let other = app.another_instance().await;
    let (admin, pos) = (app.api_token("admin").await, app.api_token("pos").await);
    let r = app.api("POST", "/products", Some(&admin), Some(json!({"sku": "KOPI", "name": "Kopi", "price": 100_000}))).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let c = other.api("POST", "/customers", Some(&pos), Some(json!({"name": "Dewi", "phone": "+6281234567890"}))).await;
    let customer = c.body["id"].as_i64().unwrap();
    let cart = json!({"customer_id": customer, "lines": [{"sku": "KOPI", "quantity": 1}]});
    // Both instances have cached everything once.
    let before = other.api("POST", "/orders/quote", Some(&pos), Some(cart.clone())).await;
    assert_eq!((before.status, &before.body["tier"]), (200, &serde_json::Value::Null), "{}", before.text);

    // A tier made through the first instance prices the next quote on the second.
    let tier = json!({"name": "Member", "min_spending": 0, "window_days": 365, "earn_rate_points": 1, "earn_rate_per": 1000, "discount_percent": 10});
    assert_eq!(app.api("POST", "/tiers", Some(&admin), Some(tier)).await.status, 201);
    let after = other.api("POST", "/orders/quote", Some(&pos), Some(cart.clone())).await;
    assert_eq!((&after.body["tier"]["name"], &after.body["discount_total"]), (&json!("Member"), &json!(10_000)), "{}", after.text);

    // A setting changed by plain SQL (another tool, an operator) is seen too.
    let currency = |r: &crate::common::Reply| r.body["adjustments"][0]["explanation"].as_str().unwrap_or_default().to_string();
    assert!(currency(&after).contains("Rp"), "{}", after.text);
    dispatch!(&app.state.db, |c| sqlx::query("INSERT INTO settings (key, value, updated_at) VALUES ('currency.symbol', 'IDR ', $1)")
        .bind(chrono::Utc::now())
        .execute(c)
        .await
        .map(|r| r.rows_affected()))
    .unwrap();
    let renamed = other.api("POST", "/orders/quote", Some(&pos), Some(cart.clone())).await;
    assert!(currency(&renamed).contains("IDR"), "{}", renamed.text);

    // A product's new price through one instance, and its end of sale by plain SQL.
    let r = app.api("POST", "/products", Some(&admin), Some(json!({"sku": "KOPI", "name": "Kopi", "price": 120_000}))).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let repriced = other.api("POST", "/orders/quote", Some(&pos), Some(cart.clone())).await;
    assert_eq!(repriced.body["subtotal"], 120_000, "{}", repriced.text);
    dispatch!(&app.state.db, |c| sqlx::query("UPDATE products SET active = FALSE WHERE sku = 'KOPI'")
        .execute(c)
        .await
        .map(|r| r.rows_affected()))
    .unwrap();
    let off_sale = other.api("POST", "/orders/quote", Some(&pos), Some(cart.clone())).await;
    assert_eq!((off_sale.status, off_sale.body["error"]["code"].as_str()), (422, Some("product_inactive")), "{}", off_sale.text);
    dispatch!(&app.state.db, |c| sqlx::query("UPDATE products SET active = TRUE WHERE sku = 'KOPI'")
        .execute(c)
        .await
        .map(|r| r.rows_affected()))
    .unwrap();

    // A token revoked through one instance stops working on the other at once.
    let id = app.api("GET", "/customers/0", Some(&pos), None).await;
    assert_eq!(id.status, 404, "the token works");
    let tokens = setia_backend::api_tokens::list_tokens(&app.state.db).await.unwrap();
    let pos_id = tokens.iter().find(|t| t.scope == "pos").unwrap().id;
    assert!(setia_backend::api_tokens::revoke_token(&app.state.db, pos_id, &setia_backend::audit::Actor::system("test")).await.unwrap());
    let refused = other.api("POST", "/orders/quote", Some(&pos), Some(cart)).await;
    assert_eq!(refused.status, 401, "{}", refused.text);
    assert_eq!(app.api("GET", "/customers/0", Some(&pos), None).await.status, 401);
    other.stop().await;
});
