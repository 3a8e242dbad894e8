//! The webhook tokens on one machine: a redb database, `tokens.redb` in `VS_DATA_DIR`. Every
//! write is committed with fsync before it returns (redb's `Durability::Immediate`), so a token
//! the webhook acknowledged survives a crash, `kill -9` or a power cut. redb was chosen over
//! SQLite by measurement (the proxy's README, Deployment): as fast for this one-row commit, a
//! third of the compile time, half the binary growth, and no C compiler.

use std::path::Path;
use std::sync::{Arc, Weak};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use redb::{Database, ReadableDatabase, ReadableTable, ReadableTableMetadata, TableDefinition};

use super::config::TokenBounds;
use super::{ChatToken, StoreError, TokenRecord};
use crate::metrics::Metrics;
use crate::settings::{err, ConfigError};

pub const FILE_NAME: &str = "tokens.redb";
/// Visitor ID → the token record (JSON, with its expiry).
const TOKENS: TableDefinition<&str, &[u8]> = TableDefinition::new("tokens");
/// (expiry in unix ms, visitor ID): read in order by the sweep and by eviction of the oldest.
const EXPIRY: TableDefinition<(u64, &str), ()> = TableDefinition::new("expiry");
/// redb's page cache; the whole store of 100,000 tokens is about 30 MB on disk.
const CACHE_BYTES: usize = 16 * 1024 * 1024;
/// At most this long between sweeps of expired tokens (reads ignore them meanwhile).
const MAX_SWEEP_INTERVAL: Duration = Duration::from_secs(60);

#[derive(Clone)]
pub struct DiskTokens(Arc<Inner>);

struct Inner {
    db: Database,
    ttl: Duration,
    capacity: u64,
    /// Counts the tokens the sweeps find expired.
    metrics: Metrics,
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

fn failed(e: impl std::fmt::Display) -> StoreError {
    StoreError::Failed(e.to_string())
}

impl DiskTokens {
    /// Creates `dir` if needed (owner-only: the tokens are credentials for running chats) and
    /// opens or creates the database in it, keeping at most `bounds.capacity` tokens for
    /// `bounds.ttl` each; then sweeps, and keeps sweeping, expired tokens, counting them into
    /// `metrics`.
    pub fn open(
        dir: &Path,
        bounds: TokenBounds,
        metrics: Metrics,
    ) -> Result<DiskTokens, ConfigError> {
        let TokenBounds { ttl, capacity } = bounds;
        let shown = dir.display();
        let unusable =
            |e: &dyn std::fmt::Display| err("VS_DATA_DIR", format!("cannot use '{shown}': {e}"));
        let mut builder = std::fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder.create(dir).map_err(|e| unusable(&e))?;
        let path = dir.join(FILE_NAME);
        // Created owner-only before redb opens it (redb would use the umask's mode).
        let mut options = std::fs::OpenOptions::new();
        options.read(true).write(true).create(true).truncate(false);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        options.open(&path).map_err(|e| unusable(&e))?;
        let db = Database::builder()
            .set_cache_size(CACHE_BYTES)
            .create(&path)
            .map_err(|e| match e {
                redb::DatabaseError::DatabaseAlreadyOpen => err(
                    "VS_DATA_DIR",
                    format!(
                        "'{}' is in use by another proxy; give each proxy its own VS_DATA_DIR, or share the tokens through VS_REDIS_URL",
                        path.display()
                    ),
                ),
                other => unusable(&other),
            })?;
        // A first write proves the folder writable now, not at the first webhook.
        let write = db.begin_write().map_err(|e| unusable(&e))?;
        write.open_table(TOKENS).map_err(|e| unusable(&e))?;
        write.open_table(EXPIRY).map_err(|e| unusable(&e))?;
        write.commit().map_err(|e| unusable(&e))?;
        let store = DiskTokens(Arc::new(Inner {
            db,
            ttl,
            capacity,
            metrics,
        }));
        store.0.sweep().map_err(|e| unusable(&e))?;
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(sweep_now_and_then(Arc::downgrade(&store.0), ttl));
        }
        Ok(store)
    }

    /// Readiness: whether a write transaction commits now (disk full, read-only remount or a
    /// failing disk says no).
    pub async fn check_writable(&self) -> Result<(), StoreError> {
        let inner = self.0.clone();
        blocking(move || {
            let write = inner.db.begin_write().map_err(failed)?;
            write.open_table(TOKENS).map_err(failed)?;
            write.commit().map_err(failed)
        })
        .await
    }

    pub async fn get(&self, visitor_id: &str) -> Result<Option<ChatToken>, StoreError> {
        let inner = self.0.clone();
        let visitor_id = visitor_id.to_owned();
        blocking(move || {
            let read = inner.db.begin_read().map_err(failed)?;
            let tokens = read.open_table(TOKENS).map_err(failed)?;
            let Some(bytes) = tokens.get(visitor_id.as_str()).map_err(failed)? else {
                return Ok(None);
            };
            let record = TokenRecord::decode(bytes.value())?;
            // Expired but not swept yet: gone all the same.
            if record.expires_at_ms.is_some_and(|at| at <= now_ms()) {
                return Ok(None);
            }
            Ok(Some(record.into_token()))
        })
        .await
    }

