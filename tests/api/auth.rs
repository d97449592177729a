//! Staff login, sessions, throttling and audit over HTTP, on SQLite and PostgreSQL.

use crate::common::PASSWORD;
use setia_domain::Role;

both_backends!(wrong_then_right_password, |app| async move {
    app.create_staff("ani@toko.test", Role::Admin).await;
    let c = app.client();

    let wrong = c.server_fn("login", &[("email", "ani@toko.test"), ("password", "not the password")]).await;
    assert_eq!(wrong.status, 401, "{:?}", wrong.body);
    assert_eq!(wrong.body["kind"], "invalid_credentials");
    assert_eq!(c.server_fn("current_user", &[]).await.body, serde_json::Value::Null);

    // An unknown email gets the same answer as a wrong password.
    let unknown = c.server_fn("login", &[("email", "nobody@toko.test"), ("password", PASSWORD)]).await;
    assert_eq!(unknown.status, 401);
    assert_eq!(unknown.body["kind"], "invalid_credentials");

    let right = c.server_fn("login", &[("email", "ANI@toko.test "), ("password", PASSWORD)]).await;
    assert_eq!(right.status, 200, "{:?}", right.body);
    let me = c.server_fn("current_user", &[]).await;
    assert_eq!(me.body["email"], "ani@toko.test");
    assert_eq!(me.body["role"], "admin");

    let actions = app.audit_actions().await;
    assert!(actions.contains(&"auth.login_failed".to_string()), "{actions:?}");
    assert!(actions.contains(&"auth.login".to_string()), "{actions:?}");
    assert!(actions.contains(&"staff.create".to_string()), "{actions:?}");
});

both_backends!(password_is_stored_as_argon2id, |app| async move {
    let id = app.create_staff("budi@toko.test", Role::Support).await;
    let hash: String =
        setia_backend::dispatch!(&app.state.db, |c| sqlx::query_scalar::<_, String>("SELECT password_hash FROM staff_users WHERE id = $1")
            .bind(id)
            .fetch_one(c)
            .await)
        .unwrap();
    assert!(hash.starts_with("$argon2id$v=19$"), "{hash}");
    assert!(!hash.contains(PASSWORD));
});

both_backends!(five_failures_lock_the_email_for_the_window, |app| async move {
    app.create_staff("citra@toko.test", Role::Marketing).await;
    app.create_staff("dewi@toko.test", Role::Marketing).await;
    let c = app.client();
    for i in 0..5 {
        let r = c.server_fn("login", &[("email", "citra@toko.test"), ("password", "wrong wrong wrong")]).await;
        assert_eq!(r.status, 401, "attempt {i}: {:?}", r.body);
    }
    // Sixth attempt, even with the right password: refused with the wait.
    let r = c.server_fn("login", &[("email", "citra@toko.test"), ("password", PASSWORD)]).await;
    assert_eq!(r.status, 429, "{:?}", r.body);
    assert_eq!(r.body["kind"], "too_many_attempts");
    let minutes = r.body["retry_after_minutes"].as_i64().unwrap();
    assert!((1..=15).contains(&minutes), "{minutes}");
    assert_eq!(c.server_fn("current_user", &[]).await.body, serde_json::Value::Null);

    // Another account is not affected.
    let other = c.server_fn("login", &[("email", "dewi@toko.test"), ("password", PASSWORD)]).await;
    assert_eq!(other.status, 200);

    // The lock holds on another instance too: failures are rows, not memory.
    let second = app.another_instance().await;
    let r = second.client().server_fn("login", &[("email", "citra@toko.test"), ("password", PASSWORD)]).await;
    assert_eq!(r.status, 429);
});

both_backends!(plain_form_login_redirects, |app| async move {
    app.create_staff("eka@toko.test", Role::Admin).await;
    let c = app.client();
    // A form post before hydration sends Accept: text/html.
    let post = |email: &'static str, pw: &'static str| {
        c.http
            .post(format!("{}/api/login", c.base))
            .header("accept", "text/html")
            .header("referer", format!("{}/login", c.base))
            .form(&[("email", email), ("password", pw)])
            .send()
    };
    let bad = post("eka@toko.test", "nope nope nope").await.unwrap();
    assert_eq!(bad.status().as_u16(), 302);
    assert_eq!(bad.headers()["location"], "/login?error=invalid_credentials");
    let good = post("eka@toko.test", PASSWORD).await.unwrap();
    assert_eq!(good.status().as_u16(), 302);
    assert_eq!(good.headers()["location"], "/");
    assert_eq!(c.server_fn("current_user", &[]).await.body["email"], "eka@toko.test");
});

