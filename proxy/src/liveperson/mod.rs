//! LivePerson's part of the proxy: [`LivePerson`] (its client, when configured, and the visits'
//! response cache) and its route, `GET /api/liveperson/visitors/{visitor_id}/visit?sid=...`
//! (the Visit Information API's current state of the visit). The files: `config.rs` (the
//! settings), `client.rs` (the signed calls), `domain.rs` (the Domain API and its pinning),
//! `failures.rs` (the internal codes and the error for each failing answer), `oauth1.rs`
//! (RFC 5849 signing).

pub mod client;
pub mod config;
pub mod domain;
pub mod failures;
pub mod oauth1;

use std::sync::Arc;

use axum::extract::{FromRef, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use serde::Deserialize;
use serde_json::json;
use visitor_sidebar_contract::check_id;

use crate::cache::{Cached, ResponseCache};
use crate::error::AppError;
use crate::extract::{AppQuery, VisitorId};
use crate::metrics::CacheKind;
use crate::upstream::Upstream;
use client::LivePersonClient;
use config::{LivePersonAuth, LivePersonConfig};

/// LivePerson's state, cheap to clone. Its handlers take only this.
#[derive(Clone)]
pub struct LivePerson {
    /// `None`: the proxy is not configured for LivePerson (its route answers `not_configured`).
    client: Option<Arc<LivePersonClient>>,
    /// The visits, keyed `lp:visit:{visitor}:{sid}`.
    cache: ResponseCache,
}

impl LivePerson {
    pub fn new(config: Option<LivePersonConfig>, upstream: Upstream, cache: ResponseCache) -> Self {
        LivePerson {
            client: config.map(|config| Arc::new(LivePersonClient::new(config, upstream))),
            cache,
        }
    }

    /// The cached visits (keys `lp:visit:{visitor}:{sid}`).
    pub fn cache(&self) -> &ResponseCache {
        &self.cache
    }

    /// Whether the proxy is configured for LivePerson.
    pub fn is_configured(&self) -> bool {
        self.client.is_some()
    }

    /// What `/api/health` says about LivePerson (never a credential).
    pub fn health(&self) -> serde_json::Value {
        match &self.client {
            Some(client) => {
                let lp = client.config();
                json!({
                    "configured": true,
                    "auth": match lp.auth { LivePersonAuth::OAuth1 { .. } => "oauth1", LivePersonAuth::Bearer(_) => "bearer" },
                    "domain": if lp.domain.is_some() { "configured" } else { "domain_api" },
                })
            }
            None => json!({"configured": false}),
        }
    }

    /// The visit's current state as LivePerson sent it, from the cache or one shared upstream call.
    pub async fn visit(&self, visitor_id: &str, sid: &str) -> Result<Arc<Cached>, AppError> {
        let client = self
            .client
            .as_ref()
            .ok_or_else(|| AppError::not_configured("LivePerson"))?;
        let key = format!("lp:visit:{visitor_id}:{sid}");
        self.cache
            .get_or_load(CacheKind::lp_visit, key, || client.visit(visitor_id, sid))
            .await
    }

    /// Readiness's probe (see [`LivePersonClient::probe`]); `None` when LivePerson is not
    /// configured.
    pub async fn probe(&self) -> Option<Result<(), String>> {
        Some(self.client.as_ref()?.probe().await)
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

/// `?sid=`: the visitor's session, which the Visit Information API asks for.
#[derive(Default, Deserialize)]
#[serde(default)]
struct VisitQuery {
    sid: String,
}

async fn visit(
    State(lp): State<LivePerson>,
    VisitorId(visitor_id): VisitorId,
    AppQuery(VisitQuery { sid }): AppQuery<VisitQuery>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    check_id(&sid).map_err(|why| AppError::invalid_id("session ID (sid)", why))?;
    let cached = lp.visit(&visitor_id, &sid).await?;
    Ok(lp.cache().respond(&cached, &headers).await)
}
