//! State that outlives one process and is shared by every replica: the `chat_started` webhook
//! tokens ([`TokenStore`]: a crash-safe file in `VS_DATA_DIR` on one machine, or Redis when
//! `VS_REDIS_URL` is set) and, with Redis, the response cache's shared layer
//! ([`redis::SharedCache`], used by `cache.rs`). [`Store`] opens what the configuration asks
//! for and says in `/api/health` whether it is reachable.

pub mod config;
pub mod embedded;
pub mod redis;

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use visitor_sidebar_contract::ErrorCode;

use crate::error::AppError;
use crate::metrics::Metrics;
use crate::secret::Secret;
use crate::settings::ConfigError;
use config::{StoreConfig, TokenBounds};
use embedded::DiskTokens;
use redis::{Redis, RedisTokens, SharedCache};

/// What a `chat_started` webhook delivered for a visitor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChatToken {
    pub license_id: String,
    pub token: Secret,
    pub chat_id: Option<String>,
}

/// How a token is written down (the same bytes for the same token, so that Redis can compare
/// a stored value with the one a request read before deleting it).
#[derive(Serialize, Deserialize)]
struct TokenRecord {
    license_id: String,
    token: String,
    chat_id: Option<String>,
    /// Unix milliseconds; only the embedded store needs it (Redis expires keys itself).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    expires_at_ms: Option<u64>,
}

impl TokenRecord {
    fn new(token: &ChatToken, expires_at_ms: Option<u64>) -> TokenRecord {
        TokenRecord {
            license_id: token.license_id.clone(),
            token: token.token.expose().to_owned(),
            chat_id: token.chat_id.clone(),
            expires_at_ms,
        }
    }

    fn encode(&self) -> Vec<u8> {
        serde_json::to_vec(self).expect("a struct of strings serializes")
    }

    fn decode(bytes: &[u8]) -> Result<TokenRecord, StoreError> {
        serde_json::from_slice(bytes)
            .map_err(|e| StoreError::Failed(format!("a stored token is unreadable: {e}")))
    }

    fn into_token(self) -> ChatToken {
        ChatToken {
            license_id: self.license_id,
            token: Secret::new(self.token),
            chat_id: self.chat_id,
        }
    }
}

/// Why the store could not answer. The text names the cause (an I/O error, "Redis did not
/// answer in 500 ms"), never a token or a visitor's values.
#[derive(Debug, Clone, thiserror::Error)]
pub enum StoreError {
    /// Redis cannot be reached or did not answer in time.
    #[error("Redis is unreachable: {0}")]
    Unreachable(String),
    /// The disk or the database refused (disk full, I/O error, a record it cannot read).
    #[error("the token store failed: {0}")]
    Failed(String),
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> AppError {
        AppError::new(
            ErrorCode::StoreUnavailable,
            "The proxy cannot use its token store just now; try again in a moment.",
        )
        .retry_after(1)
        .detail(e.to_string())
    }
}

/// Visitor ID → the token of their latest chat: bounded in count (the oldest go first), entries
/// expire, and a write is durable (on disk, or in Redis) before it returns.
#[derive(Clone)]
pub enum TokenStore {
    Disk(DiskTokens),
    Redis(RedisTokens),
}

impl TokenStore {
    pub async fn get(&self, visitor_id: &str) -> Result<Option<ChatToken>, StoreError> {
        match self {
            TokenStore::Disk(disk) => disk.get(visitor_id).await,
            TokenStore::Redis(redis) => redis.get(visitor_id).await,
        }
    }

    /// Stores (or replaces) the visitor's token; returns once it is durable.
    pub async fn put(&self, visitor_id: &str, token: &ChatToken) -> Result<(), StoreError> {
        match self {
            TokenStore::Disk(disk) => disk.put(visitor_id, token).await,
            TokenStore::Redis(redis) => redis.put(visitor_id, token).await,
        }
    }

