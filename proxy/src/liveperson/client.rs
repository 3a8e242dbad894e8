//! Calling LivePerson: finding the account's domain (configured, or through the Domain API and
//! cached), signing requests (OAuth 1.0 or a bearer token), fetching a visit's current state, and
//! mapping the documented error codes to the proxy's own.
//!
//! The Domain API's answer decides where the signed calls (and a bearer token) go, so it is
//! pinned ([`pinned_domain`]): an https host under `liveperson.net`, on the default port. The
//! one exception is a Domain API on a loopback address (the simulator, in the demo and the
//! tests), whose answer may be that same loopback origin and nothing else. A fixed
//! `LIVEPERSON_DOMAIN` is the operator's explicit choice and is not pinned. Anything else is an
//! upstream error, logged, and never called.

use std::sync::Arc;
use std::time::Duration;

use axum::http::{header, HeaderValue};
use reqwest::Url;
use visitor_sidebar_contract::ErrorCode;

use super::config::{LivePersonAuth, LivePersonConfig};
use super::{oauth1, LivePerson};
use crate::cache::Cached;
use crate::error::AppError;
use crate::upstream::{common_failure, require_json, Answer, Call};
use crate::urls::base_url;

const WHO: &str = "LivePerson";
/// The domain every real LivePerson account's API is under.
const LIVEPERSON_DOMAIN: &str = "liveperson.net";

/// The account's base URL from the Domain API's `baseURI`, if it may be called: an https host
/// under `liveperson.net` on the default port, or, when the Domain API itself is on loopback
/// (a simulator), exactly that loopback origin.
pub fn pinned_domain(base_uri: &str, domain_api_url: &str) -> Result<String, String> {
    let url = base_url(base_uri)?;
    let parsed = Url::parse(&url).map_err(|e| e.to_string())?;
    let host = parsed.host_str().unwrap_or("").to_ascii_lowercase();
    let under_liveperson = host == LIVEPERSON_DOMAIN
        || host
            .strip_suffix(LIVEPERSON_DOMAIN)
            .is_some_and(|prefix| prefix.ends_with('.'));
    if parsed.scheme() == "https" && parsed.port().is_none() && under_liveperson {
        return Ok(url);
    }
    let api = Url::parse(domain_api_url).map_err(|e| e.to_string())?;
    let api_on_loopback = api.host_str().is_some_and(crate::urls::is_loopback_host);
    if api_on_loopback && api.origin() == parsed.origin() {
        return Ok(url);
    }
    Err(format!(
        "'{base_uri}' is not an https host under {LIVEPERSON_DOMAIN}"
    ))
}
/// A visit-state call, counted with LivePerson's internal code.
const VISIT: Call = Call::new(WHO, "liveperson", "visit").with_internal_code(internal_code);
const DOMAIN_API: Call = Call::new("LivePerson's Domain API", "liveperson", "domain_api")
    .with_internal_code(internal_code);
/// How long a domain found through the Domain API is trusted before asking again.
pub const DOMAIN_TTL: Duration = Duration::from_secs(3600);

impl LivePerson {
    /// The visit's current state as LivePerson sent it, from the cache or one shared upstream call.
    pub async fn visit(&self, visitor_id: &str, sid: &str) -> Result<Arc<Cached>, AppError> {
        let lp = self
            .0
            .config
            .as_ref()
            .ok_or_else(|| AppError::not_configured("LivePerson"))?;
        let key = format!("lp:visit:{visitor_id}:{sid}");
        self.0
            .cache
            .get_or_load(key, async move {
                let base = self.domain(lp).await?;
                let mut url = Url::parse(&base).map_err(|e| AppError::internal(e.to_string()))?;
                url.path_segments_mut()
                    .map_err(|()| AppError::internal("LivePerson base URL cannot have a path"))?
                    .pop_if_empty()
                    .extend([
                        "api",
                        "account",
                        &lp.account_id,
                        "monitoring",
                        "visitors",
                        visitor_id,
                        "visits",
                        "current",
                        "state",
                    ]);
                url.query_pairs_mut()
                    .append_pair("v", "1")
                    .append_pair("filter", "agent")
                    .append_pair("sid", sid);
                let answer = self.get(lp, url, VISIT).await?;
                if answer.status.is_success() {
                    require_json(&answer, WHO)?;
                    Ok(answer.body)
                } else {
                    Err(failure(&answer))
                }
            })
            .await
    }

    /// The account's base URL: configured, or asked of the Domain API once per [`DOMAIN_TTL`]
    /// (concurrent first requests share that one call).
    async fn domain(&self, lp: &LivePersonConfig) -> Result<String, AppError> {
        if let Some(domain) = &lp.domain {
            return Ok(domain.clone());
        }
        let upstream = &self.0.upstream;
        self.0
            .domain
            .try_get_with((), async {
                let mut url = Url::parse(&lp.domain_api_url)
                    .map_err(|e| AppError::internal(e.to_string()))?;
                url.path_segments_mut()
                    .map_err(|()| AppError::internal("Domain API URL cannot have a path"))?
                    .pop_if_empty()
                    .extend([
                        "api",
                        "account",
                        &lp.account_id,
                        "service",
                        "smt",
                        "baseURI.json",
                    ]);
                url.query_pairs_mut().append_pair("version", "1.0");
                let answer = upstream
                    .send(
                        upstream
                            .client
                            .get(url)
                            .header(header::ACCEPT, "application/json"),
                        DOMAIN_API,
                    )
                    .await?;
                if !answer.status.is_success() {
                    return Err(failure(&answer));
                }
                let json = require_json(&answer, "LivePerson's Domain API")?;
                let host = json["baseURI"].as_str().unwrap_or("");
                pinned_domain(host, &lp.domain_api_url).map_err(|why| {
                    AppError::new(
                        ErrorCode::UpstreamBadResponse,
                        "LivePerson's Domain API did not give a usable address for the account.",
                    )
                    .detail(format!("baseURI refused: {why}"))
                })
            })
            .await
            .map_err(|e: Arc<AppError>| (*e).clone())
    }

