//! Configuration: a TOML file whose every key an environment variable overrides, checked at start
//! so that bad configuration stops the process with one line naming the key and the problem.

use std::collections::BTreeMap;
use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::path::{Path, PathBuf};
use std::time::Duration;

use reqwest::Url;

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
    key("cache_ttl_ms", "VS_CACHE_TTL_MS", false),
    key("upstream_timeout_ms", "VS_UPSTREAM_TIMEOUT_MS", false),
    key("static_dir", "VS_STATIC_DIR", false),
    key("rate_limit_per_sec", "VS_RATE_LIMIT_PER_SEC", false),
    key("rate_limit_burst", "VS_RATE_LIMIT_BURST", false),
    key("max_response_bytes", "VS_MAX_RESPONSE_BYTES", false),
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
];

pub const DEFAULT_LISTEN: &str = "127.0.0.1:3000";
pub const DEFAULT_CACHE_TTL_MS: u64 = 2000;
pub const DEFAULT_UPSTREAM_TIMEOUT_MS: u64 = 5000;
pub const DEFAULT_RATE_LIMIT_PER_SEC: u32 = 20;
pub const DEFAULT_RATE_LIMIT_BURST: u32 = 60;
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 4 * 1024 * 1024;
pub const DEFAULT_DOMAIN_API_URL: &str = "https://api.liveperson.net";
pub const DEFAULT_LIVECHAT_API_URL: &str = "https://api.livechatinc.com";
/// LiveChat chats rarely outlive a working day; LivePerson keeps sessions 6 hours.
pub const DEFAULT_WEBHOOK_TTL_SECS: u64 = 12 * 3600;
pub const DEFAULT_WEBHOOK_CAPACITY: u64 = 100_000;

/// What is wrong with the configuration, naming the key (its environment variable).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("configuration error: {key}: {message}")]
pub struct ConfigError {
    pub key: String,
    pub message: String,
}

fn err(key: &str, message: impl Into<String>) -> ConfigError {
    ConfigError {
        key: key.to_owned(),
        message: message.into(),
    }
}

