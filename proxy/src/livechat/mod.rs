//! LiveChat's part of the proxy: its settings, its response cache, the tokens `chat_started`
//! webhooks delivered, and its routes: the visitor list and one visitor (REST API v2), one
//! customer (Agent Chat API v3.6, the ID LiveChat's Agent App gives), custom details for a
//! visitor's running chat, and the webhook itself.

pub mod client;
pub mod config;
pub mod deprecation;
pub mod webhook;

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;

use axum::extract::{FromRef, RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use serde_json::json;
use visitor_sidebar_contract::DetailsRequest;

use crate::cache::ResponseCache;
use crate::error::AppError;
use crate::extract::{AppJson, CustomerId, VisitorId};
use crate::store::TokenStore;
use crate::upstream::Upstream;
use client::ListQuery;
use config::LiveChatConfig;
use deprecation::DeprecationNotice;

/// LiveChat's state, cheap to clone. Its handlers take only this.
#[derive(Clone)]
pub struct LiveChat(Arc<Inner>);

struct Inner {
    /// `None`: the proxy is not configured for LiveChat (its routes answer `not_configured`).
    config: Option<LiveChatConfig>,
    upstream: Upstream,
    cache: ResponseCache,
    /// `None` when webhooks are not configured (no secret): details then have no token.
    tokens: Option<TokenStore>,
    /// The REST API v2's latest `Deprecation` / `Sunset` headers.
    deprecation: DeprecationNotice,
    /// Wrong webhook secrets per client address.
    webhook_secret_failures: DefaultKeyedRateLimiter<IpAddr>,
}

impl LiveChat {
    pub fn new(
        config: Option<LiveChatConfig>,
        upstream: Upstream,
        cache: ResponseCache,
        tokens: Option<TokenStore>,
    ) -> Self {
        LiveChat(Arc::new(Inner {
            config,
            upstream,
            cache,
            tokens,
            deprecation: DeprecationNotice::default(),
            webhook_secret_failures: RateLimiter::keyed(
                Quota::per_minute(
                    NonZeroU32::new(webhook::SECRET_FAILURES_PER_MINUTE).expect("not 0"),
                )
                .allow_burst(NonZeroU32::new(webhook::SECRET_FAILURES_PER_MINUTE).expect("not 0")),
            ),
        }))
    }

    /// The cached answers (keys `lc:list?...`, `lc:visitor:{id}`).
    pub fn cache(&self) -> &ResponseCache {
        &self.0.cache
    }

    /// The chat tokens the `chat_started` webhooks delivered, by visitor ID (when webhooks are
    /// configured).
    pub fn webhooks(&self) -> Option<&TokenStore> {
        self.0.tokens.as_ref()
    }

    /// Whether the proxy is configured for LiveChat.
    pub fn is_configured(&self) -> bool {
        self.0.config.is_some()
    }

    /// What `/api/health` says about LiveChat (never a credential).
    pub fn health(&self) -> serde_json::Value {
        match &self.0.config {
            Some(lc) => json!({
                "configured": true,
                "rest_api_v2": lc.v2.is_some(),
                "agent_chat_api_v3": lc.v3.is_some(),
                "webhook": lc.webhook.is_some(),
                "v2_deprecation": self.0.deprecation.health(),
            }),
            None => json!({"configured": false}),
        }
    }
}

/// The routes agents call (behind access control), for any app state that holds a [`LiveChat`].
pub fn router<S>() -> Router<S>
where
    S: Clone + Send + Sync + 'static,
    LiveChat: FromRef<S>,
{
    Router::new()
        .route("/api/livechat/visitors", get(list))
        .route("/api/livechat/visitors/{visitor_id}", get(visitor))
        .route("/api/livechat/visitors/{visitor_id}/details", post(details))
        .route("/api/livechat/customers/{customer_id}", get(customer))
}

/// The route LiveChat calls (authenticated by the secret in its URL, not by an agent).
pub fn webhook_router<S>() -> Router<S>
where
    S: Clone + Send + Sync + 'static,
    LiveChat: FromRef<S>,
{
    Router::new().route(
        "/api/livechat/webhooks/chat-started",
        post(webhook::chat_started),
    )
}

async fn list(
    State(lc): State<LiveChat>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let query = ListQuery::parse(query.as_deref())?;
    let cached = lc.list(&query).await?;
    Ok(cached.respond(&headers))
}

async fn visitor(
    State(lc): State<LiveChat>,
    VisitorId(visitor_id): VisitorId,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let cached = lc.visitor(&visitor_id).await?;
    Ok(cached.respond(&headers))
}

async fn customer(
    State(lc): State<LiveChat>,
    CustomerId(customer_id): CustomerId,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let cached = lc.customer(&customer_id).await?;
    Ok(cached.respond(&headers))
}

async fn details(
    State(lc): State<LiveChat>,
    VisitorId(visitor_id): VisitorId,
    AppJson(request): AppJson<DetailsRequest>,
) -> Result<Response, AppError> {
    let request = request.normalized();
    let problems = request.validate();
    if !problems.is_empty() {
        return Err(AppError::validation(problems));
    }
    lc.add_details(&visitor_id, &request).await
}
