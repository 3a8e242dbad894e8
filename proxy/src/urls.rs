//! Addresses the proxy is given: upstream base URLs (https, or plain http to loopback only),
//! browser origins, and what counts as loopback.

use std::net::IpAddr;

use reqwest::Url;

/// Loopback addresses and `localhost`: the only hosts plain http is allowed to.
pub fn is_loopback_host(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost") || host.parse::<IpAddr>().is_ok_and(is_loopback)
}

pub fn is_loopback(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4.is_loopback(),
        IpAddr::V6(v6) => {
            v6.is_loopback() || v6.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
        }
    }
}

/// An upstream's base URL: a bare host (`lo.v.liveperson.net`, https assumed) or a full URL
/// (`http://127.0.0.1:9001`); plain http only to loopback, no credentials, path, query or
/// fragment. Returned without a trailing slash.
pub fn base_url(text: &str) -> Result<String, String> {
    let text = text.trim();
    let with_scheme = if text.contains("://") {
        text.to_owned()
    } else {
        format!("https://{text}")
    };
    let url =
        Url::parse(&with_scheme).map_err(|e| format!("'{text}' is not a host or URL: {e}"))?;
    check_service(&url, text)?;
    if url.path() != "/" || url.query().is_some() || url.fragment().is_some() {
        return Err("must be a bare host or scheme://host[:port], without path or query".into());
    }
    Ok(url.as_str().trim_end_matches('/').to_owned())
}

/// A full service URL (a JWKS document, an OIDC issuer, the proxy's public address): https, or
/// plain http to loopback only; a path is allowed, credentials, queries and fragments are not.
/// Returned as given (an OIDC issuer must match its discovery document to the character), less
/// a trailing slash when the path is only `/`.
pub fn endpoint_url(text: &str) -> Result<String, String> {
    let text = text.trim();
    let url = Url::parse(text).map_err(|e| format!("'{text}' is not a URL: {e}"))?;
    check_service(&url, text)?;
    if url.query().is_some() || url.fragment().is_some() {
        return Err("must not carry a query or fragment".into());
    }
    Ok(if url.path() == "/" {
        text.trim_end_matches('/').to_owned()
    } else {
        text.to_owned()
    })
}

/// What every address the proxy calls or names must be: a host, https or plain http to
/// loopback only, and no credentials in it.
fn check_service(url: &Url, text: &str) -> Result<(), String> {
    let host = url
        .host_str()
        .filter(|h| !h.is_empty())
        .ok_or_else(|| format!("'{text}' has no host"))?;
    match url.scheme() {
        "https" => {}
        "http" if is_loopback_host(host) => {}
        "http" => {
            return Err("plain http:// is allowed only to a loopback host; use https://".into())
        }
        other => return Err(format!("scheme '{other}' is not http(s)")),
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("must not carry credentials".into());
    }
    Ok(())
}

/// An allowed CORS origin: `scheme://host[:port]` exactly as browsers send it.
pub fn check_origin(origin: &str) -> Result<String, String> {
    let url = Url::parse(origin)
        .map_err(|_| format!("'{origin}' is not an origin such as https://console.example.com"))?;
    let canonical = url.origin().ascii_serialization();
    if !matches!(url.scheme(), "http" | "https") || canonical != origin.trim_end_matches('/') {
        return Err(format!(
            "'{origin}' is not an origin such as https://console.example.com (no path, no '*')"
        ));
    }
    Ok(canonical)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls() {
        assert_eq!(
            base_url("lo.v.liveperson.net").unwrap(),
            "https://lo.v.liveperson.net"
        );
        assert_eq!(
            base_url("http://127.0.0.1:9001/").unwrap(),
            "http://127.0.0.1:9001"
        );
        assert_eq!(
            base_url("http://localhost:9001").unwrap(),
            "http://localhost:9001"
        );
        assert_eq!(base_url("http://[::1]:9001").unwrap(), "http://[::1]:9001");
        for bad in [
            "http://example.com",
            "ftp://example.com",
            "https://user:pw@example.com",
            "https://example.com/path",
            "https://example.com?x=1",
            "http://127.0.0.1.evil.example",
        ] {
            assert!(base_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn endpoint_urls_keep_their_path() {
        assert_eq!(
            endpoint_url("https://idp.example.com/realms/a/").unwrap(),
            "https://idp.example.com/realms/a/"
        );
        assert_eq!(
            endpoint_url("https://sidebar.example.com/").unwrap(),
            "https://sidebar.example.com"
        );
        assert_eq!(
            endpoint_url("http://127.0.0.1:9/host/jwks").unwrap(),
            "http://127.0.0.1:9/host/jwks"
        );
        for bad in [
            "http://idp.example.com/x",
            "https://u:p@idp.example.com",
            "https://idp.example.com/x?y=1",
            "https://idp.example.com/#x",
            "idp.example.com",
        ] {
            assert!(endpoint_url(bad).is_err(), "{bad}");
        }
    }
}
