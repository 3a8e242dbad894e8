//! LiveChat's settings: the API address, the REST API v2 login (visitors, custom details), the
//! Agent Chat API v3 login (customers, with a Personal Access Token), the region, and the
//! `chat_started` webhook's secret and token store bounds.

use std::time::Duration;

use crate::secret::Secret;
use crate::settings::{err, number, ConfigError, RawConfig};
use crate::store::config::TokenBounds;
use crate::urls::base_url;

pub const DEFAULT_LIVECHAT_API_URL: &str = "https://api.livechatinc.com";
/// LiveChat chats rarely outlive a working day; LivePerson keeps sessions 6 hours.
pub const DEFAULT_WEBHOOK_TTL_SECS: u64 = 12 * 3600;
pub const DEFAULT_WEBHOOK_CAPACITY: u64 = 100_000;

/// An HTTP Basic login: the user part and its secret.
#[derive(Clone, Debug)]
pub struct BasicLogin {
    pub user: String,
    pub secret: Secret,
}

#[derive(Clone, Debug)]
pub struct LiveChatConfig {
    /// The base of both API versions (`https://api.livechatinc.com`).
    pub api_url: String,
    /// REST API v2 (the visitor list, custom details): `LIVECHAT_LOGIN` + `LIVECHAT_API_KEY`.
    pub v2: Option<BasicLogin>,
    /// Agent Chat API v3.6 (customers): `LIVECHAT_ACCOUNT_ID` + `LIVECHAT_PAT`.
    pub v3: Option<BasicLogin>,
    pub region: Option<String>,
    /// `None` without `LIVECHAT_WEBHOOK_SECRET`: no webhook, and so no chat tokens for details.
    pub webhook: Option<WebhookConfig>,
}

/// The `chat_started` webhook: the secret in its URL and the bounds of the tokens it delivers.
#[derive(Clone, Debug)]
pub struct WebhookConfig {
    pub secret: Secret,
    /// How many tokens the store keeps, and for how long (`LIVECHAT_WEBHOOK_CAPACITY`,
    /// `LIVECHAT_WEBHOOK_TTL_SECS`).
    pub tokens: TokenBounds,
}

impl LiveChatConfig {
    /// LiveChat's settings, or `None` when none are given; an incomplete set is an error.
    pub fn from_raw(raw: &RawConfig) -> Result<Option<LiveChatConfig>, ConfigError> {
        let get = |env: &str| raw.value(env);
        let v2 = pair(raw, "LIVECHAT_LOGIN", "LIVECHAT_API_KEY")?;
        let v3 = pair(raw, "LIVECHAT_ACCOUNT_ID", "LIVECHAT_PAT")?;
        if v2.is_none() && v3.is_none() {
            for k in [
                "LIVECHAT_REGION",
                "LIVECHAT_WEBHOOK_SECRET",
                "LIVECHAT_API_URL",
            ] {
                if get(k).is_some() {
                    return Err(err(
                        "LIVECHAT_LOGIN",
                        format!("(or LIVECHAT_ACCOUNT_ID) is required when {k} is given"),
                    ));
                }
            }
            return Ok(None);
        }
        if v2.is_none() && get("LIVECHAT_WEBHOOK_SECRET").is_some() {
            return Err(err(
                "LIVECHAT_LOGIN",
                "is required with LIVECHAT_WEBHOOK_SECRET: custom details are sent through the REST API v2",
            ));
        }
        let api_url = base_url(get("LIVECHAT_API_URL").unwrap_or(DEFAULT_LIVECHAT_API_URL))
            .map_err(|m| err("LIVECHAT_API_URL", m))?;
        let region = get("LIVECHAT_REGION").map(str::to_owned);
        if region
            .as_deref()
            .is_some_and(|r| !r.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
        {
            return Err(err(
                "LIVECHAT_REGION",
                "may contain only letters, digits and '-'",
            ));
        }
        let webhook_secret = match get("LIVECHAT_WEBHOOK_SECRET") {
            Some(s) if s.len() < 16 => {
                return Err(err(
                    "LIVECHAT_WEBHOOK_SECRET",
                    "must be at least 16 characters",
                ))
            }
            Some(s)
                if !s
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b)) =>
            {
                return Err(err(
                    "LIVECHAT_WEBHOOK_SECRET",
                    "may contain only letters, digits, '-', '.', '_' and '~' (it goes in a URL)",
                ))
            }
            other => other.map(Secret::new),
        };
        let webhook_ttl_secs = number(
            get("LIVECHAT_WEBHOOK_TTL_SECS"),
            "LIVECHAT_WEBHOOK_TTL_SECS",
            DEFAULT_WEBHOOK_TTL_SECS,
        )?;
        let webhook_capacity = number(
            get("LIVECHAT_WEBHOOK_CAPACITY"),
            "LIVECHAT_WEBHOOK_CAPACITY",
            DEFAULT_WEBHOOK_CAPACITY,
        )?;
        if webhook_ttl_secs == 0 || webhook_capacity == 0 {
            let key = if webhook_ttl_secs == 0 {
                "LIVECHAT_WEBHOOK_TTL_SECS"
            } else {
                "LIVECHAT_WEBHOOK_CAPACITY"
            };
            return Err(err(key, "must be more than 0"));
        }
        let tokens = TokenBounds {
            ttl: Duration::from_secs(webhook_ttl_secs),
            capacity: webhook_capacity,
        };
        Ok(Some(LiveChatConfig {
            api_url,
            v2,
            v3,
            region,
            webhook: webhook_secret.map(|secret| WebhookConfig { secret, tokens }),
        }))
    }
}

/// A login and its secret, both or neither: `None` when neither is set.
fn pair(
    raw: &RawConfig,
    user_key: &str,
    secret_key: &str,
) -> Result<Option<BasicLogin>, ConfigError> {
    match (raw.value(user_key), raw.value(secret_key)) {
        (None, None) => Ok(None),
        (Some(_), None) => Err(err(secret_key, format!("is required with {user_key}"))),
        (None, Some(_)) => Err(err(user_key, format!("is required with {secret_key}"))),
        (Some(user), Some(_)) if user.contains(':') => {
            Err(err(user_key, "cannot contain ':' (HTTP Basic)"))
        }
        (Some(user), Some(secret)) => Ok(Some(BasicLogin {
            user: user.to_owned(),
            secret: Secret::new(secret),
        })),
    }
}
