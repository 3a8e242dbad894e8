//! The proxy's metrics: one [`Metrics`] per `AppState`, each with its own `prometheus-client`
//! registry, so that a test process that starts several proxies reads each one's exact counts;
//! and the middleware that counts every request. Every label value is a word fixed in code
//! ([`labels`]) or a route template (axum's `MatchedPath`): never a visitor ID, a session ID, a
//! token or a raw path. [`listener`] serves them to operators.

pub mod labels;
pub mod listener;

use std::sync::atomic::AtomicU64;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::extract::{MatchedPath, Request};
use axum::http::{Method, StatusCode};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

use crate::layers::{ObserveLayer, Observer};

pub use labels::{
    CacheKind, CacheResult, Check, Coding, CompanySignIn, HttpMethod, Limit, Operation, Provider,
    SignInMode, SignInOutcome, StoreKind, TokenRemoved,
};

/// Buckets of the latency histograms, in seconds: from a cache hit (well under a millisecond)
/// to the longest upstream timeout worth telling apart.
const LATENCY_BUCKETS: [f64; 14] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

fn latency_histogram() -> Histogram {
    Histogram::new(LATENCY_BUCKETS)
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct HttpLabels {
    route: String,
    method: HttpMethod,
    /// `2xx`, `4xx`, …
    status: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    route: String,
    method: HttpMethod,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct UpstreamLabels {
    provider: Provider,
    operation: Operation,
    /// The HTTP status, or `timeout` / `unreachable`.
    status: String,
    /// LivePerson's documented internal codes (see `liveperson::failures`), `other` or empty.
    code: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OperationLabels {
    provider: Provider,
    operation: Operation,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ProviderLabels {
    provider: Provider,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CacheLabels {
    cache: CacheKind,
    result: CacheResult,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CodingLabels {
    coding: Coding,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct SignInLabels {
    mode: SignInMode,
    outcome: SignInOutcome,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OutcomeLabels {
    outcome: CompanySignIn,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct LimitLabels {
    limit: Limit,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ReasonLabels {
    reason: TokenRemoved,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StoreLabels {
    store: StoreKind,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CheckLabels {
    check: Check,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct BuildLabels {
    version: &'static str,
}

type Histograms<L> = Family<L, Histogram, fn() -> Histogram>;

/// The proxy's metrics. Cheap to clone; every clone counts into the same registry.
#[derive(Clone)]
pub struct Metrics(Arc<Inner>);

struct Inner {
    registry: Registry,
    http_requests: Family<HttpLabels, Counter>,
    http_duration: Histograms<RouteLabels>,
    upstream_requests: Family<UpstreamLabels, Counter>,
    upstream_duration: Histograms<OperationLabels>,
    upstream_last_answer: Family<ProviderLabels, Gauge<f64, AtomicU64>>,
    cache: Family<CacheLabels, Counter>,
    compressions: Family<CodingLabels, Counter>,
    tokens_stored: Counter,
    tokens_expired: Counter,
    tokens_removed: Family<ReasonLabels, Counter>,
    sign_ins: Family<SignInLabels, Counter>,
    company_sign_ins: Family<OutcomeLabels, Counter>,
    rate_limited: Family<LimitLabels, Counter>,
    store_up: Family<StoreLabels, Gauge>,
    ready: Gauge,
    ready_checks: Family<CheckLabels, Gauge>,
    draining: Gauge,
}

impl Metrics {
    /// A fresh registry with every metric family registered (names start with `vs_`).
    // No `Default`: a part that made its own registry would count into one nobody scrapes, so
    // each takes the app state's, and making a new one is always said.
    #[allow(clippy::new_without_default)]
    pub fn new() -> Metrics {
        let mut registry = Registry::with_prefix("vs");
        let http_requests = Family::<HttpLabels, Counter>::default();
        registry.register(
            "http_requests",
            "Requests answered, by route template, method and status class",
            http_requests.clone(),
        );
        let http_duration: Histograms<RouteLabels> =
            Family::new_with_constructor(latency_histogram);
        registry.register(
            "http_request_duration_seconds",
            "Time to answer a request, by route template and method",
            http_duration.clone(),
        );
        let upstream_requests = Family::<UpstreamLabels, Counter>::default();
        registry.register(
            "upstream_requests",
            "Calls to LivePerson, LiveChat and the sign-in services, by provider, operation, HTTP status (or timeout, unreachable) and LivePerson's internal code",
            upstream_requests.clone(),
        );
        let upstream_duration: Histograms<OperationLabels> =
            Family::new_with_constructor(latency_histogram);
        registry.register(
            "upstream_request_duration_seconds",
            "Time an upstream call took, answer read, by provider and operation",
            upstream_duration.clone(),
        );
        let upstream_last_answer = Family::<ProviderLabels, Gauge<f64, AtomicU64>>::default();
        registry.register(
            "upstream_last_answer_timestamp_seconds",
            "When each upstream last answered with a status below 500 (Unix time)",
            upstream_last_answer.clone(),
        );
        let cache = Family::<CacheLabels, Counter>::default();
        registry.register(
            "cache_requests",
            "Response cache lookups, by cache and result (hit, shared_hit, coalesced, miss)",
            cache.clone(),
        );
        let compressions = Family::<CodingLabels, Counter>::default();
        registry.register(
            "cache_compressions",
            "Cached answers compressed, by coding (once per answer and coding, however many agents poll it)",
            compressions.clone(),
        );
        let tokens_stored = Counter::default();
        registry.register(
            "webhook_tokens_stored",
            "chat_started webhook tokens stored",
            tokens_stored.clone(),
        );
        let tokens_expired = Counter::default();
        registry.register(
            "webhook_tokens_expired",
            "Webhook tokens dropped because they expired",
            tokens_expired.clone(),
        );
        let tokens_removed = Family::<ReasonLabels, Counter>::default();
        registry.register(
            "webhook_tokens_removed",
            "Webhook tokens dropped before expiry, by reason (chat_ended, rejected)",
            tokens_removed.clone(),
        );
        let sign_ins = Family::<SignInLabels, Counter>::default();
        registry.register(
            "sign_ins",
            "Agent credentials checked on visitor routes, by mode and outcome",
            sign_ins.clone(),
        );
        let company_sign_ins = Family::<OutcomeLabels, Counter>::default();
        registry.register(
            "company_sign_ins",
            "Company sign-in (OIDC) callbacks, by outcome",
            company_sign_ins.clone(),
        );
        let rate_limited = Family::<LimitLabels, Counter>::default();
        registry.register(
            "rate_limited",
            "Requests refused by a rate limit, by limit",
            rate_limited.clone(),
        );
        let store_up = Family::<StoreLabels, Gauge>::default();
        registry.register(
            "store_up",
            "1 when the store (disk, redis) can be written, 0 when not; absent when not configured",
            store_up.clone(),
        );
        let ready = Gauge::default();
        registry.register(
            "ready",
            "1 when /api/health/ready would answer 200",
            ready.clone(),
        );
        let ready_checks = Family::<CheckLabels, Gauge>::default();
        registry.register(
            "ready_check",
            "Each readiness check: 1 passing, 0 failing",
            ready_checks.clone(),
        );
        let draining = Gauge::default();
        registry.register(
            "draining",
            "1 once SIGTERM started the drain",
            draining.clone(),
        );
        let build = Family::<BuildLabels, Gauge>::default();
        registry.register("build_info", "The proxy's version", build.clone());
        build
            .get_or_create(&BuildLabels {
                version: env!("CARGO_PKG_VERSION"),
            })
            .set(1);
        Metrics(Arc::new(Inner {
            registry,
            http_requests,
            http_duration,
            upstream_requests,
            upstream_duration,
            upstream_last_answer,
            cache,
            compressions,
            tokens_stored,
            tokens_expired,
            tokens_removed,
            sign_ins,
            company_sign_ins,
            rate_limited,
            store_up,
            ready,
            ready_checks,
            draining,
        }))
    }

    /// The exposition, Prometheus text format 0.0.4.
    pub fn encode(&self) -> String {
        let mut text = String::new();
        prometheus_client::encoding::prometheus_text::encode(&mut text, &self.0.registry)
            .expect("writing to a String cannot fail");
        text
    }

    /// One answered request. `route` is a route template (or a fixed word), never a path.
    pub fn request(&self, route: &str, method: &Method, status: StatusCode, took: Duration) {
        let method = method_label(method);
        self.0
            .http_requests
            .get_or_create(&HttpLabels {
                route: route.to_owned(),
                method,
                status: status_class(status),
            })
            .inc();
        self.0
            .http_duration
            .get_or_create(&RouteLabels {
                route: route.to_owned(),
                method,
            })
            .observe(took.as_secs_f64());
    }

    /// One upstream call: `status` is the HTTP status, or `timeout` / `unreachable`; `code` is
    /// LivePerson's internal code for a known one (`other` for an unknown, empty without).
    pub fn upstream(
        &self,
        provider: Provider,
        operation: Operation,
        status: String,
        code: &'static str,
        took: Duration,
    ) {
        self.0
            .upstream_requests
            .get_or_create(&UpstreamLabels {
                provider,
                operation,
                status,
                code,
            })
            .inc();
        self.0
            .upstream_duration
            .get_or_create(&OperationLabels {
                provider,
                operation,
            })
            .observe(took.as_secs_f64());
    }

    /// The upstream answered (a status below 500) just now.
    pub fn upstream_answered(&self, provider: Provider) {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0.0, |d| d.as_secs_f64());
        self.0
            .upstream_last_answer
            .get_or_create(&ProviderLabels { provider })
            .set(now);
    }

    /// A response-cache lookup: `cache` names the kind of key, `result` how it was served.
    pub fn cache(&self, cache: CacheKind, result: CacheResult) {
        self.0
            .cache
            .get_or_create(&CacheLabels { cache, result })
            .inc();
    }

    /// A cached answer compressed into `coding` (its first request that accepted it).
    pub fn compressed(&self, coding: Coding) {
        self.0
            .compressions
            .get_or_create(&CodingLabels { coding })
            .inc();
    }

    pub fn token_stored(&self) {
        self.0.tokens_stored.inc();
    }

    pub fn tokens_expired(&self, n: u64) {
        self.0.tokens_expired.inc_by(n);
    }

    pub fn token_removed(&self, reason: TokenRemoved) {
        self.0
            .tokens_removed
            .get_or_create(&ReasonLabels { reason })
            .inc();
    }

    /// An agent credential checked on a visitor route.
    pub fn sign_in(&self, mode: SignInMode, outcome: SignInOutcome) {
        self.0
            .sign_ins
            .get_or_create(&SignInLabels { mode, outcome })
            .inc();
    }

    /// A company sign-in callback's outcome.
    pub fn company_sign_in(&self, outcome: CompanySignIn) {
        self.0
            .company_sign_ins
            .get_or_create(&OutcomeLabels { outcome })
            .inc();
    }

    /// A request refused by the named rate limit.
    pub fn rate_limited(&self, limit: Limit) {
        self.0
            .rate_limited
            .get_or_create(&LimitLabels { limit })
            .inc();
    }

    pub fn store_up(&self, store: StoreKind, up: bool) {
        self.0
            .store_up
            .get_or_create(&StoreLabels { store })
            .set(i64::from(up));
    }

    /// The outcome of a readiness evaluation and of each of its checks.
    pub fn readiness(&self, ready: bool, checks: &[(Check, bool)]) {
        self.0.ready.set(i64::from(ready));
        for (check, ok) in checks {
            self.0
                .ready_checks
                .get_or_create(&CheckLabels { check: *check })
                .set(i64::from(*ok));
        }
    }

    pub fn draining(&self) {
        self.0.draining.set(1);
        self.0.ready.set(0);
    }
}

/// Methods outside this list are one label, so a client cannot mint label values.
fn method_label(method: &Method) -> HttpMethod {
    match *method {
        Method::GET => HttpMethod::GET,
        Method::POST => HttpMethod::POST,
        Method::HEAD => HttpMethod::HEAD,
        Method::OPTIONS => HttpMethod::OPTIONS,
        Method::PUT => HttpMethod::PUT,
        Method::DELETE => HttpMethod::DELETE,
        Method::PATCH => HttpMethod::PATCH,
        _ => HttpMethod::other,
    }
}

fn status_class(status: StatusCode) -> &'static str {
    match status.as_u16() {
        100..=199 => "1xx",
        200..=299 => "2xx",
        300..=399 => "3xx",
        400..=499 => "4xx",
        _ => "5xx",
    }
}

/// The request-count layer (inside routing, so `MatchedPath` is known): counts and times every
/// answer by route template. Requests no route matched are `static` (the widget's files, when
/// `static_files`) or `unmatched`.
pub fn track(metrics: Metrics, static_files: bool) -> ObserveLayer<Tracked> {
    ObserveLayer(Tracked {
        metrics,
        static_files,
    })
}

/// [`track`]'s observer.
#[derive(Clone)]
pub struct Tracked {
    metrics: Metrics,
    static_files: bool,
}

impl Observer for Tracked {
    /// The route template (or `static`, `unmatched`), the method, when it started.
    type Seen = (String, Method, Instant);

    fn request(&self, request: &Request) -> Self::Seen {
        let route = match request.extensions().get::<MatchedPath>() {
            Some(m) => m.as_str().to_owned(),
            None if self.static_files && !request.uri().path().starts_with("/api") => {
                "static".to_owned()
            }
            None => "unmatched".to_owned(),
        };
        (route, request.method().clone(), Instant::now())
    }

    fn answered(&self, (route, method, started): Self::Seen, status: StatusCode) {
        self.metrics
            .request(&route, &method, status, started.elapsed());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_appear_with_their_labels() {
        let m = Metrics::new();
        m.request(
            "/api/liveperson/visitors/{visitor_id}/visit",
            &Method::GET,
            StatusCode::NOT_FOUND,
            Duration::from_millis(3),
        );
        m.request(
            "unmatched",
            &Method::from_bytes(b"BREW").unwrap(),
            StatusCode::OK,
            Duration::ZERO,
        );
        m.upstream(
            Provider::liveperson,
            Operation::visit,
            "404".into(),
            "37",
            Duration::from_millis(2),
        );
        m.cache(CacheKind::lp_visit, CacheResult::hit);
        m.cache(CacheKind::lp_visit, CacheResult::hit);
        let text = m.encode();
        for line in [
            r#"vs_http_requests_total{route="/api/liveperson/visitors/{visitor_id}/visit",method="GET",status="4xx"} 1"#,
            r#"vs_http_requests_total{route="unmatched",method="other",status="2xx"} 1"#,
            r#"vs_upstream_requests_total{provider="liveperson",operation="visit",status="404",code="37"} 1"#,
            r#"vs_cache_requests_total{cache="lp_visit",result="hit"} 2"#,
            r#"vs_build_info{version=""#,
            "# TYPE vs_http_request_duration_seconds histogram",
        ] {
            assert!(text.contains(line), "{line} not in\n{text}");
        }
    }

    #[test]
    fn cache_labels_are_kinds_never_ids() {
        let m = Metrics::new();
        for kind in [
            CacheKind::lp_visit,
            CacheKind::lc_list,
            CacheKind::lc_visitor,
            CacheKind::lc_customer,
        ] {
            m.cache(kind, CacheResult::miss);
        }
        let text = m.encode();
        for kind in ["lp_visit", "lc_list", "lc_visitor", "lc_customer"] {
            let line = format!(r#"vs_cache_requests_total{{cache="{kind}",result="miss"}} 1"#);
            assert!(text.contains(&line), "{line} not in\n{text}");
        }
    }
}
