//! The response cache: requests for the same upstream resource share one upstream call while it
//! is in flight, and its answer serves repeats for the TTL, so 100 agents polling one visitor cost
//! one upstream call per TTL. Each cached body has a strong `ETag` for `If-None-Match` → 304.
//! With Redis (`VS_REDIS_URL`) the answers and the coalescing are shared by every replica, and
//! since the tag is a hash of the body, a poll that lands on another replica still gets its 304.
//! Each lookup is counted (`vs_cache_requests_total`): a `hit` in this process's memory, a
//! `shared_hit` from Redis, `coalesced` (it waited for a load another request started, here or on
//! another replica), or a `miss` (it called the upstream).
//! A request that accepts brotli or gzip gets the answer compressed, made the first time one
//! asks for that coding and kept beside the body, so N agents polling one answer cost one
//! compression per coding (`vs_cache_compressions_total`); each representation has its own tag
//! (`"<sha1>"`, `"<sha1>-br"`, `"<sha1>-gzip"`) and every answer says `Vary: Accept-Encoding`.

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use sha1::{Digest, Sha1};

use crate::compression::{self, Coding};
use crate::error::AppError;
use crate::metrics::{CacheKind, CacheResult, Metrics};
use crate::store::redis::{Claim, SharedCache};

/// Upper bound on the bytes of cached bodies.
const MAX_CACHED_BYTES: u64 = 64 * 1024 * 1024;

/// A JSON body ready to send, with its entity tag, and its compressed forms once asked for.
#[derive(Debug)]
pub struct Cached {
    pub body: Bytes,
    pub etag: HeaderValue,
    br: tokio::sync::OnceCell<Encoded>,
    gzip: tokio::sync::OnceCell<Encoded>,
}

/// The body in one content coding, with that representation's own tag.
#[derive(Debug)]
struct Encoded {
    body: Bytes,
    etag: HeaderValue,
}

impl Cached {
    pub fn new(body: Bytes) -> Cached {
        // A content hash: identical bodies get identical tags, whichever upstream call (or
        // replica) made them.
        let digest = Sha1::digest(&body);
        let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        let etag = HeaderValue::from_str(&format!("\"{hex}\"")).expect("hex is a valid header");
        Cached {
            body,
            etag,
            br: Default::default(),
            gzip: Default::default(),
        }
    }

    /// The answer to one request, in the coding it accepts best (see [`compression::negotiate`];
    /// short bodies always as they are): 200 with the body, or 304 when `If-None-Match` names
    /// that representation's tag. `Cache-Control: no-cache` makes browsers revalidate every time
    /// instead of showing stale visitor data. A coding's first request compresses the body
    /// (off the async workers) and counts it into `metrics`; its other requests share that.
    pub async fn respond(&self, request_headers: &HeaderMap, metrics: &Metrics) -> Response {
        let coding = if self.body.len() >= compression::MIN_COMPRESSED_LEN {
            compression::negotiate(request_headers)
        } else {
            None
        };
        let (body, etag) = match coding {
            None => (&self.body, &self.etag),
            Some(coding) => {
                let encoded = self.encoded(coding, metrics).await;
                (&encoded.body, &encoded.etag)
            }
        };
        let matches = request_headers
            .get_all(header::IF_NONE_MATCH)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            // If-None-Match compares weakly (RFC 9110 section 13.1.2).
            .any(|tag| tag == "*" || tag.trim_start_matches("W/").as_bytes() == etag.as_bytes());
        let mut response = if matches {
            StatusCode::NOT_MODIFIED.into_response()
        } else {
            let mut response = (
                [(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("application/json"),
                )],
                body.clone(),
            )
                .into_response();
            if let Some(coding) = coding {
                response.headers_mut().insert(
                    header::CONTENT_ENCODING,
                    HeaderValue::from_static(coding.token()),
                );
            }
            response
        };
        let headers = response.headers_mut();
        // Room for what the layers add on the way out (request ID, policies, CORS): grown one
        // insert at a time, the map was reallocated twice per answer.
        headers.reserve(16);
        headers.insert(header::ETAG, etag.clone());
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
        // Appended: the CORS layer adds its own `Vary` values to the same response.
        headers.append(header::VARY, HeaderValue::from_static("accept-encoding"));
        response
    }

