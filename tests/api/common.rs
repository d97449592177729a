//! Test harness: starts Setia on a free port against a fresh database.
//! SQLite: a file in a temporary folder. PostgreSQL: a new database on the server
//! named by `TEST_DATABASE_URL` (the README's test command starts a throwaway
//! cluster and sets it).

use reqwest::cookie::{CookieStore, Jar};
use serde_json::Value;
use setia_backend::audit::Actor;
use setia_backend::config::Config;
use setia_backend::staff::{self, NewStaff};
use setia_backend::AppState;
use setia_domain::{Email, NewPassword, Role};
use std::net::SocketAddr;
use std::sync::Arc;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub const PASSWORD: &str = "correct horse battery staple";

/// A database URL for a brand-new, empty database.
pub async fn fresh_database_url(backend: Backend) -> (String, Option<tempfile::TempDir>) {
    match backend {
        Backend::Sqlite => {
            let dir = tempfile::tempdir().expect("temp dir");
            let url = format!("sqlite://{}", dir.path().join("setia.db").display());
            (url, Some(dir))
        }
        Backend::Postgres => {
            let admin_url = std::env::var("TEST_DATABASE_URL").expect(
                "PostgreSQL tests need TEST_DATABASE_URL (postgres://…/postgres); the README's test command starts a throwaway cluster and sets it",
            );
            let name = format!("setia_test_{}", uuid_like());
            let conn = sqlx::PgPool::connect(&admin_url).await.expect("connect to TEST_DATABASE_URL");
            sqlx::query(&format!("CREATE DATABASE {name}")).execute(&conn).await.expect("create test database");
            conn.close().await;
            let mut url = url::Url::parse(&admin_url).expect("TEST_DATABASE_URL is a URL");
            url.set_path(&format!("/{name}"));
            (url.to_string(), None)
        }
    }
}

/// A fresh database that lives as long as the tests using it: the SQLite file's
/// folder is removed, the PostgreSQL database dropped, when the last [`TestApp`]
/// on it is dropped — also when the test panicked (unwinding drops it).
pub struct TestDatabase {
    pub url: String,
    _dir: Option<tempfile::TempDir>,
    /// The server's `TEST_DATABASE_URL` and the database's name (PostgreSQL).
    postgres: Option<(String, String)>,
}

impl TestDatabase {
    pub async fn create(backend: Backend) -> TestDatabase {
        let (url, dir) = fresh_database_url(backend).await;
        let postgres = match backend {
            Backend::Sqlite => None,
            Backend::Postgres => {
                let admin_url = std::env::var("TEST_DATABASE_URL").expect("TEST_DATABASE_URL");
                let name = url::Url::parse(&url).expect("a URL").path().trim_start_matches('/').to_string();
                Some((admin_url, name))
            }
        };
        TestDatabase { url, _dir: dir, postgres }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let Some((admin_url, name)) = self.postgres.take() else { return };
        // Drop runs inside the test's runtime (or while it unwinds): a thread of
        // its own with a small runtime can block on the statement. FORCE ends the
        // app's pooled connections, which may still be open.
        let dropped = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(|e| e.to_string())?;
            rt.block_on(async {
                let work = async {
                    let conn = sqlx::PgPool::connect(&admin_url).await?;
                    sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).execute(&conn).await?;
                    conn.close().await;
                    Ok::<_, sqlx::Error>(())
                };
                match tokio::time::timeout(std::time::Duration::from_secs(20), work).await {
                    Ok(result) => result.map_err(|e| format!("{name}: {e}")),
                    Err(_) => Err(format!("{name}: timed out")),
                }
            })
        })
        .join();
        match dropped {
            Ok(Ok(())) => {}
            Ok(Err(e)) => eprintln!("warning: could not drop the test database {e}"),
            Err(_) => eprintln!("warning: dropping a test database panicked"),
        }
    }
}

fn uuid_like() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    let t = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
    format!("{}_{}_{}", std::process::id(), t % 1_000_000_000_000, N.fetch_add(1, Ordering::Relaxed))
}

pub struct TestApp {
    pub addr: SocketAddr,
    pub base: String,
    pub state: AppState,
    pub database_url: String,
    pub backend: Backend,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    /// Last: dropped after the app's own fields (the server stops first).
    _db: Arc<TestDatabase>,
}

pub fn config_for(database_url: &str) -> Config {
    config_with(database_url, &[])
}

/// The test configuration with `extra` settings on top. Tests sign in many times
/// from 127.0.0.1, so the per-IP sign-in rate is high unless a test sets it.
pub fn config_with(database_url: &str, extra: &[(&str, &str)]) -> Config {
    let url = database_url.to_string();
    let extra: Vec<(String, String)> = extra.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    Config::from_lookup(move |k| {
        if let Some((_, v)) = extra.iter().find(|(name, _)| name == k) {
            return Some(v.clone());
        }
        match k {
            "DATABASE_URL" => Some(url.clone()),
            "SETIA_ADDR" => Some("127.0.0.1:0".into()),
            "SETIA_DB_MAX_CONNECTIONS" => Some("5".into()),
            "SETIA_SIGN_IN_PER_MINUTE" => Some("1000".into()),
            _ => None,
        }
    })
    .expect("test config")
}

