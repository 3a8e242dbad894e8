//! `LivePersonClient`: the calls to LivePerson with the proxy's credentials. It signs each
//! request (OAuth 1.0 or a bearer token), finds the account's domain ([`AccountDomain`]), fetches
//! a visit's current state from the Visit Information API, and probes LivePerson for readiness.
//! It caches nothing but the domain: the visit cache is [`super::LivePerson`]'s.

use axum::http::{header, HeaderValue};
use bytes::Bytes;
use reqwest::Url;

use super::config::{LivePersonAuth, LivePersonConfig};
use super::domain::{domain_api_url, AccountDomain};
use super::failures::{failure, internal_code_label, WHO};
use super::oauth1;
use crate::error::AppError;
use crate::metrics::{Operation, Provider};
use crate::upstream::{probe_verdict, require_json, Answer, Call, Upstream};

/// A visit-state call, counted with LivePerson's internal code.
const VISIT: Call =
    Call::new(WHO, Provider::liveperson, Operation::visit).with_internal_code(internal_code_label);
const PROBE: Call =
    Call::new(WHO, Provider::liveperson, Operation::probe).with_internal_code(internal_code_label);

/// LivePerson with the proxy's account and credentials.
pub struct LivePersonClient {
    config: LivePersonConfig,
    upstream: Upstream,
    domain: AccountDomain,
}

impl LivePersonClient {
    pub fn new(config: LivePersonConfig, upstream: Upstream) -> LivePersonClient {
        LivePersonClient {
            config,
            upstream,
            domain: AccountDomain::default(),
        }
    }

    pub fn config(&self) -> &LivePersonConfig {
        &self.config
    }

    /// The visit's current state, as LivePerson sent it (checked to be JSON).
    pub async fn visit(&self, visitor_id: &str, sid: &str) -> Result<Bytes, AppError> {
        let lp = &self.config;
        let base = self.domain.get(lp, &self.upstream).await?;
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
        let answer = self.signed_get(url, VISIT).await?;
        if answer.status.is_success() {
            require_json(&answer, WHO)?;
            Ok(answer.body)
        } else {
            Err(failure(&answer))
        }
    }

    /// Readiness's cheap probe: does LivePerson answer (any status below 500)? The Domain API
    /// when the domain is found through it (unsigned, and what every visit needs first), else a
    /// plain GET of the configured domain's root. Bounded by the upstream timeout.
    pub async fn probe(&self) -> Result<(), String> {
        let url = match &self.config.domain {
            Some(domain) => Url::parse(domain).map_err(|e| e.to_string())?,
            None => domain_api_url(&self.config).map_err(|e| e.body.message.clone())?,
        };
        let request = self
            .upstream
            .client
            .get(url)
            .header(header::ACCEPT, "application/json");
        probe_verdict(self.upstream.send(request, PROBE).await)
    }

    async fn signed_get(&self, url: Url, call: Call) -> Result<Answer, AppError> {
        let mut auth = HeaderValue::from_str(&authorization(&self.config, "GET", &url))
            .map_err(|_| AppError::internal("LivePerson credentials are not valid header text"))?;
        auth.set_sensitive(true);
        let request = self
            .upstream
            .client
            .get(url)
            .header(header::AUTHORIZATION, auth)
            .header(header::ACCEPT, "application/json");
        self.upstream.send(request, call).await
    }
}

/// The `Authorization` header for one request: the bearer token, or a fresh OAuth 1.0 signature.
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