/// A secret string: compared and used, never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
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

    /// Drops every LivePerson and LiveChat key (demo mode brings its own).
    pub fn clear_upstreams(&mut self) {
        self.values
            .retain(|k, _| !k.starts_with("LIVEPERSON_") && !k.starts_with("LIVECHAT_"));
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

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RateLimit {
    pub per_sec: NonZeroU32,
    pub burst: NonZeroU32,
}

/// The checked configuration.
#[derive(Clone, Debug)]
pub struct Config {
    pub listen: SocketAddr,
    /// Origins allowed to call from a browser (`https://console.example.com`).
    pub allowed_origins: Vec<String>,
    pub access_tokens: Vec<Secret>,
    pub jwt_secret: Option<Secret>,
    pub cache_ttl: Duration,
    pub upstream_timeout: Duration,
    pub static_dir: Option<PathBuf>,
    /// `None`: no per-client limit (a rate of 0).
    pub rate_limit: Option<RateLimit>,
    pub max_response_bytes: usize,
    pub liveperson: Option<LivePersonConfig>,
    pub livechat: Option<LiveChatConfig>,
}

impl Config {
    /// Whether any caller authentication is configured.
    pub fn access_control(&self) -> bool {
        !self.access_tokens.is_empty() || self.jwt_secret.is_some()
    }

    /// Checks every key; the first problem found is the error.
    pub fn from_raw(raw: &RawConfig) -> Result<Config, ConfigError> {
        let get = |env: &str| raw.get(env).map(str::trim).filter(|v| !v.is_empty());
        let listen_text = get("VS_LISTEN").unwrap_or(DEFAULT_LISTEN);
        let listen: SocketAddr = listen_text.parse().map_err(|_| {
            err(
                "VS_LISTEN",
                format!("'{listen_text}' is not an address such as 127.0.0.1:3000"),
            )
        })?;

        let allowed_origins = list(get("VS_ALLOWED_ORIGINS"))
            .into_iter()
            .map(|o| check_origin(&o).map_err(|m| err("VS_ALLOWED_ORIGINS", m)))
            .collect::<Result<Vec<_>, _>>()?;
        let access_tokens: Vec<Secret> = list(get("VS_ACCESS_TOKENS"))
            .into_iter()
            .map(|t| {
                if t.len() < 16 {
                    Err(err(
                        "VS_ACCESS_TOKENS",
                        "each token must be at least 16 characters",
                    ))
                } else if !t.bytes().all(|b| b.is_ascii_graphic()) {
                    Err(err(
                        "VS_ACCESS_TOKENS",
                        "tokens may contain only visible ASCII characters",
                    ))
                } else {
                    Ok(Secret(t))
                }
            })
            .collect::<Result<_, _>>()?;
        let jwt_secret = match get("VS_JWT_SECRET") {
            Some(s) if s.len() < 32 => {
                return Err(err("VS_JWT_SECRET", "must be at least 32 bytes for HS256"))
            }
            other => other.map(Secret::new),
        };
        let cache_ttl_ms = number(
            get("VS_CACHE_TTL_MS"),
            "VS_CACHE_TTL_MS",
            DEFAULT_CACHE_TTL_MS,
        )?;
        let timeout_ms = number(
            get("VS_UPSTREAM_TIMEOUT_MS"),
            "VS_UPSTREAM_TIMEOUT_MS",
            DEFAULT_UPSTREAM_TIMEOUT_MS,
        )?;
        if timeout_ms == 0 {
            return Err(err("VS_UPSTREAM_TIMEOUT_MS", "must be more than 0"));
        }
        let static_dir = match get("VS_STATIC_DIR") {
            Some(dir) => {
                let path = PathBuf::from(dir);
                if !path.is_dir() {
                    return Err(err("VS_STATIC_DIR", format!("'{dir}' is not a directory")));
                }
                Some(path)
            }
            None => None,
        };
        let per_sec = number(
            get("VS_RATE_LIMIT_PER_SEC"),
            "VS_RATE_LIMIT_PER_SEC",
            DEFAULT_RATE_LIMIT_PER_SEC as u64,
        )?;
        let burst = number(
            get("VS_RATE_LIMIT_BURST"),
            "VS_RATE_LIMIT_BURST",
            DEFAULT_RATE_LIMIT_BURST as u64,
        )?;
        let rate_limit = match (u32::try_from(per_sec), u32::try_from(burst)) {
            (Ok(0), _) => None,
            (Ok(p), Ok(b)) => Some(RateLimit {
                per_sec: NonZeroU32::new(p).expect("not 0"),
                burst: NonZeroU32::new(b.max(p)).expect("not 0"),
            }),
            (Err(_), _) => return Err(err("VS_RATE_LIMIT_PER_SEC", "is too large")),
            (_, Err(_)) => return Err(err("VS_RATE_LIMIT_BURST", "is too large")),
        };
        let max_response_bytes = number(
            get("VS_MAX_RESPONSE_BYTES"),
            "VS_MAX_RESPONSE_BYTES",
            DEFAULT_MAX_RESPONSE_BYTES as u64,
        )?;
        if max_response_bytes < 1024 {
            return Err(err("VS_MAX_RESPONSE_BYTES", "must be at least 1024"));
        }

        let config = Config {
            listen,
            allowed_origins,
            access_tokens,
            jwt_secret,
            cache_ttl: Duration::from_millis(cache_ttl_ms.max(1)),
            upstream_timeout: Duration::from_millis(timeout_ms),
            static_dir,
            rate_limit,
            max_response_bytes: max_response_bytes as usize,
            liveperson: liveperson(&get)?,
            livechat: livechat(&get)?,
        };
        if !is_loopback(listen.ip()) && !config.access_control() {
            return Err(err(
                "VS_LISTEN",
                format!(
                    "refusing to serve visitor data on non-loopback {listen} without access control: set VS_ACCESS_TOKENS or VS_JWT_SECRET"
                ),
            ));
        }
        Ok(config)
    }
}

fn liveperson<'a>(
    get: &impl Fn(&str) -> Option<&'a str>,
) -> Result<Option<LivePersonConfig>, ConfigError> {
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

fn livechat<'a>(
    get: &impl Fn(&str) -> Option<&'a str>,
) -> Result<Option<LiveChatConfig>, ConfigError> {
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
        (Some(_), None) => return Err(err("LIVECHAT_API_KEY", "is required with LIVECHAT_LOGIN")),
        (None, Some(_)) => return Err(err("LIVECHAT_LOGIN", "is required with LIVECHAT_API_KEY")),
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

fn list(value: Option<&str>) -> Vec<String> {
    value
        .unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

fn number(value: Option<&str>, key: &str, default: u64) -> Result<u64, ConfigError> {
    match value {
        None => Ok(default),
        Some(v) => v
            .parse()
            .map_err(|_| err(key, format!("'{v}' is not a whole number"))),
    }
}

/// Loopback addresses and `localhost`: the only hosts plain http is allowed to.
pub fn is_loopback_host(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost") || host.parse::<IpAddr>().is_ok_and(is_loopback)
}

fn is_loopback(ip: IpAddr) -> bool {
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
    if url.path() != "/" || url.query().is_some() || url.fragment().is_some() {
        return Err("must be a bare host or scheme://host[:port], without path or query".into());
    }
    Ok(url.as_str().trim_end_matches('/').to_owned())
}

/// An allowed CORS origin: `scheme://host[:port]` exactly as browsers send it.
fn check_origin(origin: &str) -> Result<String, String> {
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

    fn raw(pairs: &[(&str, &str)]) -> RawConfig {
        let mut raw = RawConfig::default();
        for (k, v) in pairs {
            assert!(raw.set(k, *v), "{k}");
        }
        raw
    }

    fn error_key(pairs: &[(&str, &str)]) -> String {
        Config::from_raw(&raw(pairs)).unwrap_err().key
    }

    #[test]
    fn defaults_need_nothing() {
        let c = Config::from_raw(&RawConfig::default()).unwrap();
        assert_eq!(c.listen.to_string(), DEFAULT_LISTEN);
        assert_eq!(c.cache_ttl, Duration::from_millis(2000));
        assert!(c.liveperson.is_none() && c.livechat.is_none());
    }

    #[test]
    fn toml_keys_map_to_env_names_and_env_wins() {
        let mut raw = RawConfig::from_toml(
            "listen = \"127.0.0.1:4000\"\nallowed_origins = [\"https://a.example\", \"https://b.example\"]\n[livechat]\nlogin = \"me@example.com\"\napi_key = \"k\"\n",
        )
        .unwrap();
        assert_eq!(raw.secrets_in_file, ["LIVECHAT_API_KEY"]);
        raw.overlay_env(|name| (name == "VS_LISTEN").then(|| "127.0.0.1:5000".to_owned()));
        let c = Config::from_raw(&raw).unwrap();
        assert_eq!(c.listen.port(), 5000);
        assert_eq!(
            c.allowed_origins,
            ["https://a.example", "https://b.example"]
        );
        assert_eq!(c.livechat.unwrap().api_url, "https://api.livechatinc.com");
    }

    #[test]
    fn the_example_file_is_valid_once_secrets_come_from_the_environment() {
        let mut raw = RawConfig::from_toml(include_str!("../proxy.example.toml")).unwrap();
        assert!(
            raw.secrets_in_file.is_empty(),
            "the example keeps secrets out of the file"
        );
        let env = [
            ("VS_ACCESS_TOKENS", "0123456789abcdef0123"),
            ("LIVEPERSON_BEARER_TOKEN", "bearer"),
            ("LIVECHAT_API_KEY", "key"),
            ("LIVECHAT_WEBHOOK_SECRET", "0123456789abcdef"),
        ];
        raw.overlay_env(|name| {
            env.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        });
        let c = Config::from_raw(&raw).unwrap();
        assert_eq!(
            c.liveperson.unwrap().domain_api_url,
            "https://api.liveperson.net"
        );
        assert!(c.livechat.unwrap().webhook_secret.is_some());
    }

    #[test]
    fn unknown_toml_keys_are_named() {
        let e = RawConfig::from_toml("[liveperson]\nacount_id = \"1\"\n").unwrap_err();
        assert_eq!(e.key, "liveperson.acount_id");
    }

    #[test]
    fn each_bad_setting_names_its_key() {
        assert_eq!(error_key(&[("VS_LISTEN", "nope")]), "VS_LISTEN");
        assert_eq!(error_key(&[("VS_LISTEN", "0.0.0.0:3000")]), "VS_LISTEN");
        assert_eq!(error_key(&[("VS_CACHE_TTL_MS", "2s")]), "VS_CACHE_TTL_MS");
        assert_eq!(
            error_key(&[("VS_ALLOWED_ORIGINS", "*")]),
            "VS_ALLOWED_ORIGINS"
        );
        assert_eq!(
            error_key(&[("VS_ALLOWED_ORIGINS", "https://a.example/path")]),
            "VS_ALLOWED_ORIGINS"
        );
        assert_eq!(
            error_key(&[("VS_ACCESS_TOKENS", "short")]),
            "VS_ACCESS_TOKENS"
        );
        assert_eq!(error_key(&[("VS_JWT_SECRET", "short")]), "VS_JWT_SECRET");
        assert_eq!(
            error_key(&[("VS_STATIC_DIR", "/no/such/dir")]),
            "VS_STATIC_DIR"
        );
        assert_eq!(
            error_key(&[("LIVEPERSON_BEARER_TOKEN", "t")]),
            "LIVEPERSON_ACCOUNT_ID"
        );
        assert_eq!(
            error_key(&[
                ("LIVEPERSON_ACCOUNT_ID", "1"),
                ("LIVEPERSON_CONSUMER_KEY", "k"),
                ("LIVEPERSON_CONSUMER_SECRET", "s"),
                ("LIVEPERSON_ACCESS_TOKEN", "t"),
            ]),
            "LIVEPERSON_TOKEN_SECRET"
        );
        assert_eq!(
            error_key(&[
                ("LIVEPERSON_ACCOUNT_ID", "1"),
                ("LIVEPERSON_BEARER_TOKEN", "t"),
                ("LIVEPERSON_DOMAIN", "http://lo.v.liveperson.net"),
            ]),
            "LIVEPERSON_DOMAIN"
        );
        assert_eq!(
            error_key(&[
                ("LIVECHAT_LOGIN", "a"),
                ("LIVECHAT_API_KEY", "k"),
                ("LIVECHAT_API_URL", "http://10.0.0.1")
            ]),
            "LIVECHAT_API_URL"
        );
        assert_eq!(error_key(&[("LIVECHAT_LOGIN", "a")]), "LIVECHAT_API_KEY");
        assert_eq!(
            error_key(&[
                ("LIVECHAT_LOGIN", "a"),
                ("LIVECHAT_API_KEY", "k"),
                ("LIVECHAT_WEBHOOK_SECRET", "s")
            ]),
            "LIVECHAT_WEBHOOK_SECRET"
        );
    }

    #[test]
    fn non_loopback_needs_access_control() {
        let c = Config::from_raw(&raw(&[
            ("VS_LISTEN", "0.0.0.0:3000"),
            ("VS_ACCESS_TOKENS", "0123456789abcdef0123"),
        ]))
        .unwrap();
        assert!(c.access_control());
    }

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
}
