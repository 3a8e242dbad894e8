//! Redis, for N replicas that must act as one (`VS_REDIS_URL`): the webhook tokens (expiring
//! through Redis itself, bounded in count by an index of their expiries) and the response
//! cache's shared layer (values, and short `SET NX PX` locks so that one replica calls the
//! upstream while the others wait for its answer). Each multi-step change is one Lua script, so
//! replicas never see half of it.
//!
//! Every command is bounded by `VS_REDIS_TIMEOUT_MS`. Any failure marks Redis down (with the
//! reason, for `/api/health`) until a command or the background ping succeeds again; while it is
//! down the cache skips it and serves from each replica's own memory, and token reads and writes
//! fail with `store_unavailable` (a webhook answered 503 is delivered again by LiveChat).

use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, LazyLock, Mutex, Weak};
use std::time::Duration;

use ::redis::aio::{ConnectionManager, ConnectionManagerConfig};
use ::redis::{RedisResult, Script, Value};

use super::config::TokenBounds;
use super::{ChatToken, StoreError, TokenRecord};
use crate::metrics::Metrics;
use crate::secret::Secret;
use crate::settings::{err, ConfigError};

/// Every key this proxy writes starts with this.
const PREFIX: &str = "vs:";
/// How often a replica checks Redis while it is up, and while it is down.
const PING_WHILE_UP: Duration = Duration::from_secs(1);
const PING_WHILE_DOWN: Duration = Duration::from_millis(250);

/// A connection to Redis (multiplexed, reconnecting by itself) and whether it is usable now.
/// Cheap to clone.
#[derive(Clone)]
pub struct Redis(Arc<Inner>);

struct Inner {
    connection: ConnectionManager,
    timeout: Duration,
    down: AtomicBool,
    /// Why Redis is down (for `/api/health`); `None` while it is up.
    reason: Mutex<Option<String>>,
}

impl Redis {
    /// Prepares the connection without making it (so the proxy starts while Redis is down) and
    /// starts the background ping. Needs a tokio runtime.
    pub fn connect(
        url: &Secret,
        ca: Option<&[u8]>,
        timeout: Duration,
    ) -> Result<Redis, ConfigError> {
        let runtime = tokio::runtime::Handle::try_current()
            .map_err(|_| err("VS_REDIS_URL", "Redis needs the proxy's async runtime"))?;
        let client = super::config::redis_client(url.expose(), ca).map_err(|e| {
            err(
                "VS_REDIS_URL",
                format!("is not a usable Redis URL ({:?})", e.kind()),
            )
        })?;
        // Short, bounded reconnection: a request never waits on a reconnect loop; the ping
        // brings the connection back once Redis is.
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(timeout))
            .set_response_timeout(Some(timeout))
            .set_number_of_retries(1)
            .set_min_delay(Duration::from_millis(20))
            .set_max_delay(Duration::from_millis(100));
        let connection = ConnectionManager::new_lazy_with_config(client, config)
            .map_err(|e| err("VS_REDIS_URL", format!("cannot be used ({:?})", e.kind())))?;
        let redis = Redis(Arc::new(Inner {
            connection,
            timeout,
            down: AtomicBool::new(false),
            reason: Mutex::new(None),
        }));
        runtime.spawn(keep_checking(Arc::downgrade(&redis.0)));
        Ok(redis)
    }

    /// Whether the last command or ping failed.
    pub fn is_down(&self) -> bool {
        self.0.down.load(Ordering::Relaxed)
    }

    /// Why Redis is down, while it is.
    pub fn down_reason(&self) -> Option<String> {
        if !self.is_down() {
            return None;
        }
        self.0.reason.lock().unwrap().clone()
    }

    /// Runs one command (or script) within the timeout; notes whether Redis answered.
    async fn run<T, F>(&self, command: impl FnOnce(ConnectionManager) -> F) -> Result<T, StoreError>
    where
        F: Future<Output = RedisResult<T>>,
    {
        let outcome =
            tokio::time::timeout(self.0.timeout, command(self.0.connection.clone())).await;
        match outcome {
            Ok(Ok(value)) => {
                self.mark_up();
                Ok(value)
            }
            // The redis crate's errors name the failure (refused, reset, WRONGPASS), never the
            // URL or its password.
            Ok(Err(e)) => Err(self.mark_down(e.to_string())),
            Err(_) => Err(self.mark_down(format!(
                "no answer within {} ms",
                self.0.timeout.as_millis()
            ))),
        }
    }

    fn mark_up(&self) {
        if self.0.down.swap(false, Ordering::Relaxed) {
            *self.0.reason.lock().unwrap() = None;
            tracing::info!("Redis is reachable again");
        }
    }

    fn mark_down(&self, reason: String) -> StoreError {
        *self.0.reason.lock().unwrap() = Some(reason.clone());
        if !self.0.down.swap(true, Ordering::Relaxed) {
            tracing::warn!(
                reason,
                "Redis is unreachable: the cache is local and webhooks answer 503 until it is back"
            );
        }
        StoreError::Unreachable(reason)
    }

    async fn ping(&self) -> Result<(), StoreError> {
        self.run(|mut c| async move { ::redis::cmd("PING").query_async::<()>(&mut c).await })
            .await
    }
}

