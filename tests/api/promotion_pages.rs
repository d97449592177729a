//! The promotions pages' server functions and downloads (docs/SPEC.md §2.3, §3), on
//! SQLite and PostgreSQL: the list's filters, a promotion's rule in words (EN and
//! ID), status changes with the name typed to end, codes generated from the page
//! (inline and as a task with progress), a code looked up, disabled and enabled,
//! and the page's CSV download — each with its role guard.

use crate::common::{Store, TestApp};
use serde_json::{json, Value};
use setia_domain::Role;
use std::time::Duration;

async fn store(app: &TestApp) -> Store {
    app.store_with(&[("KOPI", 25_000), ("SEPATU", 300_000)]).await
}

fn ids(body: &Value) -> Vec<i64> {
    body["rows"].as_array().unwrap().iter().map(|r| r["id"].as_i64().unwrap()).collect()
}

both_backends!(the_list_filters_by_status_kind_running_and_name_or_code, |app| async move {
    let s = store(&app).await;
    let shoes = app
        .active_promotion(
            &s,
            json!({"name": "Sepatu akhir pekan", "kind": "automatic", "priority": 5, "stacking": "exclusive",
            "conditions": {"weekdays": [6, 7]}, "reward": {"type": "percent_items", "value": 10, "skus": ["SEPATU"]},
            "max_discount": 50000, "limits": {"total_uses": 500}}),
        )
        .await;
    let r = app
        .api(
            "POST",
            "/promotions",
            Some(&s.admin),
            Some(json!({"name": "Draf kode", "kind": "code", "code": "HEMAT",
        "priority": 0, "stacking": "combinable", "conditions": {}, "reward": {"type": "percent_order", "value": 5}})),
        )
        .await;
    let draft = r.body["id"].as_i64().unwrap();
    let support = app.signed_in(Role::Support).await;
    let list = |args: Vec<(&'static str, &'static str)>| {
        let support = &support;
        async move {
            let mut form = vec![("page", "1")];
            form.extend(args);
            let r = support.server_fn("list_promotions", &form).await;
            assert_eq!(r.status, 200, "{:?}", r.body);
            r.body
        }
    };
    let all = list(vec![]).await;
    assert_eq!((ids(&all), &all["total"]), (vec![draft, shoes], &json!(2)), "newest first");
    assert_eq!(all["rows"][1]["total_uses"], 500);
    assert_eq!(ids(&list(vec![("status", "draft")]).await), vec![draft]);
    assert_eq!(ids(&list(vec![("kind", "automatic")]).await), vec![shoes]);
    assert_eq!(ids(&list(vec![("running", "1")]).await), vec![shoes]);
    assert_eq!(ids(&list(vec![("q", "hemat")]).await), vec![draft], "found by its code");
    assert_eq!(ids(&list(vec![("q", "SEPATU")]).await), vec![shoes], "found by name, any case");
    assert_eq!(ids(&list(vec![("sort", "priority")]).await), vec![shoes, draft]);
    let r = support.server_fn("list_promotions", &[("page", "1"), ("status", "sleeping")]).await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    // The page itself renders on the server with the rows.
    let html = support.get("/promotions?status=active").await;
    assert_eq!(html.status, 200);
    assert!(html.text.contains("Sepatu akhir pekan") && !html.text.contains("Draf kode"), "{}", html.text.len());
});

both_backends!(a_promotion_reads_as_a_sentence_in_english_and_indonesian, |app| async move {
    let s = store(&app).await;
    let gold = crate::common::insert_tier(&app.state.db, "Gold", 1_000_000, None).await;
    let id = app
        .active_promotion(
            &s,
            json!({"name": "Sepatu Gold", "kind": "automatic", "priority": 5, "stacking": "exclusive",
            "conditions": {"tier_ids": [gold], "weekdays": [6, 7], "hours": {"from": "18:00", "to": "21:00"}},
            "reward": {"type": "percent_items", "value": 10, "skus": ["SEPATU"]}, "max_discount": 50000, "limits": {"total_uses": 500}}),
        )
        .await;
    let support = app.signed_in(Role::Support).await;
    let r = support.server_fn("promotion_detail", &[("id", &id.to_string())]).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(
        r.body["summary_en"],
        "10% off SEPATU for Gold members on Sat, Sun 18:00–21:00, at most Rp 50.000 per order, 500 uses, exclusive"
    );
    assert_eq!(
        r.body["summary_id"],
        "Diskon 10% untuk SEPATU bagi member Gold pada Sab, Min 18.00–21.00, maksimal Rp 50.000 per pesanan, 500 pemakaian, eksklusif"
    );
    assert_eq!(r.body["can_edit"], false, "support reads");
    assert_eq!(r.body["try_href"], "/simulator?sku0=SEPATU&qty0=1");
    let html = support.get(&format!("/promotions/{id}")).await;
    assert!(html.text.contains("10% off SEPATU for Gold members"), "the page shows the rule");
    let r = support.server_fn("promotion_detail", &[("id", "999999")]).await;
    assert_eq!(r.status, 404);
});

