//! Every server function refuses an anonymous caller and a wrong role; admin-only
//! pages refuse other roles. On SQLite and PostgreSQL.

use setia_domain::Role;

/// Every server function, who may call it, and arguments that make a valid call.
/// `None` = any signed-in staff user. `login` and `current_user` are the way in
/// and are open by design (the second only ever reveals the caller's own account).
type ServerFnCall = (&'static str, Option<Role>, Vec<(&'static str, String)>);

fn server_functions() -> Vec<ServerFnCall> {
    let s = |v: &str| v.to_string();
    vec![
        ("logout", None, vec![]),
        ("get_settings", None, vec![]),
        ("list_staff", Some(Role::Admin), vec![]),
        (
            "create_staff",
            Some(Role::Admin),
            vec![
                ("email", s("new.user@toko.test")),
                ("name", s("New User")),
                ("role", s("support")),
                ("password", s("long enough password")),
            ],
        ),
        ("update_staff_access", Some(Role::Admin), vec![("id", s("999999")), ("role", s("support")), ("active", s("true"))]),
        ("list_audit", Some(Role::Admin), vec![("page", s("1"))]),
        ("list_job_runs", Some(Role::Admin), vec![]),
        ("list_customers", None, vec![("page", s("1"))]),
        ("customer_detail", None, vec![("id", s("999999"))]),
        ("list_orders", None, vec![("page", s("1"))]),
        ("order_detail", None, vec![("id", s("999999"))]),
        ("recalculate_order", Some(Role::Admin), vec![("id", s("999999"))]),
        ("simulator_choices", None, vec![]),
        ("simulate_pricing", None, vec![("lines[0][sku]", s("NOPE")), ("customer", s("")), ("code", s("")), ("at", s(""))]),
        ("tiers_overview", None, vec![]),
        ("list_promotions", None, vec![("page", s("1"))]),
        ("promotion_detail", None, vec![("id", s("999999"))]),
        ("set_promotion_status", Some(Role::Marketing), vec![("id", s("999999")), ("status", s("active"))]),
        (
            "generate_codes",
            Some(Role::Marketing),
            vec![("id", s("999999")), ("count", s("5")), ("prefix", s("")), ("pattern", s("")), ("max_uses", s(""))],
        ),
        ("find_code", None, vec![("id", s("999999")), ("code", s("HEMAT"))]),
        ("set_code_status", Some(Role::Marketing), vec![("id", s("999999")), ("code", s("HEMAT")), ("disabled", s("true"))]),
        ("task_progress", None, vec![("id", s("999999"))]),
        ("list_tasks", Some(Role::Admin), vec![]),
        ("preview_tier", Some(Role::Marketing), tier_form()),
        ("save_tier", Some(Role::Marketing), tier_form()),
        (
            "save_settings",
            Some(Role::Admin),
            vec![
                ("time_zone", s("Asia/Makassar")),
                ("currency_symbol", s("Rp")),
                ("currency_decimals", s("0")),
                ("loyalty_threshold", s("5000000")),
                ("max_discount_share", s("100")),
            ],
        ),
    ]
}

fn tier_form() -> Vec<(&'static str, String)> {
    [
        ("id", ""),
        ("name", "Gold"),
        ("min_spending", "5000000"),
        ("window_days", "365"),
        ("earn_rate_points", "1"),
        ("earn_rate_per", "10000"),
        ("discount_percent", ""),
        ("colour", "#d4a017"),
    ]
    .into_iter()
    .map(|(k, v)| (k, v.to_string()))
    .collect()
}

const OPEN_BY_DESIGN: [&str; 2] = ["login", "current_user"];

#[test]
fn the_table_names_every_registered_server_function() {
    let registered: Vec<String> =
        leptos::server_fn::axum::server_fn_paths().map(|(path, _)| path.trim_start_matches("/api/").to_string()).collect();
    assert!(!registered.is_empty());
    let listed: Vec<&str> = server_functions().iter().map(|(n, _, _)| *n).chain(OPEN_BY_DESIGN).collect();
    for name in &registered {
        assert!(listed.contains(&name.as_str()), "server function `{name}` has no authorization test: add it to server_functions()");
    }
}

fn form<'a>(args: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    args.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

both_backends!(anonymous_callers_are_refused, |app| async move {
    let c = app.client();
    for (name, _, args) in server_functions() {
        let r = c.server_fn(name, &form(&args)).await;
        assert_eq!(r.status, 401, "{name}: {:?}", r.body);
        assert_eq!(r.body["kind"], "unauthenticated", "{name}");
    }
});