/// Pings until the connection is dropped: so `/api/health` is right without traffic, and Redis
/// coming back is noticed although the cache skips it while it is down.
async fn keep_checking(redis: Weak<Inner>) {
    loop {
        let Some(inner) = redis.upgrade() else { return };
        let redis_now = Redis(inner);
        let _ = redis_now.ping().await;
        let pause = if redis_now.is_down() {
            PING_WHILE_DOWN
        } else {
            PING_WHILE_UP
        };
        drop(redis_now);
        tokio::time::sleep(pause).await;
    }
}

/// Stores a token with its expiry, indexes it by expiry, drops index entries whose keys Redis
/// has expired, and evicts the soonest-expiring tokens beyond the bound. Time is Redis's own,
/// so replicas' clocks do not matter.
static PUT_TOKEN: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local expires = now + tonumber(ARGV[2])
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
redis.call('ZADD', KEYS[2], expires, KEYS[1])
local expired = redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
local over = redis.call('ZCARD', KEYS[2]) - tonumber(ARGV[3])
if over > 0 then
  local oldest = redis.call('ZRANGE', KEYS[2], 0, over)
  local dropped = 0
  for _, key in ipairs(oldest) do
    if dropped < over and key ~= KEYS[1] then
      redis.call('DEL', key)
      redis.call('ZREM', KEYS[2], key)
      dropped = dropped + 1
    end
  end
end
return expired
",
    )
});

/// Deletes a key only while it still holds the value the caller read.
static REMOVE_IF: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  if KEYS[2] then redis.call('ZREM', KEYS[2], KEYS[1]) end
  return 1
end
return 0
",
    )
});

/// The webhook tokens in Redis: `vs:lc:token:{visitor}`, indexed in `vs:lc:tokens`.
#[derive(Clone)]
pub struct RedisTokens {
    redis: Redis,
    ttl: Duration,
    capacity: u64,
    metrics: Metrics,
}

fn token_key(visitor_id: &str) -> String {
    format!("{PREFIX}lc:token:{visitor_id}")
}

const TOKEN_INDEX: &str = "vs:lc:tokens";

impl RedisTokens {
    /// At most `bounds.capacity` tokens, each for `bounds.ttl`. Expired tokens are counted into
    /// `metrics`: Redis expires the keys itself, and each `put` drops the expired ones from the
    /// index, so they are counted then.
    pub fn new(redis: Redis, bounds: TokenBounds, metrics: Metrics) -> RedisTokens {
        RedisTokens {
            redis,
            ttl: bounds.ttl,
            capacity: bounds.capacity,
            metrics,
        }
    }

    pub async fn get(&self, visitor_id: &str) -> Result<Option<ChatToken>, StoreError> {
        let key = token_key(visitor_id);
        let bytes: Option<Vec<u8>> = self
            .redis
            .run(|mut c| async move { ::redis::cmd("GET").arg(&key).query_async(&mut c).await })
            .await?;
        match bytes {
            Some(bytes) => Ok(Some(TokenRecord::decode(&bytes)?.into_token())),
            None => Ok(None),
        }
    }

    /// Returns once Redis has the token (replicated as Redis is configured to).
    pub async fn put(&self, visitor_id: &str, token: &ChatToken) -> Result<(), StoreError> {
        let key = token_key(visitor_id);
        let value = TokenRecord::new(token, None).encode();
        let ttl_ms = self.ttl.as_millis().max(1) as u64;
        let capacity = self.capacity;
        let expired: u64 = self
            .redis
            .run(|mut c| async move {
                PUT_TOKEN
                    .key(&key)
                    .key(TOKEN_INDEX)
                    .arg(value)
                    .arg(ttl_ms)
                    .arg(capacity)
                    .invoke_async(&mut c)
                    .await
            })
            .await?;
        self.metrics.tokens_expired(expired);
        Ok(())
    }

    pub async fn remove_if(
        &self,
        visitor_id: &str,
        expected: &ChatToken,
    ) -> Result<bool, StoreError> {
        let key = token_key(visitor_id);
        let value = TokenRecord::new(expected, None).encode();
        let removed: i64 = self
            .redis
            .run(|mut c| async move {
                REMOVE_IF
                    .key(&key)
                    .key(TOKEN_INDEX)
                    .arg(value)
                    .invoke_async(&mut c)
                    .await
            })
            .await?;
        Ok(removed == 1)
    }
}

/// The value if there is one (with its remaining time to live); else takes the lock when it is
/// free; else returns the lock's value (`L…`: someone is loading; `F…`: their load just failed).
static CLAIM: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
local v = redis.call('GET', KEYS[1])
if v then return {1, v, redis.call('PTTL', KEYS[1])} end
if redis.call('SET', KEYS[2], ARGV[1], 'NX', 'PX', ARGV[2]) then return {0} end
return {2, redis.call('GET', KEYS[2]) or ''}
",
    )
});

