//! `LiveChatClient`: the calls to LiveChat with the proxy's logins. REST API v2: the visitor list
//! (with `state`, `group[]` and `count`) and custom details posted with the `license_id` and
//! `token` that the visitor's `chat_started` webhook delivered; v2 is deprecated, so its
//! `Deprecation` / `Sunset` headers are noted ([`DeprecationNotice`]). Agent Chat API v3.6: one
//! customer (`get_customer`, the ID LiveChat's Agent App gives a widget). It caches nothing:
//! the cache and the webhook tokens are [`super::LiveChat`]'s.

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use visitor_sidebar_contract::{DetailsRequest, ErrorCode};

use super::config::{BasicLogin, LiveChatConfig};
use super::deprecation::DeprecationNotice;
use super::failures::{failure, v3_failure, WHO};
use super::list_query::ListQuery;
use crate::error::AppError;
use crate::metrics::{Operation, Provider};
use crate::store::ChatToken;
use crate::upstream::{probe_verdict, require_json, Answer, Call, Upstream};

/// The Agent Chat API's one call the proxy makes.
const GET_CUSTOMER: &str = "/v3.6/agent/action/get_customer";

/// LiveChat with the proxy's logins.
pub struct LiveChatClient {
    config: LiveChatConfig,
    upstream: Upstream,
    /// The REST API v2's latest `Deprecation` / `Sunset` headers.
    deprecation: DeprecationNotice,
}

impl LiveChatClient {
    pub fn new(config: LiveChatConfig, upstream: Upstream) -> LiveChatClient {
        LiveChatClient {
            config,
            upstream,
            deprecation: DeprecationNotice::default(),
        }
    }

    pub fn config(&self) -> &LiveChatConfig {
        &self.config
    }

    pub fn deprecation(&self) -> &DeprecationNotice {
        &self.deprecation
    }

    /// The REST API v2 login, or why v2 cannot be called.
    pub fn v2(&self) -> Result<&BasicLogin, AppError> {
        self.config.v2.as_ref().ok_or_else(|| {
            AppError::not_configured("LiveChat's REST API v2 (LIVECHAT_LOGIN and LIVECHAT_API_KEY)")
        })
    }

    /// The Agent Chat API v3 login, or why v3 cannot be called.
    pub fn v3(&self) -> Result<&BasicLogin, AppError> {
        self.config.v3.as_ref().ok_or_else(|| {
            AppError::not_configured(
                "LiveChat's Agent Chat API (LIVECHAT_ACCOUNT_ID and LIVECHAT_PAT)",
            )
        })
    }

    fn request(
        &self,
        login: &BasicLogin,
        method: reqwest::Method,
        path: &str,
    ) -> reqwest::RequestBuilder {
        let mut builder = self
            .upstream
            .client
            .request(method, format!("{}{path}", self.config.api_url))
            // reqwest marks the Basic header sensitive, so it is never logged.
            .basic_auth(&login.user, Some(login.secret.expose()))
            .header(header::ACCEPT, "application/json");
        if let Some(region) = &self.config.region {
            builder = builder.header("X-Region", region);
        }
        builder
    }

    /// Sends a REST API v2 request, noting the answer's deprecation headers.
    async fn send_v2(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&serde_json::Value>,
        operation: Operation,
    ) -> Result<Answer, AppError> {
        let mut request = self
            .request(self.v2()?, method, path)
            .header("X-API-Version", "2");
        if let Some(body) = body {
            request = request.json(body);
        }
        let answer = self
            .upstream
            .send(request, Call::new(WHO, Provider::livechat, operation))
            .await?;
        self.deprecation.note(&answer.headers);
        Ok(answer)
    }

    /// `get_customer` of the Agent Chat API v3.6, counted as `operation`.
    async fn get_customer(&self, id: &str, operation: Operation) -> Result<Answer, AppError> {
        let request = self
            .request(self.v3()?, reqwest::Method::POST, GET_CUSTOMER)
            .json(&serde_json::json!({ "id": id }));
        self.upstream
            .send(request, Call::new(WHO, Provider::livechat, operation))
            .await
    }

    /// One customer of the Agent Chat API v3.6, as LiveChat sent it (checked to be JSON).
    pub async fn customer(&self, customer_id: &str) -> Result<Bytes, AppError> {
        let answer = self.get_customer(customer_id, Operation::customer).await?;
        if !answer.status.is_success() {
            return Err(v3_failure(&answer));
        }
        require_json(&answer, WHO)?;
        Ok(answer.body)
    }

    /// The visitor list for this query, as LiveChat sent it (checked to be JSON).
    pub async fn list(&self, query: &ListQuery) -> Result<Bytes, AppError> {
        let query = query.to_query();
        let path = if query.is_empty() {
            "/visitors".to_owned()
        } else {
            format!("/visitors?{query}")
        };
        let answer = self
            .send_v2(reqwest::Method::GET, &path, None, Operation::visitors)
            .await?;
        if !answer.status.is_success() {
            return Err(failure(&answer));
        }
        require_json(&answer, WHO)?;
        Ok(answer.body)
    }

    /// Posts custom details for the visitor's running chat with that chat's token. `details`
    /// must be normalized and valid. A token LiveChat refuses (the chat ended) is
    /// `livechat_token_rejected`.
    pub async fn add_details(
        &self,
        visitor_id: &str,
        details: &DetailsRequest,
        chat: &ChatToken,
    ) -> Result<Response, AppError> {
        let mut body =
            serde_json::to_value(details).map_err(|e| AppError::internal(e.to_string()))?;
        body["license_id"] = serde_json::Value::String(chat.license_id.clone());
        body["token"] = serde_json::Value::String(chat.token.expose().to_owned());
        let path = format!("/visitors/{visitor_id}/details");
        let answer = self
            .send_v2(
                reqwest::Method::POST,
                &path,
                Some(&body),
                Operation::details,
            )
            .await?;
        if answer.status.is_success() {
            require_json(&answer, WHO)?;
            return Ok(([(header::CONTENT_TYPE, "application/json")], answer.body).into_response());
        }
        if answer.status == StatusCode::FORBIDDEN {
            // The token belongs to a chat that has ended; a new chat brings a new webhook.
            return Err(AppError::new(
                ErrorCode::LivechatTokenRejected,
                "LiveChat refused the chat's token; the chat has probably ended.",
            )
            .upstream(403, None));
        }
        if answer.status == StatusCode::NOT_FOUND {
            return Err(
                AppError::not_found("LiveChat does not know this visitor.").upstream(404, None)
            );
        }
        Err(failure(&answer))
    }

    /// Readiness's cheap probe: does LiveChat answer the proxy's credentials (any status below
    /// 500)? REST API v2's visitor count (`GET /visitors?count=1`) when v2 is configured, else
    /// the Agent Chat API's `get_customer` for an ID no customer has (a 404 is an answer).
    /// Bounded by the upstream timeout.
    pub async fn probe(&self) -> Result<(), String> {
        let answer = if self.config.v2.is_some() {
            self.send_v2(
                reqwest::Method::GET,
                "/visitors?count=1",
                None,
                Operation::probe,
            )
            .await
        } else {
            self.get_customer("visitor-sidebar-readiness-probe", Operation::probe)
                .await
        };
        probe_verdict(answer)
    }
}
