//! The response cache: requests for the same upstream resource share one upstream call while it
//! is in flight, and its answer serves repeats for the TTL, so 100 agents polling one visitor cost
//! one upstream call per TTL. Each cached body has a strong `ETag` for `If-None-Match` → 304.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use sha1::{Digest, Sha1};

use crate::error::AppError;

/// Upper bound on the bytes of cached bodies.
const MAX_CACHED_BYTES: u64 = 64 * 1024 * 1024;

/// A JSON body ready to send, with its entity tag.
#[derive(Debug)]
pub struct Cached {
    pub body: Bytes,
    pub etag: HeaderValue,
}

impl Cached {
    pub fn new(body: Bytes) -> Cached {
        // A content hash: identical bodies get identical tags, whichever upstream call made them.
        let digest = Sha1::digest(&body);
        let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        let etag = HeaderValue::from_str(&format!("\"{hex}\"")).expect("hex is a valid header");
        Cached { body, etag }
    }

    /// 200 with the body, or 304 when `If-None-Match` names this tag; `Cache-Control: no-cache`
    /// makes browsers revalidate every time instead of showing stale visitor data.
    pub fn respond(&self, request_headers: &HeaderMap) -> Response {
        let matches = request_headers
            .get_all(header::IF_NONE_MATCH)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            // If-None-Match compares weakly (RFC 9110 section 13.1.2).
            .any(|tag| {
                tag == "*" || tag.trim_start_matches("W/").as_bytes() == self.etag.as_bytes()
            });
        let mut response = if matches {
            StatusCode::NOT_MODIFIED.into_response()
        } else {
            (
                [(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("application/json"),
                )],
                self.body.clone(),
            )
                .into_response()
        };
        let headers = response.headers_mut();
        headers.insert(header::ETAG, self.etag.clone());
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
        response
    }
}

type Entry = Result<Arc<Cached>, AppError>;

/// Keyed by upstream resource (`lp:visit:{visitor}:{sid}`, `lc:list?...`).
#[derive(Clone)]
pub struct ResponseCache {
    inner: moka::future::Cache<String, Entry>,
}

impl ResponseCache {
    pub fn new(ttl: Duration) -> ResponseCache {
        let inner = moka::future::Cache::builder()
            .max_capacity(MAX_CACHED_BYTES)
            .weigher(|key: &String, entry: &Entry| {
                let body = entry.as_ref().map(|c| c.body.len()).unwrap_or(256);
                u32::try_from(key.len() + body).unwrap_or(u32::MAX)
            })
            .time_to_live(ttl)
            .build();
        ResponseCache { inner }
    }

    /// The cached answer for `key`, or the result of `load`. Concurrent callers for one key
    /// share a single `load`; its success, or a definitive upstream answer such as a 404, is
    /// kept for the TTL, while transient failures (timeouts, 5xx, 429) are shared by the callers
    /// waiting then but not kept.
    pub async fn get_or_load<F>(&self, key: String, load: F) -> Result<Arc<Cached>, AppError>
    where
        F: Future<Output = Result<Bytes, AppError>> + Send,
    {
        let entry = self
            .inner
            .try_get_with(key, async move {
                match load.await {
                    Ok(body) => Ok(Ok(Arc::new(Cached::new(body)))),
                    Err(e) if e.is_definitive() => Ok(Err(e)),
                    Err(e) => Err(e),
                }
            })
            .await
            .map_err(|e: Arc<AppError>| (*e).clone())?;
        entry
    }

    /// Drops one entry (after a change the proxy itself made).
    pub async fn invalidate(&self, key: &str) {
        self.inner.invalidate(key).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[tokio::test(flavor = "multi_thread")]
    async fn concurrent_loads_share_one_call() {
        let cache = ResponseCache::new(Duration::from_secs(10));
        let calls = Arc::new(AtomicUsize::new(0));
        let (release_tx, release_rx) = tokio::sync::watch::channel(false);
        let mut tasks = Vec::new();
        for _ in 0..20 {
            let cache = cache.clone();
            let calls = calls.clone();
            let mut release = release_rx.clone();
            tasks.push(tokio::spawn(async move {
                cache
                    .get_or_load("k".into(), async move {
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

    #[test]
    fn etags_and_304() {
        let c = Cached::new(Bytes::from_static(b"{\"a\":1}"));
        let tag = c.etag.to_str().unwrap().to_owned();
        assert!(tag.starts_with('"') && tag.ends_with('"') && tag.len() == 42);
        let mut h = HeaderMap::new();
        assert_eq!(c.respond(&h).status(), StatusCode::OK);
        h.insert(
            header::IF_NONE_MATCH,
            HeaderValue::from_str(&format!("\"x\", {tag}")).unwrap(),
        );
        assert_eq!(c.respond(&h).status(), StatusCode::NOT_MODIFIED);
        h.insert(
            header::IF_NONE_MATCH,
            HeaderValue::from_str(&format!("W/{tag}")).unwrap(),
        );
        assert_eq!(c.respond(&h).status(), StatusCode::NOT_MODIFIED);
        h.insert(header::IF_NONE_MATCH, HeaderValue::from_static("\"other\""));
        assert_eq!(c.respond(&h).status(), StatusCode::OK);
    }
}
