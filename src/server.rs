//! The HTTP server: the Leptos app (SSR + server functions), static files,
//! `/healthz`, `/metrics`, sessions and the cross-site check, and graceful shutdown.

use crate::limits::{limit_body, limit_sign_in, remember_client_ip, BodyLimit, SignInRate};
use crate::metrics;
use crate::origin::{refuse_cross_site, AllowedOrigins};
use anyhow::Context;
use axum::extract::{FromRef, State};
use axum::http::StatusCode;
use axum::middleware::from_fn_with_state;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use leptos::prelude::*;
use leptos_axum::{generate_route_list, AxumRouteListing, LeptosRoutes};
use setia_app::{shell, App};
use setia_backend::config::Config;
use setia_backend::limits::{API_BODY_LIMIT, FORM_BODY_LIMIT};
use setia_backend::password::PasswordChecks;
use setia_backend::sessions::DbSessionStore;
use setia_backend::{AppState, Db};
use std::net::SocketAddr;
use std::sync::{Arc, LazyLock};
use tokio::net::TcpListener;
use tower_http::compression::CompressionLayer;
use tower_http::request_id::{PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::services::ServeDir;
use tower_http::trace::TraceLayer;
use tower_sessions::cookie::time::Duration as CookieDuration;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "setia_session";
/// A session ends after this long without a request.
pub const SESSION_IDLE_HOURS: i64 = 12;

/// Router state: each handler takes the part it needs.
#[derive(Clone, FromRef)]
pub struct ServerState {
    pub app: AppState,
    pub leptos_options: LeptosOptions,
    pub allowed_origins: AllowedOrigins,
}

/// Connects to the database and brings its schema up to date (ours and the session store's).
pub async fn prepare(config: Config) -> anyhow::Result<AppState> {
    let db = Db::connect_sized(&config.database_url, config.db_max_connections, config.sqlite_cache_mib).await?;
    db.migrate().await?;
    if db.backend() == setia_backend::config::Backend::Sqlite {
        // Cheap on SQLite and needed there before the first big query (see Db::optimize).
        // Not fatal: another process writing for longer than the busy timeout (a
        // second instance on the same file) only delays it to the upkeep job.
        if let Err(e) = db.optimize().await {
            tracing::warn!(error = ?e, "could not refresh SQLite's statistics at start; the database upkeep job will");
        }
    }
    DbSessionStore::new(&db).migrate().await.context("create the session table")?;
    let password_checks = Arc::new(PasswordChecks::new(config.limits.password_checks, config.limits.password_wait));
    Ok(AppState { db, config: Arc::new(config), store: Default::default(), password_checks })
}

/// Deletes expired sessions every hour (any instance may do it; the delete is idempotent).
pub fn spawn_session_cleanup(state: &AppState) -> tokio::task::JoinHandle<()> {
    use tower_sessions::session_store::ExpiredDeletion;
    let store = DbSessionStore::new(&state.db);
    tokio::spawn(async move {
        if let Err(e) = store.continuously_delete_expired(std::time::Duration::from_secs(3600)).await {
            tracing::error!(error = %e, "expired-session cleanup stopped");
        }
    })
}

pub fn leptos_options(config: &Config) -> LeptosOptions {
    LeptosOptions::builder()
        .output_name("setia")
        .site_root(config.site_root.to_string_lossy().to_string())
        .site_pkg_dir("pkg")
        .site_addr(config.addr)
        .env(leptos::config::Env::PROD)
        .build()
}

/// The app's routes, listed once per process. Listing them runs the app with
/// resource loading switched off by a process-wide flag (leptos_server's
/// `SuppressResourceLoad`); a page rendered by another router in the same process
/// at that moment would wait forever on its resources (leptos-rs/leptos#4773).
/// One process serving several routers is what the tests do; listing once makes
/// every later router safe.
static ROUTES: LazyLock<Vec<AxumRouteListing>> = LazyLock::new(|| generate_route_list(App));

/// The whole application as one router.
pub fn router(state: AppState) -> Router {
    let options = leptos_options(&state.config);
    let routes = ROUTES.clone();
    let store = DbSessionStore::new(&state.db);
    let sessions = SessionManagerLayer::new(store)
        .with_name(SESSION_COOKIE)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(state.config.secure_cookies)
        .with_expiry(Expiry::OnInactivity(CookieDuration::hours(SESSION_IDLE_HOURS)));
    let allowed = AllowedOrigins(Arc::new(state.config.allowed_origins.clone()));
    let server_state = ServerState { app: state.clone(), leptos_options: options.clone(), allowed_origins: allowed.clone() };
    let context_state = state.clone();
    let (metric_layer, _) = metrics::layer_and_handle();

    let api = crate::api::router().layer(from_fn_with_state(BodyLimit { bytes: API_BODY_LIMIT, api: true }, limit_body));
    let sign_in_rate = SignInRate::new(&state.config.limits);

    Router::new()
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics::render))
        .route("/promotions/{id}/codes.csv", get(crate::downloads::promotion_codes))
        .leptos_routes_with_context(&server_state, routes, move || provide_context(context_state.clone()), {
            let options = options.clone();
            move || shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context::<ServerState, _>(
            {
                let state = state.clone();
                move || provide_context(state.clone())
            },
            shell,
        ))
        // Everything so far (pages, server functions, the fallback) reads forms;
        // the API, nested after this layer, has its own larger limit.
        .layer(from_fn_with_state(BodyLimit { bytes: FORM_BODY_LIMIT, api: false }, limit_body))
        .nest("/api/v1", api)
        .layer(axum::middleware::from_fn(crate::error_status::server_fn_error_status))
        .layer(axum::middleware::from_fn_with_state(allowed, refuse_cross_site))
        .layer(sessions)
        // The built client: no session, form or cross-site layer applies to it. The
        // compression layer only compresses what has no precompressed copy.
        .nest_service(&format!("/{}", options.site_pkg_dir), pkg_files(&options))
        .layer(CompressionLayer::new())
        .layer(from_fn_with_state(sign_in_rate, limit_sign_in))
        .layer(from_fn_with_state(Arc::new(state.config.limits.clone()), remember_client_ip))
        .layer(metric_layer)
        .layer(TraceLayer::new_for_http().make_span_with(crate::request_id::request_span))
        // Outside the trace layer, so the span sees the id; echoed on every response.
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(SetRequestIdLayer::x_request_id(crate::request_id::SequentialRequestId::default()))
        .with_state(server_state)
}

