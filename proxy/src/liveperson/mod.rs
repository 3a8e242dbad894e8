//! LivePerson's part of the proxy: its settings, its response cache and the account's domain,
//! and its route, `GET /api/liveperson/visitors/{visitor_id}/visit?sid=...` (the Visit
//! Information API's current state of the visit).

pub mod client;
pub mod config;
pub mod oauth1;

use std::sync::Arc;

use axum::extract::{FromRef, RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use serde_json::json;
use visitor_sidebar_contract::check_id;

use crate::cache::ResponseCache;
use crate::error::AppError;
use crate::extract::VisitorId;
use crate::upstream::Upstream;
use config::{LivePersonAuth, LivePersonConfig};

/// LivePerson's state, cheap to clone. Its handlers take only this.
#[derive(Clone)]
pub struct LivePerson(Arc<Inner>);

struct Inner {
    /// `None`: the proxy is not configured for LivePerson (its route answers `not_configured`).
    config: Option<LivePersonConfig>,
    upstream: Upstream,
    cache: ResponseCache,
    /// The account's base URL found through the Domain API.
    domain: moka::future::Cache<(), String>,
}

impl LivePerson {
    pub fn new(config: Option<LivePersonConfig>, upstream: Upstream, cache: ResponseCache) -> Self {
        LivePerson(Arc::new(Inner {
            config,
            upstream,
            cache,
            domain: moka::future::Cache::builder()
                .max_capacity(1)
                .time_to_live(client::DOMAIN_TTL)
                .build(),
        }))
    }

    /// The cached visits (keys `lp:visit:{visitor}:{sid}`).
    pub fn cache(&self) -> &ResponseCache {
        &self.0.cache
    }

    /// Whether the proxy is configured for LivePerson.
    pub fn is_configured(&self) -> bool {
        self.0.config.is_some()
    }

    /// What `/api/health` says about LivePerson (never a credential).
    pub fn health(&self) -> serde_json::Value {
        match &self.0.config {
            Some(lp) => json!({
                "configured": true,
                "auth": match lp.auth { LivePersonAuth::OAuth1 { .. } => "oauth1", LivePersonAuth::Bearer(_) => "bearer" },
                "domain": if lp.domain.is_some() { "configured" } else { "domain_api" },
            }),
            None => json!({"configured": false}),
        }
    }
}

/// LivePerson's routes, for any app state that holds a [`LivePerson`].
pub fn router<S>() -> Router<S>
where
    S: Clone + Send + Sync + 'static,
    LivePerson: FromRef<S>,
{
    Router::new().route("/api/liveperson/visitors/{visitor_id}/visit", get(visit))
}

async fn visit(
    State(lp): State<LivePerson>,
    VisitorId(visitor_id): VisitorId,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let sid = form_urlencoded::parse(query.as_deref().unwrap_or("").as_bytes())
        .find(|(k, _)| k == "sid")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default();
    check_id(&sid).map_err(|why| AppError::invalid_id("session ID (sid)", why))?;
    let cached = lp.visit(&visitor_id, &sid).await?;
    Ok(cached.respond(&headers))
}
