//! The HTTP side of `setia_backend::limits`: request bodies read only up to their
//! route's limit, the per-IP sign-in rate, and who may read `/metrics`.

use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use setia_backend::limits::ServerLimits;
use setia_error::AppError;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::Arc;

/// The caller's address by the configured rule (peer or trusted proxy header).
pub fn client_ip(limits: &ServerLimits, req: &Request) -> Option<IpAddr> {
    let peer = req.extensions().get::<ConnectInfo<SocketAddr>>().map(|ConnectInfo(a)| a.ip());
    limits.client_ip(req.headers(), peer)
}

/// The caller's address, as a request extension for handlers (audit rows).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientIp(pub Option<IpAddr>);

/// Puts [`ClientIp`] on every request, decided once by [`client_ip`].
pub async fn remember_client_ip(State(limits): State<Arc<ServerLimits>>, mut req: Request, next: Next) -> Response {
    let ip = client_ip(&limits, &req);
    warn_of_an_unconfigured_proxy(&limits, &req, ip);
    req.extensions_mut().insert(ClientIp(ip));
    next.run(req).await
}

/// Reads the body up to `limit` bytes before anything parses it, and answers 413
/// `body_too_large` past that, whether or not the client declared a length.
/// (axum's own default limit covers only its extractors; server functions read
/// the raw body.)
pub async fn limit_body(State(limit): State<BodyLimit>, req: Request, next: Next) -> Response {
    let declared = req.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit.bytes as u64) {
        return too_large(limit);
    }
    let (parts, body) = req.into_parts();
    match axum::body::to_bytes(body, limit.bytes).await {
        Ok(bytes) => next.run(Request::from_parts(parts, Body::from(bytes))).await,
        Err(_) => too_large(limit),
    }
}

/// A route group's body limit, and whether its errors take the REST API's format.
#[derive(Debug, Clone, Copy)]
pub struct BodyLimit {
    pub bytes: usize,
    pub api: bool,
}

/// Behind a reverse proxy without `SETIA_CLIENT_IP_HEADER`, every client looks like
/// the proxy: one sign-in allowance and one failure count for the whole store, and
/// `/metrics` open to all. Said once in the log when a forwarded request shows it.
fn warn_of_an_unconfigured_proxy(limits: &ServerLimits, req: &Request, ip: Option<IpAddr>) {
    use std::sync::atomic::{AtomicBool, Ordering};
    static WARNED: AtomicBool = AtomicBool::new(false);
    let forwarded = req.headers().contains_key("x-forwarded-for") || req.headers().contains_key(header::FORWARDED);
    let proxy_like = ip.is_some_and(|ip| ip.to_canonical().is_loopback() || matches!(ip.to_canonical(), IpAddr::V4(v4) if v4.is_private()));
    if limits.client_ip_header.is_none() && forwarded && proxy_like && !WARNED.swap(true, Ordering::Relaxed) {
        tracing::warn!(
            "requests arrive through a proxy ({}) but SETIA_CLIENT_IP_HEADER is not set: every client counts as the proxy's address for sign-in limits and /metrics",
            ip.map_or_else(String::new, |ip| ip.to_string())
        );
    }
}

fn too_large(limit: BodyLimit) -> Response {
    let message = format!("the request body is larger than {} KB", limit.bytes / 1024);
    let body = if limit.api {
        serde_json::json!({"error": {"code": "body_too_large", "message": message}})
    } else {
        serde_json::to_value(AppError::malformed(None, message)).unwrap_or_default()
    };
    (StatusCode::PAYLOAD_TOO_LARGE, axum::Json(body)).into_response()
}

/// Per-IP sign-in attempts (governor's GCRA, the engine of tower_governor). Kept
/// per instance: it bounds each instance's argon2 work; the database-backed
/// throttle in `backend/src/login.rs` is what holds across instances.
pub struct SignInRate {
    limiter: DefaultKeyedRateLimiter<IpAddr>,
    limits: ServerLimits,
}

impl SignInRate {
    pub fn new(limits: &ServerLimits) -> Arc<SignInRate> {
        let per_minute = NonZeroU32::new(limits.sign_in_per_minute).unwrap_or(NonZeroU32::MIN);
        Arc::new(SignInRate { limiter: RateLimiter::keyed(Quota::per_minute(per_minute)), limits: limits.clone() })
    }
}

const SIGN_IN_PATH: &str = "/api/login";

pub async fn limit_sign_in(State(rate): State<Arc<SignInRate>>, req: Request, next: Next) -> Response {
    if req.method() != axum::http::Method::POST || req.uri().path() != SIGN_IN_PATH {
        return next.run(req).await;
    }
    // Without an address (proxy header configured but missing) callers share one bucket.
    let ip = client_ip(&rate.limits, &req).map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), setia_backend::limits::client_network);
    if rate.limiter.len() > 100_000 {
        // Forget clients whose allowance is full again: memory stays bounded. (If
        // they are all recent, this runs again on the next request: O(n) under attack only.)
        rate.limiter.retain_recent();
        rate.limiter.shrink_to_fit();
    }
    let Err(not_until) = rate.limiter.check_key(&ip) else { return next.run(req).await };
    let seconds = not_until.wait_time_from(DefaultClock::default().now()).as_secs() + 1;
    let plain_form = req.headers().get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("text/html"));
    let mut res = if plain_form {
        (StatusCode::SEE_OTHER, [(header::LOCATION, "/login?error=rate_limited")]).into_response()
    } else {
        let err = AppError::RateLimited { retry_after_seconds: seconds };
        (StatusCode::TOO_MANY_REQUESTS, axum::Json(serde_json::to_value(err).unwrap_or_default())).into_response()
    };
    res.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    res
}
