//! What a stranger can ask of the server before signing in (issue 13, defects 2,
//! 3 and 6): body sizes, the sign-in throttle under a burst of parallel guesses,
//! per-IP limits, the cap on password checks, and metrics that cannot be grown by
//! requesting random URLs. On SQLite and PostgreSQL where the database matters.

use crate::common::{Backend, TestApp, PASSWORD};
use setia_domain::Role;
use std::sync::Arc;

fn wrong_guesses_verified(app: &TestApp) -> impl std::future::Future<Output = i64> + '_ {
    app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'auth.login_failed' AND CAST(after_json AS TEXT) LIKE '%wrong_credentials%'")
}

// The failure count was read, the password checked, and the failure written
// afterwards: a burst of parallel guesses all passed the check. Now the attempt
// is recorded (under the email's lock) before the password is checked. (Password
// checks may wait as long as they need here, so none is refused as busy.)
async fn fifty_parallel_wrong_guesses(backend: Backend) {
    let app = TestApp::spawn_with(backend, &[("SETIA_PASSWORD_WAIT_MS", "120000")]).await;
    app.create_staff("target@toko.test", Role::Admin).await;
    let app = Arc::new(app);
    let guesses: Vec<_> = (0..50)
        .map(|i| {
            let app = app.clone();
            tokio::spawn(async move {
                let password = format!("guess number {i}");
                app.client().server_fn("login", &[("email", "target@toko.test"), ("password", &password)]).await.status
            })
        })
        .collect();
    let mut statuses = Vec::new();
    for g in guesses {
        statuses.push(g.await.unwrap());
    }
    let wrong = statuses.iter().filter(|s| **s == 401).count();
    let throttled = statuses.iter().filter(|s| **s == 429).count();
    assert_eq!((wrong, throttled), (5, 45), "{statuses:?}");
    assert_eq!(wrong_guesses_verified(&app).await, 5);
    // The owner, from the same address, waits like the guesser.
    let r = app.client().server_fn("login", &[("email", "target@toko.test"), ("password", PASSWORD)]).await;
    assert_eq!(r.status, 429, "{:?}", r.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_parallel_wrong_guesses_check_at_most_five_passwords_sqlite() {
    fifty_parallel_wrong_guesses(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_parallel_wrong_guesses_check_at_most_five_passwords_postgres() {
    fifty_parallel_wrong_guesses(Backend::Postgres).await;
}

// Per-email throttling alone let anyone lock an admin out.
both_backends!(failures_from_one_ip_hold_another_ip_back_for_a_minute_only, |app| async move {
    use chrono::{Duration, Utc};
    use setia_backend::login::{login_at, LoginError};
    app.create_staff("owner@toko.test", Role::Admin).await;
    let (db, checks) = (&app.state.db, &app.state.password_checks);
    let attacker = || Some("203.0.113.66".to_string());
    let owner = || Some("198.51.100.7".to_string());
    let start = Utc::now() - Duration::minutes(5);
    for i in 0..5 {
        let r = login_at(db, checks, "owner@toko.test", format!("guess {i}"), attacker(), start).await;
        assert!(matches!(r, Err(LoginError::InvalidCredentials)), "{r:?}");
    }
    let r = login_at(db, checks, "owner@toko.test", "guess 6".into(), attacker(), start).await;
    assert!(matches!(r, Err(LoginError::TooManyAttempts { .. })), "{r:?}");
    // Straight after the burst the owner's address waits too (five guesses a minute at most)…
    let r = login_at(db, checks, "owner@toko.test", PASSWORD.into(), owner(), start + Duration::seconds(30)).await;
    assert!(matches!(r, Err(LoginError::TooManyAttempts { retry_after_minutes: 1 })), "{r:?}");
    // …but not past the short window, while the guessing address stays locked.
    let r = login_at(db, checks, "owner@toko.test", PASSWORD.into(), owner(), start + Duration::minutes(2)).await;
    assert!(r.is_ok(), "{r:?}");
    let r = login_at(db, checks, "owner@toko.test", "guess 7".into(), attacker(), start + Duration::minutes(3)).await;
    assert!(matches!(r, Err(LoginError::TooManyAttempts { .. })), "{r:?}");
    // One address failing on many emails is refused too.
    let sprayer = || Some("192.0.2.99".to_string());
    for i in 0..setia_backend::login::MAX_IP_FAILURES {
        let r = login_at(db, checks, &format!("user{i}@toko.test"), "x".into(), sprayer(), start).await;
        assert!(matches!(r, Err(LoginError::InvalidCredentials)), "{r:?}");
    }
    let r = login_at(db, checks, "owner@toko.test", PASSWORD.into(), sprayer(), start + Duration::seconds(1)).await;
    assert!(matches!(r, Err(LoginError::TooManyAttempts { .. })), "{r:?}");
});

both_backends!(an_email_longer_than_254_characters_is_refused_before_any_work, |app| async move {
    let c = app.client();
    let long = format!("{}@toko.test", "a".repeat(300));
    for email in [long.as_str(), "nul\u{0}@toko.test"] {
        let r = c.server_fn("login", &[("email", email), ("password", "whatever")]).await;
        assert_eq!(r.status, 422, "{:?}", r.body);
        assert_eq!(r.body["field"], "email", "{:?}", r.body);
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM login_failures").await, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log").await, 0);
});

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_is_rate_limited_per_client_ip() {
    // Attempts with an overlong email count against the rate but are answered at
    // once (no password check), so the allowance is used up well inside a minute
    // however slow the machine.
    let long = format!("{}@toko.test", "x".repeat(300));
    let app = TestApp::spawn_with(Backend::Sqlite, &[("SETIA_SIGN_IN_PER_MINUTE", "3")]).await;
    let c = app.client();
    for _ in 0..3 {
        assert_eq!(c.server_fn("login", &[("email", &long), ("password", "wrong")]).await.status, 422);
    }
    let r = c.server_fn("login", &[("email", &long), ("password", "wrong")]).await;
    assert_eq!(r.status, 429, "{:?}", r.body);
    assert_eq!(r.body["kind"], "rate_limited");
    assert!(r.headers.get("retry-after").is_some());
    // A forged X-Forwarded-For is ignored unless the proxy header is configured.
    let forged = c
        .http
        .post(format!("{}/api/login", app.base))
        .header("accept", "application/json")
        .header("origin", app.base.clone())
        .header("x-forwarded-for", "203.0.113.1")
        .form(&[("email", long.as_str()), ("password", "wrong")])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 429);

    let proxied =
        TestApp::spawn_with(Backend::Sqlite, &[("SETIA_SIGN_IN_PER_MINUTE", "1"), ("SETIA_CLIENT_IP_HEADER", "X-Forwarded-For")]).await;
    let c = proxied.client();
    let attempt = |ip: &'static str| {
        c.http
            .post(format!("{}/api/login", proxied.base))
            .header("accept", "application/json")
            .header("origin", proxied.base.clone())
            .header("x-forwarded-for", format!("6.6.6.6, {ip}"))
            .form(&[("email", long.as_str()), ("password", "wrong")])
            .send()
    };
    assert_eq!(attempt("203.0.113.1").await.unwrap().status(), 422);
    assert_eq!(attempt("203.0.113.1").await.unwrap().status(), 429, "the proxy's entry is the client");
    assert_eq!(attempt("203.0.113.2").await.unwrap().status(), 422, "another client has its own allowance");
    assert_eq!(attempt("2001:db8:1:2::1").await.unwrap().status(), 422);
    assert_eq!(attempt("2001:db8:1:2::99").await.unwrap().status(), 429, "one IPv6 /64 is one client");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn password_checks_beyond_the_cap_get_busy_not_a_pile_up() {
    let app = TestApp::spawn_with(Backend::Sqlite, &[("SETIA_PASSWORD_CHECKS", "1"), ("SETIA_PASSWORD_WAIT_MS", "1")]).await;
    let app = Arc::new(app);
    let tries: Vec<_> = (0..12)
        .map(|i| {
            let app = app.clone();
            tokio::spawn(async move {
                let email = format!("nobody{i}@toko.test");
                app.client().server_fn("login", &[("email", &email), ("password", "wrong")]).await
            })
        })
        .collect();
    let mut busy = 0;
    for t in tries {
        let r = t.await.unwrap();
        assert!(r.status == 401 || r.status == 503, "{} {:?}", r.status, r.body);
        if r.status == 503 {
            assert_eq!(r.body["kind"], "busy");
            busy += 1;
        }
    }
    assert!(busy > 0, "twelve checks at once with one slot");
    // A refused check is not counted as a failure of the account.
    assert_eq!(app.count("SELECT COUNT(*) FROM login_failures").await, 12 - busy);
}

/// Sends `len` bytes of form body to `path`, chunked (no Content-Length), and
/// returns the status line's code.
async fn post_chunked(app: &TestApp, path: &str, content_type: &str, len: usize) -> u16 {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut s = tokio::net::TcpStream::connect(app.addr).await.unwrap();
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {}\r\nOrigin: {}\r\nAccept: application/json\r\nContent-Type: {content_type}\r\nTransfer-Encoding: chunked\r\n\r\n",
        app.addr, app.base
    );
    s.write_all(head.as_bytes()).await.unwrap();
    let chunk = vec![b'a'; 16 * 1024];
    let mut sent = 0;
    while sent < len {
        // The server may answer and close before everything is sent.
        if s.write_all(format!("{:x}\r\n", chunk.len()).as_bytes()).await.is_err()
            || s.write_all(&chunk).await.is_err()
            || s.write_all(b"\r\n").await.is_err()
        {
            break;
        }
        sent += chunk.len();
    }
    let _ = s.write_all(b"0\r\n\r\n").await;
    let mut buf = vec![0u8; 1024];
    let n = s.read(&mut buf).await.unwrap();
    let text = String::from_utf8_lossy(&buf[..n]);
    text.split_whitespace().nth(1).and_then(|c| c.parse().ok()).unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bodies_past_their_route_limit_are_refused_unread() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let c = app.client();
    let big_form = "a".repeat(100 * 1024);
    let r = c.server_fn("login", &[("email", "x@toko.test"), ("password", &big_form)]).await;
    assert_eq!(r.status, 413, "64 KB for server functions");
    assert_eq!(
        post_chunked(&app, "/api/login", "application/x-www-form-urlencoded", 100 * 1024).await,
        413,
        "without a Content-Length too"
    );
    let token = app.api_token("pos").await;
    let big_json = format!("{{\"name\": \"{}\", \"phone\": \"0812\"}}", "a".repeat(3 * 1024 * 1024));
    let r = reqwest::Client::new()
        .post(format!("{}/api/v1/customers", app.base))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body(big_json)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 413);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], "body_too_large");
    assert_eq!(post_chunked(&app, "/api/v1/customers", "application/json", 3 * 1024 * 1024).await, 413);
    // A body under the API's limit but over the forms' one still reaches the API.
    let r = app.api("POST", "/customers", Some(&token), Some(serde_json::json!({"name": "a".repeat(100 * 1024), "phone": "0812-1"}))).await;
    assert_ne!(r.status, 413, "{:?}", r.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn random_paths_add_no_metrics_series_and_metrics_are_for_allowed_networks() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let http = reqwest::Client::new();
    for i in 0..1_000 {
        http.get(format!("{}/random-{i}-{}", app.base, i * 7919)).send().await.unwrap();
    }
    let metrics = http.get(format!("{}/metrics", app.base)).send().await.unwrap().text().await.unwrap();
    assert!(!metrics.contains("random-"), "one series per random URL");
    assert!(metrics.contains("endpoint=\"unmatched\""), "{metrics}");
    let closed = TestApp::spawn_with(Backend::Sqlite, &[("SETIA_METRICS_ALLOW", "10.0.0.0/8")]).await;
    let r = http.get(format!("{}/metrics", closed.base)).send().await.unwrap();
    assert_eq!(r.status(), 404, "127.0.0.1 is not in the allowed networks");
}
