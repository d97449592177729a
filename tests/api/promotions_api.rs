//! Promotions over the REST API (docs/API.md "Promotions (admin)", docs/SPEC.md §2.3) on both
//! databases: stored as sent, validated with the field named, audited, status
//! changes, and the catalogue version every instance's index follows.

use crate::common;

use serde_json::{json, Value};

struct Store {
    admin: String,
    gold: i64,
}

async fn store(app: &common::TestApp) -> Store {
    let admin = app.api_token("admin").await;
    for (sku, category, price) in [("KOPI", "minuman", 18_000), ("TEH", "minuman", 12_000), ("ROTI", "roti", 15_000)] {
        let r =
            app.api("POST", "/products", Some(&admin), Some(json!({"sku": sku, "name": sku, "price": price, "category": category}))).await;
        assert!(r.status == 201 || r.status == 200, "{:?}", r.body);
    }
    let gold = app
        .api(
            "POST",
            "/tiers",
            Some(&admin),
            Some(json!({"name": "Gold", "min_spending": 5000000, "window_days": 365, "earn_rate_points": 1, "earn_rate_per": 10000})),
        )
        .await;
    Store { admin, gold: gold.body["id"].as_i64().unwrap() }
}

fn full(gold: i64) -> Value {
    json!({
        "name": "Ngopi Pagi",
        "description": "Kopi pagi hemat",
        "kind": "code",
        "code": "Pagi10",
        "starts_at": "2026-12-01T00:00:00Z",
        "ends_at": "2027-01-01T00:00:00Z",
        "priority": 5,
        "stacking": "exclusive",
        "conditions": {
            "min_subtotal": 30000, "min_quantity": 2, "skus": ["KOPI"], "categories": ["roti"], "tier_ids": [gold],
            "first_order_only": true, "weekdays": [1, 2, 3, 4, 5], "hours": {"from": "06:00", "to": "10:30"}
        },
        "reward": {"type": "buy_x_get_y", "buy": 2, "get": 1, "value": 50, "skus": ["KOPI"]},
        "max_discount": 50000,
        "limits": {"total_uses": 100, "uses_per_customer": 1, "budget": 1000000}
    })
}

both_backends!(a_promotion_is_stored_as_sent_and_starts_as_a_draft, |app| async move {
    let s = store(&app).await;
    let version = setia_backend::promotions::catalog_version(&app.state.db).await.unwrap();
    let r = app.api("POST", "/promotions", Some(&s.admin), Some(full(s.gold))).await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let id = r.body["id"].as_i64().unwrap();
    assert_eq!(r.body["status"], "draft");
    assert_eq!(r.body["uses"], 0);
    assert_eq!(r.body["budget_used"], 0);
    let sent = full(s.gold);
    for key in ["name", "description", "kind", "code", "priority", "stacking", "max_discount", "limits"] {
        assert_eq!(r.body[key], sent[key], "{key}");
    }
    assert_eq!(r.body["conditions"]["weekdays"], json!([1, 2, 3, 4, 5]));
    assert_eq!(r.body["conditions"]["hours"], json!({"from": "06:00", "to": "10:30"}));
    assert_eq!(r.body["conditions"]["tier_ids"], json!([s.gold]));
    assert_eq!(r.body["reward"]["value"], json!(50.0));
    assert_eq!(r.body["reward"]["skus"], json!(["KOPI"]));
    let got = app.api("GET", &format!("/promotions/{id}"), Some(&s.admin), None).await;
    assert_eq!(got.body, r.body, "read back as stored");
    let listed = app.api("GET", "/promotions", Some(&s.admin), None).await;
    assert_eq!(listed.body.as_array().unwrap().len(), 1);
    assert_eq!(setia_backend::promotions::catalog_version(&app.state.db).await.unwrap(), version + 1);
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'promotion.create'").await, 1);
    // Draft: not among the active promotions pricing sees.
    assert!(setia_backend::promotions::active_promotions(&app.state.db).await.unwrap().is_empty());

    // Replace: new definition, same id and status, audited with before and after.
    let mut changed = full(s.gold);
    changed["name"] = json!("Ngopi Siang");
    changed["reward"] = json!({"type": "percent_items", "value": 12.5, "categories": ["minuman"]});
    let r = app.api("PUT", &format!("/promotions/{id}"), Some(&s.admin), Some(changed)).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["name"], "Ngopi Siang");
    assert_eq!(
        r.body["reward"],
        json!({"type": "percent_items", "value": 12.5, "buy": null, "get": null, "skus": null, "categories": ["minuman"]})
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'promotion.replace'").await, 1);
    assert_eq!(app.api("PUT", "/promotions/999", Some(&s.admin), Some(full(s.gold))).await.status, 404);
    assert_eq!(app.api("GET", "/promotions/999", Some(&s.admin), None).await.status, 404);
});

