//! Every request carries an `x-request-id`: the client's own when it sent one (a
//! POS can quote it to support), else one made here. It is echoed on the response
//! and recorded on the request's log span, so every log line and every SQL
//! statement of one request can be found together.

use axum::http::{HeaderValue, Request};
use std::sync::atomic::{AtomicU64, Ordering};
use tower_http::request_id::{MakeRequestId, RequestId};

/// `<process start in ms, base 36>-<counter>`: unique across restarts and instances
/// started at different milliseconds, cheap to make, short in logs.
#[derive(Clone, Debug)]
pub struct SequentialRequestId {
    prefix: String,
    next: std::sync::Arc<AtomicU64>,
}

impl Default for SequentialRequestId {
    fn default() -> Self {
        let mut ms = u64::try_from(chrono::Utc::now().timestamp_millis()).unwrap_or(0);
        let mut prefix = Vec::new();
        while ms > 0 {
            prefix.push(char::from_digit((ms % 36) as u32, 36).unwrap_or('0'));
            ms /= 36;
        }
        SequentialRequestId { prefix: prefix.into_iter().rev().collect(), next: Default::default() }
    }
}

impl MakeRequestId for SequentialRequestId {
    fn make_request_id<B>(&mut self, _: &Request<B>) -> Option<RequestId> {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        HeaderValue::from_str(&format!("{}-{n}", self.prefix)).ok().map(RequestId::new)
    }
}

/// The request's log span: method, path and request id.
pub fn request_span<B>(req: &Request<B>) -> tracing::Span {
    let id = req.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("");
    tracing::info_span!("request", method = %req.method(), uri = %req.uri().path(), request_id = %id)
}
