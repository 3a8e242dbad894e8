//! Who the client is, by address: the one [`ClientIp`] every limit, the audit line and the
//! request's log lines use. Behind a load balancer or TLS front end the TCP peer is the front
//! end, so every agent would share one budget; `VS_TRUSTED_PROXIES` names those front ends.
//!
//! When the peer is trusted, the client is the right-most address of the forwarded chain
//! (`X-Forwarded-For`, or RFC 7239 `Forwarded: for=` with `VS_CLIENT_IP_HEADER=forwarded`) that
//! is not itself a trusted proxy: every entry left of it was written by the client or by
//! proxies nobody vouches for. When the peer is not trusted, forwarded headers are ignored, so a
//! client cannot rotate them to dodge a limit. Only the header the front end sets is read: a
//! front end that appends to `X-Forwarded-For` passes a client's own `Forwarded` through
//! untouched, and reading that would let the client choose its address.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::extract::{ConnectInfo, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderName};
use ipnet::IpNet;
use tower::util::MapRequestLayer;

use crate::settings::{err, list, ConfigError, RawConfig};

/// The address used when nothing better is known (a request without connection info, such as
/// a test's `oneshot`).
const UNKNOWN: IpAddr = IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED);

/// The client's address as the proxy judges it, in the request's extensions (put there by
/// [`layer`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientIp(pub IpAddr);

impl std::fmt::Display for ClientIp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// Which forwarded header the front end writes (`VS_CLIENT_IP_HEADER`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ForwardedHeader {
    /// `X-Forwarded-For` (the default: what most load balancers append).
    #[default]
    XForwardedFor,
    /// RFC 7239 `Forwarded`'s `for=` parameters.
    Forwarded,
}

/// The front ends whose forwarded headers are believed (`VS_TRUSTED_PROXIES`), and which header.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TrustedProxies {
    nets: Vec<IpNet>,
    header: ForwardedHeader,
}

impl TrustedProxies {
    pub fn from_raw(raw: &RawConfig) -> Result<TrustedProxies, ConfigError> {
        let nets = list(raw.value("VS_TRUSTED_PROXIES"))
            .iter()
            .map(|entry| parse_net(entry).ok_or_else(|| {
                err(
                    "VS_TRUSTED_PROXIES",
                    format!("'{entry}' is neither an IP address nor a CIDR range such as 10.0.0.0/8"),
                )
            }))
            .collect::<Result<Vec<_>, _>>()?;
        let header = match raw
            .value("VS_CLIENT_IP_HEADER")
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            None | Some("x-forwarded-for") => ForwardedHeader::XForwardedFor,
            Some("forwarded") => ForwardedHeader::Forwarded,
            Some(other) => {
                return Err(err(
                    "VS_CLIENT_IP_HEADER",
                    format!("'{other}' is neither x-forwarded-for nor forwarded"),
                ))
            }
        };
        Ok(TrustedProxies { nets, header })
    }

    /// Whether any front end is trusted.
    pub fn is_empty(&self) -> bool {
        self.nets.is_empty()
    }

    pub fn trusts(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        self.nets.iter().any(|net| net.contains(&ip))
    }

    /// The client behind `peer`, given the request's headers.
    pub fn client(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        let peer = canonical(peer);
        if !self.trusts(peer) {
            return peer;
        }
        let chain = match self.header {
            ForwardedHeader::XForwardedFor => x_forwarded_for(headers),
            ForwardedHeader::Forwarded => forwarded_for(headers),
        };
        // Right to left: the nearest hop first. `closest` is the last address known good.
        let mut closest = peer;
        for entry in chain.iter().rev() {
            match entry {
                Some(ip) if self.trusts(*ip) => closest = *ip,
                Some(ip) => return *ip,
                // `unknown`, an obfuscated name or garbage where an address should be: the
                // trusted hop that wrote it is as far as anyone can vouch.
                None => return closest,
            }
        }
        closest
    }
}

/// An address or a CIDR range; a bare address is a range of one.
fn parse_net(text: &str) -> Option<IpNet> {
    text.parse::<IpNet>()
        .ok()
        .or_else(|| text.parse::<IpAddr>().ok().map(IpNet::from))
        .map(|net| net.trunc())
}

/// IPv4-mapped IPv6 (`::ffff:10.0.0.1`, as a dual-stack socket reports IPv4 peers) as IPv4, so
/// one entry covers both spellings.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6
            .to_ipv4_mapped()
            .map(IpAddr::V4)
            .unwrap_or(IpAddr::V6(v6)),
        v4 => v4,
    }
}

