//! HTTP status for server-function errors, decided in one place.
//!
//! Leptos answers every `Err` of a server function with 500. The error kind knows
//! its proper status (`AppError::status`: 401, 403, 404, 409, 422, 429, 500), so
//! this layer reads the (small) error body of a 500 from `/api/…` and sets it.
//! Bad input therefore never reaches a client as a 500, whichever path produced it.

use axum::body::{to_bytes, Body};
use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::Response;
use setia_error::AppError;

const MAX_ERROR_BODY: usize = 64 * 1024;

pub async fn server_fn_error_status(req: Request, next: Next) -> Response {
    let is_server_fn = req.uri().path().starts_with("/api/") && !req.uri().path().starts_with("/api/v1/");
    let res = next.run(req).await;
    if !is_server_fn || res.status() != StatusCode::INTERNAL_SERVER_ERROR {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let bytes = match to_bytes(body, MAX_ERROR_BODY).await {
        Ok(b) => b,
        Err(_) => return Response::from_parts(parts, Body::empty()),
    };
    if let Ok(err) = serde_json::from_slice::<AppError>(&bytes) {
        parts.status = StatusCode::from_u16(err.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    }
    Response::from_parts(parts, Body::from(bytes))
}
