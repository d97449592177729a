//! What one client may ask of the server before signing in, and how much: the
//! limits that keep a stranger from exhausting memory, CPU or the database
//! (README "Limits" lists them with the settings that change them).
//!
//! - Request bodies: [`FORM_BODY_LIMIT`] for pages and server functions (login
//!   included), [`API_BODY_LIMIT`] for the REST API; a larger body is 413
//!   `body_too_large` before any of it is parsed.
//! - Sign-in: at most `sign_in_per_minute` attempts per client IP (429
//!   `rate_limited` with `Retry-After`), and at most `password_checks` argon2
//!   verifications at once in this instance; a sign-in that cannot start one
//!   within `password_wait` gets 503 `busy` (each needs 19 MiB and ~50 ms of a
//!   core, so an unbounded number would take the machine down).
//! - The client IP is the peer address, or, only when `client_ip_header` is set
//!   (behind a proxy that sets it), the last address in that header: the one the
//!   proxy itself appended, which a client cannot forge.
//! - `/metrics` answers only clients in `metrics_allow`.

use crate::config::ConfigError;
use http::HeaderMap;
use ipnet::IpNet;
use std::net::IpAddr;
use std::time::Duration;

/// Pages, server functions and sign-in: forms of a few fields.
pub const FORM_BODY_LIMIT: usize = 64 * 1024;
/// The REST API (API.md: "413 `body_too_large` (bodies over 2 MB …)"); a cart of
/// 500 lines is about 40 KB.
pub const API_BODY_LIMIT: usize = 2 * 1024 * 1024;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerLimits {
    /// `SETIA_CLIENT_IP_HEADER`, e.g. `X-Forwarded-For` or `X-Real-IP`.
    pub client_ip_header: Option<String>,
    /// `SETIA_SIGN_IN_PER_MINUTE` (default 30): sign-in attempts per IP per minute.
    pub sign_in_per_minute: u32,
    /// `SETIA_PASSWORD_CHECKS` (default: the number of CPU cores).
    pub password_checks: usize,
    /// `SETIA_PASSWORD_WAIT_MS` (default 2,000).
    pub password_wait: Duration,
    /// `SETIA_METRICS_ALLOW` (default loopback and private networks).
    pub metrics_allow: Vec<IpNet>,
}

const DEFAULT_METRICS_ALLOW: &str = "127.0.0.0/8,::1/128,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,fc00::/7";

impl ServerLimits {
    pub fn from_lookup(get: &impl Fn(&str) -> Option<String>) -> Result<ServerLimits, ConfigError> {
        let client_ip_header = get("SETIA_CLIENT_IP_HEADER").map(|h| h.trim().to_string()).filter(|h| !h.is_empty());
        if let Some(h) = &client_ip_header {
            http::HeaderName::try_from(h.as_str()).map_err(|_| ConfigError::Invalid {
                name: "SETIA_CLIENT_IP_HEADER",
                value: h.clone(),
                expected: "a header name such as X-Forwarded-For",
            })?;
        }
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        let metrics_raw = get("SETIA_METRICS_ALLOW").unwrap_or_else(|| DEFAULT_METRICS_ALLOW.into());
        let metrics_allow = metrics_raw
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| s.parse::<IpNet>().or_else(|_| s.parse::<IpAddr>().map(IpNet::from)))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|_| ConfigError::Invalid {
                name: "SETIA_METRICS_ALLOW",
                value: metrics_raw.clone(),
                expected: "comma-separated networks or addresses, e.g. 127.0.0.1,10.0.0.0/8",
            })?;
        Ok(ServerLimits {
            client_ip_header,
            sign_in_per_minute: whole(get, "SETIA_SIGN_IN_PER_MINUTE", 30)?,
            password_checks: whole(get, "SETIA_PASSWORD_CHECKS", cores as u32)? as usize,
            password_wait: Duration::from_millis(u64::from(whole(get, "SETIA_PASSWORD_WAIT_MS", 2_000)?)),
            metrics_allow,
        })
    }

    /// The client's address: the peer, or the trusted proxy's header when
    /// configured. A request without that header did not come through the proxy
    /// (which always sets it), so its peer is the client.
    pub fn client_ip(&self, headers: &HeaderMap, peer: Option<IpAddr>) -> Option<IpAddr> {
        let Some(name) = &self.client_ip_header else { return peer };
        // The proxy appends what it saw: the last entry of the last line is its own.
        let last = headers.get_all(name.as_str()).iter().next_back().and_then(|v| v.to_str().ok());
        last.and_then(|v| v.rsplit(',').next()).and_then(|ip| parse_address(ip.trim())).or(peer)
    }

    pub fn may_read_metrics(&self, ip: Option<IpAddr>) -> bool {
        ip.map(|ip| ip.to_canonical()).is_some_and(|ip| self.metrics_allow.iter().any(|net| net.contains(&ip)))
    }
}