both_backends!(status_changes_follow_the_lifecycle_and_reach_pricing, |app| async move {
    let s = store(&app).await;
    let body = json!({"name": "Hemat", "kind": "automatic", "priority": 0, "stacking": "combinable", "reward": {"type": "percent_order", "value": 10}});
    let id = app.api("POST", "/promotions", Some(&s.admin), Some(body)).await.body["id"].as_i64().unwrap();
    let path = format!("/promotions/{id}/status");
    let status = |to: &str| app.api("POST", &path, Some(&s.admin), Some(json!({"status": to})));
    assert_eq!(status("active").await.body["status"], "active");
    let active = setia_backend::promotions::active_promotions(&app.state.db).await.unwrap();
    assert_eq!(active.iter().map(|p| p.id).collect::<Vec<_>>(), vec![id]);
    assert_eq!(status("active").await.status, 200, "the same status again changes nothing");
    assert_eq!(status("paused").await.body["status"], "paused");
    assert_eq!(status("active").await.body["status"], "active");
    assert_eq!(status("ended").await.body["status"], "ended");
    let r = status("active").await;
    assert_eq!(r.status, 409, "ended is final");
    assert_eq!(r.body["error"]["code"], "invalid_status_change");
    let r = status("draft").await;
    assert_eq!(r.status, 422);
    assert_eq!(r.body["error"]["field"], "status");
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'promotion.status'").await, 4);
});