    /// The body in `coding`, compressed by the first request that asks (the others wait for it).
    async fn encoded(&self, coding: Coding, metrics: &Metrics) -> &Encoded {
        let cell = match coding {
            Coding::br => &self.br,
            Coding::gzip => &self.gzip,
        };
        cell.get_or_init(|| async {
            let body = self.body.clone();
            // Megabytes take milliseconds: on a blocking thread, not an async worker.
            let compressed = tokio::task::spawn_blocking(move || coding.encode(&body))
                .await
                .expect("the encoders do not panic");
            metrics.compressed(coding);
            let tag = self.etag.to_str().expect("made from hex");
            let tag = format!("{}-{}\"", &tag[..tag.len() - 1], coding.token());
            Encoded {
                body: Bytes::from(compressed),
                etag: HeaderValue::from_str(&tag).expect("hex and a token"),
            }
        })
        .await
    }
}

type Entry = Result<Arc<Cached>, AppError>;

/// How one lookup that missed this process's memory was served; set by the load that ran.
type Outcome = std::sync::Mutex<CacheResult>;

fn set(outcome: &Outcome, result: CacheResult) {
    *outcome.lock().unwrap() = result;
}

/// An answer another replica put in Redis: a wait for its load, or there already.
fn from_redis(waited: bool) -> CacheResult {
    if waited {
        CacheResult::coalesced
    } else {
        CacheResult::shared_hit
    }
}

/// A cached answer and how long it has left: the TTL for an answer loaded here, what remains of
/// it for one another replica loaded.
#[derive(Clone)]
struct Slot {
    entry: Entry,
    ttl: Duration,
}

/// Each entry lives for its own [`Slot::ttl`], so all replicas drop a shared answer together.
struct SlotExpiry;

impl moka::Expiry<String, Slot> for SlotExpiry {
    fn expire_after_create(&self, _key: &String, slot: &Slot, _now: Instant) -> Option<Duration> {
        Some(slot.ttl)
    }
}

/// How long a transient failure (timeout, 5xx, 429) is handed to other replicas that were
/// waiting for the same answer (and to those that ask right after), instead of each calling the
/// struggling upstream again.
const FAILURE_SHARED_FOR: Duration = Duration::from_millis(500);
/// The first and the longest pause between two looks at another replica's lock.
const FIRST_PAUSE: Duration = Duration::from_millis(2);
const LONGEST_PAUSE: Duration = Duration::from_millis(25);

/// The shared layer (Redis) and its bounds.
#[derive(Clone)]
struct Shared {
    redis: SharedCache,
    /// How long to wait for another replica's answer before calling the upstream anyway: the
    /// longest a healthy upstream call can take (the upstream timeout).
    wait: Duration,
    /// How long a lock outlives a replica that died while holding it.
    lock_for: Duration,
}

/// Keyed by upstream resource (`lp:visit:{visitor}:{sid}`, `lc:list?...`).
#[derive(Clone)]
pub struct ResponseCache {
    inner: moka::future::Cache<String, Slot>,
    ttl: Duration,
    shared: Option<Shared>,
    metrics: Metrics,
}