/// Every value of a header, in order, split at commas.
fn entries<'a>(headers: &'a HeaderMap, name: &HeaderName) -> Vec<&'a str> {
    headers
        .get_all(name)
        .iter()
        .flat_map(|value| value.to_str().unwrap_or("\u{0}").split(','))
        .map(str::trim)
        .collect()
}

/// `X-Forwarded-For: client, proxy1, proxy2` (each an address, perhaps with a port).
fn x_forwarded_for(headers: &HeaderMap) -> Vec<Option<IpAddr>> {
    entries(headers, &HeaderName::from_static("x-forwarded-for"))
        .into_iter()
        .map(node_address)
        .collect()
}

/// RFC 7239: `Forwarded: for=192.0.2.60;proto=https, for="[2001:db8::1]:4711"`. Each element
/// (between commas) is one hop; an element without `for=` says nothing about the client.
fn forwarded_for(headers: &HeaderMap) -> Vec<Option<IpAddr>> {
    entries(headers, &axum::http::header::FORWARDED)
        .into_iter()
        .map(|element| {
            element
                .split(';')
                .filter_map(|pair| pair.split_once('='))
                .find(|(name, _)| name.trim().eq_ignore_ascii_case("for"))
                .and_then(|(_, value)| node_address(value.trim().trim_matches('"')))
        })
        .collect()
}

/// An address as forwarded headers write it: `192.0.2.60`, `192.0.2.60:8080`, `2001:db8::1`,
/// `[2001:db8::1]` or `[2001:db8::1]:4711`. `None` for anything else.
fn node_address(text: &str) -> Option<IpAddr> {
    let text = text.trim();
    if let Ok(ip) = text.parse::<IpAddr>() {
        return Some(canonical(ip));
    }
    if let Ok(socket) = text.parse::<SocketAddr>() {
        return Some(canonical(socket.ip()));
    }
    text.strip_prefix('[')
        .and_then(|rest| rest.strip_suffix(']'))
        .and_then(|inner| inner.parse::<IpAddr>().ok())
        .map(canonical)
}

/// The layer, outside the tracing layer: decides the request's [`ClientIp`] once and puts it
/// in the extensions, where the span, the limits, the audit line and the handlers read it. A
/// request map, not a `from_fn` middleware: that clones and boxes everything inside it for
/// every request.
pub fn layer(
    trusted: Arc<TrustedProxies>,
) -> MapRequestLayer<impl Fn(Request) -> Request + Clone + Send + Sync + 'static> {
    MapRequestLayer::new(move |mut request: Request| {
        let client = match peer(request.extensions()) {
            Some(peer) => trusted.client(peer, request.headers()),
            None => UNKNOWN,
        };
        request.extensions_mut().insert(ClientIp(client));
        request
    })
}

/// The TCP peer's address, as the connection gave it (`None` without connection info).
pub fn peer(extensions: &axum::http::Extensions) -> Option<IpAddr> {
    extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip())
}

