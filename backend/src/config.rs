//! Configuration from the environment (and `.env`). Secrets are redacted in Debug.

use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;

/// Where the database lives. The URL may carry a password, so Debug and Display
/// show it with the password replaced.
#[derive(Clone, PartialEq, Eq)]
pub struct DatabaseUrl(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("DATABASE_URL `{0}` is not understood: use sqlite://path/to/file.db or postgres://user:password@host/dbname")]
    UnparsableDatabaseUrl(String),
    #[error("{name} `{value}` is not valid: {expected}")]
    Invalid { name: &'static str, value: String, expected: &'static str },
}

pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/setia.db";

impl DatabaseUrl {
    pub fn parse(raw: &str) -> Result<DatabaseUrl, ConfigError> {
        let raw = raw.trim();
        let bad = || ConfigError::UnparsableDatabaseUrl(redact_url(raw));
        if let Some(rest) = raw.strip_prefix("sqlite:") {
            if rest.trim_start_matches('/').is_empty() {
                return Err(bad());
            }
            return Ok(DatabaseUrl(raw.to_string()));
        }
        if raw.starts_with("postgres://") || raw.starts_with("postgresql://") {
            let parsed = url::Url::parse(raw).map_err(|_| bad())?;
            if parsed.host_str().is_none_or(str::is_empty) && !raw.contains("host=") {
                return Err(bad());
            }
            return Ok(DatabaseUrl(raw.to_string()));
        }
        Err(bad())
    }

    pub fn backend(&self) -> Backend {
        if self.0.starts_with("sqlite:") {
            Backend::Sqlite
        } else {
            Backend::Postgres
        }
    }

    /// The URL with its password, for connecting only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DatabaseUrl({})", redact_url(&self.0))
    }
}

impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&redact_url(&self.0))
    }
}

/// Replaces the password of a URL (and a `password=` parameter) with `***`.
pub fn redact_url(raw: &str) -> String {
    let mut out = match url::Url::parse(raw) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        _ => raw.to_string(),
    };
    if let Some(i) = out.find("password=") {
        let end = out[i..].find('&').map(|e| i + e).unwrap_or(out.len());
        out.replace_range(i + "password=".len()..end, "***");
    }
    out
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

/// Everything the server reads from its environment.
#[derive(Debug, Clone)]
pub struct Config {
    pub database_url: DatabaseUrl,
    pub addr: SocketAddr,
    /// A `tracing` filter, e.g. `info` or `setia=debug,sqlx=warn`.
    pub log: String,
    pub log_format: LogFormat,
    /// Marks the session cookie `Secure` (serve over HTTPS when set).
    pub secure_cookies: bool,
    /// Where cargo-leptos put the compiled site (`pkg/`, assets).
    pub site_root: PathBuf,
    /// Origins allowed to call server functions besides the request's own host
    /// (e.g. `https://setia.example.com` behind a proxy that rewrites Host).
    pub allowed_origins: Vec<String>,
    pub db_max_connections: u32,
    /// SQLite page cache per connection, MiB (`SETIA_SQLITE_CACHE_MIB`).
    pub sqlite_cache_mib: u32,
    /// Request sizes, sign-in rates, the client IP and who reads `/metrics`.
    pub limits: crate::limits::ServerLimits,
    /// A running task whose worker has not reported for this long is taken over
    /// by another worker (`SETIA_TASK_STALE_SECONDS`, default 60).
    pub task_stale_after: std::time::Duration,
}