/// What an allowed caller gets from a call of `server_functions()`: the status
/// of a real answer and a field only that answer has (a 500, or a refusal
/// dressed as anything else, fails here). The store is empty, so the calls on
/// id 999999 find nothing. `earlier` allowed calls of the same function came
/// before this one with the same arguments: a second save of the same new tier
/// is then a duplicate.
fn assert_right_answer(name: &str, role: Role, earlier: usize, r: &crate::common::Reply) {
    let who = format!("{name} as {role}");
    let status = |expected: u16| assert_eq!(r.status, expected, "{who}: {}", r.text);
    let b = &r.body;
    match name {
        "get_settings" => {
            status(200);
            let zone = b["time_zone"].as_str().unwrap_or_default();
            assert!(["Asia/Jakarta", "Asia/Makassar"].contains(&zone), "{who}: the default zone or the one save_settings sets: {b}");
        }
        "list_staff" => {
            status(200);
            let emails: Vec<&str> = b.as_array().map(|a| a.iter().filter_map(|u| u["email"].as_str()).collect()).unwrap_or_default();
            assert!(emails.len() >= 3 && emails.iter().all(|e| e.ends_with("@toko.test")), "{who}: the signed-in users: {b}");
        }
        "create_staff" => {
            status(200);
            assert_eq!((b["email"].as_str(), b["role"].as_str()), (Some("new.user@toko.test"), Some("support")), "{who}: {b}");
        }
        "update_staff_access"
        | "customer_detail"
        | "order_detail"
        | "recalculate_order"
        | "promotion_detail"
        | "set_promotion_status"
        | "generate_codes"
        | "set_code_status"
        | "task_progress" => status(404),
        "list_promotions" => {
            status(200);
            assert_eq!((&b["rows"], b["total"].as_i64()), (&serde_json::json!([]), Some(0)), "{who}");
        }
        "find_code" => {
            status(200);
            assert_eq!(b, &serde_json::Value::Null, "{who}: no such code");
        }
        "list_audit" => {
            status(200);
            assert!(b["rows"].is_array() && b["page"] == 1, "{who}: {b}");
        }
        "list_tasks" => {
            status(200);
            assert_eq!(b, &serde_json::json!([]), "{who}: no task was started in this test");
        }
        "list_job_runs" => {
            status(200);
            assert_eq!(b, &serde_json::json!([]), "{who}: no job ran in this test");
        }
        "list_customers" | "list_orders" => {
            status(200);
            assert_eq!((&b["rows"], b["total"].as_i64()), (&serde_json::json!([]), Some(0)), "{who}");
        }
        "simulator_choices" => {
            status(200);
            assert_eq!(b["products"], serde_json::json!([]), "{who}: {b}");
        }
        "simulate_pricing" => {
            status(422);
            assert_eq!(b["field"], "sku0", "{who}: the unknown SKU is blamed on its row: {b}");
        }
        "tiers_overview" => {
            status(200);
            assert!(b["tiers"].is_array(), "{who}: {b}");
            assert_eq!(b["can_edit"], role != Role::Support, "{who}: admin and marketing edit tiers");
        }
        "preview_tier" => {
            status(200);
            assert_eq!((b["up"].as_i64(), b["down"].as_i64(), b["form"]["name"].as_str()), (Some(0), Some(0), Some("Gold")), "{who}: {b}");
        }
        "save_tier" if earlier == 0 => {
            status(200);
            assert!(b.as_i64().is_some_and(|id| id > 0), "{who}: the new tier's id: {b}");
        }
        "save_tier" => {
            status(422);
            assert_eq!(b["field"], "min_spending", "{who}: the same tier again clashes with the first save: {b}");
        }
        "save_settings" => {
            status(200);
            assert_eq!(b["time_zone"], "Asia/Makassar", "{who}: {b}");
        }
        _ => panic!("{who}: no expected answer: add one to assert_right_answer()"),
    }
}

both_backends!(wrong_roles_are_refused_and_right_roles_pass, |app| async move {
    let admin = app.signed_in(Role::Admin).await;
    let marketing = app.signed_in(Role::Marketing).await;
    let support = app.signed_in(Role::Support).await;
    for (name, required, args) in server_functions() {
        if name == "logout" {
            continue; // checked below, last, since it ends the session
        }
        let mut earlier_allowed_calls = 0;
        for (role, client) in [(Role::Admin, &admin), (Role::Marketing, &marketing), (Role::Support, &support)] {
            let r = client.server_fn(name, &form(&args)).await;
            let allowed = required.is_none_or(|req| role.grants(req));
            if allowed {
                assert_right_answer(name, role, earlier_allowed_calls, &r);
                earlier_allowed_calls += 1;
            } else {
                assert_eq!(r.status, 403, "{name} as {role}: {:?}", r.body);
                assert_eq!(r.body["kind"], "forbidden", "{name} as {role}");
            }
        }
    }
    // A refused call changed nothing: only the admin's create_staff made a user.
    let staff = admin.server_fn("list_staff", &[]).await;
    let created = staff.body.as_array().unwrap().iter().filter(|u| u["email"] == "new.user@toko.test").count();
    assert_eq!(created, 1);
    for client in [&marketing, &support] {
        assert_eq!(client.server_fn("logout", &[]).await.status, 200);
    }
});

both_backends!(admin_pages_refuse_other_roles, |app| async move {
    let support = app.signed_in(Role::Support).await;
    let marketing = app.signed_in(Role::Marketing).await;
    let admin = app.signed_in(Role::Admin).await;
    for page in ["/users", "/audit", "/settings", "/jobs"] {
        for client in [&support, &marketing] {
            let r = client.get(page).await;
            assert_eq!(r.status, 403, "{page}");
            assert!(r.text.contains(r#"data-page="forbidden""#), "{page}");
            assert!(!r.text.contains("@toko.test\u{3c}/td"), "{page} leaked data");
        }
        let r = admin.get(page).await;
        assert_eq!(r.status, 200, "{page} as admin");
        assert!(!r.text.contains(r#"data-page="forbidden""#), "{page} as admin");
    }
    // Support's own home page works.
    let home = support.get("/").await;
    assert_eq!(home.status, 200);
    assert!(home.text.contains(r#"data-page="home""#));
    // The sidebar shows admin pages only to admins.
    assert!(!home.text.contains(r#"href="/users""#));
    assert!(admin.get("/").await.text.contains(r#"href="/users""#));
});

both_backends!(anonymous_visitors_are_sent_to_login, |app| async move {
    let c = app.client();
    for page in ["/", "/users", "/audit", "/settings", "/jobs"] {
        let r = c.get(page).await;
        assert_eq!(r.status, 302, "{page}");
        assert_eq!(r.headers["location"], "/login", "{page}");
    }
    let login = c.get("/login").await;
    assert_eq!(login.status, 200);
    assert!(login.text.contains(r#"name="password""#));
    assert_eq!(c.get("/no-such-page").await.status, 404);
});
