//! Raw settings: every configuration key (its TOML path and environment variable), the TOML file
//! with the environment on top, and the helpers that check one value and name the key when it
//! is wrong. `config` and each provider's `config` module turn them into checked settings.

use std::collections::BTreeMap;
use std::path::Path;

/// One configuration key: its TOML path, its environment variable, and whether it is a secret
/// (secrets are better kept out of files; a warning says so).
struct Key {
    toml: &'static str,
    env: &'static str,
    secret: bool,
}

const fn key(toml: &'static str, env: &'static str, secret: bool) -> Key {
    Key { toml, env, secret }
}

/// Every key, in README order.
const KEYS: &[Key] = &[
    key("listen", "VS_LISTEN", false),
    key("allowed_origins", "VS_ALLOWED_ORIGINS", false),
    key("access_tokens", "VS_ACCESS_TOKENS", true),
    key("jwt_secret", "VS_JWT_SECRET", true),
    key("allow_anonymous", "VS_ALLOW_ANONYMOUS", false),
    key("jwt_audience", "VS_JWT_AUDIENCE", false),
    key("jwt_issuer", "VS_JWT_ISSUER", false),
    key("jwks_url", "VS_JWKS_URL", false),
    key("jwt_max_lifetime_secs", "VS_JWT_MAX_LIFETIME_SECS", false),
    key("public_url", "VS_PUBLIC_URL", false),
    key("session_secret", "VS_SESSION_SECRET", true),
    key("session_ttl_secs", "VS_SESSION_TTL_SECS", false),
    key("oidc.issuer", "VS_OIDC_ISSUER", false),
    key("oidc.client_id", "VS_OIDC_CLIENT_ID", false),
    key("oidc.client_secret", "VS_OIDC_CLIENT_SECRET", true),
    key("cache_ttl_ms", "VS_CACHE_TTL_MS", false),
    key("upstream_timeout_ms", "VS_UPSTREAM_TIMEOUT_MS", false),
    key("static_dir", "VS_STATIC_DIR", false),
    key("frame_ancestors", "VS_FRAME_ANCESTORS", false),
    key("rate_limit_per_sec", "VS_RATE_LIMIT_PER_SEC", false),
    key("rate_limit_burst", "VS_RATE_LIMIT_BURST", false),
    key("max_response_bytes", "VS_MAX_RESPONSE_BYTES", false),
    key("data_dir", "VS_DATA_DIR", false),
    // Secret: the URL may carry Redis's password.
    key("redis_url", "VS_REDIS_URL", true),
    key("redis_timeout_ms", "VS_REDIS_TIMEOUT_MS", false),
    key("redis_ca_file", "VS_REDIS_CA_FILE", false),
    key("metrics_listen", "VS_METRICS_LISTEN", false),
    key("metrics_token", "VS_METRICS_TOKEN", true),
    key("trust_request_id", "VS_TRUST_REQUEST_ID", false),
    key("trusted_proxies", "VS_TRUSTED_PROXIES", false),
    key("client_ip_header", "VS_CLIENT_IP_HEADER", false),
    key("log_format", "VS_LOG_FORMAT", false),
    key("drain_secs", "VS_DRAIN_SECS", false),
    key("header_timeout_ms", "VS_HEADER_TIMEOUT_MS", false),
    key("idle_timeout_ms", "VS_IDLE_TIMEOUT_MS", false),
    key("request_timeout_ms", "VS_REQUEST_TIMEOUT_MS", false),
    key("max_connections", "VS_MAX_CONNECTIONS", false),
    key("liveperson.account_id", "LIVEPERSON_ACCOUNT_ID", false),
    key("liveperson.domain", "LIVEPERSON_DOMAIN", false),
    key(
        "liveperson.domain_api_url",
        "LIVEPERSON_DOMAIN_API_URL",
        false,
    ),
    key("liveperson.consumer_key", "LIVEPERSON_CONSUMER_KEY", true),
    key(
        "liveperson.consumer_secret",
        "LIVEPERSON_CONSUMER_SECRET",
        true,
    ),
    key("liveperson.access_token", "LIVEPERSON_ACCESS_TOKEN", true),
    key("liveperson.token_secret", "LIVEPERSON_TOKEN_SECRET", true),
    key("liveperson.bearer_token", "LIVEPERSON_BEARER_TOKEN", true),
    key("livechat.api_url", "LIVECHAT_API_URL", false),
    key("livechat.login", "LIVECHAT_LOGIN", false),
    key("livechat.api_key", "LIVECHAT_API_KEY", true),
    key("livechat.region", "LIVECHAT_REGION", false),
    key("livechat.account_id", "LIVECHAT_ACCOUNT_ID", false),
    key("livechat.pat", "LIVECHAT_PAT", true),
    key("livechat.webhook_secret", "LIVECHAT_WEBHOOK_SECRET", true),
    key(
        "livechat.webhook_ttl_secs",
        "LIVECHAT_WEBHOOK_TTL_SECS",
        false,
    ),
    key(
        "livechat.webhook_capacity",
        "LIVECHAT_WEBHOOK_CAPACITY",
        false,
    ),
    key("livechat.accounts_url", "LIVECHAT_ACCOUNTS_URL", false),
    key("livechat.client_id", "LIVECHAT_CLIENT_ID", false),
    key(
        "livechat.organization_id",
        "LIVECHAT_ORGANIZATION_ID",
        false,
    ),
];

