//! Logs: `tracing` to stderr, human text or JSON (`SETIA_LOG_FORMAT=json`),
//! filtered by `SETIA_LOG` (e.g. `info`, `setia=debug,sqlx=warn`).

use setia_backend::config::LogFormat;
use tracing_subscriber::{fmt, EnvFilter};

pub fn init(filter: &str, format: LogFormat) {
    let filter = EnvFilter::try_new(filter).unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = fmt().with_env_filter(filter).with_writer(std::io::stderr);
    // try_init: tests start several servers in one process.
    let _ = match format {
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
        LogFormat::Text => builder.try_init(),
    };
}
