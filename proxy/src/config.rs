//! The checked configuration: every part's own settings, gathered. Each part reads and checks
//! its keys beside the code that uses them (`UpstreamConfig` in `upstream`, `AuthConfig` in
//! `auth::config`, `LivePersonConfig` in `liveperson::config`, …) and is built from that part
//! alone; this module reads the few proxy-wide keys with `settings`' helpers and checks what
//! spans parts (anonymous access and sign-in against the listen address). Checked at start, so
//! bad configuration stops the process with one line naming the key and the problem. No part
//! imports this module: only the app state, the server and `main` see the whole.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use crate::access::RateLimit;
use crate::auth::config::AuthConfig;
use crate::client_ip::TrustedProxies;
use crate::connections::Limits;
use crate::health::drain_from_raw;
use crate::livechat::config::LiveChatConfig;
use crate::liveperson::config::LivePersonConfig;
use crate::logging::LogFormat;
use crate::metrics::listener::MetricsListenerConfig;
use crate::pages::{check_frame_ancestors, DEFAULT_FRAME_ANCESTORS};
use crate::request_id::TrustRequestId;
use crate::settings::{err, list, number, ConfigError, RawConfig};
use crate::store::config::StoreConfig;
use crate::upstream::UpstreamConfig;
use crate::urls::{check_origin, is_loopback};

pub const DEFAULT_LISTEN: &str = "127.0.0.1:3000";
pub const DEFAULT_CACHE_TTL_MS: u64 = 2000;

/// The checked configuration.
#[derive(Clone, Debug)]
pub struct Config {
    pub listen: SocketAddr,
    /// Origins allowed to call from a browser (`https://console.example.com`).
    pub allowed_origins: Vec<String>,
    /// How long an upstream answer is served from the cache (`VS_CACHE_TTL_MS`).
    pub cache_ttl: Duration,
    pub static_dir: Option<PathBuf>,
    /// Who may frame the static pages (`Content-Security-Policy: frame-ancestors`), checked by
    /// `pages::check_frame_ancestors`.
    pub frame_ancestors: Vec<String>,
    /// `None`: no per-client limit (a rate of 0).
    pub rate_limit: Option<RateLimit>,
    /// The upstream client's timeout and answer size bound.
    pub upstream: UpstreamConfig,
    pub liveperson: Option<LivePersonConfig>,
    pub livechat: Option<LiveChatConfig>,
    /// Sign-in: anonymous access, static tokens, host JWTs, LiveChat agents, company sign-in.
    pub auth: AuthConfig,
    /// Where webhook tokens are kept (`VS_DATA_DIR`), or the Redis replicas share.
    pub store: StoreConfig,
    /// The metrics listener (`VS_METRICS_LISTEN`, `VS_METRICS_TOKEN`).
    pub metrics_listener: MetricsListenerConfig,
    /// Whose `X-Request-Id` is kept (`VS_TRUST_REQUEST_ID`).
    pub trust_request_id: TrustRequestId,
    /// The front ends whose `X-Forwarded-For` (or `Forwarded`) names the client
    /// (`VS_TRUSTED_PROXIES`, `VS_CLIENT_IP_HEADER`).
    pub trusted_proxies: TrustedProxies,
    /// `VS_LOG_FORMAT` (`main` reads it before logging starts; checked here too).
    pub log_format: LogFormat,
    /// How long readiness is false before the graceful shutdown starts (`VS_DRAIN_SECS`).
    pub drain: Duration,
    /// Connection and request deadlines, and the cap on open connections.
    pub limits: Limits,
}

impl Config {
    /// Whether any way of signing agents in is configured.
    pub fn access_control(&self) -> bool {
        self.auth.access_control()
    }

