//! Credential checks as the vendors make them: LivePerson's OAuth 1.0 HMAC-SHA1 signature (or a
//! bearer token) and LiveChat's HTTP Basic.
//!
//! The OAuth signature is recomputed by code of its own, not the proxy's signer, so a proxy
//! request the simulator accepts was signed right by two independent implementations (and the
//! tests check this one against RFC 5849's example and against the `oauth1-request` crate).

use std::collections::{HashSet, VecDeque};

use axum::http::{header, HeaderMap, Uri};
use base64::Engine;
use percent_encoding::percent_decode_str;

use crate::{Shared, SimCredentials};

/// How far an `oauth_timestamp` may be from the simulator's clock, in seconds.
const MAX_CLOCK_SKEW_SECS: u64 = 300;
/// How many recent nonces are remembered to refuse replays.
const NONCE_LOG_LEN: usize = 10_000;

/// Recently seen `oauth_nonce` values, bounded, to refuse replayed requests.
#[derive(Default)]
pub(crate) struct NonceLog {
    seen: HashSet<String>,
    order: VecDeque<String>,
}

impl NonceLog {
    /// Records the nonce; false when it was seen already.
    fn record(&mut self, nonce: &str) -> bool {
        if !self.seen.insert(nonce.to_owned()) {
            return false;
        }
        self.order.push_back(nonce.to_owned());
        if self.order.len() > NONCE_LOG_LEN {
            if let Some(old) = self.order.pop_front() {
                self.seen.remove(&old);
            }
        }
        true
    }
}