impl ResponseCache {
    /// Answers kept for `ttl`, each lookup counted into `metrics`. With `shared` (Redis), one
    /// upstream call per key per TTL across every replica: a miss here takes a short lock in
    /// Redis, or waits (at most `wait`, the upstream timeout) for the replica that holds it.
    pub fn new(
        ttl: Duration,
        shared: Option<SharedCache>,
        wait: Duration,
        metrics: Metrics,
    ) -> ResponseCache {
        let inner = moka::future::Cache::builder()
            .max_capacity(MAX_CACHED_BYTES)
            .weigher(|key: &String, slot: &Slot| {
                // A quarter more for the compressed copies made later (a tenth each, for JSON).
                let body = slot
                    .entry
                    .as_ref()
                    .map(|c| c.body.len() + c.body.len() / 4)
                    .unwrap_or(256);
                u32::try_from(key.len() + body).unwrap_or(u32::MAX)
            })
            .expire_after(SlotExpiry)
            .build();
        ResponseCache {
            inner,
            ttl,
            shared: shared.map(|redis| Shared {
                redis,
                wait,
                lock_for: wait * 2 + Duration::from_secs(1),
            }),
            metrics,
        }
    }

    /// The cached answer for `key`, or the result of `load`. Concurrent callers for one key
    /// share a single `load` (across replicas too, with Redis); its success, or a definitive
    /// upstream answer such as a 404, is kept for the TTL, while transient failures (timeouts,
    /// 5xx, 429) are shared by the callers waiting then but not kept. `kind` is what the lookup
    /// is counted as (the metric's `cache` label: the kind of key, never the IDs in it).
    pub async fn get_or_load<L, F>(
        &self,
        kind: CacheKind,
        key: String,
        load: L,
    ) -> Result<Arc<Cached>, AppError>
    where
        L: FnOnce() -> F,
        F: Future<Output = Result<Bytes, AppError>> + Send,
    {
        if let Some(slot) = self.inner.get(&key).await {
            self.metrics.cache(kind, CacheResult::hit);
            return slot.entry;
        }
        // The miss path on the heap: its futures (moka's and the upstream call's) are many
        // kilobytes, which a hit would otherwise carry and move with every request. `load` is
        // a closure for the same reason: the upstream call's future is only made on a miss.
        Box::pin(self.load(kind, key, load())).await
    }

    /// [`ResponseCache::get_or_load`] after a miss in this process's memory.
    async fn load<F>(&self, kind: CacheKind, key: String, load: F) -> Result<Arc<Cached>, AppError>
    where
        F: Future<Output = Result<Bytes, AppError>> + Send,
    {
        let ttl = self.ttl;
        // Stays `coalesced` unless this lookup's own load runs: moka ran another caller's.
        let outcome: Outcome = std::sync::Mutex::new(CacheResult::coalesced);
        let slot = match &self.shared {
            None => {
                let init = load_here(load, ttl, &outcome);
                self.inner.try_get_with(key, init).await
            }
            Some(shared) => {
                let init = load_shared(shared, &key, load, ttl, &outcome);
                self.inner.try_get_with(key.clone(), init).await
            }
        };
        self.metrics.cache(kind, outcome.into_inner().unwrap());
        slot.map_err(|e: Arc<AppError>| (*e).clone())?.entry
    }

    /// The answer to one request for `cached` (see [`Cached::respond`]), its compressions
    /// counted into this cache's metrics.
    pub async fn respond(&self, cached: &Cached, request_headers: &HeaderMap) -> Response {
        cached.respond(request_headers, &self.metrics).await
    }

    /// Drops one entry (after a change the proxy itself made), on every replica.
    pub async fn invalidate(&self, key: &str) {
        if let Some(shared) = &self.shared {
            // Redis down: its copy expires with its TTL.
            let _ = shared.redis.invalidate(key).await;
        }
        self.inner.invalidate(key).await;
    }
}

/// This process alone: the upstream's answer, or a definitive error, kept for the TTL.
async fn load_here<F>(load: F, ttl: Duration, outcome: &Outcome) -> Result<Slot, AppError>
where
    F: Future<Output = Result<Bytes, AppError>>,
{
    set(outcome, CacheResult::miss);
    match load.await {
        Ok(body) => Ok(Slot {
            entry: Ok(Arc::new(Cached::new(body))),
            ttl,
        }),
        Err(e) if e.is_definitive() => Ok(Slot { entry: Err(e), ttl }),
        Err(e) => Err(e),
    }
}

