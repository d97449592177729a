//! Staff management, settings and the audit log through their server functions.

use setia_domain::Role;

both_backends!(admin_creates_a_user_who_can_sign_in, |app| async move {
    let admin = app.signed_in(Role::Admin).await;
    let r = admin
        .server_fn(
            "create_staff",
            &[("email", "Lina@Toko.test"), ("name", "Lina"), ("role", "marketing"), ("password", "a good long password")],
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["email"], "lina@toko.test");
    assert_eq!(r.body["role"], "marketing");
    let lina = app.client();
    let login = lina.server_fn("login", &[("email", "lina@toko.test"), ("password", "a good long password")]).await;
    assert_eq!(login.status, 200);

    let audit = admin.server_fn("list_audit", &[("page", "1"), ("action", "staff.create")]).await;
    let rows = audit.body["rows"].as_array().unwrap();
    assert!(rows.iter().any(|r| r["after"].as_str().unwrap_or("").contains("lina@toko.test")), "{rows:?}");
    assert!(rows.iter().all(|r| r["action"] == "staff.create"));
});

both_backends!(bad_staff_input_names_the_field, |app| async move {
    let admin = app.signed_in(Role::Admin).await;
    let cases = [
        (("not-an-email", "Lina", "support", "a good long password"), "email", "email_malformed"),
        (("ok@toko.test", "  ", "support", "a good long password"), "name", "name_required"),
        (("ok@toko.test", "Lina", "owner", "a good long password"), "role", "role_unknown"),
        (("ok@toko.test", "Lina", "support", "short"), "password", "password_too_short"),
    ];
    for ((email, name, role, password), field, code) in cases {
        let r = admin.server_fn("create_staff", &[("email", email), ("name", name), ("role", role), ("password", password)]).await;
        assert_eq!(r.status, 422, "{field}: {:?}", r.body);
        assert_eq!(r.body["kind"], "invalid");
        assert_eq!(r.body["field"], field);
        assert_eq!(r.body["code"], code);
    }
    let first = admin
        .server_fn("create_staff", &[("email", "dup@toko.test"), ("name", "D"), ("role", "support"), ("password", "a good long password")])
        .await;
    assert_eq!(first.status, 200);
    let dup = admin
        .server_fn("create_staff", &[("email", "DUP@toko.test"), ("name", "D"), ("role", "support"), ("password", "a good long password")])
        .await;
    assert_eq!(dup.status, 422);
    assert_eq!(dup.body["code"], "email_taken");
    // A missing argument is a 4xx from the server-function layer, never a 500.
    let missing = admin.server_fn("create_staff", &[("email", "x@toko.test")]).await;
    assert_eq!(missing.status, 400, "{:?}", missing.body);
    assert_eq!(missing.body["kind"], "malformed_request");
});

both_backends!(an_admin_cannot_change_their_own_access, |app| async move {
    let admin = app.signed_in(Role::Admin).await;
    let me = admin.server_fn("current_user", &[]).await.body["id"].as_i64().unwrap().to_string();
    let r = admin.server_fn("update_staff_access", &[("id", &me), ("role", "support"), ("active", "true")]).await;
    assert_eq!(r.status, 422);
    assert_eq!(r.body["code"], "cannot_change_self");
});

