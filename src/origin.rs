//! Cross-site request refusal for the browser-facing mutations (server functions
//! and form posts). The session cookie is SameSite=Lax already; this check adds a
//! second wall that does not depend on browser cookie policy.
//!
//! Rule: a non-GET request is refused when its `Origin` header names another site
//! than the `Host` it was sent to (or one of `SETIA_ALLOWED_ORIGINS`), or, without
//! `Origin`, when the browser marks it `Sec-Fetch-Site: cross-site`. Requests with
//! neither header come from non-browser clients, which carry no ambient cookies.
//! The REST API under `/api/v1` authenticates with bearer tokens and is exempt.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use setia_error::AppError;
use std::sync::Arc;

#[derive(Clone, Debug, Default)]
pub struct AllowedOrigins(pub Arc<Vec<String>>);

pub fn is_cross_site(method: &Method, path: &str, headers: &http::HeaderMap, allowed: &[String]) -> bool {
    if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) || path.starts_with("/api/v1/") {
        return false;
    }
    let get = |h: header::HeaderName| headers.get(h).and_then(|v| v.to_str().ok());
    match get(header::ORIGIN) {
        Some(origin) => {
            let origin = origin.trim_end_matches('/');
            if allowed.iter().any(|a| a == origin) {
                return false;
            }
            let origin_host = origin.split_once("://").map(|(_, rest)| rest).unwrap_or("");
            // "null" (sandboxed frames, privacy redirects) has no host: refused.
            get(header::HOST).is_none_or(|host| !host.eq_ignore_ascii_case(origin_host))
        }
        None => headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) == Some("cross-site"),
    }
}

pub async fn refuse_cross_site(State(allowed): State<AllowedOrigins>, req: Request, next: Next) -> Response {
    if is_cross_site(req.method(), req.uri().path(), req.headers(), &allowed.0) {
        tracing::warn!(path = %req.uri().path(), origin = ?req.headers().get(header::ORIGIN), "cross-site request refused");
        let body = serde_json::to_string(&AppError::CrossSite).unwrap_or_default();
        return (StatusCode::FORBIDDEN, [(header::CONTENT_TYPE, "application/json")], Body::from(body)).into_response();
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderMap;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, v.parse().unwrap());
        }
        h
    }

    #[test]
    fn same_origin_passes_other_origin_is_refused() {
        let p = Method::POST;
        assert!(!is_cross_site(&p, "/api/login", &headers(&[("origin", "http://127.0.0.1:3000"), ("host", "127.0.0.1:3000")]), &[]));
        assert!(is_cross_site(&p, "/api/login", &headers(&[("origin", "https://evil.example"), ("host", "127.0.0.1:3000")]), &[]));
        assert!(is_cross_site(&p, "/api/login", &headers(&[("origin", "null"), ("host", "127.0.0.1:3000")]), &[]));
        assert!(is_cross_site(&p, "/api/login", &headers(&[("sec-fetch-site", "cross-site")]), &[]));
        assert!(!is_cross_site(&p, "/api/login", &headers(&[]), &[]));
    }

    #[test]
    fn allowed_origins_and_safe_methods_pass() {
        let h = headers(&[("origin", "https://setia.toko.id"), ("host", "10.0.0.5:3000")]);
        assert!(!is_cross_site(&Method::POST, "/api/login", &h, &["https://setia.toko.id".into()]));
        assert!(!is_cross_site(&Method::GET, "/", &h, &[]));
        assert!(!is_cross_site(&Method::POST, "/api/v1/orders", &h, &[]));
    }
}
