//! The store's settings: where the webhook tokens are kept on one machine (`VS_DATA_DIR`), and
//! the Redis that N replicas share instead (`VS_REDIS_URL`, `VS_REDIS_TIMEOUT_MS`).
//!
//! Redis in production: `rediss://` is TLS, verified against the system's roots (Debian's
//! `ca-certificates`, through rustls-native-certs) or, with `VS_REDIS_CA_FILE`, against a private
//! CA's PEM file instead (read at start). A Redis ACL user signs in with
//! `redis[s]://USER:PASSWORD@host:port/db` (AUTH with both), the `default` user with
//! `redis[s]://:PASSWORD@…`. `#insecure` (no certificate check) is refused.

use std::path::PathBuf;
use std::time::Duration;

use ::redis::{Client, RedisResult, TlsCertificates};

use crate::secret::Secret;
use crate::settings::{err, number, ConfigError, RawConfig};

/// Relative to the working directory.
pub const DEFAULT_DATA_DIR: &str = "data";
/// Redis on the same network answers in well under a millisecond; past this it is treated as
/// down, so that no request waits on it for long.
pub const DEFAULT_REDIS_TIMEOUT_MS: u64 = 500;

#[derive(Clone, Debug)]
pub struct StoreConfig {
    pub data_dir: PathBuf,
    /// May hold a password (`redis://:PASSWORD@host:6379/0`), so it is never printed.
    pub redis_url: Option<Secret>,
    pub redis_timeout: Duration,
    /// `VS_REDIS_CA_FILE`'s PEM: the CA a `rediss://` server's certificate must chain to
    /// (`None`: the system's roots).
    pub redis_ca: Option<Vec<u8>>,
}

/// How many webhook tokens the store keeps (the oldest go first) and how long each lives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TokenBounds {
    pub ttl: Duration,
    pub capacity: u64,
}

/// The Redis client for `url`: plain, or TLS against `ca` (or the system's roots).
pub fn redis_client(url: &str, ca: Option<&[u8]>) -> RedisResult<Client> {
    match ca {
        Some(pem) => Client::build_with_tls(
            url,
            TlsCertificates {
                client_tls: None,
                root_cert: Some(pem.to_vec()),
            },
        ),
        None => Client::open(url),
    }
}