impl TestApp {
    pub async fn spawn(backend: Backend) -> TestApp {
        Self::spawn_with(backend, &[]).await
    }

    /// A fresh app whose configuration has `extra` settings.
    pub async fn spawn_with(backend: Backend, extra: &[(&str, &str)]) -> TestApp {
        let db = Arc::new(TestDatabase::create(backend).await);
        let config = config_with(&db.url, extra);
        Self::spawn_configured(backend, config, db).await
    }

    /// A second instance on the same database (another node behind a load balancer).
    pub async fn another_instance(&self) -> TestApp {
        Self::spawn_configured(self.backend, config_for(&self.database_url), self._db.clone()).await
    }

    /// Another instance on the same database, configured with `extra` settings.
    pub async fn another_instance_with(&self, extra: &[(&str, &str)]) -> TestApp {
        Self::spawn_configured(self.backend, config_with(&self.database_url, extra), self._db.clone()).await
    }

    async fn spawn_configured(backend: Backend, config: Config, db: Arc<TestDatabase>) -> TestApp {
        let url = db.url.clone();
        let state = setia::server::prepare(config).await.expect("prepare app");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let serve_state = state.clone();
        tokio::spawn(async move {
            setia::server::serve_on(listener, serve_state, async {
                let _ = rx.await;
            })
            .await
            .expect("server runs");
        });
        TestApp { addr, base: format!("http://{addr}"), state, database_url: url, backend, shutdown: Some(tx), _db: db }
    }

    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }

    pub async fn create_staff(&self, email: &str, role: Role) -> i64 {
        let new = NewStaff {
            email: Email::parse(email).unwrap(),
            name: format!("Test {}", role.as_str()),
            role,
            password: NewPassword::parse(PASSWORD).unwrap(),
        };
        staff::create_staff(&self.state.db, new, &Actor::system("test"), None).await.expect("create staff").id
    }

    pub fn client(&self) -> Client {
        Client::with_jar(Arc::new(Jar::default()), &self.base)
    }

    /// A client already signed in as a new staff user with `role`.
    pub async fn signed_in(&self, role: Role) -> Client {
        let email = format!("{}-{}@toko.test", role.as_str(), uuid_like());
        self.create_staff(&email, role).await;
        let c = self.client();
        let res = c.server_fn("login", &[("email", &email), ("password", PASSWORD)]).await;
        assert_eq!(res.status, 200, "login as {role}: {:?}", res.body);
        c
    }

    /// Rows in the session store's table.
    pub async fn session_rows(&self) -> i64 {
        match &self.state.db {
            setia_backend::Db::Sqlite(p, _) => sqlx::query_scalar("SELECT COUNT(*) FROM tower_sessions").fetch_one(p).await.unwrap(),
            setia_backend::Db::Postgres(p) => {
                sqlx::query_scalar(r#"SELECT COUNT(*) FROM "tower_sessions"."session""#).fetch_one(p).await.unwrap()
            }
        }
    }

    pub async fn audit_actions(&self) -> Vec<String> {
        setia_backend::dispatch!(&self.state.db, |c| sqlx::query_scalar::<_, String>("SELECT action FROM audit_log ORDER BY id")
            .fetch_all(c)
            .await)
        .unwrap()
    }
}

pub struct Client {
    pub http: reqwest::Client,
    pub jar: Arc<Jar>,
    pub base: String,
}

#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub body: Value,
    pub text: String,
    pub headers: reqwest::header::HeaderMap,
}

impl Client {
    /// Calls a server function the way the hydrated app does (form-encoded, JSON back).
    pub async fn server_fn(&self, name: &str, form: &[(&str, &str)]) -> Reply {
        let res = self
            .http
            .post(format!("{}/api/{name}", self.base))
            .header("accept", "application/json")
            .header("origin", self.base.clone())
            .form(form)
            .send()
            .await
            .expect("request");
        Self::reply(res).await
    }

    pub async fn get(&self, path: &str) -> Reply {
        // As a browser navigates: Accept text/html (redirects are then real 302s).
        let res = self.http.get(format!("{}{path}", self.base)).header("accept", "text/html").send().await.expect("request");
        Self::reply(res).await
    }

    pub async fn reply(res: reqwest::Response) -> Reply {
        let status = res.status().as_u16();
        let headers = res.headers().clone();
        let text = res.text().await.unwrap_or_default();
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Reply { status, body, text, headers }
    }

    /// The session cookie's value, if the client holds one.
    pub fn session_cookie(&self) -> Option<String> {
        let url = self.base.parse().unwrap();
        let header = self.jar.cookies(&url)?;
        header.to_str().ok()?.split("; ").find_map(|kv| kv.strip_prefix("setia_session=").map(str::to_string))
    }

