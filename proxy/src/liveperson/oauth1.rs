//! OAuth 1.0a request signing with HMAC-SHA1, exactly per RFC 5849 section 3.4: the signature base
//! string covers the method, the base URI and every query (and form) parameter with the
//! `oauth_*` protocol parameters, each RFC 3986-encoded and sorted by encoded name then value.

use base64::Engine;
use hmac::{Hmac, Mac};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use reqwest::Url;
use sha1::Sha1;

/// RFC 5849 section 3.6: everything but the unreserved characters `ALPHA DIGIT - . _ ~`.
const RFC3986: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

pub fn encode(text: &str) -> String {
    utf8_percent_encode(text, RFC3986).to_string()
}

/// The four secrets of a LivePerson API key.
pub struct Credentials<'a> {
    pub consumer_key: &'a str,
    pub consumer_secret: &'a str,
    pub token: &'a str,
    pub token_secret: &'a str,
}

/// The per-request values, separate so that tests can fix them.
pub struct Nonce<'a> {
    pub nonce: &'a str,
    pub timestamp: u64,
    /// Whether to send (and sign) `oauth_version=1.0`, which the RFC makes optional.
    pub with_version: bool,
}

/// Section 3.4.1.2: scheme and host in lower case, the port only when not the default.
fn base_uri(url: &Url) -> String {
    let scheme = url.scheme().to_ascii_lowercase();
    let host = url.host_str().unwrap_or("").to_ascii_lowercase();
    match url.port() {
        Some(port) => format!("{scheme}://{host}:{port}{}", url.path()),
        None => format!("{scheme}://{host}{}", url.path()),
    }
}

fn protocol_params<'a>(creds: &Credentials<'a>, n: &Nonce<'a>) -> Vec<(&'static str, String)> {
    let mut params = vec![
        ("oauth_consumer_key", creds.consumer_key.to_owned()),
        ("oauth_nonce", n.nonce.to_owned()),
        ("oauth_signature_method", "HMAC-SHA1".to_owned()),
        ("oauth_timestamp", n.timestamp.to_string()),
        ("oauth_token", creds.token.to_owned()),
    ];
    if n.with_version {
        params.push(("oauth_version", "1.0".to_owned()));
    }
    params
}

/// Section 3.4.1: the signature base string. `form` holds the decoded pairs of an
/// `application/x-www-form-urlencoded` body (none for LivePerson's GETs).
pub fn base_string(
    method: &str,
    url: &Url,
    form: &[(String, String)],
    creds: &Credentials<'_>,
    n: &Nonce<'_>,
) -> String {
    let mut params: Vec<(String, String)> = url
        .query_pairs()
        .map(|(k, v)| (encode(&k), encode(&v)))
        .chain(form.iter().map(|(k, v)| (encode(k), encode(v))))
        .chain(
            protocol_params(creds, n)
                .into_iter()
                .map(|(k, v)| (encode(k), encode(&v))),
        )
        .collect();
    params.sort();
    let normalized = params
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&");
    format!(
        "{}&{}&{}",
        method.to_ascii_uppercase(),
        encode(&base_uri(url)),
        encode(&normalized)
    )
}

/// Section 3.4.2: base64 of HMAC-SHA1 keyed with `consumer_secret&token_secret`.
pub fn signature(base_string: &str, creds: &Credentials<'_>) -> String {
    let key = format!(
        "{}&{}",
        encode(creds.consumer_secret),
        encode(creds.token_secret)
    );
    let mut mac = Hmac::<Sha1>::new_from_slice(key.as_bytes()).expect("HMAC takes any key length");
    mac.update(base_string.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// The `Authorization: OAuth ...` header value for a request (section 3.5.1).
pub fn authorization(method: &str, url: &Url, creds: &Credentials<'_>, n: &Nonce<'_>) -> String {
    let sig = signature(&base_string(method, url, &[], creds, n), creds);
    let mut params = protocol_params(creds, n);
    params.push(("oauth_signature", sig));
    params.sort();
    let pairs = params
        .iter()
        .map(|(k, v)| format!("{k}=\"{}\"", encode(v)))
        .collect::<Vec<_>>()
        .join(", ");
    format!("OAuth {pairs}")
}

/// A fresh random nonce (section 3.3): 32 alphanumeric characters.
pub fn new_nonce() -> String {
    use rand::distributions::Alphanumeric;
    use rand::Rng;
    rand::thread_rng()
        .sample_iter(&Alphanumeric)
        .take(32)
        .map(char::from)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 5849 section 3.1's request; section 3.4.1.1 prints its base string.
    const RFC_URL: &str = "http://example.com/request?b5=%3D%253D&a3=a&c%40=&a2=r%20b";
    const RFC_BASE_STRING: &str = "POST&http%3A%2F%2Fexample.com%2Frequest&a2%3Dr%2520b%26a3%3D2%2520q%26a3%3Da%26b5%3D%253D%25253D%26c%2540%3D%26c2%3D%26oauth_consumer_key%3D9djdj82h48djs9d2%26oauth_nonce%3D7d8f3e4a%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D137131201%26oauth_token%3Dkkk9d7dh3k39sjv7";

    fn rfc_creds() -> Credentials<'static> {
        Credentials {
            consumer_key: "9djdj82h48djs9d2",
            consumer_secret: "j49sk3j29djd",
            token: "kkk9d7dh3k39sjv7",
            token_secret: "dh893hdasih9",
        }
    }

    fn rfc_nonce() -> Nonce<'static> {
        Nonce {
            nonce: "7d8f3e4a",
            timestamp: 137131201,
            with_version: false,
        }
    }

    #[test]
    fn rfc_5849_base_string_and_signature() {
        let url = Url::parse(RFC_URL).unwrap();
        // The example's form body `c2&a3=2+q`, decoded.
        let form = [
            ("c2".to_owned(), String::new()),
            ("a3".to_owned(), "2 q".to_owned()),
        ];
        let base = base_string("POST", &url, &form, &rfc_creds(), &rfc_nonce());
        assert_eq!(base, RFC_BASE_STRING);
        assert_eq!(
            signature(&base, &rfc_creds()),
            "r6/TJjbCOr97/+UU0NsvSne7s5g="
        );
    }

    #[test]
    fn base_uri_rules() {
        let u = |s| base_uri(&Url::parse(s).unwrap());
        assert_eq!(
            u("HTTP://EXAMPLE.com:80/r%20v/X?id=123"),
            "http://example.com/r%20v/X"
        );
        assert_eq!(
            u("https://www.example.net:8080/?q=1"),
            "https://www.example.net:8080/"
        );
    }

    #[test]
    fn authorization_header_carries_the_encoded_signature() {
        let url = Url::parse("https://lo.v.liveperson.net/api/account/1/x?v=1&sid=a.b").unwrap();
        let header = authorization("GET", &url, &rfc_creds(), &rfc_nonce());
        assert!(header.starts_with("OAuth oauth_consumer_key=\"9djdj82h48djs9d2\", oauth_nonce=\"7d8f3e4a\", oauth_signature=\""));
        assert!(header.ends_with("oauth_token=\"kkk9d7dh3k39sjv7\""));
        assert!(!header.contains("j49sk3j29djd") && !header.contains("dh893hdasih9"));
    }

    #[test]
    fn encoding_is_rfc_3986() {
        assert_eq!(encode("a b+c~d*é"), "a%20b%2Bc~d%2A%C3%A9");
    }
}