both_backends!(bad_promotions_are_refused_naming_the_field_never_500, |app| async move {
    let s = store(&app).await;
    let taken = app.api("POST", "/promotions", Some(&s.admin), Some(full(s.gold))).await;
    assert_eq!(taken.status, 201);
    let with = |path: &[&str], value: Value| {
        let mut b = full(s.gold);
        b["code"] = json!("LAIN");
        let mut at = &mut b;
        for key in &path[..path.len() - 1] {
            at = &mut at[*key];
        }
        at[path[path.len() - 1]] = value;
        b
    };
    let cases: Vec<(Value, u16, &str, &str)> = vec![
        (with(&["reward", "value"], json!(0)), 422, "reward.value", "invalid_percent"),
        (with(&["reward", "value"], json!(100.01)), 422, "reward.value", "invalid_percent"),
        (with(&["reward", "value"], json!(12.345)), 422, "reward.value", "invalid_percent"),
        (with(&["reward", "buy"], json!(0)), 422, "reward.buy", "invalid_quantity"),
        (with(&["reward", "get"], json!(0)), 422, "reward.get", "invalid_quantity"),
        (with(&["reward", "type"], json!("free_money")), 422, "reward.type", "invalid_reward_type"),
        (with(&["ends_at"], json!("2026-11-01T00:00:00Z")), 422, "ends_at", "ends_before_start"),
        (with(&["conditions", "hours"], json!({"from": "25:00", "to": "10:00"})), 422, "conditions.hours.from", "invalid_time"),
        (with(&["conditions", "hours"], json!({"from": "06:00", "to": "9:5"})), 422, "conditions.hours.to", "invalid_time"),
        (with(&["conditions", "weekdays"], json!([1, 8])), 422, "conditions.weekdays[1]", "invalid_weekday"),
        (with(&["conditions", "skus"], json!(["KOPI", "NOPE"])), 422, "conditions.skus[1]", "unknown_sku"),
        (with(&["reward", "skus"], json!(["NOPE"])), 422, "reward.skus[0]", "unknown_sku"),
        (with(&["conditions", "categories"], json!(["mainan"])), 422, "conditions.categories[0]", "unknown_category"),
        (with(&["conditions", "tier_ids"], json!([999])), 422, "conditions.tier_ids[0]", "unknown_tier"),
        (with(&["code"], json!("pagi10")), 422, "code", "code_taken"),
        (with(&["kind"], json!("automatic")), 422, "code", "code_not_allowed"),
        (with(&["kind"], json!("secret")), 422, "kind", "invalid_kind"),
        (with(&["stacking"], json!("both")), 422, "stacking", "invalid_stacking"),
        (with(&["name"], json!("  ")), 422, "name", "name_required"),
        (with(&["max_discount"], json!(0)), 422, "max_discount", "invalid_amount"),
        (with(&["limits", "total_uses"], json!(0)), 422, "limits.total_uses", "invalid_limit"),
        (with(&["limits", "budget"], json!(-5)), 422, "limits.budget", "invalid_amount"),
        (with(&["conditions", "min_quantity"], json!(0)), 422, "conditions.min_quantity", "invalid_quantity"),
        (with(&["reward"], json!({"type": "fixed_order", "value": 1.5})), 422, "reward.value", "invalid_amount"),
        (with(&["reward"], json!({"type": "percent_order", "value": 10, "skus": ["KOPI"]})), 422, "reward.skus", "not_for_order_reward"),
        (with(&["reward"], json!({"type": "percent_items"})), 422, "reward.value", "value_required"),
        (with(&["priority"], json!("high")), 400, "priority", "malformed"),
        (with(&["starts_at"], json!("tomorrow")), 400, "starts_at", "malformed"),
        (with(&["conditions", "weekdays"], json!("Monday")), 400, "conditions.weekdays", "malformed"),
        (with(&["surprise"], json!(1)), 400, "surprise", "malformed"),
    ];
    for (body, status, field, code) in cases {
        let r = app.api("POST", "/promotions", Some(&s.admin), Some(body.clone())).await;
        assert_eq!(r.status, status, "{field}: {:?}", r.body);
        assert_eq!(r.body["error"]["field"], field, "{:?}", r.body);
        if status == 422 {
            assert_eq!(r.body["error"]["code"], code, "{:?}", r.body);
        }
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM promotions").await, 1, "nothing stored by a refused request");
});

both_backends!(every_instance_rebuilds_its_promotion_index_when_promotions_change, |app| async move {
    let s = store(&app).await;
    let other = app.another_instance().await;
    let ids = |index: std::sync::Arc<setia_domain::promotion_index::PromotionIndex>| {
        let cart = [setia_domain::pricing::CartLine {
            sku: "KOPI".into(),
            category: Some("minuman".into()),
            unit_price: setia_domain::Money(18_000),
            quantity: 1,
        }];
        index.candidates(&cart, None).iter().map(|p| p.id).collect::<Vec<_>>()
    };
    // Both instances built an index before the promotion existed.
    assert!(ids(app.state.store.snapshot(&app.state.db).await.unwrap().promotions.clone()).is_empty());
    assert!(ids(other.state.store.snapshot(&other.state.db).await.unwrap().promotions.clone()).is_empty());
    let body = json!({"name": "Kopi Hemat", "kind": "automatic", "priority": 0, "stacking": "combinable",
        "conditions": {"skus": ["KOPI"]}, "reward": {"type": "percent_items", "value": 10}});
    let id = app.api("POST", "/promotions", Some(&s.admin), Some(body)).await.body["id"].as_i64().unwrap();
    assert!(ids(other.state.store.snapshot(&other.state.db).await.unwrap().promotions.clone()).is_empty(), "a draft is not indexed");
    // Activated through the first instance: the second sees it on its next lookup.
    let r = app.api("POST", &format!("/promotions/{id}/status"), Some(&s.admin), Some(json!({"status": "active"}))).await;
    assert_eq!(r.status, 200);
    assert_eq!(ids(other.state.store.snapshot(&other.state.db).await.unwrap().promotions.clone()), vec![id]);
    assert_eq!(ids(app.state.store.snapshot(&app.state.db).await.unwrap().promotions.clone()), vec![id]);
    // Unchanged: the same index is handed out again, not rebuilt.
    let a = other.state.store.snapshot(&other.state.db).await.unwrap().promotions.clone();
    let b = other.state.store.snapshot(&other.state.db).await.unwrap().promotions.clone();
    assert!(std::sync::Arc::ptr_eq(&a, &b));
    let r = app.api("POST", &format!("/promotions/{id}/status"), Some(&s.admin), Some(json!({"status": "paused"}))).await;
    assert_eq!(r.status, 200);
    assert!(ids(other.state.store.snapshot(&other.state.db).await.unwrap().promotions.clone()).is_empty(), "paused: gone everywhere");
});
