//! Where the account's API is: `LIVEPERSON_DOMAIN` when configured, else asked of LivePerson's
//! Domain API (`…/service/smt/baseURI.json`) and kept for [`DOMAIN_TTL`].
//!
//! The Domain API's answer decides where the signed calls (and a bearer token) go, so it is
//! pinned ([`pinned_domain`]): an https host under `liveperson.net`, on the default port. The
//! one exception is a Domain API on a loopback address (the simulator, in the demo and the
//! tests), whose answer may be that same loopback origin and nothing else. A fixed
//! `LIVEPERSON_DOMAIN` is the operator's explicit choice and is not pinned. Anything else is an
//! upstream error, logged, and never called.

use std::sync::Arc;
use std::time::Duration;

use axum::http::header;
use reqwest::Url;
use visitor_sidebar_contract::ErrorCode;

use super::config::LivePersonConfig;
use super::failures::{failure, internal_code_label};
use crate::error::AppError;
use crate::metrics::{Operation, Provider};
use crate::upstream::{require_json, Call, Upstream};
use crate::urls::{base_url, is_loopback_host};

/// The domain every real LivePerson account's API is under.
const LIVEPERSON_DOMAIN: &str = "liveperson.net";
/// How long a domain found through the Domain API is trusted before asking again.
pub const DOMAIN_TTL: Duration = Duration::from_secs(3600);
const WHO: &str = "LivePerson's Domain API";
const DOMAIN_API: Call = Call::new(WHO, Provider::liveperson, Operation::domain_api)
    .with_internal_code(internal_code_label);

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
    let api_on_loopback = api.host_str().is_some_and(is_loopback_host);
    if api_on_loopback && api.origin() == parsed.origin() {
        return Ok(url);
    }
    Err(format!(
        "'{base_uri}' is not an https host under {LIVEPERSON_DOMAIN}"
    ))
}

/// The Domain API's URL for the account (unsigned: it answers anyone).
pub fn domain_api_url(config: &LivePersonConfig) -> Result<Url, AppError> {
    let mut url =
        Url::parse(&config.domain_api_url).map_err(|e| AppError::internal(e.to_string()))?;
    url.path_segments_mut()
        .map_err(|()| AppError::internal("Domain API URL cannot have a path"))?
        .pop_if_empty()
        .extend([
            "api",
            "account",
            &config.account_id,
            "service",
            "smt",
            "baseURI.json",
        ]);
    url.query_pairs_mut().append_pair("version", "1.0");
    Ok(url)
}

/// The account's base URL, found once per [`DOMAIN_TTL`] (concurrent first requests share that
/// one call).
pub struct AccountDomain(moka::future::Cache<(), String>);

impl Default for AccountDomain {
    fn default() -> AccountDomain {
        AccountDomain(
            moka::future::Cache::builder()
                .max_capacity(1)
                .time_to_live(DOMAIN_TTL)
                .build(),
        )
    }
}

impl AccountDomain {
    /// Configured, or asked of the Domain API through `upstream` and pinned.
    pub async fn get(
        &self,
        config: &LivePersonConfig,
        upstream: &Upstream,
    ) -> Result<String, AppError> {
        if let Some(domain) = &config.domain {
            return Ok(domain.clone());
        }
        self.0
            .try_get_with((), async {
                let request = upstream
                    .client
                    .get(domain_api_url(config)?)
                    .header(header::ACCEPT, "application/json");
                let answer = upstream.send(request, DOMAIN_API).await?;
                if !answer.status.is_success() {
                    return Err(failure(&answer));
                }
                let json = require_json(&answer, WHO)?;
                let host = json["baseURI"].as_str().unwrap_or("");
                pinned_domain(host, &config.domain_api_url).map_err(|why| {
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
}