    pub async fn put(&self, visitor_id: &str, token: &ChatToken) -> Result<(), StoreError> {
        let inner = self.0.clone();
        let visitor_id = visitor_id.to_owned();
        let expires = now_ms().saturating_add(inner.ttl.as_millis() as u64);
        let record = TokenRecord::new(token, Some(expires)).encode();
        blocking(move || {
            let write = inner.db.begin_write().map_err(failed)?;
            {
                let mut tokens = write.open_table(TOKENS).map_err(failed)?;
                let mut expiry = write.open_table(EXPIRY).map_err(failed)?;
                let previous = tokens
                    .insert(visitor_id.as_str(), record.as_slice())
                    .map_err(failed)?
                    .map(|old| TokenRecord::decode(old.value()));
                if let Some(Ok(TokenRecord {
                    expires_at_ms: Some(at),
                    ..
                })) = previous
                {
                    expiry.remove((at, visitor_id.as_str())).map_err(failed)?;
                }
                expiry
                    .insert((expires, visitor_id.as_str()), ())
                    .map_err(failed)?;
                // Over the bound: the oldest tokens (soonest to expire) go first, never the one
                // just stored (several stored in one millisecond sort by visitor ID).
                let over = tokens.len().map_err(failed)?.saturating_sub(inner.capacity);
                if over > 0 {
                    let mut oldest = Vec::new();
                    for row in expiry.iter().map_err(failed)? {
                        let (key, _) = row.map_err(failed)?;
                        let (at, visitor) = key.value();
                        if (at, visitor) != (expires, visitor_id.as_str()) {
                            oldest.push((at, visitor.to_owned()));
                        }
                        if oldest.len() as u64 == over {
                            break;
                        }
                    }
                    for (at, visitor) in oldest {
                        expiry.remove((at, visitor.as_str())).map_err(failed)?;
                        tokens.remove(visitor.as_str()).map_err(failed)?;
                    }
                }
            }
            // Durability::Immediate (redb's default): fsync before the commit returns.
            write.commit().map_err(failed)
        })
        .await
    }

    pub async fn remove_if(
        &self,
        visitor_id: &str,
        expected: &ChatToken,
    ) -> Result<bool, StoreError> {
        let inner = self.0.clone();
        let visitor_id = visitor_id.to_owned();
        let expected = expected.clone();
        blocking(move || {
            let write = inner.db.begin_write().map_err(failed)?;
            let removed = {
                let mut tokens = write.open_table(TOKENS).map_err(failed)?;
                let mut expiry = write.open_table(EXPIRY).map_err(failed)?;
                let stored = match tokens.get(visitor_id.as_str()).map_err(failed)? {
                    Some(bytes) => Some(TokenRecord::decode(bytes.value())?),
                    None => None,
                };
                match stored {
                    Some(record) if record_is(&record, &expected) => {
                        tokens.remove(visitor_id.as_str()).map_err(failed)?;
                        if let Some(at) = record.expires_at_ms {
                            expiry.remove((at, visitor_id.as_str())).map_err(failed)?;
                        }
                        true
                    }
                    _ => false,
                }
            };
            write.commit().map_err(failed)?;
            Ok(removed)
        })
        .await
    }

    #[cfg(test)]
    fn count(&self) -> u64 {
        let read = self.0.db.begin_read().unwrap();
        read.open_table(TOKENS).unwrap().len().unwrap()
    }
}

fn record_is(record: &TokenRecord, token: &ChatToken) -> bool {
    record.license_id == token.license_id
        && record.token == token.token.expose()
        && record.chat_id == token.chat_id
}

impl Inner {
    /// Removes every expired token, in one transaction.
    fn sweep(&self) -> Result<usize, redb::Error> {
        // Expired as `get` counts it (`expires_at <= now`): every row before `(now + 1, "")`.
        let now = now_ms().saturating_add(1);
        // Most sweeps find nothing: a read costs no fsync.
        {
            let read = self.db.begin_read()?;
            if read
                .open_table(EXPIRY)?
                .range(..(now, ""))?
                .next()
                .is_none()
            {
                return Ok(0);
            }
        }
        let write = self.db.begin_write()?;
        let mut removed = 0;
        {
            let mut tokens = write.open_table(TOKENS)?;
            let mut expiry = write.open_table(EXPIRY)?;
            let expired: Vec<(u64, String)> = expiry
                .range(..(now, ""))?
                .map(|row| row.map(|(key, _)| (key.value().0, key.value().1.to_owned())))
                .collect::<Result<_, _>>()?;
            for (at, visitor) in &expired {
                expiry.remove((*at, visitor.as_str()))?;
                // Only the index row's own token: a newer one under the same ID has another expiry.
                let same = tokens.get(visitor.as_str())?.is_some_and(|bytes| {
                    TokenRecord::decode(bytes.value())
                        .map(|r| r.expires_at_ms == Some(*at))
                        .unwrap_or(true)
                });
                if same {
                    tokens.remove(visitor.as_str())?;
                    removed += 1;
                }
            }
        }
        write.commit()?;
        self.metrics.tokens_expired(removed as u64);
        Ok(removed)
    }
}

