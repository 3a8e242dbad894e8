//! The app state: what the handlers share, split into the parts each one takes (`FromRef`), so
//! a handler asks only for what it uses and no provider module depends on this one.

use std::ops::Deref;
use std::sync::Arc;

use axum::extract::FromRef;

use crate::access::Access;
use crate::auth::Auth;
use crate::cache::ResponseCache;
use crate::client_ip::TrustedProxies;
use crate::config::Config;
use crate::health::{Health, Readiness};
use crate::host_check::AllowedHosts;
use crate::livechat::LiveChat;
use crate::liveperson::LivePerson;
use crate::metrics::Metrics;
use crate::pages::{PagePolicy, Sources};
use crate::request_id::TrustRequestId;
use crate::store::Store;
use crate::upstream::Upstream;

/// Every part, behind one reference count: axum clones the state for every request (each
/// route's handler holds its own copy), and a struct of fourteen parts, each of several `Arc`s,
/// was a dozen atomic increments and decrements per request.
#[derive(Clone)]
pub struct AppState(Arc<Parts>);

impl Deref for AppState {
    type Target = Parts;

    fn deref(&self) -> &Parts {
        &self.0
    }
}

/// What a handler takes from the state: its part, cloned (each is reference-counted).
macro_rules! parts {
    ($($field:ident: $part:ty),* $(,)?) => {
        $(impl FromRef<AppState> for $part {
            fn from_ref(state: &AppState) -> $part {
                state.$field.clone()
            }
        })*
    };
}

parts!(
    config: Arc<Config>,
    access: Arc<Access>,
    auth: Auth,
    liveperson: LivePerson,
    livechat: LiveChat,
    store: Store,
    metrics: Metrics,
    health: Health,
    upstream: Upstream,
    trust_request_id: Arc<TrustRequestId>,
    trusted_proxies: Arc<TrustedProxies>,
    allowed_hosts: Arc<AllowedHosts>,
    pages: Arc<PagePolicy>,
);

/// The parts of [`AppState`], each cheap to clone.
pub struct Parts {
    pub config: Arc<Config>,
    pub access: Arc<Access>,
    pub auth: Auth,
    pub liveperson: LivePerson,
    pub livechat: LiveChat,
    /// The webhook tokens (disk or Redis) and the cache's shared layer (Redis).
    pub store: Store,
    /// This proxy's own metrics registry (`/metrics` on `VS_METRICS_LISTEN`).
    pub metrics: Metrics,
    /// Draining or not, and readiness's kept probe verdicts.
    pub health: Health,
    /// The one HTTP client (readiness asks it when each upstream last answered).
    pub upstream: Upstream,
    pub trust_request_id: Arc<TrustRequestId>,
    /// Who the client is behind the front ends (`VS_TRUSTED_PROXIES`).
    pub trusted_proxies: Arc<TrustedProxies>,
    /// The `Host` values served in anonymous mode (DNS rebinding).
    pub allowed_hosts: Arc<AllowedHosts>,
    /// The pages' Content-Security-Policy and other protective headers (built at start from the
    /// configuration and the built pages).
    pub pages: Arc<PagePolicy>,
    /// Whether the upstreams are the in-process simulator (`--demo`).
    pub demo: bool,
}

impl AppState {
    /// Builds every part from its own settings, for real upstreams.
    pub fn new(config: Config) -> anyhow::Result<AppState> {
        AppState::with_demo(config, false)
    }

    /// [`AppState::new`], saying whether the upstreams are the in-process simulator.
    pub fn with_demo(config: Config, demo: bool) -> anyhow::Result<AppState> {
        let metrics = Metrics::new();
        // One HTTP client (one connection pool) for both upstreams.
        let upstream = Upstream::new(&config.upstream, metrics.clone())?;
        let auth = Auth::new(
            &config.auth,
            &config.allowed_origins,
            upstream.clone(),
            metrics.clone(),
        );
        let webhook = config.livechat.as_ref().and_then(|lc| lc.webhook.as_ref());
        let store = Store::open(
            &config.store,
            webhook.map(|webhook| webhook.tokens),
            metrics.clone(),
        )?;
        let cache = || {
            ResponseCache::new(
                config.cache_ttl,
                store.shared_cache(),
                config.upstream.timeout,
                metrics.clone(),
            )
        };
        let pages = Sources::gather(
            &config.frame_ancestors,
            config
                .auth
                .livechat
                .as_ref()
                .map(|lc| lc.accounts_url.as_str()),
            config.static_dir.as_deref(),
        );
        Ok(AppState(Arc::new(Parts {
            access: Arc::new(Access::new(
                config.allowed_origins.clone(),
                config.rate_limit,
                auth.clone(),
                metrics.clone(),
            )),
            auth,
            liveperson: LivePerson::new(config.liveperson.clone(), upstream.clone(), cache()),
            livechat: LiveChat::new(
                config.livechat.clone(),
                upstream.clone(),
                cache(),
                store.tokens().cloned(),
                metrics.clone(),
            ),
            store,
            health: Health::new(metrics.clone()),
            metrics,
            upstream,
            trust_request_id: Arc::new(config.trust_request_id.clone()),
            trusted_proxies: Arc::new(config.trusted_proxies.clone()),
            allowed_hosts: Arc::new(AllowedHosts::new(&config.auth, config.listen)),
            pages: Arc::new(PagePolicy::new(&pages)),
            config: Arc::new(config),
            demo,
        })))
    }
}

impl FromRef<AppState> for Readiness {
    fn from_ref(state: &AppState) -> Readiness {
        Readiness {
            health: state.health.clone(),
            liveperson: state.liveperson.clone(),
            livechat: state.livechat.clone(),
            store: state.store.clone(),
            upstream: state.upstream.clone(),
        }
    }
}