/// `1.2.3.4`, `1.2.3.4:5678`, `2001:db8::1` or `[2001:db8::1]:5678`.
fn parse_address(s: &str) -> Option<IpAddr> {
    s.parse::<IpAddr>().ok().or_else(|| s.parse::<std::net::SocketAddr>().ok().map(|a| a.ip()))
}

/// What one client is taken to control, for per-client limits: its IPv4 address,
/// or its IPv6 /64 (one subscriber's prefix: counting each address of it apart
/// would give a client 2^64 fresh allowances). IPv4-mapped IPv6 is IPv4.
pub fn client_network(ip: IpAddr) -> IpAddr {
    match ip.to_canonical() {
        IpAddr::V6(v6) => {
            let prefix = u128::from(v6) & !((1u128 << 64) - 1);
            IpAddr::V6(std::net::Ipv6Addr::from(prefix))
        }
        v4 => v4,
    }
}

fn whole(get: &impl Fn(&str) -> Option<String>, name: &'static str, default: u32) -> Result<u32, ConfigError> {
    match get(name) {
        None => Ok(default),
        Some(raw) => raw.trim().parse::<u32>().ok().filter(|n| *n > 0).ok_or(ConfigError::Invalid {
            name,
            value: raw,
            expected: "a whole number above 0",
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(pairs: &[(&str, &str)]) -> Result<ServerLimits, ConfigError> {
        let m: std::collections::HashMap<String, String> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        ServerLimits::from_lookup(&|k: &str| m.get(k).cloned())
    }

    #[test]
    fn the_client_ip_comes_from_the_proxy_header_only_when_configured() {
        let mut headers = HeaderMap::new();
        headers.insert("x-forwarded-for", "6.6.6.6, 203.0.113.9".parse().unwrap());
        let peer = Some("10.0.0.2".parse().unwrap());
        assert_eq!(limits(&[]).unwrap().client_ip(&headers, peer), peer, "a forged header is ignored");
        let behind_proxy = limits(&[("SETIA_CLIENT_IP_HEADER", "X-Forwarded-For")]).unwrap();
        assert_eq!(behind_proxy.client_ip(&headers, peer), Some("203.0.113.9".parse().unwrap()), "the proxy's own entry");
        assert_eq!(behind_proxy.client_ip(&HeaderMap::new(), peer), peer, "not through the proxy: the peer is the client");
        let mut with_port = HeaderMap::new();
        with_port.insert("x-forwarded-for", "[2001:db8::7]:4431".parse().unwrap());
        assert_eq!(behind_proxy.client_ip(&with_port, peer), Some("2001:db8::7".parse().unwrap()));
    }

    #[test]
    fn one_client_is_an_ipv4_address_or_an_ipv6_slash_64() {
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        assert_eq!(client_network(ip("203.0.113.9")), ip("203.0.113.9"));
        assert_eq!(client_network(ip("::ffff:203.0.113.9")), ip("203.0.113.9"));
        assert_eq!(client_network(ip("2001:db8:1:2:aaaa:bbbb:cccc:dddd")), ip("2001:db8:1:2::"));
        assert_eq!(client_network(ip("2001:db8:1:2::1")), client_network(ip("2001:db8:1:2:ffff::9")));
        assert!(limits(&[]).unwrap().may_read_metrics(Some(ip("::ffff:127.0.0.1"))));
    }

    #[test]
    fn metrics_are_for_loopback_and_private_networks_unless_configured() {
        let l = limits(&[]).unwrap();
        assert!(l.may_read_metrics(Some("127.0.0.1".parse().unwrap())));
        assert!(l.may_read_metrics(Some("192.168.1.20".parse().unwrap())));
        assert!(!l.may_read_metrics(Some("8.8.8.8".parse().unwrap())));
        assert!(!l.may_read_metrics(None));
        let only = limits(&[("SETIA_METRICS_ALLOW", "8.8.8.8")]).unwrap();
        assert!(only.may_read_metrics(Some("8.8.8.8".parse().unwrap())));
        assert!(!only.may_read_metrics(Some("127.0.0.1".parse().unwrap())));
        assert!(limits(&[("SETIA_METRICS_ALLOW", "nope")]).is_err());
        assert!(limits(&[("SETIA_SIGN_IN_PER_MINUTE", "0")]).is_err());
    }
}
