//! LivePerson's settings: the account, where its API is (a fixed domain, or the Domain API), and
//! the credentials (an OAuth 1.0 key or a bearer token).

use crate::secret::Secret;
use crate::settings::{err, ConfigError, RawConfig};
use crate::urls::base_url;

pub const DEFAULT_DOMAIN_API_URL: &str = "https://api.liveperson.net";

/// LivePerson's credentials: OAuth 1.0 (deprecated by LivePerson in 2026) or a bearer token.
#[derive(Clone, Debug)]
pub enum LivePersonAuth {
    OAuth1 {
        consumer_key: Secret,
        consumer_secret: Secret,
        access_token: Secret,
        token_secret: Secret,
    },
    Bearer(Secret),
}

#[derive(Clone, Debug)]
pub struct LivePersonConfig {
    pub account_id: String,
    /// The account's base URL (`https://lo.v.liveperson.net`), when configured; found through
    /// the Domain API otherwise.
    pub domain: Option<String>,
    pub domain_api_url: String,
    pub auth: LivePersonAuth,
}

impl LivePersonConfig {
    /// LivePerson's settings, or `None` when none are given; an incomplete set is an error.
    pub fn from_raw(raw: &RawConfig) -> Result<Option<LivePersonConfig>, ConfigError> {
        let get = |env: &str| raw.value(env);
        let oauth_keys = [
            "LIVEPERSON_CONSUMER_KEY",
            "LIVEPERSON_CONSUMER_SECRET",
            "LIVEPERSON_ACCESS_TOKEN",
            "LIVEPERSON_TOKEN_SECRET",
        ];
        let any_set = oauth_keys
            .iter()
            .chain(&["LIVEPERSON_BEARER_TOKEN", "LIVEPERSON_DOMAIN"])
            .any(|k| get(k).is_some());
        let Some(account_id) = get("LIVEPERSON_ACCOUNT_ID") else {
            if any_set {
                return Err(err(
                    "LIVEPERSON_ACCOUNT_ID",
                    "is required when other LIVEPERSON_ settings are given",
                ));
            }
            return Ok(None);
        };
        if visitor_sidebar_contract::check_id(account_id).is_err() {
            return Err(err(
                "LIVEPERSON_ACCOUNT_ID",
                "may contain only letters, digits, '.', '_', '-' and '~'",
            ));
        }
        let auth = if let Some(token) = get("LIVEPERSON_BEARER_TOKEN") {
            LivePersonAuth::Bearer(Secret::new(token))
        } else {
            let values: Vec<Option<&str>> = oauth_keys.iter().map(|k| get(k)).collect();
            if let Some(missing) = oauth_keys.iter().zip(&values).find(|(_, v)| v.is_none()) {
                return Err(err(
                    missing.0,
                    "is required for OAuth 1.0 (or set LIVEPERSON_BEARER_TOKEN instead)",
                ));
            }
            let v = |i: usize| Secret::new(values[i].unwrap_or_default());
            LivePersonAuth::OAuth1 {
                consumer_key: v(0),
                consumer_secret: v(1),
                access_token: v(2),
                token_secret: v(3),
            }
        };
        let domain = get("LIVEPERSON_DOMAIN")
            .map(|d| base_url(d).map_err(|m| err("LIVEPERSON_DOMAIN", m)))
            .transpose()?;
        let domain_api_url =
            base_url(get("LIVEPERSON_DOMAIN_API_URL").unwrap_or(DEFAULT_DOMAIN_API_URL))
                .map_err(|m| err("LIVEPERSON_DOMAIN_API_URL", m))?;
        Ok(Some(LivePersonConfig {
            account_id: account_id.to_owned(),
            domain,
            domain_api_url,
            auth,
        }))
    }
}
