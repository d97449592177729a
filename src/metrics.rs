//! `GET /metrics`: Prometheus text. Request counts and latencies come from
//! axum-prometheus; database pool figures are read at scrape time.

use axum::extract::State;
use axum_prometheus::metrics_exporter_prometheus::PrometheusHandle;
use axum_prometheus::PrometheusMetricLayer;
use setia_backend::AppState;
use std::sync::OnceLock;

/// The recorder is process-global (installing a second one panics), so it is made once.
pub fn layer_and_handle() -> (PrometheusMetricLayer<'static>, PrometheusHandle) {
    static PAIR: OnceLock<(PrometheusMetricLayer<'static>, PrometheusHandle)> = OnceLock::new();
    PAIR.get_or_init(PrometheusMetricLayer::pair).clone()
}

/// `GET /metrics`
pub async fn render(State(state): State<AppState>) -> String {
    let (_, handle) = layer_and_handle();
    let (size, idle, max) = state.db.pool_stats();
    metrics::gauge!("setia_db_pool_connections").set(f64::from(size));
    metrics::gauge!("setia_db_pool_idle_connections").set(idle as f64);
    metrics::gauge!("setia_db_pool_max_connections").set(f64::from(max));
    handle.render()
}