impl Config {
    /// Reads `.env` (if present) and then the process environment.
    pub fn from_env() -> Result<Config, ConfigError> {
        let _ = dotenvy::dotenv();
        Self::from_lookup(|k| std::env::var(k).ok())
    }

    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let database_url = DatabaseUrl::parse(&get("DATABASE_URL").unwrap_or_else(|| DEFAULT_DATABASE_URL.into()))?;
        let addr_raw = get("SETIA_ADDR").or_else(|| get("LEPTOS_SITE_ADDR")).unwrap_or_else(|| "127.0.0.1:3000".into());
        let addr = addr_raw.parse().map_err(|_| ConfigError::Invalid {
            name: "SETIA_ADDR",
            value: addr_raw.clone(),
            expected: "an address like 127.0.0.1:3000 or 0.0.0.0:8080",
        })?;
        let log = get("SETIA_LOG").unwrap_or_else(|| "info".into());
        let log_format = match get("SETIA_LOG_FORMAT").as_deref().map(str::trim) {
            None | Some("") | Some("text") => LogFormat::Text,
            Some("json") => LogFormat::Json,
            Some(other) => return Err(ConfigError::Invalid { name: "SETIA_LOG_FORMAT", value: other.into(), expected: "text or json" }),
        };
        let secure_cookies = parse_bool("SETIA_SECURE_COOKIES", get("SETIA_SECURE_COOKIES"))?;
        let site_root = PathBuf::from(get("SETIA_SITE_ROOT").or_else(|| get("LEPTOS_SITE_ROOT")).unwrap_or_else(|| "target/site".into()));
        let allowed_origins = get("SETIA_ALLOWED_ORIGINS")
            .map(|s| s.split(',').map(|o| o.trim().trim_end_matches('/').to_string()).filter(|o| !o.is_empty()).collect())
            .unwrap_or_default();
        let max_raw = get("SETIA_DB_MAX_CONNECTIONS").unwrap_or_else(|| "10".into());
        let db_max_connections = max_raw.parse::<u32>().ok().filter(|n| *n > 0).ok_or(ConfigError::Invalid {
            name: "SETIA_DB_MAX_CONNECTIONS",
            value: max_raw,
            expected: "a whole number above 0",
        })?;
        let cache_raw = get("SETIA_SQLITE_CACHE_MIB").unwrap_or_else(|| crate::db::DEFAULT_SQLITE_CACHE_MIB.to_string());
        let sqlite_cache_mib = cache_raw.parse::<u32>().ok().filter(|n| (1..=4096).contains(n)).ok_or(ConfigError::Invalid {
            name: "SETIA_SQLITE_CACHE_MIB",
            value: cache_raw,
            expected: "a whole number of MiB from 1 to 4096",
        })?;
        let stale_raw = get("SETIA_TASK_STALE_SECONDS").unwrap_or_else(|| "60".into());
        let task_stale_after =
            stale_raw.parse::<u64>().ok().filter(|n| (1..=86_400).contains(n)).map(std::time::Duration::from_secs).ok_or(
                ConfigError::Invalid {
                    name: "SETIA_TASK_STALE_SECONDS",
                    value: stale_raw,
                    expected: "a whole number of seconds from 1 to 86400",
                },
            )?;
        let limits = crate::limits::ServerLimits::from_lookup(&get)?;
        Ok(Config {
            task_stale_after,
            limits,
            database_url,
            addr,
            log,
            log_format,
            secure_cookies,
            site_root,
            allowed_origins,
            db_max_connections,
            sqlite_cache_mib,
        })
    }
}

fn parse_bool(name: &'static str, v: Option<String>) -> Result<bool, ConfigError> {
    match v.as_deref().map(|s| s.trim().to_ascii_lowercase()) {
        None => Ok(false),
        Some(s) if s.is_empty() || s == "0" || s == "false" || s == "no" => Ok(false),
        Some(s) if s == "1" || s == "true" || s == "yes" => Ok(true),
        Some(s) => Err(ConfigError::Invalid { name, value: s, expected: "true or false" }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let m: HashMap<String, String> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Config::from_lookup(|k| m.get(k).cloned())
    }

    #[test]
    fn defaults_to_sqlite_file() {
        let c = config(&[]).unwrap();
        assert_eq!(c.database_url.backend(), Backend::Sqlite);
        assert_eq!(c.database_url.expose(), DEFAULT_DATABASE_URL);
        assert_eq!(c.addr.to_string(), "127.0.0.1:3000");
    }

    #[test]
    fn password_never_shows_in_debug() {
        let c = config(&[("DATABASE_URL", "postgres://setia:hunter2secret@db.local/setia")]).unwrap();
        assert_eq!(c.database_url.backend(), Backend::Postgres);
        let shown = format!("{c:?} {}", c.database_url);
        assert!(!shown.contains("hunter2secret"), "{shown}");
        assert!(shown.contains("***"));
    }

    #[test]
    fn unparsable_url_is_a_clear_error() {
        for bad in ["mysql://x", "nonsense", "sqlite:", "postgres://"] {
            let e = config(&[("DATABASE_URL", bad)]).unwrap_err();
            assert!(e.to_string().contains("DATABASE_URL"), "{e}");
        }
        let e = config(&[("SETIA_ADDR", "localhost")]).unwrap_err();
        assert!(e.to_string().contains("SETIA_ADDR"));
    }
}
