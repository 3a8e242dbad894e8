//! The store's settings: where the webhook tokens are kept on one machine (`VS_DATA_DIR`), and
//! the Redis that N replicas share instead (`VS_REDIS_URL`, `VS_REDIS_TIMEOUT_MS`).

use std::path::PathBuf;
use std::time::Duration;

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
}

impl StoreConfig {
    pub fn from_raw(raw: &RawConfig) -> Result<StoreConfig, ConfigError> {
        let data_dir = PathBuf::from(raw.value("VS_DATA_DIR").unwrap_or(DEFAULT_DATA_DIR));
        let redis_url = match raw.value("VS_REDIS_URL") {
            None => None,
            Some(url) => {
                let scheme = url.split_once("://").map(|(s, _)| s).unwrap_or("");
                match scheme {
                    "redis" | "redis+unix" | "unix" => {}
                    "rediss" => {
                        return Err(err(
                            "VS_REDIS_URL",
                            "rediss:// (TLS) is not built into this proxy; reach Redis over a private network or a TLS tunnel with redis://",
                        ))
                    }
                    _ => {
                        return Err(err(
                            "VS_REDIS_URL",
                            "must be a redis:// URL such as redis://127.0.0.1:6379/0",
                        ))
                    }
                }
                // The URL is checked without being echoed: it may carry a password.
                ::redis::Client::open(url).map_err(|e| {
                    err(
                        "VS_REDIS_URL",
                        format!("is not a usable Redis URL ({:?})", e.kind()),
                    )
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
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(pairs: &[(&str, &str)]) -> Result<StoreConfig, ConfigError> {
        let mut raw = RawConfig::default();
        for (k, v) in pairs {
            assert!(raw.set(k, *v), "{k}");
        }
        StoreConfig::from_raw(&raw)
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
            "rediss://:hunter2@cache.example.com",
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
}