both_backends!(settings_are_validated_saved_and_audited, |app| async move {
    let admin = app.signed_in(Role::Admin).await;
    let defaults = admin.server_fn("get_settings", &[]).await;
    assert_eq!(defaults.body["time_zone"], "Asia/Jakarta");
    assert_eq!(defaults.body["currency"]["symbol"], "Rp");

    let bad = admin
        .server_fn(
            "save_settings",
            &[
                ("time_zone", "Asia/Atlantis"),
                ("currency_symbol", "Rp"),
                ("currency_decimals", "0"),
                ("loyalty_threshold", "5000000"),
                ("max_discount_share", "100"),
            ],
        )
        .await;
    assert_eq!(bad.status, 422);
    assert_eq!(bad.body["field"], "time_zone");
    let bad = admin
        .server_fn(
            "save_settings",
            &[
                ("time_zone", "Asia/Jakarta"),
                ("currency_symbol", "Rp"),
                ("currency_decimals", "two"),
                ("loyalty_threshold", "5000000"),
                ("max_discount_share", "100"),
            ],
        )
        .await;
    assert_eq!(bad.body["field"], "currency_decimals");
    let bad = admin
        .server_fn(
            "save_settings",
            &[
                ("time_zone", "Asia/Jakarta"),
                ("currency_symbol", "Rp"),
                ("currency_decimals", "0"),
                ("loyalty_threshold", "-5"),
                ("max_discount_share", "100"),
            ],
        )
        .await;
    assert_eq!(bad.status, 422);
    assert_eq!(bad.body["field"], "loyalty_threshold");
    let bad = admin
        .server_fn(
            "save_settings",
            &[
                ("time_zone", "Asia/Jakarta"),
                ("currency_symbol", "Rp"),
                ("currency_decimals", "0"),
                ("loyalty_threshold", "0"),
                ("max_discount_share", "0"),
            ],
        )
        .await;
    assert_eq!((bad.status, bad.body["field"].as_str()), (422, Some("max_discount_share")));

    let ok = admin
        .server_fn(
            "save_settings",
            &[
                ("time_zone", "Asia/Makassar"),
                ("currency_symbol", "Rp"),
                ("currency_decimals", "0"),
                ("loyalty_threshold", "5000000"),
                ("max_discount_share", "60.5"),
            ],
        )
        .await;
    assert_eq!(ok.status, 200, "{:?}", ok.body);
    let saved = admin.server_fn("get_settings", &[]).await;
    assert_eq!(saved.body["time_zone"], "Asia/Makassar");
    assert_eq!(saved.body["loyalty_threshold"], 5_000_000);
    assert_eq!(saved.body["max_discount_share"], serde_json::to_value(setia_domain::Percent::parse("60.5").unwrap()).unwrap());
    let audit = admin.server_fn("list_audit", &[("page", "1"), ("action", "settings.update")]).await;
    let row = &audit.body["rows"][0];
    assert!(row["before"].as_str().unwrap().contains("Asia/Jakarta"));
    assert!(row["after"].as_str().unwrap().contains("Asia/Makassar"));
    assert_eq!(audit.body["time_zone"], "Asia/Makassar");
});

both_backends!(audit_log_pages_and_filters, |app| async move {
    let admin = app.signed_in(Role::Admin).await;
    let c = app.client();
    for _ in 0..3 {
        c.server_fn("login", &[("email", "ghost@toko.test"), ("password", "whatever it is")]).await;
    }
    let failed = admin.server_fn("list_audit", &[("page", "1"), ("action", "auth.login_failed")]).await;
    assert_eq!(failed.body["total"], 3);
    let row = &failed.body["rows"][0];
    assert_eq!(row["actor_label"], "ghost@toko.test");
    assert_eq!(row["ip"], "127.0.0.1");
    let by_actor = admin.server_fn("list_audit", &[("page", "1"), ("actor", "GHOST")]).await;
    assert_eq!(by_actor.body["total"], 3);
    let page_two = admin.server_fn("list_audit", &[("page", "2")]).await;
    assert_eq!(page_two.body["page"], 2);
    assert_eq!(page_two.body["rows"].as_array().unwrap().len(), 0);
});

both_backends!(admins_see_job_runs, |app| async move {
    let admin = app.signed_in(Role::Admin).await;
    let none = admin.server_fn("list_job_runs", &[]).await;
    assert_eq!(none.status, 200);
    assert_eq!(none.body.as_array().unwrap().len(), 0);
    setia_backend::jobs::tick(&app.state.db, &setia_backend::orders::expiry::job(), "node-a", chrono::Utc::now())
        .await
        .unwrap()
        .expect("ran");
    let runs = admin.server_fn("list_job_runs", &[]).await;
    let run = &runs.body[0];
    assert_eq!(run["job"], "order_expiry");
    assert_eq!(run["outcome"], "ok");
    assert_eq!(run["counts"], r#"{"expired":0}"#);
    let page = admin.get("/jobs").await;
    assert_eq!(page.status, 200);
    assert!(page.text.contains("order_expiry"));
});

// Regression: a page built twice during server rendering (it sat inside the
// Suspense waiting for the user) sent its first build's resources, failed with
// "AppState missing from context", to the browser, which then hydrated an error
// over the rendered page and stopped responding. Intermittent, so many loads.
both_backends!(server_rendered_pages_send_no_failed_resources, |app| async move {
    let admin = app.signed_in(Role::Admin).await;
    for round in 0..15 {
        for path in ["/", "/settings", "/jobs", "/users", "/tiers", "/customers", "/orders", "/audit"] {
            let page = admin.get(path).await;
            assert_eq!(page.status, 200, "{path}");
            assert!(page.text.contains("__RESOLVED_RESOURCES"), "{path}: resources are sent");
            assert!(!page.text.contains(r#"{\"Err\""#), "{path} (load {round}) sent a failed resource: {}", page.text);
        }
    }
});