    /// Removes the visitor's token only if it is still `expected`, in one atomic step: a newer
    /// chat's token stored meanwhile (by this replica or another) stays. True when removed.
    pub async fn remove_if(
        &self,
        visitor_id: &str,
        expected: &ChatToken,
    ) -> Result<bool, StoreError> {
        match self {
            TokenStore::Disk(disk) => disk.remove_if(visitor_id, expected).await,
            TokenStore::Redis(redis) => redis.remove_if(visitor_id, expected).await,
        }
    }

    /// `"disk"` or `"redis"`, for `/api/health`.
    pub fn kind(&self) -> &'static str {
        match self {
            TokenStore::Disk(_) => "disk",
            TokenStore::Redis(_) => "redis",
        }
    }
}

/// The stores the configuration asks for. Cheap to clone.
#[derive(Clone, Default)]
pub struct Store {
    /// `None` when LiveChat webhooks are not configured (no tokens to keep).
    tokens: Option<TokenStore>,
    redis: Option<Redis>,
}

impl Store {
    /// Opens the token store when there are webhook tokens to keep (`tokens`: their bounds), in
    /// a file in `VS_DATA_DIR` (created when missing) or, with `VS_REDIS_URL`, in Redis, whose
    /// connection is made lazily: the proxy starts while Redis is down, and says so in
    /// `/api/health` until it is up. Expired tokens are counted into `metrics`.
    pub fn open(
        config: &StoreConfig,
        tokens: Option<TokenBounds>,
        metrics: Metrics,
    ) -> Result<Store, ConfigError> {
        let redis = match &config.redis_url {
            Some(url) => Some(Redis::connect(
                url,
                config.redis_ca.as_deref(),
                config.redis_timeout,
            )?),
            None => None,
        };
        let tokens = match tokens {
            None => None,
            Some(bounds) => Some(match &redis {
                Some(redis) => TokenStore::Redis(RedisTokens::new(redis.clone(), bounds, metrics)),
                None => TokenStore::Disk(DiskTokens::open(&config.data_dir, bounds, metrics)?),
            }),
        };
        Ok(Store { tokens, redis })
    }

    /// The webhook tokens, when LiveChat webhooks are configured.
    pub fn tokens(&self) -> Option<&TokenStore> {
        self.tokens.as_ref()
    }

    /// The response cache's shared layer, with Redis.
    pub fn shared_cache(&self) -> Option<SharedCache> {
        self.redis
            .as_ref()
            .map(|redis| SharedCache::new(redis.clone()))
    }

    /// Whether the webhook tokens are in a file (which readiness checks by writing).
    pub fn disk_writable_applies(&self) -> bool {
        matches!(self.tokens, Some(TokenStore::Disk(_)))
    }

    /// Readiness: `None` without a token file; else whether a write transaction commits now.
    pub async fn disk_writable(&self) -> Option<Result<(), String>> {
        match &self.tokens {
            Some(TokenStore::Disk(disk)) => {
                Some(disk.check_writable().await.map_err(|e| e.to_string()))
            }
            _ => None,
        }
    }

    /// Readiness: `None` without Redis; else whether it answered its last command or ping (it
    /// is pinged every second).
    pub fn redis_reachable(&self) -> Option<Result<(), String>> {
        let redis = self.redis.as_ref()?;
        Some(if redis.is_down() {
            Err(format!(
                "Redis is unreachable: {}",
                redis.down_reason().unwrap_or_else(|| "no answer".into())
            ))
        } else {
            Ok(())
        })
    }

    /// Whether everything the store needs is reachable, and what `/api/health` says about it.
    pub fn health(&self) -> (bool, Value) {
        let tokens = self.tokens.as_ref().map_or("none", TokenStore::kind);
        let cache = if self.redis.is_some() {
            "redis"
        } else {
            "local"
        };
        let mut body = json!({"tokens": tokens, "cache": cache});
        let mut ok = true;
        if let Some(redis) = &self.redis {
            match redis.down_reason() {
                None => body["redis"] = json!("ok"),
                Some(reason) => {
                    ok = false;
                    body["redis"] = json!("unreachable");
                    body["reason"] = json!(reason);
                }
            }
        }
        (ok, body)
    }
}