impl StoreConfig {
    pub fn from_raw(raw: &RawConfig) -> Result<StoreConfig, ConfigError> {
        let data_dir = PathBuf::from(raw.value("VS_DATA_DIR").unwrap_or(DEFAULT_DATA_DIR));
        let url = raw.value("VS_REDIS_URL");
        let tls = url.is_some_and(|u| u.starts_with("rediss://"));
        let redis_ca = match raw.value("VS_REDIS_CA_FILE") {
            None => None,
            Some(_) if !tls => {
                return Err(err(
                    "VS_REDIS_CA_FILE",
                    "is set, but VS_REDIS_URL is not a rediss:// (TLS) URL",
                ))
            }
            Some(path) => {
                let pem = std::fs::read(path)
                    .map_err(|e| err("VS_REDIS_CA_FILE", format!("cannot read {path}: {e}")))?;
                if !String::from_utf8_lossy(&pem).contains("-----BEGIN CERTIFICATE-----") {
                    return Err(err(
                        "VS_REDIS_CA_FILE",
                        format!("{path} holds no PEM certificate"),
                    ));
                }
                Some(pem)
            }
        };
        let redis_url = match url {
            None => None,
            Some(url) => {
                let scheme = url.split_once("://").map(|(s, _)| s).unwrap_or("");
                if !matches!(scheme, "redis" | "rediss" | "redis+unix" | "unix") {
                    return Err(err(
                        "VS_REDIS_URL",
                        "must be a redis:// or rediss:// URL such as rediss://cache.example.com:6380/0",
                    ));
                }
                if url.contains('#') {
                    return Err(err(
                        "VS_REDIS_URL",
                        "must not carry a fragment: #insecure would turn off the certificate check",
                    ));
                }
                // The URL is checked without being echoed: it may carry a password.
                redis_client(url, redis_ca.as_deref()).map_err(|e| {
                    let key = if redis_ca.is_some()
                        && e.kind() == ::redis::ErrorKind::InvalidClientConfig
                    {
                        "VS_REDIS_CA_FILE"
                    } else {
                        "VS_REDIS_URL"
                    };
                    err(key, format!("is not usable ({:?})", e.kind()))
                })?;
                Some(Secret::new(url))
            }
        };
        let timeout_ms = number(
            raw.value("VS_REDIS_TIMEOUT_MS"),
            "VS_REDIS_TIMEOUT_MS",
            DEFAULT_REDIS_TIMEOUT_MS,
        )?;
        if timeout_ms == 0 {
            return Err(err("VS_REDIS_TIMEOUT_MS", "must be more than 0"));
        }
        Ok(StoreConfig {
            data_dir,
            redis_url,
            redis_timeout: Duration::from_millis(timeout_ms),
            redis_ca,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(pairs: &[(&str, &str)]) -> Result<StoreConfig, ConfigError> {
        StoreConfig::from_raw(&RawConfig::from_pairs(pairs))
    }

    #[test]
    fn defaults_and_errors_name_the_key_without_echoing_the_url() {
        let c = config(&[]).unwrap();
        assert_eq!(c.data_dir, PathBuf::from("data"));
        assert!(c.redis_url.is_none());
        assert_eq!(c.redis_timeout, Duration::from_millis(500));
        let c = config(&[("VS_REDIS_URL", "redis://:pw@10.0.0.5:6380/2")]).unwrap();
        assert_eq!(c.redis_url.unwrap().expose(), "redis://:pw@10.0.0.5:6380/2");
        for bad in [
            "http://10.0.0.5",
            "rediss://:hunter2@cache.example.com#insecure",
            "redis://:hunter2@[::1",
        ] {
            let e = config(&[("VS_REDIS_URL", bad)]).unwrap_err();
            assert_eq!(e.key, "VS_REDIS_URL", "{bad}");
            assert!(!e.to_string().contains("hunter2"), "{e}");
        }
        assert_eq!(
            config(&[("VS_REDIS_TIMEOUT_MS", "0")]).unwrap_err().key,
            "VS_REDIS_TIMEOUT_MS"
        );
    }

    #[test]
    fn tls_and_acl_users_are_accepted() {
        let c = config(&[(
            "VS_REDIS_URL",
            "rediss://sidebar:hunter2@cache.example.com:6380/1",
        )])
        .unwrap();
        let client = redis_client(c.redis_url.unwrap().expose(), None).unwrap();
        let info = client.get_connection_info();
        assert!(
            matches!(info.addr(), ::redis::ConnectionAddr::TcpTls { host, port: 6380, insecure: false, .. } if host == "cache.example.com"),
            "{:?}",
            info.addr()
        );
        assert_eq!(info.redis_settings().username(), Some("sidebar"));
        assert_eq!(info.redis_settings().password(), Some("hunter2"));
        assert_eq!(info.redis_settings().db(), 1);
        assert!(c.redis_ca.is_none(), "the system's roots");
    }

    #[test]
    fn a_private_ca_is_read_at_start_and_only_for_tls() {
        let dir = tempfile::tempdir().unwrap();
        let ca = dir.path().join("ca.pem");
        let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        let key = rcgen::KeyPair::generate().unwrap();
        let pem = params.self_signed(&key).unwrap().pem();
        std::fs::write(&ca, &pem).unwrap();
        let ca = ca.to_string_lossy().into_owned();
        let c = config(&[
            ("VS_REDIS_URL", "rediss://:pw@10.0.0.5:6380"),
            ("VS_REDIS_CA_FILE", &ca),
        ])
        .unwrap();
        assert_eq!(c.redis_ca.as_deref(), Some(pem.as_bytes()));
        let key = |pairs: &[(&str, &str)]| config(pairs).unwrap_err().key;
        assert_eq!(
            key(&[
                ("VS_REDIS_URL", "redis://10.0.0.5"),
                ("VS_REDIS_CA_FILE", &ca)
            ]),
            "VS_REDIS_CA_FILE",
            "a CA for a plain connection"
        );
        assert_eq!(
            key(&[
                ("VS_REDIS_URL", "rediss://10.0.0.5"),
                ("VS_REDIS_CA_FILE", "/no/such/ca.pem")
            ]),
            "VS_REDIS_CA_FILE"
        );
        let not_pem = dir.path().join("not.pem");
        std::fs::write(&not_pem, "hello").unwrap();
        assert_eq!(
            key(&[
                ("VS_REDIS_URL", "rediss://10.0.0.5"),
                ("VS_REDIS_CA_FILE", &not_pem.to_string_lossy())
            ]),
            "VS_REDIS_CA_FILE"
        );
    }
}