/// Why LivePerson credentials were refused (logged by the simulator, never sent).
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum AuthFailure {
    Missing,
    WrongBearer,
    Malformed(&'static str),
    WrongKey,
    StaleTimestamp,
    ReplayedNonce,
    BadSignature,
}

/// Checks a LivePerson request's `Authorization`: `Bearer <token>` or an OAuth 1.0 signature.
pub(crate) fn check_liveperson(
    shared: &Shared,
    method: &str,
    uri: &Uri,
    headers: &HeaderMap,
) -> Result<(), AuthFailure> {
    let creds = &shared.credentials;
    let value = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .ok_or(AuthFailure::Missing)?;
    if let Some(token) = value.strip_prefix("Bearer ") {
        return if token == creds.lp_bearer_token {
            Ok(())
        } else {
            Err(AuthFailure::WrongBearer)
        };
    }
    let params = value
        .strip_prefix("OAuth ")
        .ok_or(AuthFailure::Malformed("not OAuth or Bearer"))
        .map(parse_oauth_header)?;
    let get = |name: &str| {
        params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let signature = get("oauth_signature").ok_or(AuthFailure::Malformed("no signature"))?;
    if get("oauth_signature_method") != Some("HMAC-SHA1") {
        return Err(AuthFailure::Malformed("signature method is not HMAC-SHA1"));
    }
    if get("oauth_consumer_key") != Some(creds.lp_consumer_key.as_str())
        || get("oauth_token") != Some(creds.lp_access_token.as_str())
    {
        return Err(AuthFailure::WrongKey);
    }
    let version = get("oauth_version");
    if version.is_some_and(|v| v != "1.0") {
        return Err(AuthFailure::Malformed("oauth_version is not 1.0"));
    }
    let timestamp: u64 = get("oauth_timestamp")
        .and_then(|t| t.parse().ok())
        .ok_or(AuthFailure::Malformed("bad timestamp"))?;
    let now = crate::faults::now_ms() / 1000;
    if timestamp.abs_diff(now) > MAX_CLOCK_SKEW_SECS {
        return Err(AuthFailure::StaleTimestamp);
    }
    let nonce = get("oauth_nonce")
        .filter(|n| !n.is_empty())
        .ok_or(AuthFailure::Malformed("no nonce"))?;

    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .ok_or(AuthFailure::Malformed("no Host header"))?
        .to_ascii_lowercase();
    let expected = expected_signature(
        creds,
        method,
        &format!("http://{host}{}", uri.path()),
        uri.query().unwrap_or(""),
        nonce,
        timestamp,
        version.is_some(),
    )
    .ok_or(AuthFailure::Malformed("bad timestamp"))?;
    if expected != signature {
        return Err(AuthFailure::BadSignature);
    }
    // Only a correctly signed request uses up its nonce, so a forged one cannot burn it.
    if !shared.nonces.lock().unwrap().record(nonce) {
        return Err(AuthFailure::ReplayedNonce);
    }
    Ok(())
}

/// The `oauth_*` pairs of an `Authorization: OAuth ...` header, percent-decoded.
fn parse_oauth_header(params: &str) -> Vec<(String, String)> {
    params
        .split(',')
        .filter_map(|part| {
            let (k, v) = part.trim().split_once('=')?;
            let v = v.trim().trim_matches('"');
            Some((
                percent_decode_str(k.trim())
                    .decode_utf8_lossy()
                    .into_owned(),
                percent_decode_str(v).decode_utf8_lossy().into_owned(),
            ))
        })
        .collect()
}

/// The HMAC-SHA1 signature of this request per RFC 5849 section 3.4, computed here from scratch.
///
/// This is deliberately not the proxy's signer (nor shared with it). The `oauth1-request` crate
/// was the first choice, but it orders parameters by their raw names, not their encoded ones as
/// section 3.4.1.3.2 says (`c@` vs `c2` in the RFC's own example), so it only serves as a
/// cross-check in the tests below.
fn expected_signature(
    creds: &SimCredentials,
    method: &str,
    base_uri: &str,
    query: &str,
    nonce: &str,
    timestamp: u64,
    with_version: bool,
) -> Option<String> {
    use hmac::Mac;
    let timestamp = timestamp.to_string();
    let mut params: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
        .map(|(k, v)| (rfc3986(&k), rfc3986(&v)))
        .collect();
    let mut oauth = vec![
        ("oauth_consumer_key", creds.lp_consumer_key.as_str()),
        ("oauth_nonce", nonce),
        ("oauth_signature_method", "HMAC-SHA1"),
        ("oauth_timestamp", timestamp.as_str()),
        ("oauth_token", creds.lp_access_token.as_str()),
    ];
    if with_version {
        oauth.push(("oauth_version", "1.0"));
    }
    params.extend(oauth.into_iter().map(|(k, v)| (rfc3986(k), rfc3986(v))));
    params.sort();
    let normalized = params
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&");
    let base_string = format!(
        "{}&{}&{}",
        method.to_ascii_uppercase(),
        rfc3986(base_uri),
        rfc3986(&normalized)
    );
    let key = format!(
        "{}&{}",
        rfc3986(&creds.lp_consumer_secret),
        rfc3986(&creds.lp_token_secret)
    );
    let mut mac = hmac::Hmac::<sha1::Sha1>::new_from_slice(key.as_bytes()).ok()?;
    mac.update(base_string.as_bytes());
    Some(base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes()))
}

/// RFC 3986 percent-encoding: everything but `ALPHA / DIGIT / "-" / "." / "_" / "~"`.
fn rfc3986(text: &str) -> String {
    const RESERVED: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'.')
        .remove(b'_')
        .remove(b'~');
    percent_encoding::utf8_percent_encode(text, RESERVED).to_string()
}

/// Checks LiveChat's HTTP Basic credentials (`login:api_key`) and `X-Region` when configured.
pub(crate) fn check_livechat(creds: &SimCredentials, headers: &HeaderMap) -> bool {
    check_basic(
        &format!("{}:{}", creds.lc_login, creds.lc_api_key),
        creds,
        headers,
    )
}

/// The Agent Chat API v3's check: HTTP Basic `account_id:personal_access_token` (and
/// `X-Region` when the simulator has a region).
pub(crate) fn check_livechat_v3(creds: &SimCredentials, headers: &HeaderMap) -> bool {
    check_basic(
        &format!("{}:{}", creds.lc_account_id, creds.lc_pat),
        creds,
        headers,
    )
}

