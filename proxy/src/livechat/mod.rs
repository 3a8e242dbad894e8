//! LiveChat's part of the proxy: [`LiveChat`] (its client, when configured, the response cache
//! and the `chat_started` webhook with the tokens it delivered) and its routes: the visitor list
//! and one visitor (REST API v2), one customer (Agent Chat API v3.6, the ID LiveChat's Agent App
//! gives), custom details for a visitor's running chat, and the webhook itself. The files:
//! `config.rs` (the settings), `client.rs` (the calls), `list_query.rs` (the list's checked
//! query), `failures.rs` (the error for each failing answer), `deprecation.rs` (v2's
//! `Deprecation` and `Sunset` headers), `webhook.rs` (the webhook).

pub mod client;
pub mod config;
pub mod deprecation;
pub mod failures;
pub mod list_query;
pub mod webhook;

use std::sync::Arc;

use axum::extract::{FromRef, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use bytes::Bytes;
use serde_json::json;
use visitor_sidebar_contract::{DetailsRequest, ErrorCode};

use crate::cache::{Cached, ResponseCache};
use crate::error::AppError;
use crate::extract::{AppJson, AppQuery, CustomerId, VisitorId};
use crate::metrics::{CacheKind, Metrics, TokenRemoved};
use crate::store::TokenStore;
use crate::upstream::Upstream;
use client::LiveChatClient;
use config::LiveChatConfig;
use list_query::ListQuery;
use webhook::Webhook;

/// LiveChat's state, cheap to clone. Its handlers take only this.
#[derive(Clone)]
pub struct LiveChat {
    /// `None`: the proxy is not configured for LiveChat (its routes answer `not_configured`).
    client: Option<Arc<LiveChatClient>>,
    /// The answers, keyed `lc:list?...`, `lc:visitor:{id}`, `lc:customer:{id}`.
    cache: ResponseCache,
    /// `None` when webhooks are not configured (no secret): details then have no token.
    webhook: Option<Arc<Webhook>>,
    /// Counts the tokens dropped because LiveChat refused them.
    metrics: Metrics,
}

impl LiveChat {
    /// `tokens`: where the webhook's tokens are kept, when webhooks are configured.
    pub fn new(
        config: Option<LiveChatConfig>,
        upstream: Upstream,
        cache: ResponseCache,
        tokens: Option<TokenStore>,
        metrics: Metrics,
    ) -> Self {
        let secret = config
            .as_ref()
            .and_then(|lc| lc.webhook.as_ref())
            .map(|webhook| webhook.secret.clone());
        let webhook = match (secret, tokens) {
            (Some(secret), Some(tokens)) => {
                Some(Arc::new(Webhook::new(secret, tokens, metrics.clone())))
            }
            _ => None,
        };
        LiveChat {
            client: config.map(|config| Arc::new(LiveChatClient::new(config, upstream))),
            cache,
            webhook,
            metrics,
        }
    }

    /// The chat tokens the `chat_started` webhooks delivered, by visitor ID (when webhooks are
    /// configured).
    pub fn webhooks(&self) -> Option<&TokenStore> {
        self.webhook.as_deref().map(Webhook::tokens)
    }

    /// The webhook's secret, tokens and throttle, when webhooks are configured.
    fn webhook(&self) -> Option<&Webhook> {
        self.webhook.as_deref()
    }

    /// Whether the proxy is configured for LiveChat.
    pub fn is_configured(&self) -> bool {
        self.client.is_some()
    }

    fn client(&self) -> Result<&LiveChatClient, AppError> {
        self.client
            .as_deref()
            .ok_or_else(|| AppError::not_configured("LiveChat"))
    }

    /// What `/api/health` says about LiveChat (never a credential).
    pub fn health(&self) -> serde_json::Value {
        match &self.client {
            Some(client) => {
                let lc = client.config();
                json!({
                    "configured": true,
                    "rest_api_v2": lc.v2.is_some(),
                    "agent_chat_api_v3": lc.v3.is_some(),
                    "webhook": lc.webhook.is_some(),
                    "v2_deprecation": client.deprecation().health(),
                })
            }
            None => json!({"configured": false}),
        }
    }

    /// One customer of the Agent Chat API v3.6 (`get_customer`), from the cache or one shared
    /// upstream call.
    pub async fn customer(&self, customer_id: &str) -> Result<Arc<Cached>, AppError> {
        let client = self.client()?;
        client.v3()?;
        let key = format!("lc:customer:{customer_id}");
        self.cache
            .get_or_load(CacheKind::lc_customer, key, || client.customer(customer_id))
            .await
    }

    /// The visitor list for this query, from the cache or one shared upstream call.
    pub async fn list(&self, query: &ListQuery) -> Result<Arc<Cached>, AppError> {
        let client = self.client()?;
        client.v2()?;
        let key = format!("lc:list?{}", query.to_query());
        self.cache
            .get_or_load(CacheKind::lc_list, key, || client.list(query))
            .await
    }

    /// One visitor, found in the (cached) unfiltered list; `not_found` when absent.
    pub async fn visitor(&self, visitor_id: &str) -> Result<Arc<Cached>, AppError> {
        self.client()?.v2()?;
        let key = format!("lc:visitor:{visitor_id}");
        self.cache
            .get_or_load(CacheKind::lc_visitor, key, move || async move {
                let all = self.list(&ListQuery::default()).await?;
                let visitors: Vec<serde_json::Value> =
                    serde_json::from_slice(&all.body).map_err(|e| {
                        AppError::new(
                            ErrorCode::UpstreamBadResponse,
                            "LiveChat's visitor list was not a list.",
                        )
                        .detail(e.to_string())
                    })?;
                let found = visitors
                    .into_iter()
                    .find(|v| v["id"].as_str() == Some(visitor_id))
                    .ok_or_else(|| {
                        AppError::not_found(
                            "This visitor is not on the website now (or not tracked by LiveChat).",
                        )
                    })?;
                Ok(Bytes::from(
                    serde_json::to_vec(&found).map_err(|e| AppError::internal(e.to_string()))?,
                ))
            })
            .await
    }

    /// Posts custom details for the visitor's running chat with the token its `chat_started`
    /// webhook delivered. `details` must be normalized and valid. A token LiveChat refuses is
    /// forgotten (only that one: a newer chat's, stored meanwhile, stays).
    pub async fn add_details(
        &self,
        visitor_id: &str,
        details: &DetailsRequest,
    ) -> Result<Response, AppError> {
        let client = self.client()?;
        client.v2()?;
        let tokens = self.webhooks();
        let chat = match tokens {
            Some(tokens) => tokens.get(visitor_id).await?,
            None => None,
        };
        let Some(chat) = chat else {
            return Err(AppError::new(ErrorCode::NoWebhookToken,
            "LiveChat has not told the proxy about a chat with this visitor yet (no chat_started webhook), so details cannot be added. Try again once the chat has started.",
        ));
        };
        let answer = client.add_details(visitor_id, details, &chat).await;
        if let (Err(e), Some(tokens)) = (&answer, tokens) {
            if e.code() == ErrorCode::LivechatTokenRejected {
                match tokens.remove_if(visitor_id, &chat).await {
                    Ok(true) => self.metrics.token_removed(TokenRemoved::rejected),
                    Ok(false) => {}
                    Err(e) => tracing::warn!("could not drop a refused webhook token: {e}"),
                }
            }
        }
        answer
    }

    /// Readiness's probe (see [`LiveChatClient::probe`]); `None` when LiveChat is not
    /// configured.
    pub async fn probe(&self) -> Option<Result<(), String>> {
        Some(self.client.as_ref()?.probe().await)
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
    AppQuery(query): AppQuery<ListQuery>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let cached = lc.list(&query).await?;
    Ok(lc.cache.respond(&cached, &headers).await)
}

async fn visitor(
    State(lc): State<LiveChat>,
    VisitorId(visitor_id): VisitorId,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let cached = lc.visitor(&visitor_id).await?;
    Ok(lc.cache.respond(&cached, &headers).await)
}

async fn customer(
    State(lc): State<LiveChat>,
    CustomerId(customer_id): CustomerId,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let cached = lc.customer(&customer_id).await?;
    Ok(lc.cache.respond(&cached, &headers).await)
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