    /// A browser-like client (its own cookie jar, redirects not followed).
    fn with_jar(jar: Arc<Jar>, base: &str) -> Client {
        let http = reqwest::Client::builder()
            .cookie_provider(jar.clone())
            .redirect(reqwest::redirect::Policy::none())
            .timeout(std::time::Duration::from_secs(30))
            .build()
            .unwrap();
        Client { http, jar, base: base.to_string() }
    }

    /// A fresh client that presents only the given session cookie.
    pub fn with_session_cookie(&self, value: &str) -> Client {
        let jar = Arc::new(Jar::default());
        let url: reqwest::Url = self.base.parse().unwrap();
        jar.add_cookie_str(&format!("setia_session={value}; Path=/"), &url);
        Client::with_jar(jar, &self.base)
    }
}

/// Declares one async test per backend: `both_backends!(name, |app| async move { … });`
#[macro_export]
macro_rules! both_backends {
    ($name:ident, |$app:ident| $body:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let $app = $crate::common::TestApp::spawn($crate::common::Backend::Sqlite).await;
                $body.await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let $app = $crate::common::TestApp::spawn($crate::common::Backend::Postgres).await;
                $body.await
            }
        }
    };
}

impl TestApp {
    /// A fresh API token with `scope` ("pos" or "admin").
    pub async fn api_token(&self, scope: &str) -> String {
        let scope = setia_backend::api_tokens::Scope::parse(scope).expect("scope");
        let (_, plain) = setia_backend::api_tokens::create_token(&self.state.db, "test terminal", scope, &Actor::system("test"))
            .await
            .expect("create token");
        plain.expose().to_string()
    }

    /// Calls the REST API with a bearer token (or none).
    pub async fn api(&self, method: &str, path: &str, token: Option<&str>, body: Option<Value>) -> Reply {
        let http = reqwest::Client::builder().timeout(std::time::Duration::from_secs(30)).build().unwrap();
        let mut req = http.request(method.parse().unwrap(), format!("{}/api/v1{path}", self.base));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        Client::reply(req.send().await.expect("request")).await
    }

    /// Sends a raw body to the REST API.
    pub async fn api_raw(&self, path: &str, token: &str, body: &'static str) -> Reply {
        let http = reqwest::Client::new();
        let req = http.post(format!("{}/api/v1{path}", self.base)).bearer_auth(token).header("content-type", "application/json").body(body);
        Client::reply(req.send().await.expect("request")).await
    }
}

/// A tier straight into the table (1 point per Rp 10.000, no discount), for tests
/// about derived values rather than the tier editor.
pub async fn insert_tier(db: &setia_backend::Db, name: &str, min: i64, window_days: Option<i32>) -> i64 {
    setia_backend::dispatch!(db, |c| sqlx::query_scalar::<_, i64>(
        "INSERT INTO tiers (name, min_spending, window_days, earn_rate_points, earn_rate_per, colour, created_at, updated_at)
         VALUES ($1, $2, $3, 1, 10000, '#999999', $4, $4) RETURNING id"
    )
    .bind(name)
    .bind(min)
    .bind(window_days)
    .bind(chrono::Utc::now())
    .fetch_one(c)
    .await)
    .unwrap()
}

/// API tokens of both scopes, for tests that set a store up through the API.
pub struct Store {
    pub pos: String,
    pub admin: String,
}

impl TestApp {
    /// Tokens for both scopes and these products (SKU and price; named by their
    /// SKU, category `umum`).
    pub async fn store_with(&self, products: &[(&str, i64)]) -> Store {
        let admin = self.api_token("admin").await;
        let pos = self.api_token("pos").await;
        for (sku, price) in products {
            let body = serde_json::json!({"sku": sku, "name": sku, "price": price, "category": "umum"});
            let r = self.api("POST", "/products", Some(&admin), Some(body)).await;
            assert_eq!(r.status, 201, "{:?}", r.body);
        }
        Store { pos, admin }
    }

    /// Creates a promotion and makes it active; returns its id.
    pub async fn active_promotion(&self, s: &Store, body: Value) -> i64 {
        let r = self.api("POST", "/promotions", Some(&s.admin), Some(body)).await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        let id = r.body["id"].as_i64().unwrap();
        let r = self.api("POST", &format!("/promotions/{id}/status"), Some(&s.admin), Some(serde_json::json!({"status": "active"}))).await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        id
    }

    /// Budi Santoso with this phone (made or found); his id.
    pub async fn customer(&self, s: &Store, phone: &str) -> i64 {
        let r = self.api("POST", "/customers", Some(&s.pos), Some(serde_json::json!({"name": "Budi Santoso", "phone": phone}))).await;
        assert!(r.status == 201 || r.status == 200, "{:?}", r.body);
        r.body["id"].as_i64().unwrap()
    }

    /// A number the SQL counts.
    pub async fn count(&self, sql: &str) -> i64 {
        setia_backend::dispatch!(&self.state.db, |c| sqlx::query_scalar::<_, i64>(sql).fetch_one(c).await).unwrap()
    }
}
