//! DNS rebinding, in anonymous mode: a page on `http://attacker.example` whose name the attacker
//! re-points at 127.0.0.1 is, to the browser, the same origin as the loopback proxy, so it could
//! read every visitor from an anonymous proxy. Its requests still say `Host: attacker.example`.
//! With `VS_ALLOW_ANONYMOUS=true` only these `Host` values are served:
//!
//! - the listen address (`127.0.0.1:3000`);
//! - `localhost`, `127.0.0.1` and `[::1]`, with any port or none;
//! - `VS_PUBLIC_URL`'s host, with its port (or none, for the scheme's default).
//!
//! Loopback names are safe whatever the port: an attacker's page cannot be served under them,
//! only under a name of its own. They must be accepted with other ports than the listen port
//! too: trunk's `/api` forwarding (`make serve`) replaces `Host` with the backend's host without
//! its port and passes the browser's (`127.0.0.1:8080`) on as `X-Forwarded-Host`. Every
//! `X-Forwarded-Host` value is checked like `Host` (it can only add refusals, never let a
//! request in), so a page rebound to a development server in front of the proxy is refused as
//! well. Anything else is refused with 403 and the contract's error body before any other work.
//! A request without `Host` (HTTP/1.0, in-process tests) passes: a browser always sends one.
//! With sign-in on, a credential decides and no host is checked.

use std::net::SocketAddr;

use axum::extract::Request;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use visitor_sidebar_contract::ErrorCode;

use crate::auth::config::AuthConfig;
use crate::error::AppError;
use crate::layers::Check;

/// The `Host` values served; `None` when every one is (sign-in is required).
#[derive(Clone, Debug, Default)]
pub struct AllowedHosts(Option<Vec<String>>);

impl AllowedHosts {
    /// The hosts for a proxy listening on `listen` (the bound address: port 0 is resolved).
    pub fn new(auth: &AuthConfig, listen: SocketAddr) -> AllowedHosts {
        if !auth.allow_anonymous {
            return AllowedHosts(None);
        }
        let mut hosts = vec![listen.to_string()];
        if let Some(url) = auth
            .public_url
            .as_deref()
            .and_then(|u| reqwest::Url::parse(u).ok())
        {
            if let Some(host) = url.host_str() {
                match url.port() {
                    Some(port) => hosts.push(format!("{host}:{port}")),
                    None => {
                        hosts.push(host.to_owned());
                        if let Some(default) = url.port_or_known_default() {
                            hosts.push(format!("{host}:{default}"));
                        }
                    }
                }
            }
        }
        for host in &mut hosts {
            host.make_ascii_lowercase();
        }
        hosts.sort();
        hosts.dedup();
        AllowedHosts(Some(hosts))
    }

    /// Whether a request naming `host` is served.
    pub fn allows(&self, host: &str) -> bool {
        let host = host.trim();
        match &self.0 {
            None => true,
            Some(hosts) => {
                LOOPBACK_NAMES
                    .iter()
                    .any(|name| host_name(host).eq_ignore_ascii_case(name))
                    || hosts.iter().any(|h| h.eq_ignore_ascii_case(host))
            }
        }
    }
}

/// Names only this machine answers to.
const LOOPBACK_NAMES: [&str; 3] = ["localhost", "127.0.0.1", "[::1]"];

/// `host[:port]` without the port (`[::1]:3000` → `[::1]`).
fn host_name(host: &str) -> &str {
    match host.rfind(':') {
        Some(colon) if !host[colon..].contains(']') => &host[..colon],
        _ => host,
    }
}

/// The guard (see `app`): the 403 for a request whose `Host` (or HTTP/2 authority) or any
/// `X-Forwarded-Host` is not served.
impl Check for AllowedHosts {
    fn refusal(&self, request: &Request) -> Option<Response> {
        let headers = request.headers();
        let host = headers
            .get(header::HOST)
            .map(|h| h.to_str().unwrap_or("\u{0}"))
            .or_else(|| request.uri().authority().map(|a| a.as_str()));
        let forwarded = headers
            .get_all("x-forwarded-host")
            .iter()
            .flat_map(|v| v.to_str().unwrap_or("\u{0}").split(','));
        for host in host.into_iter().chain(forwarded) {
            if !self.allows(host) {
                return Some(AppError::new(
                    ErrorCode::Forbidden,
                    "This proxy does not answer under that host name: open it at its own address (VS_LISTEN or VS_PUBLIC_URL).",
                )
                .detail("Host header refused (anonymous mode)")
                .into_response());
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::RawConfig;

    fn hosts(pairs: &[(&str, &str)], listen: &str) -> AllowedHosts {
        let auth = AuthConfig::from_raw(&RawConfig::from_pairs(pairs)).unwrap();
        AllowedHosts::new(&auth, listen.parse().unwrap())
    }

    #[test]
    fn anonymous_proxies_answer_under_their_own_names_only() {
        let h = hosts(
            &[
                ("VS_ALLOW_ANONYMOUS", "true"),
                ("VS_PUBLIC_URL", "https://Sidebar.example.com/sub"),
            ],
            "127.0.0.1:3000",
        );
        for ok in [
            "127.0.0.1:3000",
            "localhost:3000",
            "LOCALHOST:3000",
            "[::1]:3000",
            "127.0.0.1",
            "localhost",
            // trunk's X-Forwarded-Host in make serve: loopback names, whatever the port.
            "127.0.0.1:8080",
            "localhost:8080",
            "sidebar.example.com",
            "sidebar.example.com:443",
        ] {
            assert!(h.allows(ok), "{ok}");
        }
        for bad in [
            "attacker.example",
            "attacker.example:3000",
            "localhost.",
            "localhost.attacker.example:3000",
            "127.0.0.2:3000",
            "sidebar.example.com:8443",
            "sidebar.example.com.attacker.example",
            "127.0.0.1.nip.io:3000",
            "",
        ] {
            assert!(!h.allows(bad), "{bad}");
        }
        let h = hosts(
            &[
                ("VS_ALLOW_ANONYMOUS", "true"),
                ("VS_PUBLIC_URL", "http://127.0.0.1:8080"),
            ],
            "[::1]:4000",
        );
        assert!(h.allows("[::1]:4000") && h.allows("127.0.0.1:8080"));
        assert_eq!(host_name("[::1]:4000"), "[::1]");
        assert_eq!(host_name("[::1]"), "[::1]");
        assert_eq!(host_name("a.example:80"), "a.example");
    }

    #[test]
    fn with_sign_in_every_host_is_served() {
        let h = hosts(
            &[("VS_ACCESS_TOKENS", "0123456789abcdef0123")],
            "127.0.0.1:3000",
        );
        assert!(h.allows("attacker.example"));
    }
}