    async fn get(&self, lp: &LivePersonConfig, url: Url, call: Call) -> Result<Answer, AppError> {
        let mut auth = HeaderValue::from_str(&authorization(lp, "GET", &url))
            .map_err(|_| AppError::internal("LivePerson credentials are not valid header text"))?;
        auth.set_sensitive(true);
        let request = self
            .0
            .upstream
            .client
            .get(url)
            .header(header::AUTHORIZATION, auth)
            .header(header::ACCEPT, "application/json");
        self.0.upstream.send(request, call).await
    }
}

impl LivePerson {
    /// Readiness's cheap probe: does LivePerson answer (any status below 500)? The Domain API
    /// when the domain is found through it (unsigned, and what every visit needs first), else a
    /// plain GET of the configured domain's root. Bounded by the upstream timeout; `None` when
    /// LivePerson is not configured.
    pub async fn probe(&self) -> Option<Result<(), String>> {
        let lp = self.0.config.as_ref()?;
        let url = match &lp.domain {
            Some(domain) => domain.clone(),
            None => format!(
                "{}/api/account/{}/service/smt/baseURI.json?version=1.0",
                lp.domain_api_url.trim_end_matches('/'),
                lp.account_id
            ),
        };
        let upstream = &self.0.upstream;
        let answer = upstream
            .send(
                upstream
                    .client
                    .get(url)
                    .header(header::ACCEPT, "application/json"),
                Call::new(WHO, "liveperson", "probe").with_internal_code(internal_code),
            )
            .await;
        Some(crate::upstream::probe_verdict(answer))
    }
}

fn authorization(lp: &LivePersonConfig, method: &str, url: &Url) -> String {
    match &lp.auth {
        LivePersonAuth::Bearer(token) => format!("Bearer {}", token.expose()),
        LivePersonAuth::OAuth1 {
            consumer_key,
            consumer_secret,
            access_token,
            token_secret,
        } => {
            let nonce = oauth1::new_nonce();
            let timestamp = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs())
                .unwrap_or(0);
            oauth1::authorization(
                method,
                url,
                &oauth1::Credentials {
                    consumer_key: consumer_key.expose(),
                    consumer_secret: consumer_secret.expose(),
                    token: access_token.expose(),
                    token_secret: token_secret.expose(),
                },
                &oauth1::Nonce {
                    nonce: &nonce,
                    timestamp,
                    with_version: true,
                },
            )
        }
    }
}

/// LivePerson's internal error code, read defensively: the body's shape is not documented, so
/// `internalCode` (or `internal_code`, or `code`) at the top or under `error`, as a number or a
/// numeric string.
fn internal_code(body: &[u8]) -> Option<i64> {
    let json: serde_json::Value = serde_json::from_slice(body).ok()?;
    let read = |v: &serde_json::Value| -> Option<i64> {
        ["internalCode", "internal_code", "code"]
            .iter()
            .find_map(|k| match &v[*k] {
                serde_json::Value::Number(n) => n.as_i64(),
                serde_json::Value::String(s) => s.trim().parse().ok(),
                _ => None,
            })
    };
    read(&json).or_else(|| read(&json["error"]))
}

/// The proxy's error for a LivePerson answer that is not a success.
fn failure(answer: &Answer) -> AppError {
    if let Some(e) = common_failure(answer, WHO) {
        return e.upstream(answer.status.as_u16(), internal_code(&answer.body));
    }
    let status = answer.status.as_u16();
    let code = internal_code(&answer.body);
    let e = match (status, code) {
        (400, _) => AppError::new(ErrorCode::LivepersonBadRequest,
            "LivePerson refused the request as malformed. Check the visitor's session ID.",
        ),
        (401 | 403, _) => AppError::new(ErrorCode::LivepersonNoPermission,
            "The proxy's LivePerson key is not allowed to read visit information. Ask an administrator to check its permissions.",
        ),
        (404, Some(6)) => AppError::new(ErrorCode::LivepersonInvalidAccount,
            "LivePerson does not know the account the proxy is configured for. Ask an administrator to check the account ID.",
        ),
        (404, Some(37)) => AppError::new(ErrorCode::LivepersonInvalidVisitor,
            "LivePerson does not know this visitor.",
        ),
        (404, Some(39)) => AppError::new(ErrorCode::LivepersonSessionExpired,
            "The visitor's session is unknown or expired. Ask the visitor to reload the page, or open their newest chat.",
        ),
        (404, _) => AppError::new(ErrorCode::LivepersonNotFound,
            "LivePerson has no current visit for this visitor; sessions are kept for at most 6 hours.",
        ),
        _ => AppError::new(ErrorCode::UpstreamError,
            format!("LivePerson answered with an unexpected status {status}."),
        ),
    };
    e.upstream(status, code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_codes_are_read_defensively() {
        assert_eq!(internal_code(br#"{"internalCode":39}"#), Some(39));
        assert_eq!(internal_code(br#"{"internal_code":"37"}"#), Some(37));
        assert_eq!(internal_code(br#"{"error":{"code":6}}"#), Some(6));
        assert_eq!(internal_code(b"<html>"), None);
        assert_eq!(internal_code(br#"{"message":"x"}"#), None);
    }
}
