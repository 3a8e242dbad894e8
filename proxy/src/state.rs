//! The app state: what the handlers share, split into the parts each one takes (`FromRef`), so
//! a handler asks only for what it uses and no provider module depends on this one.

use std::sync::Arc;

use axum::extract::FromRef;

use crate::access::Access;
use crate::auth::Auth;
use crate::cache::ResponseCache;
use crate::config::Config;
use crate::livechat::LiveChat;
use crate::liveperson::LivePerson;
use crate::store::Store;
use crate::upstream::Upstream;

/// Cheap to clone: every part is reference-counted.
#[derive(Clone, FromRef)]
pub struct AppState {
    pub config: Arc<Config>,
    pub access: Arc<Access>,
    pub auth: Auth,
    pub liveperson: LivePerson,
    pub livechat: LiveChat,
    /// The webhook tokens (disk or Redis) and the cache's shared layer (Redis).
    pub store: Store,
    /// Whether the upstreams are the in-process simulator (`--demo`).
    #[from_ref(skip)]
    pub demo: bool,
}

impl AppState {
    pub fn new(config: Config) -> anyhow::Result<AppState> {
        // One HTTP client (one connection pool) for both upstreams.
        let upstream = Upstream::new(&config)?;
        let auth = Auth::new(&config, upstream.clone());
        let store = Store::open(&config)?;
        let cache = || {
            ResponseCache::with_shared(
                config.cache_ttl,
                store.shared_cache(),
                config.upstream_timeout,
            )
        };
        Ok(AppState {
            access: Arc::new(Access::new(&config, auth.clone())),
            auth,
            liveperson: LivePerson::new(config.liveperson.clone(), upstream.clone(), cache()),
            livechat: LiveChat::new(
                config.livechat.clone(),
                upstream,
                cache(),
                store.tokens().cloned(),
            ),
            store,
            config: Arc::new(config),
            demo: false,
        })
    }
}