impl ClientIp {
    /// The request's client address ([`layer`]'s, or the peer's when it did not run).
    pub fn of(extensions: &axum::http::Extensions) -> ClientIp {
        extensions
            .get::<ClientIp>()
            .copied()
            .unwrap_or_else(|| ClientIp(peer(extensions).map(canonical).unwrap_or(UNKNOWN)))
    }
}

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientIp::of(&parts.extensions))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn trusted(list: &str, header: Option<&str>) -> TrustedProxies {
        let mut raw = RawConfig::default();
        raw.set("VS_TRUSTED_PROXIES", list);
        if let Some(header) = header {
            raw.set("VS_CLIENT_IP_HEADER", header);
        }
        TrustedProxies::from_raw(&raw).unwrap()
    }

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(
                HeaderName::from_bytes(name.as_bytes()).unwrap(),
                HeaderValue::from_str(value).unwrap(),
            );
        }
        map
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn addresses_and_ranges_parse_and_bad_ones_name_the_key() {
        let t = trusted("10.0.0.0/8, 192.0.2.7 ,2001:db8::/32, ::1", None);
        for yes in [
            "10.1.2.3",
            "192.0.2.7",
            "2001:db8::5",
            "::1",
            "::ffff:10.9.9.9",
        ] {
            assert!(t.trusts(ip(yes)), "{yes}");
        }
        for no in ["11.0.0.1", "192.0.2.8", "2001:db9::1", "127.0.0.1"] {
            assert!(!t.trusts(ip(no)), "{no}");
        }
        for bad in ["10.0.0.0/33", "proxy.example.com", "10.0.0.*", "*"] {
            let mut raw = RawConfig::default();
            raw.set("VS_TRUSTED_PROXIES", bad);
            assert_eq!(
                TrustedProxies::from_raw(&raw).unwrap_err().key,
                "VS_TRUSTED_PROXIES",
                "{bad}"
            );
        }
        let mut raw = RawConfig::default();
        raw.set("VS_CLIENT_IP_HEADER", "x-real-ip");
        assert_eq!(
            TrustedProxies::from_raw(&raw).unwrap_err().key,
            "VS_CLIENT_IP_HEADER"
        );
        assert!(TrustedProxies::from_raw(&RawConfig::default())
            .unwrap()
            .is_empty());
    }

    #[test]
    fn an_untrusted_peer_is_the_client_whatever_it_forwards() {
        let none = TrustedProxies::default();
        let h = headers(&[
            ("x-forwarded-for", "203.0.113.9"),
            ("forwarded", "for=203.0.113.9"),
        ]);
        assert_eq!(none.client(ip("198.51.100.1"), &h), ip("198.51.100.1"));
        let t = trusted("10.0.0.0/8", None);
        assert_eq!(t.client(ip("198.51.100.1"), &h), ip("198.51.100.1"));
    }

    #[test]
    fn behind_trusted_proxies_the_right_most_untrusted_address_is_the_client() {
        let t = trusted("10.0.0.0/8", None);
        let lb = ip("10.0.0.2");
        // What the client wrote itself (left) is skipped; the front ends' entries are not.
        let h = headers(&[("x-forwarded-for", "1.1.1.1, 203.0.113.9, 10.0.0.5")]);
        assert_eq!(t.client(lb, &h), ip("203.0.113.9"));
        // Several header lines are one list, in order.
        let h = headers(&[
            ("x-forwarded-for", "1.1.1.1"),
            ("x-forwarded-for", "203.0.113.9:5555"),
        ]);
        assert_eq!(t.client(lb, &h), ip("203.0.113.9"));
        let h = headers(&[("x-forwarded-for", "[2001:db8::7]:443")]);
        assert_eq!(t.client(lb, &h), ip("2001:db8::7"));
        // No header: the front end itself (as without this setting).
        assert_eq!(t.client(lb, &HeaderMap::new()), lb);
        // Garbage where the client should be: no further than the hop that wrote it.
        let h = headers(&[("x-forwarded-for", "203.0.113.9, unknown, 10.0.0.5")]);
        assert_eq!(t.client(lb, &h), ip("10.0.0.5"));
        // Everyone in the chain trusted: the farthest of them.
        let h = headers(&[("x-forwarded-for", "10.0.0.9, 10.0.0.5")]);
        assert_eq!(t.client(lb, &h), ip("10.0.0.9"));
        // A dual-stack socket's spelling of an IPv4 peer.
        let h = headers(&[("x-forwarded-for", "203.0.113.9")]);
        assert_eq!(t.client(ip("::ffff:10.0.0.2"), &h), ip("203.0.113.9"));
        // Forwarded is not read unless chosen.
        let h = headers(&[("forwarded", "for=203.0.113.9")]);
        assert_eq!(t.client(lb, &h), lb);
    }

    #[test]
    fn rfc_7239_forwarded_for() {
        let t = trusted("10.0.0.0/8", Some("Forwarded"));
        let lb = ip("10.0.0.2");
        let h = headers(&[(
            "forwarded",
            r#"for=1.1.1.1, for="[2001:db8:cafe::17]:4711";proto=https, For=10.0.0.7;by=10.0.0.2"#,
        )]);
        assert_eq!(t.client(lb, &h), ip("2001:db8:cafe::17"));
        let h = headers(&[("forwarded", "proto=https;for=192.0.2.60:8080")]);
        assert_eq!(t.client(lb, &h), ip("192.0.2.60"));
        let h = headers(&[("forwarded", "for=_hidden, for=10.0.0.7")]);
        assert_eq!(t.client(lb, &h), ip("10.0.0.7"));
        // X-Forwarded-For is not read when Forwarded is chosen.
        let h = headers(&[("x-forwarded-for", "203.0.113.9")]);
        assert_eq!(t.client(lb, &h), lb);
    }
}
