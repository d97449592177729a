//! Every server function refuses an anonymous caller and a wrong role; admin-only
//! pages refuse other roles. On SQLite and PostgreSQL.


use setia_domain::Role;

/// Every server function, who may call it, and arguments that make a valid call.
/// `None` = any signed-in staff user. `login` and `current_user` are the way in
/// and are open by design (the second only ever reveals the caller's own account).
fn server_functions() -> Vec<(&'static str, Option<Role>, Vec<(&'static str, String)>)> {
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

both_backends!(wrong_roles_are_refused_and_right_roles_pass, |app| async move {
    let admin = app.signed_in(Role::Admin).await;
    let marketing = app.signed_in(Role::Marketing).await;
    let support = app.signed_in(Role::Support).await;
    for (name, required, args) in server_functions() {
        if name == "logout" {
            continue; // checked below, last, since it ends the session
        }
        for (role, client) in [(Role::Admin, &admin), (Role::Marketing, &marketing), (Role::Support, &support)] {
            let r = client.server_fn(name, &form(&args)).await;
            let allowed = required.is_none_or(|req| role.grants(req));
            if allowed {
                assert!(r.status != 401 && r.status != 403, "{name} as {role} must be allowed: {} {:?}", r.status, r.body);
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
