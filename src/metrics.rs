//! `GET /metrics`: Prometheus text. Request counts and latencies come from
//! axum-prometheus; database pool figures are read at scrape time.

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_prometheus::metrics_exporter_prometheus::PrometheusHandle;
use axum_prometheus::{EndpointLabel, PrometheusMetricLayer, PrometheusMetricLayerBuilder};
use setia_backend::AppState;
use std::sync::OnceLock;

/// The label of every request no route matched. Labelling them by their raw path
/// let anyone add a series per random URL, for ever (memory and `/metrics` grow).
pub const UNMATCHED: &str = "unmatched";

/// The recorder is process-global (installing a second one panics), so it is made
/// once. Requests are labelled by their route's pattern (`/api/v1/orders/{id}`).
pub fn layer_and_handle() -> (PrometheusMetricLayer<'static>, PrometheusHandle) {
    static PAIR: OnceLock<(PrometheusMetricLayer<'static>, PrometheusHandle)> = OnceLock::new();
    PAIR.get_or_init(|| {
        PrometheusMetricLayerBuilder::new()
            .with_endpoint_label_type(EndpointLabel::MatchedPathWithFallbackFn(|_| UNMATCHED.to_string()))
            .with_default_metrics()
            .build_pair()
    })
    .clone()
}

/// `GET /metrics` — for the networks in `SETIA_METRICS_ALLOW` only (404 to others,
/// as if there were nothing here).
pub async fn render(State(state): State<AppState>, req: Request) -> Response {
    if !state.config.limits.may_read_metrics(crate::limits::client_ip(&state.config.limits, &req)) {
        return StatusCode::NOT_FOUND.into_response();
    }
    let (_, handle) = layer_and_handle();
    let (size, idle, max) = state.db.pool_stats();
    metrics::gauge!("setia_db_pool_connections").set(f64::from(size));
    metrics::gauge!("setia_db_pool_idle_connections").set(idle as f64);
    metrics::gauge!("setia_db_pool_max_connections").set(f64::from(max));
    handle.render().into_response()
}