/// `/pkg/…`: the built client (wasm, JS, CSS) from `<site root>/pkg`. A client that accepts
/// brotli or gzip gets the `.br` / `.gz` copy `cargo leptos build --release --precompress`
/// wrote next to each file, so nothing is compressed per request. The names carry no content
/// hash, so the files are `Cache-Control: no-cache`: browsers keep them and revalidate with
/// `If-Modified-Since` (a 304 without body while the build is unchanged).
pub fn pkg_files(options: &LeptosOptions) -> Router {
    let dir = std::path::Path::new(&*options.site_root).join(&*options.site_pkg_dir);
    let files = ServeDir::new(dir).precompressed_br().precompressed_gzip().append_index_html_on_directories(false);
    Router::new().fallback_service(files).layer(axum::middleware::map_response(pkg_file_headers))
}

async fn pkg_file_headers(mut res: axum::response::Response) -> axum::response::Response {
    use axum::http::header::{HeaderValue, CACHE_CONTROL, VARY};
    let status = res.status();
    let headers = res.headers_mut();
    // The body depends on Accept-Encoding: a cache must not hand brotli to a client without it.
    headers.append(VARY, HeaderValue::from_static("accept-encoding"));
    if status.is_success() || status == StatusCode::NOT_MODIFIED {
        headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    }
    res
}

/// `GET /healthz` — 200 `ok` when the database answers, 503 otherwise.
async fn healthz(State(state): State<AppState>) -> impl IntoResponse {
    match state.db.ping().await {
        Ok(()) => (StatusCode::OK, "ok"),
        Err(e) => {
            tracing::error!(error = ?e, "health check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
        }
    }
}

/// Serves on `listener` (and runs background tasks) until `shutdown` resolves,
/// then lets requests in flight finish.
pub async fn serve_on(
    listener: TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let app = router(state.clone());
    // Background tasks run while the server does; a step cut short by the stop
    // rolls back, and this or another instance resumes the task.
    let worker = setia_backend::tasks::spawn_worker(state.db.clone(), state.config.task_stale_after);
    let served = axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(shutdown)
        .await
        .context("serve HTTP");
    worker.abort();
    let _ = worker.await;
    served?;
    state.db.close().await;
    Ok(())
}

/// Resolves on Ctrl-C (SIGINT) or SIGTERM. The handlers are installed when this is
/// called, not when first polled, so a signal that arrives right after "listening"
/// is already a graceful shutdown.
pub fn shutdown_signal() -> impl std::future::Future<Output = ()> + Send + 'static {
    #[cfg(unix)]
    let (mut term, mut int) = {
        use tokio::signal::unix::{signal, SignalKind};
        (signal(SignalKind::terminate()).ok(), signal(SignalKind::interrupt()).ok())
    };
    async move {
        #[cfg(unix)]
        {
            let term = async {
                match term.as_mut() {
                    Some(s) => {
                        s.recv().await;
                    }
                    None => std::future::pending::<()>().await,
                }
            };
            let int = async {
                match int.as_mut() {
                    Some(s) => {
                        s.recv().await;
                    }
                    None => std::future::pending::<()>().await,
                }
            };
            tokio::select! {
                _ = term => {},
                _ = int => {},
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
        }
        tracing::info!("shutting down: finishing requests in flight");
    }
}