    /// Checks every key; the first problem found is the error.
    pub fn from_raw(raw: &RawConfig) -> Result<Config, ConfigError> {
        let get = |env: &str| raw.value(env);
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
        let auth = AuthConfig::from_raw(raw)?;
        let cache_ttl_ms = number(
            get("VS_CACHE_TTL_MS"),
            "VS_CACHE_TTL_MS",
            DEFAULT_CACHE_TTL_MS,
        )?;
        let upstream = UpstreamConfig::from_raw(raw)?;
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
        let frame_ancestors =
            check_frame_ancestors(get("VS_FRAME_ANCESTORS").unwrap_or(DEFAULT_FRAME_ANCESTORS))
                .map_err(|m| err("VS_FRAME_ANCESTORS", m))?;

        let config = Config {
            listen,
            allowed_origins,
            cache_ttl: Duration::from_millis(cache_ttl_ms.max(1)),
            static_dir,
            frame_ancestors,
            rate_limit: RateLimit::from_raw(raw)?,
            upstream,
            liveperson: LivePersonConfig::from_raw(raw)?,
            livechat: LiveChatConfig::from_raw(raw)?,
            auth,
            store: StoreConfig::from_raw(raw)?,
            metrics_listener: MetricsListenerConfig::from_raw(raw, listen)?,
            trust_request_id: TrustRequestId::from_raw(raw)?,
            trusted_proxies: TrustedProxies::from_raw(raw)?,
            log_format: LogFormat::from_raw(raw)?,
            drain: drain_from_raw(raw)?,
            limits: Limits::from_raw(raw)?,
        };
        // Anyone who can reach a non-loopback address would read every visitor: anonymous access
        // only behind something that decides who reaches the loopback port.
        if !is_loopback(listen.ip()) && config.auth.allow_anonymous {
            return Err(err(
                "VS_ALLOW_ANONYMOUS",
                format!(
                    "anonymous access is refused on non-loopback {listen}: listen on loopback behind your reverse proxy, or sign agents in"
                ),
            ));
        }
        if !is_loopback(listen.ip()) && !config.access_control() {
            return Err(err(
                "VS_LISTEN",
                format!(
                    "refusing to serve on non-loopback {listen} with no way to sign agents in: set VS_ACCESS_TOKENS, VS_JWT_SECRET, VS_JWKS_URL, LIVECHAT_CLIENT_ID or VS_OIDC_ISSUER"
                ),
            ));
        }
        Ok(config)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::liveperson::config::DEFAULT_DOMAIN_API_URL;

    fn error_key(pairs: &[(&str, &str)]) -> String {
        Config::from_raw(&RawConfig::from_pairs(pairs))
            .unwrap_err()
            .key
    }

    #[test]
    fn defaults_need_nothing() {
        let c = Config::from_raw(&RawConfig::default()).unwrap();
        assert_eq!(c.listen.to_string(), DEFAULT_LISTEN);
        assert_eq!(c.cache_ttl, Duration::from_millis(2000));
        assert!(c.liveperson.is_none() && c.livechat.is_none());
        assert_eq!(c.frame_ancestors, ["'self'"]);
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
        assert_eq!(c.frame_ancestors, ["'self'", "https://my.livechatinc.com"]);
        assert_eq!(c.liveperson.unwrap().domain_api_url, DEFAULT_DOMAIN_API_URL);
        assert!(c.livechat.unwrap().webhook.is_some());
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
        assert_eq!(
            error_key(&[
                ("VS_LISTEN", "0.0.0.0:3000"),
                ("VS_ALLOW_ANONYMOUS", "true"),
            ]),
            "VS_ALLOW_ANONYMOUS"
        );
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
            error_key(&[("VS_FRAME_ANCESTORS", "*")]),
            "VS_FRAME_ANCESTORS"
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
        assert_eq!(error_key(&[("LIVECHAT_ACCOUNT_ID", "a")]), "LIVECHAT_PAT");
        assert_eq!(error_key(&[("LIVECHAT_PAT", "p")]), "LIVECHAT_ACCOUNT_ID");
        assert_eq!(
            error_key(&[
                ("LIVECHAT_ACCOUNT_ID", "a"),
                ("LIVECHAT_PAT", "p"),
                ("LIVECHAT_WEBHOOK_SECRET", "0123456789abcdef")
            ]),
            "LIVECHAT_LOGIN",
            "custom details (and so the webhook) need the v2 login"
        );
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
    fn livechat_v3_alone_is_a_livechat_configuration() {
        let c = Config::from_raw(&RawConfig::from_pairs(&[
            (
                "LIVECHAT_ACCOUNT_ID",
                "c3a8e2f0-5b1d-4e7a-9f26-1d0b7c4e8a55",
            ),
            ("LIVECHAT_PAT", "fra:token"),
            ("LIVECHAT_REGION", "fra"),
        ]))
        .unwrap();
        let lc = c.livechat.unwrap();
        assert!(lc.v2.is_none());
        assert_eq!(lc.v3.unwrap().user, "c3a8e2f0-5b1d-4e7a-9f26-1d0b7c4e8a55");
        assert_eq!(lc.region.as_deref(), Some("fra"));
    }

    #[test]
    fn non_loopback_needs_access_control() {
        let c = Config::from_raw(&RawConfig::from_pairs(&[
            ("VS_LISTEN", "0.0.0.0:3000"),
            ("VS_ACCESS_TOKENS", "0123456789abcdef0123"),
        ]))
        .unwrap();
        assert!(c.access_control());
    }
}
