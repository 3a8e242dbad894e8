//! Liveness and readiness, for orchestrators and load balancers: `GET /api/health/live` (the
//! process answers) and `GET /api/health/ready` (configuration loaded, each configured upstream
//! answered recently or answers a cheap probe, the store can be written, and the proxy is not
//! draining). `/api/health` keeps its summary (in `app.rs`).
//!
//! Probes are bounded by the upstream timeout and their verdicts kept for [`PROBE_KEPT`], shared
//! by concurrent callers, so a load balancer asking every second (or a Prometheus scrape, which
//! evaluates readiness for `vs_ready`) costs each vendor at most one cheap call per few seconds,
//! and none while real traffic shows the upstream answering.
//!
//! On SIGTERM `main` calls [`Health::start_draining`]: readiness turns false at once (503,
//! `"reason": "draining"`), the proxy keeps serving for `VS_DRAIN_SECS` while load balancers
//! notice, and only then stops accepting and lets the requests in flight finish.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{FromRef, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Map, Value};

use crate::livechat::LiveChat;
use crate::liveperson::LivePerson;
use crate::metrics::{Check, Metrics, Provider, StoreKind};
use crate::settings::{err, number, ConfigError, RawConfig};
use crate::store::Store;
use crate::upstream::Upstream;

/// An upstream that answered (below 500) within this long counts as up without a probe.
pub const ANSWER_FRESH_FOR: Duration = Duration::from_secs(30);
/// How long a probe's verdict (and the store's write check) is reused.
pub const PROBE_KEPT: Duration = Duration::from_secs(5);
/// `VS_DRAIN_SECS`'s default: long enough for a load balancer probing every second or two to
/// see readiness fail and stop sending new requests.
pub const DEFAULT_DRAIN_SECS: u64 = 5;
/// The longest drain accepted.
const MAX_DRAIN_SECS: u64 = 300;

/// `VS_DRAIN_SECS`, checked.
pub fn drain_from_raw(raw: &RawConfig) -> Result<Duration, ConfigError> {
    let secs = number(
        raw.value("VS_DRAIN_SECS"),
        "VS_DRAIN_SECS",
        DEFAULT_DRAIN_SECS,
    )?;
    if secs > MAX_DRAIN_SECS {
        return Err(err(
            "VS_DRAIN_SECS",
            format!("must be at most {MAX_DRAIN_SECS}"),
        ));
    }
    Ok(Duration::from_secs(secs))
}

/// The proxy's own health: draining or not, and the probes' recent verdicts. Cheap to clone.
#[derive(Clone)]
pub struct Health(Arc<Inner>);

struct Inner {
    draining: AtomicBool,
    /// Check name → its verdict, kept [`PROBE_KEPT`]; concurrent callers share one probe.
    verdicts: moka::future::Cache<Check, Result<(), String>>,
    metrics: Metrics,
}

impl Health {
    pub fn new(metrics: Metrics) -> Health {
        Health(Arc::new(Inner {
            draining: AtomicBool::new(false),
            verdicts: moka::future::Cache::builder()
                .max_capacity(16)
                .time_to_live(PROBE_KEPT)
                .build(),
            metrics,
        }))
    }

    /// Readiness turns false from now on; the server keeps serving until it is shut down.
    pub fn start_draining(&self) {
        if !self.0.draining.swap(true, Ordering::SeqCst) {
            self.0.metrics.draining();
            tracing::info!("draining: readiness is false from now on");
        }
    }

    pub fn is_draining(&self) -> bool {
        self.0.draining.load(Ordering::SeqCst)
    }

    /// Where readiness records its verdicts.
    fn metrics(&self) -> &Metrics {
        &self.0.metrics
    }

    /// The kept verdict of `check`, or the one `run` gives now.
    async fn verdict<F>(&self, check: Check, run: F) -> Result<(), String>
    where
        F: std::future::Future<Output = Result<(), String>>,
    {
        self.0.verdicts.get_with(check, run).await
    }
}

/// What readiness looks at: the parts of the app state it needs.
#[derive(Clone)]
pub struct Readiness {
    pub health: Health,
    pub liveperson: LivePerson,
    pub livechat: LiveChat,
    pub store: Store,
    pub upstream: Upstream,
}

/// One configured upstream's check: answered recently, else the (kept) probe's verdict.
async fn upstream_check<F>(
    readiness: &Readiness,
    provider: Provider,
    check: Check,
    probe: F,
) -> Value
where
    F: std::future::Future<Output = Option<Result<(), String>>>,
{
    if let Some(ago) = readiness.upstream.last_answer(provider) {
        if ago <= ANSWER_FRESH_FOR {
            return json!({"ok": true, "last_answer_secs": ago.as_secs()});
        }
    }
    let verdict = readiness
        .health
        .verdict(check, async {
            // Configured (checked by the caller), so the probe runs.
            probe.await.unwrap_or(Ok(()))
        })
        .await;
    match verdict {
        Ok(()) => json!({"ok": true, "probe": "answered"}),
        Err(reason) => json!({"ok": false, "reason": reason}),
    }
}