/// Sweeps every `min(ttl / 4, 60 s)` until the store is dropped.
async fn sweep_now_and_then(store: Weak<Inner>, ttl: Duration) {
    let every = (ttl / 4).clamp(Duration::from_millis(100), MAX_SWEEP_INTERVAL);
    loop {
        tokio::time::sleep(every).await;
        let Some(inner) = store.upgrade() else { return };
        let outcome = tokio::task::spawn_blocking(move || inner.sweep()).await;
        match outcome {
            Ok(Ok(0)) => {}
            Ok(Ok(n)) => tracing::debug!(expired = n, "webhook tokens swept"),
            Ok(Err(e)) => tracing::warn!("sweeping expired webhook tokens failed: {e}"),
            Err(e) => tracing::warn!("sweeping expired webhook tokens failed: {e}"),
        }
    }
}

/// redb blocks on disk I/O (fsync), so it runs on tokio's blocking threads.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, StoreError> + Send + 'static,
) -> Result<T, StoreError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| StoreError::Failed(format!("the store's task failed: {e}")))?
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::Secret;

    fn open(dir: &Path, ttl: Duration, capacity: u64) -> Result<DiskTokens, ConfigError> {
        DiskTokens::open(dir, TokenBounds { ttl, capacity }, Metrics::new())
    }

    fn token(chat: &str) -> ChatToken {
        ChatToken {
            license_id: "9281545".into(),
            token: Secret::new(format!("tok-{chat}")),
            chat_id: Some(chat.into()),
        }
    }

    #[tokio::test]
    async fn tokens_survive_reopening_and_compare_before_removal() {
        let dir = tempfile::tempdir().unwrap();
        let ttl = Duration::from_secs(60);
        {
            let store = open(dir.path(), ttl, 10).unwrap();
            store.put("S1.a", &token("A")).await.unwrap();
            store.put("S1.b", &token("B")).await.unwrap();
            // A newer chat replaces the older one's token.
            store.put("S1.b", &token("B2")).await.unwrap();
        }
        let store = open(dir.path(), ttl, 10).unwrap();
        assert_eq!(store.get("S1.a").await.unwrap(), Some(token("A")));
        assert_eq!(store.get("S1.b").await.unwrap(), Some(token("B2")));
        assert_eq!(store.get("S1.c").await.unwrap(), None);
        assert!(!store.remove_if("S1.b", &token("B")).await.unwrap());
        assert!(store.get("S1.b").await.unwrap().is_some());
        assert!(store.remove_if("S1.b", &token("B2")).await.unwrap());
        assert_eq!(store.get("S1.b").await.unwrap(), None);
    }

    #[tokio::test]
    async fn bounded_oldest_first_and_expired_tokens_are_swept() {
        let dir = tempfile::tempdir().unwrap();
        let store = open(dir.path(), Duration::from_secs(60), 3).unwrap();
        for i in 0..5 {
            store.put(&format!("v{i}"), &token("C")).await.unwrap();
        }
        assert_eq!(store.count(), 3);
        assert_eq!(store.get("v0").await.unwrap(), None);
        assert_eq!(store.get("v1").await.unwrap(), None);
        assert!(store.get("v4").await.unwrap().is_some());

        let dir = tempfile::tempdir().unwrap();
        let short = open(dir.path(), Duration::from_millis(1), 3).unwrap();
        short.put("v9", &token("D")).await.unwrap();
        // Expired ones read as absent at once, whether or not a sweep ran yet...
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        while short.get("v9").await.unwrap().is_some() {
            assert!(std::time::Instant::now() < deadline, "never expired");
            tokio::task::yield_now().await;
        }
        // ...and a sweep removes them from the file (the background sweeper may
        // have been first on a slow machine, so the file's rows are what count).
        short.0.sweep().unwrap();
        assert_eq!(short.count(), 0);
    }

    #[test]
    fn one_folder_per_proxy_and_a_clear_error_when_unusable() {
        let dir = tempfile::tempdir().unwrap();
        let _first = open(dir.path(), Duration::from_secs(1), 1).unwrap();
        let e = open(dir.path(), Duration::from_secs(1), 1).err().unwrap();
        assert_eq!(e.key, "VS_DATA_DIR");
        assert!(e.message.contains("in use by another proxy"), "{e}");
        let file = dir.path().join("a-file");
        std::fs::write(&file, b"").unwrap();
        let e = open(&file.join("data"), Duration::from_secs(1), 1)
            .err()
            .unwrap();
        assert_eq!(e.key, "VS_DATA_DIR");
        assert!(e.message.starts_with("cannot use '"), "{e}");
    }
}