fn check_basic(expected: &str, creds: &SimCredentials, headers: &HeaderMap) -> bool {
    let Some(encoded) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
    else {
        return false;
    };
    let Ok(decoded) = base64::engine::general_purpose::STANDARD.decode(encoded.trim()) else {
        return false;
    };
    if decoded != expected.as_bytes() {
        return false;
    }
    match &creds.lc_region {
        Some(region) => headers
            .get("x-region")
            .is_some_and(|v| v.as_bytes() == region.as_bytes()),
        None => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nonce_log_refuses_replays_and_stays_bounded() {
        let mut log = NonceLog::default();
        assert!(log.record("a"));
        assert!(!log.record("a"));
        for i in 0..NONCE_LOG_LEN + 5 {
            log.record(&i.to_string());
        }
        assert!(log.seen.len() <= NONCE_LOG_LEN);
        assert!(log.record("a"), "the oldest nonce was forgotten");
    }

    /// RFC 5849 section 3.1's example request (its form body `c2&a3=2+q` appended to the query,
    /// since both are signed alike) with the secrets `j49sk3j29djd` and `dh893hdasih9`: the
    /// HMAC-SHA1 of section 3.4.1.1's base string under the key `j49sk3j29djd&dh893hdasih9`.
    #[test]
    fn verifier_reproduces_the_rfc_5849_example() {
        let creds = SimCredentials {
            lp_consumer_key: "9djdj82h48djs9d2".into(),
            lp_consumer_secret: "j49sk3j29djd".into(),
            lp_access_token: "kkk9d7dh3k39sjv7".into(),
            lp_token_secret: "dh893hdasih9".into(),
            ..SimCredentials::generate()
        };
        let signature = expected_signature(
            &creds,
            "POST",
            "http://example.com/request",
            "b5=%3D%253D&a3=a&c%40=&a2=r%20b&c2&a3=2+q",
            "7d8f3e4a",
            137131201,
            false,
        );
        assert_eq!(signature.as_deref(), Some("r6/TJjbCOr97/+UU0NsvSne7s5g="));
    }

    /// The `oauth1-request` crate agrees on requests whose parameter names sort the same raw and
    /// encoded, which LivePerson's (`v`, `filter`, `sid`) do.
    #[test]
    fn verifier_agrees_with_the_oauth1_request_crate() {
        let creds = SimCredentials::generate();
        let pairs = [("v", "1"), ("filter", "agent"), ("sid", "123.567 x/y")];
        let list = oauth1_request::ParameterList::new(pairs.to_vec());
        let header = oauth1_request::Builder::<_, &str, &str>::new(
            oauth1_request::Credentials::new(
                creds.lp_consumer_key.as_str(),
                creds.lp_consumer_secret.as_str(),
            ),
            oauth1_request::HmacSha1::new(),
        )
        .token(oauth1_request::Credentials::new(
            creds.lp_access_token.as_str(),
            creds.lp_token_secret.as_str(),
        ))
        .nonce("abc123")
        .timestamp(std::num::NonZeroU64::new(1_700_000_000))
        .version(true)
        .authorize("GET", "http://127.0.0.1:9001/api/account/1/x", &list);
        let theirs = parse_oauth_header(header.strip_prefix("OAuth ").unwrap())
            .into_iter()
            .find(|(k, _)| k == "oauth_signature")
            .map(|(_, v)| v);
        let query = "v=1&filter=agent&sid=123.567%20x%2Fy";
        let ours = expected_signature(
            &creds,
            "GET",
            "http://127.0.0.1:9001/api/account/1/x",
            query,
            "abc123",
            1_700_000_000,
            true,
        );
        assert_eq!(ours, theirs);
    }

    #[test]
    fn oauth_header_values_are_percent_decoded() {
        let params = parse_oauth_header(
            r#"realm="Example", oauth_signature="bYT5CMsGcbgUdFHObYMEfcx6bsw%3D""#,
        );
        assert_eq!(
            params[1],
            (
                "oauth_signature".into(),
                "bYT5CMsGcbgUdFHObYMEfcx6bsw=".into()
            )
        );
    }
}