impl Readiness {
    /// Evaluates every check (probing where needed) and records the outcome in the metrics.
    /// `(ready, body)`.
    pub async fn evaluate(&self) -> (bool, Value) {
        let mut checks = Map::new();
        checks.insert("config".into(), json!({"ok": true}));
        if self.health.is_draining() {
            self.health.metrics().draining();
            return (
                false,
                json!({"ready": false, "reason": "draining", "checks": checks}),
            );
        }
        let lp = self.liveperson.clone();
        let lc = self.livechat.clone();
        let liveperson = async {
            match self.liveperson.is_configured() {
                true => {
                    let probe = async move { lp.probe().await };
                    Some(upstream_check(self, Provider::liveperson, Check::liveperson, probe).await)
                }
                false => None,
            }
        };
        let livechat = async {
            match self.livechat.is_configured() {
                true => {
                    let probe = async move { lc.probe().await };
                    Some(upstream_check(self, Provider::livechat, Check::livechat, probe).await)
                }
                false => None,
            }
        };
        let (liveperson, livechat, stores) =
            tokio::join!(liveperson, livechat, self.store_checks());
        for (name, check) in [("liveperson", liveperson), ("livechat", livechat)] {
            if let Some(check) = check {
                checks.insert(name.into(), check);
            }
        }
        for (store, verdict) in stores {
            self.health.metrics().store_up(store, verdict.is_ok());
            let check = match verdict {
                Ok(()) => json!({"ok": true}),
                Err(reason) => json!({"ok": false, "reason": reason}),
            };
            let name = match store {
                StoreKind::disk => "store_disk",
                StoreKind::redis => "store_redis",
            };
            checks.insert(name.into(), check);
        }
        let failing: Vec<String> = checks
            .iter()
            .filter(|(_, c)| c["ok"] != true)
            .map(|(name, c)| format!("{name}: {}", c["reason"].as_str().unwrap_or("failing")))
            .collect();
        let ready = failing.is_empty();
        let labels: Vec<(Check, bool)> = [
            (Check::config, "config"),
            (Check::liveperson, "liveperson"),
            (Check::livechat, "livechat"),
            (Check::store_disk, "store_disk"),
            (Check::store_redis, "store_redis"),
        ]
        .into_iter()
        .filter_map(|(check, name)| checks.get(name).map(|c| (check, c["ok"] == true)))
        .collect();
        self.health.metrics().readiness(ready, &labels);
        let mut body = json!({"ready": ready, "checks": checks});
        if !ready {
            body["reason"] = json!(failing.join("; "));
        }
        (ready, body)
    }

    /// The stores' write checks, the disk's kept like a probe (it commits a transaction).
    async fn store_checks(&self) -> Vec<(StoreKind, Result<(), String>)> {
        let mut checks = Vec::new();
        let store = self.store.clone();
        if store.disk_writable_applies() {
            let verdict = self
                .health
                .verdict(Check::store_disk, async move {
                    store.disk_writable().await.unwrap_or(Ok(()))
                })
                .await;
            checks.push((StoreKind::disk, verdict));
        }
        if let Some(verdict) = self.store.redis_reachable() {
            checks.push((StoreKind::redis, verdict));
        }
        checks
    }
}

/// The routes, for any app state that holds the parts readiness needs.
pub fn router<S>() -> Router<S>
where
    S: Clone + Send + Sync + 'static,
    Readiness: FromRef<S>,
{
    Router::new()
        .route("/api/health/live", get(live))
        .route("/api/health/ready", get(ready))
}

fn no_store(status: StatusCode, body: Value) -> Response {
    let mut response = (status, Json(body)).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// `GET /api/health/live`: 200 while the process answers, draining or not.
async fn live() -> Response {
    no_store(StatusCode::OK, json!({"live": true}))
}

/// `GET /api/health/ready`: 200 `{"ready": true, "checks": {…}}`, or 503 with `"ready": false`
/// and the `reason`.
async fn ready(State(readiness): State<Readiness>) -> Response {
    let (ready, body) = readiness.evaluate().await;
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    no_store(status, body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_drain_is_a_bounded_number_of_seconds() {
        let parse = |v: &str| {
            let mut raw = RawConfig::default();
            raw.set("VS_DRAIN_SECS", v);
            drain_from_raw(&raw)
        };
        assert_eq!(parse("0").unwrap(), Duration::ZERO);
        assert_eq!(parse("12").unwrap(), Duration::from_secs(12));
        assert_eq!(parse("soon").unwrap_err().key, "VS_DRAIN_SECS");
        assert_eq!(parse("301").unwrap_err().key, "VS_DRAIN_SECS");
        assert_eq!(
            drain_from_raw(&RawConfig::default()).unwrap(),
            Duration::from_secs(DEFAULT_DRAIN_SECS)
        );
    }
}
