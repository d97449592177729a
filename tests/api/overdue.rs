//! "Overdue" is one rule, `setia_domain::order::is_overdue` (pending and
//! `payment_deadline <= now`); two SQL statements copy it: the expiry job's UPDATE
//! and the promotion use count that ignores reservations of overdue orders. At
//! the deadline second and the one before, on both databases, they agree with it.

use chrono::{DateTime, Duration, Utc};
use serde_json::json;
use setia_backend::dispatch;
use setia_backend::orders::{self, expiry, CartInput, LineInput};
use setia_domain::order::is_overdue;
use setia_domain::{Money, OrderStatus};

both_backends!(sql_and_rust_agree_on_overdue_at_the_deadline_second, |app| async move {
    let admin = app.api_token("admin").await;
    let pos = app.api_token("pos").await;
    let r = app.api("POST", "/products", Some(&admin), Some(json!({"sku": "KOPI", "name": "Kopi", "price": 25_000}))).await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let r = app
        .api(
            "POST",
            "/promotions",
            Some(&admin),
            Some(json!({"name": "Sekali", "kind": "automatic", "priority": 0, "stacking": "combinable", "conditions": {},
                        "reward": {"type": "percent_order", "value": 10}, "limits": {"total_uses": 1}})),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let promo = r.body["id"].as_i64().unwrap();
    let r = app.api("POST", &format!("/promotions/{promo}/status"), Some(&admin), Some(json!({"status": "active"}))).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    // This order takes the promotion's one use, reserved until its deadline.
    let r = app
        .api(
            "POST",
            "/orders",
            Some(&pos),
            Some(json!({"source": "pos", "external_ref": "A-1", "payment_deadline_minutes": 5, "lines": [{"sku": "KOPI", "quantity": 1}]})),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert_eq!(r.body["discount_total"], 2_500, "{:?}", r.body);
    let order = r.body["id"].as_i64().unwrap();
    let deadline: DateTime<Utc> = dispatch!(&app.state.db, |c| sqlx::query_scalar("SELECT payment_deadline FROM orders WHERE id = $1")
        .bind(order)
        .fetch_one(c)
        .await)
    .unwrap();

    let cart = CartInput { lines: vec![LineInput { sku: "KOPI".into(), quantity: 1, unit_price: None }], ..Default::default() };
    let promotion_applies = |now: DateTime<Utc>| {
        let (db, cache, cart) = (app.state.db.clone(), app.state.store.clone(), cart.clone());
        async move {
            let store = cache.snapshot(&db).await.unwrap();
            orders::quote(&db, &store, &cart, now).await.unwrap().priced.discount_total != Money(0)
        }
    };
    let status = || {
        let db = app.state.db.clone();
        async move {
            let s: String =
                dispatch!(&db, |c| sqlx::query_scalar("SELECT status FROM orders WHERE id = $1").bind(order).fetch_one(c).await).unwrap();
            s
        }
    };

    // One second before the deadline: not overdue, by the rule and by both copies.
    let before = deadline - Duration::seconds(1);
    assert!(!is_overdue(OrderStatus::PendingPayment, deadline, before));
    assert!(!promotion_applies(before).await, "the reserved use still counts before the deadline");
    assert_eq!(expiry::expire_overdue_orders(&app.state.db, before).await.unwrap(), 0);
    assert_eq!(status().await, "pending_payment");

    // At the deadline second: overdue, by the rule and by both copies.
    assert!(is_overdue(OrderStatus::PendingPayment, deadline, deadline));
    assert!(promotion_applies(deadline).await, "an overdue order's reservation no longer counts");
    assert_eq!(expiry::expire_overdue_orders(&app.state.db, deadline).await.unwrap(), 1);
    assert_eq!(status().await, "expired");
});