/// Stores the value and releases the lock if it is still the caller's.
static PUBLISH: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
if redis.call('GET', KEYS[2]) == ARGV[1] then redis.call('DEL', KEYS[2]) end
return 1
",
    )
});

/// Replaces the caller's lock by the failure, for a moment, so that those waiting get it too.
static FAIL: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
end
return 1
",
    )
});

/// What [`SharedCache::claim`] found.
#[derive(Debug)]
pub enum Claim {
    /// Another replica's answer, and how long it has left.
    Value(Vec<u8>, Duration),
    /// The lock is the caller's: load, then [`SharedCache::publish`] or [`SharedCache::fail`].
    Mine,
    /// Another replica is loading.
    Busy,
    /// Another replica's load just failed with this (transient) error.
    Failed(Vec<u8>),
}

/// The response cache's shared layer: `vs:cache:{key}` holds the answer, `vs:lock:{key}` the
/// loader's lock. Cheap to clone.
#[derive(Clone)]
pub struct SharedCache {
    redis: Redis,
}

impl SharedCache {
    pub fn new(redis: Redis) -> SharedCache {
        SharedCache { redis }
    }

    /// Whether to use Redis now; while it is down the cache goes local at once.
    pub fn available(&self) -> bool {
        !self.redis.is_down()
    }

    pub async fn claim(
        &self,
        key: &str,
        owner: &str,
        lock_for: Duration,
    ) -> Result<Claim, StoreError> {
        let (value_key, lock_key) = cache_keys(key);
        let lock = format!("L{owner}");
        let lock_ms = lock_for.as_millis().max(1) as u64;
        let answer: Vec<Value> = self
            .redis
            .run(|mut c| async move {
                CLAIM
                    .key(&value_key)
                    .key(&lock_key)
                    .arg(lock)
                    .arg(lock_ms)
                    .invoke_async(&mut c)
                    .await
            })
            .await?;
        let bytes = |v: Option<&Value>| match v {
            Some(Value::BulkString(b)) => Some(b.clone()),
            _ => None,
        };
        match answer.first() {
            Some(Value::Int(1)) => {
                let value = bytes(answer.get(1))
                    .ok_or_else(|| StoreError::Failed("a malformed cache answer".into()))?;
                let ttl_ms = match answer.get(2) {
                    Some(Value::Int(ms)) if *ms > 0 => *ms as u64,
                    _ => 1,
                };
                Ok(Claim::Value(value, Duration::from_millis(ttl_ms)))
            }
            Some(Value::Int(0)) => Ok(Claim::Mine),
            Some(Value::Int(2)) => match bytes(answer.get(1)) {
                Some(lock) if lock.first() == Some(&b'F') => Ok(Claim::Failed(lock[1..].to_vec())),
                _ => Ok(Claim::Busy),
            },
            _ => Err(StoreError::Failed("a malformed cache answer".into())),
        }
    }

    /// Stores an answer for `ttl`; releases the lock if `owner` holds it.
    pub async fn publish(
        &self,
        key: &str,
        owner: &str,
        value: Vec<u8>,
        ttl: Duration,
    ) -> Result<(), StoreError> {
        let (value_key, lock_key) = cache_keys(key);
        let lock = format!("L{owner}");
        let ttl_ms = ttl.as_millis().max(1) as u64;
        self.redis
            .run(|mut c| async move {
                PUBLISH
                    .key(&value_key)
                    .key(&lock_key)
                    .arg(lock)
                    .arg(value)
                    .arg(ttl_ms)
                    .invoke_async::<()>(&mut c)
                    .await
            })
            .await
    }

    /// Shares a transient failure with the replicas waiting on `owner`'s lock, for `keep`.
    pub async fn fail(
        &self,
        key: &str,
        owner: &str,
        error: &[u8],
        keep: Duration,
    ) -> Result<(), StoreError> {
        let (_, lock_key) = cache_keys(key);
        let lock = format!("L{owner}");
        let mut failure = Vec::with_capacity(error.len() + 1);
        failure.push(b'F');
        failure.extend_from_slice(error);
        let keep_ms = keep.as_millis().max(1) as u64;
        self.redis
            .run(|mut c| async move {
                FAIL.key(&lock_key)
                    .arg(lock)
                    .arg(failure)
                    .arg(keep_ms)
                    .invoke_async::<()>(&mut c)
                    .await
            })
            .await
    }

    pub async fn invalidate(&self, key: &str) -> Result<(), StoreError> {
        let (value_key, _) = cache_keys(key);
        self.redis
            .run(|mut c| async move {
                ::redis::cmd("DEL")
                    .arg(&value_key)
                    .query_async::<()>(&mut c)
                    .await
            })
            .await
    }
}

fn cache_keys(key: &str) -> (String, String) {
    (
        format!("{PREFIX}cache:{key}"),
        format!("{PREFIX}lock:{key}"),
    )
}
