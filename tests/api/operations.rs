//! Health, metrics, pages and the static bundle's routes.

both_backends!(healthz_checks_the_database, |app| async move {
    let c = app.client();
    let ok = c.get("/healthz").await;
    assert_eq!(ok.status, 200);
    assert_eq!(ok.text, "ok");
    app.state.db.close().await;
    let down = c.get("/healthz").await;
    assert_eq!(down.status, 503);
});

both_backends!(metrics_are_prometheus_text, |app| async move {
    let c = app.client();
    c.get("/login").await;
    let m = c.get("/metrics").await;
    assert_eq!(m.status, 200);
    assert!(m.text.contains("axum_http_requests_total"), "{}", m.text);
    assert!(m.text.contains("axum_http_requests_duration_seconds"), "{}", m.text);
    assert!(m.text.contains("setia_db_pool_connections"), "{}", m.text);
    assert!(m.text.contains("setia_db_pool_max_connections"), "{}", m.text);
});

both_backends!(login_page_is_server_rendered_in_the_chosen_language, |app| async move {
    let c = app.client();
    let en = c.get("/login").await;
    assert!(en.text.contains("Sign in to Setia"), "{}", en.text);
    assert!(en.text.contains("/pkg/setia.js"), "hydration script tag");
    // The login page with one request header set, as text.
    let login_with = |name: &'static str, value: &'static str| {
        let req = c.http.get(format!("{}/login", c.base)).header(name, value);
        async move { req.send().await.unwrap().text().await.unwrap() }
    };
    let id = login_with("cookie", "i18n_pref_locale=id").await;
    assert!(id.contains("Masuk ke Setia"), "{id}");
    let accept = login_with("accept-language", "id-ID,id;q=0.9").await;
    assert!(accept.contains("Masuk ke Setia"));
});

// Building a router lists the app's routes, which switches resource loading off
// process-wide while it runs (leptos-rs/leptos#4773). Pages rendered by other
// routers at that moment used to wait forever (a CI run timed out on one). Routers
// are built here while pages render; every page must still answer.
both_backends!(pages_render_while_other_routers_are_built, |app| async move {
    let state = app.state.clone();
    let building = tokio::task::spawn_blocking(move || {
        for _ in 0..200 {
            drop(setia::server::router(state.clone()));
        }
    });
    let c = app.client();
    for _ in 0..200 {
        let r = c.get("/").await;
        assert_eq!(r.status, 302);
        assert_eq!(r.headers["location"], "/login");
    }
    building.await.unwrap();
});