/// What is wrong with the configuration, naming the key (its environment variable).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("configuration error: {key}: {message}")]
pub struct ConfigError {
    pub key: String,
    pub message: String,
}

/// The error for `key`.
pub fn err(key: &str, message: impl Into<String>) -> ConfigError {
    ConfigError {
        key: key.to_owned(),
        message: message.into(),
    }
}

/// The raw settings, by environment-variable name, before they are checked: the TOML file's
/// values with the environment's on top.
#[derive(Clone, Debug, Default)]
pub struct RawConfig {
    values: BTreeMap<&'static str, String>,
    /// Secrets found in the file, to warn about once logging is up.
    pub secrets_in_file: Vec<&'static str>,
}

impl RawConfig {
    /// Reads the TOML file (if any), then the environment.
    pub fn load(path: Option<&Path>) -> Result<RawConfig, ConfigError> {
        let mut raw = match path {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .map_err(|e| err("--config", format!("cannot read {}: {e}", path.display())))?;
                RawConfig::from_toml(&text)?
            }
            None => RawConfig::default(),
        };
        raw.overlay_env(|name| std::env::var(name).ok());
        Ok(raw)
    }

    /// Parses a TOML document; unknown keys are errors, so typos do not pass silently.
    pub fn from_toml(text: &str) -> Result<RawConfig, ConfigError> {
        let table: toml::Table = text
            .parse()
            .map_err(|e: toml::de::Error| err("--config", e.message().to_owned()))?;
        let mut flat = Vec::new();
        flatten("", &table, &mut flat)?;
        let mut raw = RawConfig::default();
        for (path, value) in flat {
            let key = KEYS
                .iter()
                .find(|k| k.toml == path)
                .ok_or_else(|| err(&path, "unknown configuration key"))?;
            if key.secret {
                raw.secrets_in_file.push(key.env);
            }
            raw.values.insert(key.env, value);
        }
        Ok(raw)
    }

    /// Puts every set variable over the file's values (an empty variable counts as unset).
    pub fn overlay_env(&mut self, get: impl Fn(&str) -> Option<String>) {
        for key in KEYS {
            if let Some(value) = get(key.env).filter(|v| !v.trim().is_empty()) {
                self.values.insert(key.env, value);
            }
        }
    }

    /// Sets a key by its environment-variable name. Unknown names are ignored (and false).
    pub fn set(&mut self, env: &str, value: impl Into<String>) -> bool {
        match KEYS.iter().find(|k| k.env == env) {
            Some(key) => {
                self.values.insert(key.env, value.into());
                true
            }
            None => false,
        }
    }

    pub fn get(&self, env: &str) -> Option<&str> {
        self.values.get(env).map(String::as_str)
    }

    /// The key's value trimmed, with a blank one counting as unset: what the checks read.
    pub fn value(&self, env: &str) -> Option<&str> {
        self.get(env).map(str::trim).filter(|v| !v.is_empty())
    }

    /// Drops every LivePerson and LiveChat key (demo mode brings its own).
    pub fn clear_upstreams(&mut self) {
        self.values
            .retain(|k, _| !k.starts_with("LIVEPERSON_") && !k.starts_with("LIVECHAT_"));
    }
}

#[cfg(test)]
impl RawConfig {
    /// Settings from `(environment variable, value)` pairs, for unit tests; an unknown name
    /// fails the test.
    pub fn from_pairs(pairs: &[(&str, &str)]) -> RawConfig {
        let mut raw = RawConfig::default();
        for (env, value) in pairs {
            assert!(raw.set(env, *value), "{env} is not a configuration key");
        }
        raw
    }
}

fn flatten(
    prefix: &str,
    table: &toml::Table,
    out: &mut Vec<(String, String)>,
) -> Result<(), ConfigError> {
    for (name, value) in table {
        let path = if prefix.is_empty() {
            name.clone()
        } else {
            format!("{prefix}.{name}")
        };
        let text = match value {
            toml::Value::Table(inner) => {
                flatten(&path, inner, out)?;
                continue;
            }
            toml::Value::String(s) => s.clone(),
            toml::Value::Integer(i) => i.to_string(),
            toml::Value::Float(f) => f.to_string(),
            toml::Value::Boolean(b) => b.to_string(),
            toml::Value::Array(items) => items
                .iter()
                .map(|item| match item {
                    toml::Value::String(s) => Ok(s.clone()),
                    _ => Err(err(&path, "arrays may hold only strings")),
                })
                .collect::<Result<Vec<_>, _>>()?
                .join(","),
            toml::Value::Datetime(_) => return Err(err(&path, "dates are not settings")),
        };
        out.push((path, text));
    }
    Ok(())
}

/// A comma-separated list, blanks dropped.
pub fn list(value: Option<&str>) -> Vec<String> {
    value
        .unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// A whole number, or `default` when unset.
pub fn number(value: Option<&str>, key: &str, default: u64) -> Result<u64, ConfigError> {
    match value {
        None => Ok(default),
        Some(v) => v
            .parse()
            .map_err(|_| err(key, format!("'{v}' is not a whole number"))),
    }
}
