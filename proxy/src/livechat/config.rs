//! LiveChat's settings: the REST API v2 address and login, the region, and the `chat_started`
//! webhook's secret and token store bounds.

use std::time::Duration;

use crate::secret::Secret;
use crate::settings::{err, number, ConfigError, RawConfig};
use crate::urls::base_url;

pub const DEFAULT_LIVECHAT_API_URL: &str = "https://api.livechatinc.com";
/// LiveChat chats rarely outlive a working day; LivePerson keeps sessions 6 hours.
pub const DEFAULT_WEBHOOK_TTL_SECS: u64 = 12 * 3600;
pub const DEFAULT_WEBHOOK_CAPACITY: u64 = 100_000;

#[derive(Clone, Debug)]
pub struct LiveChatConfig {
    pub api_url: String,
    pub login: String,
    pub api_key: Secret,
    pub region: Option<String>,
    pub webhook_secret: Option<Secret>,
    pub webhook_ttl: Duration,
    pub webhook_capacity: u64,
}

impl LiveChatConfig {
    /// LiveChat's settings, or `None` when none are given; an incomplete set is an error.
    pub fn from_raw(raw: &RawConfig) -> Result<Option<LiveChatConfig>, ConfigError> {
        let get = |env: &str| raw.value(env);
        let login = get("LIVECHAT_LOGIN");
        let api_key = get("LIVECHAT_API_KEY");
        let (login, api_key) = match (login, api_key) {
            (Some(l), Some(k)) => (l, k),
            (None, None) => {
                for k in ["LIVECHAT_REGION", "LIVECHAT_WEBHOOK_SECRET"] {
                    if get(k).is_some() {
                        return Err(err(
                            "LIVECHAT_LOGIN",
                            format!("is required when {k} is given"),
                        ));
                    }
                }
                return Ok(None);
            }
            (Some(_), None) => {
                return Err(err("LIVECHAT_API_KEY", "is required with LIVECHAT_LOGIN"))
            }
            (None, Some(_)) => {
                return Err(err("LIVECHAT_LOGIN", "is required with LIVECHAT_API_KEY"))
            }
        };
        if login.contains(':') {
            return Err(err("LIVECHAT_LOGIN", "cannot contain ':' (HTTP Basic)"));
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
        Ok(Some(LiveChatConfig {
            api_url,
            login: login.to_owned(),
            api_key: Secret::new(api_key),
            region,
            webhook_secret,
            webhook_ttl: Duration::from_secs(webhook_ttl_secs),
            webhook_capacity,
        }))
    }
}