/// Through Redis: another replica's answer, or the lock and then this replica's own load,
/// published for the others. Redis failing at any step means this replica's own path.
async fn load_shared<F>(
    shared: &Shared,
    key: &str,
    load: F,
    ttl: Duration,
    outcome: &Outcome,
) -> Result<Slot, AppError>
where
    F: Future<Output = Result<Bytes, AppError>>,
{
    if !shared.redis.available() {
        return load_here(load, ttl, outcome).await;
    }
    let mut waited = false;
    let owner = format!("{:032x}", rand::random::<u128>());
    let deadline = Instant::now() + shared.wait;
    let mut pause = FIRST_PAUSE;
    let holds_lock = loop {
        match shared.redis.claim(key, &owner, shared.lock_for).await {
            Ok(Claim::Value(bytes, left)) => match decode(&bytes) {
                Some(entry) => {
                    set(outcome, from_redis(waited));
                    return Ok(Slot {
                        entry,
                        ttl: left.min(ttl),
                    });
                }
                // Written by another version of the proxy: replaced by this one's answer.
                None => break false,
            },
            Ok(Claim::Mine) => break true,
            Ok(Claim::Failed(bytes)) => match decode_error(&bytes) {
                Some(e) => {
                    set(outcome, from_redis(waited));
                    return Err(e);
                }
                None => break false,
            },
            Ok(Claim::Busy) if Instant::now() + pause < deadline => {
                waited = true;
                tokio::time::sleep(pause).await;
                pause = (pause * 2).min(LONGEST_PAUSE);
            }
            // Waited as long as a healthy upstream call can take: the holder is gone or stuck.
            Ok(Claim::Busy) => break false,
            Err(_) => return load_here(load, ttl, outcome).await,
        }
    };
    set(outcome, CacheResult::miss);
    match load.await {
        Ok(body) => {
            let cached = Arc::new(Cached::new(body));
            let mut value = Vec::with_capacity(cached.body.len() + 1);
            value.push(b'1');
            value.extend_from_slice(&cached.body);
            // Not published (Redis just went down): the others load for themselves.
            let _ = shared.redis.publish(key, &owner, value, ttl).await;
            Ok(Slot {
                entry: Ok(cached),
                ttl,
            })
        }
        Err(e) if e.is_definitive() => {
            let mut value = vec![b'0'];
            value.extend_from_slice(&encode_error(&e));
            let _ = shared.redis.publish(key, &owner, value, ttl).await;
            Ok(Slot { entry: Err(e), ttl })
        }
        Err(e) => {
            if holds_lock {
                let keep = FAILURE_SHARED_FOR.min(ttl);
                let _ = shared
                    .redis
                    .fail(key, &owner, &encode_error(&e), keep)
                    .await;
            }
            Err(e)
        }
    }
}

/// An error as the other replicas need it: what the client gets and its `Retry-After`.
#[derive(serde::Serialize, serde::Deserialize)]
struct SharedError {
    error: visitor_sidebar_contract::ErrorDetail,
    retry_after: Option<u64>,
}

fn encode_error(e: &AppError) -> Vec<u8> {
    serde_json::to_vec(&SharedError {
        error: e.body.clone(),
        retry_after: e.retry_after,
    })
    .expect("an error body serializes")
}

fn decode_error(bytes: &[u8]) -> Option<AppError> {
    let shared: SharedError = serde_json::from_slice(bytes).ok()?;
    let mut e = AppError::new(shared.error.code, String::new());
    e.body = shared.error;
    e.retry_after = shared.retry_after;
    Some(e.detail("answer shared by another replica"))
}

