//! The app state: what the handlers share, split into the parts each one takes (`FromRef`), so
//! a handler asks only for what it uses and no provider module depends on this one.

use std::sync::Arc;

use axum::extract::FromRef;

use crate::access::Access;
use crate::auth::Auth;
use crate::config::Config;
use crate::livechat::LiveChat;
use crate::liveperson::LivePerson;
use crate::upstream::Upstream;

/// Cheap to clone: every part is reference-counted.
#[derive(Clone, FromRef)]
pub struct AppState {
    pub config: Arc<Config>,
    pub access: Arc<Access>,
    pub auth: Auth,
    pub liveperson: LivePerson,
    pub livechat: LiveChat,
    /// Whether the upstreams are the in-process simulator (`--demo`).
    #[from_ref(skip)]
    pub demo: bool,
}

impl AppState {
    pub fn new(config: Config) -> anyhow::Result<AppState> {
        // One HTTP client (one connection pool) for both upstreams.
        let upstream = Upstream::new(&config)?;
        let auth = Auth::new(&config, upstream.clone());
        Ok(AppState {
            access: Arc::new(Access::new(&config, auth.clone())),
            auth,
            liveperson: LivePerson::new(
                config.liveperson.clone(),
                upstream.clone(),
                config.cache_ttl,
            ),
            livechat: LiveChat::new(config.livechat.clone(), upstream, config.cache_ttl),
            config: Arc::new(config),
            demo: false,
        })
    }
}