both_backends!(status_changes_are_for_marketing_and_ending_needs_the_name, |app| async move {
    let s = store(&app).await;
    let r = app
        .api(
            "POST",
            "/promotions",
            Some(&s.admin),
            Some(json!({"name": "Akhir tahun", "kind": "automatic", "priority": 0,
        "stacking": "combinable", "conditions": {}, "reward": {"type": "percent_order", "value": 5}})),
        )
        .await;
    let id = r.body["id"].as_i64().unwrap().to_string();
    let support = app.signed_in(Role::Support).await;
    let r = support.server_fn("set_promotion_status", &[("id", &id), ("status", "active")]).await;
    assert_eq!(r.status, 403);
    let marketing = app.signed_in(Role::Marketing).await;
    let r = marketing.server_fn("set_promotion_status", &[("id", &id), ("status", "active")]).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let r = marketing.server_fn("set_promotion_status", &[("id", &id), ("status", "ended"), ("confirm_name", "akhir")]).await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    assert!(r.text.contains("confirm_name"), "{}", r.text);
    let r = marketing.server_fn("set_promotion_status", &[("id", &id), ("status", "ended"), ("confirm_name", "Akhir tahun")]).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let r = app.api("GET", &format!("/promotions/{id}"), Some(&s.admin), None).await;
    assert_eq!(r.body["status"], "ended");
    let audited = app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'promotion.status' AND actor_id IS NOT NULL").await;
    assert_eq!(audited, 2, "each change audited with the staff user");
});

both_backends!(codes_from_the_page_generate_look_up_toggle_and_download, |app| async move {
    let s = store(&app).await;
    let id = app
        .active_promotion(
            &s,
            json!({"name": "Kode unik", "kind": "code", "priority": 0, "stacking": "combinable",
            "conditions": {}, "reward": {"type": "percent_order", "value": 10}}),
        )
        .await
        .to_string();
    let marketing = app.signed_in(Role::Marketing).await;
    let support = app.signed_in(Role::Support).await;
    let gen = |count: &'static str| {
        let (marketing, id) = (&marketing, id.clone());
        async move {
            marketing
                .server_fn(
                    "generate_codes",
                    &[("id", &id), ("count", count), ("prefix", "HADIAH-"), ("pattern", "######"), ("max_uses", "1")],
                )
                .await
        }
    };
    let r = gen("5").await;
    assert_eq!((r.status, &r.body["generated"]), (200, &json!(5)), "{:?}", r.body);
    let r = support.server_fn("generate_codes", &[("id", &id), ("count", "5"), ("prefix", ""), ("pattern", ""), ("max_uses", "")]).await;
    assert_eq!(r.status, 403, "support reads codes, does not make them");
    let r = marketing.server_fn("generate_codes", &[("id", &id), ("count", "5"), ("prefix", ""), ("pattern", "#"), ("max_uses", "")]).await;
    assert_eq!(r.status, 422);
    assert!(r.text.contains("pattern_too_small"), "{}", r.text);
    let r = gen("12000").await;
    let task = r.body["task_id"].as_i64().unwrap_or_else(|| panic!("{:?}", r.body)).to_string();
    let mut last = Value::Null;
    for _ in 0..600 {
        let t = support.server_fn("task_progress", &[("id", &task)]).await;
        assert_eq!(t.status, 200, "{:?}", t.body);
        last = t.body;
        if last["status"] == "done" || last["status"] == "failed" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!((&last["status"], &last["done"], &last["total"]), (&json!("done"), &json!(12_000), &json!(12_000)), "{last:?}");
    let html = support.get(&format!("/tasks/{task}")).await;
    assert!(html.status == 200 && html.text.contains("<progress"), "the task page shows its bar");
    // Admins find it on the job runs page too.
    let admin = app.signed_in(Role::Admin).await;
    let listed = admin.server_fn("list_tasks", &[]).await;
    assert_eq!(
        (&listed.body[0]["id"], &listed.body[0]["kind"], &listed.body[0]["status"]),
        (&json!(task.parse::<i64>().unwrap()), &json!("generate_codes"), &json!("done"))
    );
    let jobs = admin.get("/jobs").await;
    assert!(jobs.text.contains(&format!("/tasks/{task}")), "the job runs page links the task");
    // The page's download: marketing and admin only, a BOM for spreadsheets.
    let csv = marketing.get(&format!("/promotions/{id}/codes.csv")).await;
    assert_eq!(csv.status, 200);
    assert!(csv.text.starts_with("\u{feff}code,max_uses,uses,status\n"), "{}", &csv.text[..40.min(csv.text.len())]);
    assert_eq!(csv.text.lines().count(), 1 + 12_005);
    assert_eq!(support.get(&format!("/promotions/{id}/codes.csv")).await.status, 403);
    // As browsers ask for it: compressed, which polls the stream once past its end.
    let gz = reqwest::Client::new()
        .get(format!("{}/api/v1/promotions/{id}/codes.csv", app.base))
        .bearer_auth(&s.admin)
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(gz.headers()["content-encoding"], "gzip");
    let compressed = gz.bytes().await.expect("the whole compressed file");
    assert!(compressed.len() > 1_000, "{}", compressed.len());
    assert_eq!(app.client().get(&format!("/promotions/{id}/codes.csv")).await.status, 401);
    // Look a code up (support may), toggle it (marketing may).
    let code = csv.text.lines().nth(1).unwrap().split(',').next().unwrap().to_lowercase();
    let found = support.server_fn("find_code", &[("id", &id), ("code", &code)]).await;
    assert_eq!(found.status, 200, "{:?}", found.body);
    assert_eq!((&found.body["status"], &found.body["uses"], &found.body["max_uses"]), (&json!("active"), &json!(0), &json!(1)));
    let missing = support.server_fn("find_code", &[("id", &id), ("code", "NOPE")]).await;
    assert_eq!((missing.status, &missing.body), (200, &Value::Null));
    let r = support.server_fn("set_code_status", &[("id", &id), ("code", &code), ("disabled", "true")]).await;
    assert_eq!(r.status, 403);
    let r = marketing.server_fn("set_code_status", &[("id", &id), ("code", &code), ("disabled", "true")]).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let found = support.server_fn("find_code", &[("id", &id), ("code", &code)]).await;
    assert_eq!(found.body["status"], "disabled");
});