/// `1` + body: an answer; `0` + JSON: a definitive error.
fn decode(bytes: &[u8]) -> Option<Entry> {
    match bytes.split_first()? {
        (b'1', body) => Some(Ok(Arc::new(Cached::new(Bytes::copy_from_slice(body))))),
        (b'0', error) => decode_error(error).map(Err),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[tokio::test(flavor = "multi_thread")]
    async fn concurrent_loads_share_one_call() {
        let cache = ResponseCache::new(
            Duration::from_secs(10),
            None,
            Duration::ZERO,
            Metrics::new(),
        );
        let calls = Arc::new(AtomicUsize::new(0));
        let (release_tx, release_rx) = tokio::sync::watch::channel(false);
        let mut tasks = Vec::new();
        for _ in 0..20 {
            let cache = cache.clone();
            let calls = calls.clone();
            let mut release = release_rx.clone();
            tasks.push(tokio::spawn(async move {
                cache
                    .get_or_load(CacheKind::lp_visit, "k".into(), || async move {
                        calls.fetch_add(1, Ordering::SeqCst);
                        let _ = release.wait_for(|go| *go).await;
                        Ok(Bytes::from_static(b"{}"))
                    })
                    .await
            }));
        }
        release_tx.send(true).unwrap();
        for t in tasks {
            assert_eq!(&t.await.unwrap().unwrap().body[..], b"{}");
        }
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn lookups_are_counted_as_misses_coalesced_waits_and_hits() {
        let metrics = Metrics::new();
        let cache = ResponseCache::new(
            Duration::from_secs(10),
            None,
            Duration::ZERO,
            metrics.clone(),
        );
        let key = || "lp:visit:visitor-1:session-1".to_owned();
        let (release_tx, release_rx) = tokio::sync::watch::channel(false);
        let (started_tx, mut started_rx) = tokio::sync::watch::channel(false);
        let loader = tokio::spawn({
            let cache = cache.clone();
            let mut release = release_rx.clone();
            async move {
                cache
                    .get_or_load(CacheKind::lp_visit, key(), || async move {
                        started_tx.send(true).unwrap();
                        let _ = release.wait_for(|go| *go).await;
                        Ok(Bytes::from_static(b"{}"))
                    })
                    .await
            }
        });
        started_rx.wait_for(|s| *s).await.unwrap();
        // Asked while that load is held: it cannot finish before the release, so once it has
        // been polled it is waiting on the load (its own load would fail the test).
        let mut waiter = Box::pin(cache.get_or_load(CacheKind::lp_visit, key(), || async {
            Err(AppError::internal("a second load ran"))
        }));
        assert!(
            tokio::time::timeout(Duration::from_millis(50), &mut waiter)
                .await
                .is_err(),
            "the waiter waits for the held load"
        );
        release_tx.send(true).unwrap();
        assert!(loader.await.unwrap().is_ok());
        assert!(waiter.await.is_ok(), "the waiter got the loader's answer");
        assert!(cache
            .get_or_load(CacheKind::lp_visit, key(), || async {
                Err(AppError::internal("cached"))
            })
            .await
            .is_ok());
        let text = metrics.encode();
        for line in [
            r#"vs_cache_requests_total{cache="lp_visit",result="miss"} 1"#,
            r#"vs_cache_requests_total{cache="lp_visit",result="coalesced"} 1"#,
            r#"vs_cache_requests_total{cache="lp_visit",result="hit"} 1"#,
        ] {
            assert!(text.contains(line), "{line} not in\n{text}");
        }
        assert!(!text.contains("visitor-1") && !text.contains("session-1"));
    }

    /// What a request with these headers gets: status, `Content-Encoding`, `ETag`, `Vary`, body.
    async fn answer(c: &Cached, metrics: &Metrics, headers: &[(&str, &str)]) -> [String; 5] {
        let mut h = HeaderMap::new();
        for (name, value) in headers {
            h.append(
                header::HeaderName::from_bytes(name.as_bytes()).unwrap(),
                HeaderValue::from_str(value).unwrap(),
            );
        }
        let response = c.respond(&h, metrics).await;
        let read = |name| {
            response
                .headers()
                .get(name)
                .map_or(String::new(), |v| v.to_str().unwrap().to_owned())
        };
        let [status, coding, etag, vary] = [
            response.status().as_u16().to_string(),
            read(header::CONTENT_ENCODING),
            read(header::ETAG),
            read(header::VARY),
        ];
        let body = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        [status, coding, etag, vary, format!("{} bytes", body.len())]
    }

    #[tokio::test]
    async fn etags_and_304() {
        let metrics = Metrics::new();
        let c = Cached::new(Bytes::from_static(b"{\"a\":1}"));
        let tag = c.etag.to_str().unwrap().to_owned();
        assert!(tag.starts_with('"') && tag.ends_with('"') && tag.len() == 42);
        let status = |h: Vec<(&'static str, String)>| {
            let (c, metrics) = (&c, &metrics);
            async move {
                let h: Vec<(&str, &str)> = h.iter().map(|(n, v)| (*n, v.as_str())).collect();
                answer(c, metrics, &h).await[0].clone()
            }
        };
        assert_eq!(status(vec![]).await, "200");
        for matching in [format!("\"x\", {tag}"), format!("W/{tag}"), "*".to_owned()] {
            assert_eq!(status(vec![("if-none-match", matching)]).await, "304");
        }
        assert_eq!(
            status(vec![("if-none-match", "\"other\"".to_owned())]).await,
            "200"
        );
    }

    #[tokio::test]
    async fn each_coding_has_its_own_tag_and_is_compressed_once() {
        let metrics = Metrics::new();
        let body = serde_json::to_vec(&vec!["a page the visitor saw"; 200]).unwrap();
        let c = Cached::new(Bytes::from(body.clone()));
        let identity = c.etag.to_str().unwrap().to_owned();
        let plain = answer(&c, &metrics, &[]).await;
        assert_eq!(
            plain,
            [
                "200".to_owned(),
                String::new(),
                identity.clone(),
                "accept-encoding".to_owned(),
                format!("{} bytes", body.len())
            ]
        );
        let br_tag = format!("{}-br\"", &identity[..identity.len() - 1]);
        let gzip_tag = format!("{}-gzip\"", &identity[..identity.len() - 1]);
        for _ in 0..3 {
            let br = answer(&c, &metrics, &[("accept-encoding", "gzip, deflate, br")]).await;
            assert_eq!(br[..4], ["200", "br", &br_tag, "accept-encoding"]);
            let gzip = answer(&c, &metrics, &[("accept-encoding", "gzip")]).await;
            assert_eq!(gzip[..4], ["200", "gzip", &gzip_tag, "accept-encoding"]);
        }
        // A tag is its own representation's: the brotli one revalidates a brotli request only.
        let again = [
            ("accept-encoding", "br"),
            ("if-none-match", br_tag.as_str()),
        ];
        assert_eq!(
            answer(&c, &metrics, &again).await,
            [
                "304".to_owned(),
                String::new(),
                br_tag.clone(),
                "accept-encoding".to_owned(),
                "0 bytes".to_owned()
            ]
        );
        let other = [
            ("accept-encoding", "gzip"),
            ("if-none-match", br_tag.as_str()),
        ];
        assert_eq!(answer(&c, &metrics, &other).await[0], "200");
        let text = metrics.encode();
        for line in [
            r#"vs_cache_compressions_total{coding="br"} 1"#,
            r#"vs_cache_compressions_total{coding="gzip"} 1"#,
        ] {
            assert!(text.contains(line), "{line} not in\n{text}");
        }
        // Too short to gain: as it is, whatever the request accepts.
        let short = Cached::new(Bytes::from_static(b"{\"a\":1}"));
        assert_eq!(
            answer(&short, &metrics, &[("accept-encoding", "br")]).await[1],
            ""
        );
    }
}