both_backends!(session_id_rotates_at_login, |app| async move {
    app.create_staff("fajar@toko.test", Role::Admin).await;
    app.create_staff("gita@toko.test", Role::Support).await;
    let c = app.client();
    assert_eq!(c.server_fn("login", &[("email", "fajar@toko.test"), ("password", PASSWORD)]).await.status, 200);
    let first = c.session_cookie().expect("session cookie after login");

    // Signing in again on the same browser issues a new id; the old one is dead.
    assert_eq!(c.server_fn("login", &[("email", "gita@toko.test"), ("password", PASSWORD)]).await.status, 200);
    let second = c.session_cookie().expect("session cookie after second login");
    assert_ne!(first, second, "login must rotate the session id");
    assert_eq!(c.server_fn("current_user", &[]).await.body["email"], "gita@toko.test");
    let stale = c.with_session_cookie(&first);
    assert_eq!(stale.server_fn("current_user", &[]).await.body, serde_json::Value::Null);
});

both_backends!(sessions_live_in_the_database_and_logout_deletes_them, |app| async move {
    app.create_staff("hana@toko.test", Role::Admin).await;
    let before = app.session_rows().await;
    let c = app.client();
    assert_eq!(c.server_fn("login", &[("email", "hana@toko.test"), ("password", PASSWORD)]).await.status, 200);
    assert_eq!(app.session_rows().await, before + 1);
    let cookie = c.session_cookie().unwrap();

    // Another instance on the same database (or this one after a restart) knows the session.
    let other = app.another_instance().await;
    let there = other.client().with_session_cookie(&cookie);
    assert_eq!(there.server_fn("current_user", &[]).await.body["email"], "hana@toko.test");

    let out = c.server_fn("logout", &[]).await;
    assert_eq!(out.status, 200, "{:?}", out.body);
    assert_eq!(app.session_rows().await, before);
    assert_eq!(there.server_fn("current_user", &[]).await.body, serde_json::Value::Null);
    assert!(app.audit_actions().await.contains(&"auth.logout".to_string()));
});

both_backends!(cookie_flags, |app| async move {
    app.create_staff("indra@toko.test", Role::Admin).await;
    let c = app.client();
    let r = c.server_fn("login", &[("email", "indra@toko.test"), ("password", PASSWORD)]).await;
    let set_cookie = r.headers.get("set-cookie").expect("set-cookie").to_str().unwrap().to_string();
    assert!(set_cookie.starts_with("setia_session="), "{set_cookie}");
    assert!(set_cookie.contains("HttpOnly"), "{set_cookie}");
    assert!(set_cookie.contains("SameSite=Lax"), "{set_cookie}");
});

both_backends!(deactivated_user_loses_access_at_once, |app| async move {
    let admin = app.signed_in(Role::Admin).await;
    let id = app.create_staff("joko@toko.test", Role::Support).await;
    let joko = app.client();
    assert_eq!(joko.server_fn("login", &[("email", "joko@toko.test"), ("password", PASSWORD)]).await.status, 200);
    let r = admin.server_fn("update_staff_access", &[("id", &id.to_string()), ("role", "support"), ("active", "false")]).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(joko.server_fn("current_user", &[]).await.body, serde_json::Value::Null);
    let again = app.client().server_fn("login", &[("email", "joko@toko.test"), ("password", PASSWORD)]).await;
    assert_eq!(again.status, 401);
});

both_backends!(cross_site_server_function_calls_are_refused, |app| async move {
    app.create_staff("kiki@toko.test", Role::Admin).await;
    let c = app.client();
    let r = c
        .http
        .post(format!("{}/api/login", c.base))
        .header("accept", "application/json")
        .header("origin", "https://evil.example")
        .form(&[("email", "kiki@toko.test"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 403);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["kind"], "cross_site");
    assert_eq!(c.server_fn("current_user", &[]).await.body, serde_json::Value::Null);
});
