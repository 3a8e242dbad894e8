//! Calling LiveChat. REST API v2: the visitor list (with `state`, `group[]` and `count`), one
//! visitor taken from the cached list (v2 has no single-visitor call), and custom details posted
//! with the `license_id` and `token` that the visitor's `chat_started` webhook delivered; v2 is
//! deprecated, so its `Deprecation` / `Sunset` headers are noted. Agent Chat API v3.6: one
//! customer (`get_customer`, the ID LiveChat's Agent App gives a widget).

use std::sync::Arc;

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use visitor_sidebar_contract::{DetailsRequest, ErrorCode};

use super::config::{BasicLogin, LiveChatConfig};
use super::LiveChat;
use crate::cache::Cached;
use crate::error::AppError;
use crate::upstream::{common_failure, require_json, Answer, Call};

const WHO: &str = "LiveChat";
/// More groups than any real filter needs; keeps cache keys and upstream URLs short.
const MAX_GROUPS: usize = 50;

/// A checked `GET /visitors` query.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ListQuery {
    pub state: Option<String>,
    pub groups: Vec<u32>,
    pub count: bool,
}

impl ListQuery {
    /// Reads `state`, `group[]` (repeatable; `group` too) and `count`; anything else is refused
    /// so that nothing unchecked reaches the upstream URL.
    pub fn parse(raw: Option<&str>) -> Result<ListQuery, AppError> {
        let invalid = |m: String| AppError::new(ErrorCode::InvalidQuery, m);
        let mut q = ListQuery::default();
        for (key, value) in form_urlencoded::parse(raw.unwrap_or("").as_bytes()) {
            match key.as_ref() {
                // LiveChat filters on these two states only, though more come back unfiltered.
                "state" => match value.as_ref() {
                    "chatting" | "queued" => q.state = Some(value.into_owned()),
                    _ => return Err(invalid("state must be chatting or queued.".into())),
                },
                "group[]" | "group" => {
                    let group = value
                        .parse()
                        .map_err(|_| invalid(format!("group '{value}' is not a group number.")))?;
                    q.groups.push(group);
                }
                "count" => match value.as_ref() {
                    "0" => q.count = false,
                    "1" => q.count = true,
                    _ => return Err(invalid("count must be 0 or 1.".into())),
                },
                other => return Err(invalid(format!("Unknown query parameter '{other}'."))),
            }
        }
        q.groups.sort_unstable();
        q.groups.dedup();
        if q.groups.len() > MAX_GROUPS {
            return Err(invalid(format!(
                "At most {MAX_GROUPS} groups can be asked for."
            )));
        }
        Ok(q)
    }

    /// The upstream query string, in a fixed order (it is also the cache key).
    pub fn to_query(&self) -> String {
        let mut s = form_urlencoded::Serializer::new(String::new());
        if let Some(state) = &self.state {
            s.append_pair("state", state);
        }
        for g in &self.groups {
            s.append_pair("group[]", &g.to_string());
        }
        if self.count {
            s.append_pair("count", "1");
        }
        s.finish()
    }
}

impl LiveChat {
    fn config(&self) -> Result<&LiveChatConfig, AppError> {
        self.0
            .config
            .as_ref()
            .ok_or_else(|| AppError::not_configured("LiveChat"))
    }

    /// The settings and the REST API v2 login, or why v2 cannot be called.
    fn v2(&self) -> Result<(&LiveChatConfig, &BasicLogin), AppError> {
        let lc = self.config()?;
        let login = lc.v2.as_ref().ok_or_else(|| {
            AppError::not_configured("LiveChat's REST API v2 (LIVECHAT_LOGIN and LIVECHAT_API_KEY)")
        })?;
        Ok((lc, login))
    }

    /// The settings and the Agent Chat API v3 login, or why v3 cannot be called.
    fn v3(&self) -> Result<(&LiveChatConfig, &BasicLogin), AppError> {
        let lc = self.config()?;
        let login = lc.v3.as_ref().ok_or_else(|| {
            AppError::not_configured(
                "LiveChat's Agent Chat API (LIVECHAT_ACCOUNT_ID and LIVECHAT_PAT)",
            )
        })?;
        Ok((lc, login))
    }

    fn request(
        &self,
        lc: &LiveChatConfig,
        login: &BasicLogin,
        method: reqwest::Method,
        path: &str,
    ) -> reqwest::RequestBuilder {
        let mut builder = self
            .0
            .upstream
            .client
            .request(method, format!("{}{path}", lc.api_url))
            // reqwest marks the Basic header sensitive, so it is never logged.
            .basic_auth(&login.user, Some(login.secret.expose()))
            .header(header::ACCEPT, "application/json");
        if let Some(region) = &lc.region {
            builder = builder.header("X-Region", region);
        }
        builder
    }

    /// Sends a REST API v2 request, noting the answer's deprecation headers.
    async fn send_v2(
        &self,
        lc: &LiveChatConfig,
        login: &BasicLogin,
        method: reqwest::Method,
        path: &str,
        body: Option<&serde_json::Value>,
        operation: &'static str,
    ) -> Result<Answer, AppError> {
        let mut request = self
            .request(lc, login, method, path)
            .header("X-API-Version", "2");
        if let Some(body) = body {
            request = request.json(body);
        }
        let answer = self
            .0
            .upstream
            .send(request, Call::new(WHO, "livechat", operation))
            .await?;
        self.0.deprecation.note(&answer.headers);
        Ok(answer)
    }

    /// One customer of the Agent Chat API v3.6 (`get_customer`), from the cache or one shared
    /// upstream call.
    pub async fn customer(&self, customer_id: &str) -> Result<Arc<Cached>, AppError> {
        let (lc, login) = self.v3()?;
        let key = format!("lc:customer:{customer_id}");
        self.0
            .cache
            .get_or_load(key, async move {
                let request = self
                    .request(
                        lc,
                        login,
                        reqwest::Method::POST,
                        "/v3.6/agent/action/get_customer",
                    )
                    .json(&serde_json::json!({ "id": customer_id }));
                let answer = self
                    .0
                    .upstream
                    .send(request, Call::new(WHO, "livechat", "customer"))
                    .await?;
                if !answer.status.is_success() {
                    return Err(v3_failure(&answer));
                }
                require_json(&answer, WHO)?;
                Ok(answer.body)
            })
            .await
    }

    /// The visitor list for this query, from the cache or one shared upstream call.
    pub async fn list(&self, query: &ListQuery) -> Result<Arc<Cached>, AppError> {
        let (lc, login) = self.v2()?;
        let query = query.to_query();
        let key = format!("lc:list?{query}");
        self.0
            .cache
            .get_or_load(key, async move {
                let path = if query.is_empty() {
                    "/visitors".to_owned()
                } else {
                    format!("/visitors?{query}")
                };
                let answer = self
                    .send_v2(lc, login, reqwest::Method::GET, &path, None, "visitors")
                    .await?;
                if !answer.status.is_success() {
                    return Err(failure(&answer));
                }
                require_json(&answer, WHO)?;
                Ok(answer.body)
            })
            .await
    }

    /// One visitor, found in the (cached) unfiltered list; `not_found` when absent.
    pub async fn visitor(&self, visitor_id: &str) -> Result<Arc<Cached>, AppError> {
        self.v2()?;
        let key = format!("lc:visitor:{visitor_id}");
        self.0
            .cache
            .get_or_load(key, async move {
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

    /// Posts custom details for the visitor's running chat. `request` must be normalized and valid.
    pub async fn add_details(
        &self,
        visitor_id: &str,
        details: &DetailsRequest,
    ) -> Result<Response, AppError> {
        let (lc, login) = self.v2()?;
        let tokens = self.0.tokens.as_ref();
        let chat = match tokens {
            Some(tokens) => tokens.get(visitor_id).await?,
            None => None,
        };
        let Some(chat) = chat else {
            return Err(AppError::new(ErrorCode::NoWebhookToken,
            "LiveChat has not told the proxy about a chat with this visitor yet (no chat_started webhook), so details cannot be added. Try again once the chat has started.",
        ));
        };
        let mut body =
            serde_json::to_value(details).map_err(|e| AppError::internal(e.to_string()))?;
        body["license_id"] = serde_json::Value::String(chat.license_id.clone());
        body["token"] = serde_json::Value::String(chat.token.expose().to_owned());
        let path = format!("/visitors/{visitor_id}/details");
        let answer = self
            .send_v2(
                lc,
                login,
                reqwest::Method::POST,
                &path,
                Some(&body),
                "details",
            )
            .await?;
        if answer.status.is_success() {
            require_json(&answer, WHO)?;
            return Ok(([(header::CONTENT_TYPE, "application/json")], answer.body).into_response());
        }
        if answer.status == StatusCode::FORBIDDEN {
            // The token belongs to a chat that has ended; a new chat brings a new webhook.
            // Only that token: a newer chat's, stored meanwhile, stays.
            if let Some(tokens) = tokens {
                match tokens.remove_if(visitor_id, &chat).await {
                    Ok(true) => self.0.upstream.metrics().token_removed("rejected"),
                    Ok(false) => {}
                    Err(e) => tracing::warn!("could not drop a refused webhook token: {e}"),
                }
            }
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
}

impl LiveChat {
    /// Readiness's cheap probe: does LiveChat answer the proxy's credentials (any status below
    /// 500)? REST API v2's visitor count (`GET /visitors?count=1`) when v2 is configured, else
    /// the Agent Chat API's `get_customer` for an ID no customer has (a 404 is an answer).
    /// Bounded by the upstream timeout; `None` when LiveChat is not configured.
    pub async fn probe(&self) -> Option<Result<(), String>> {
        let lc = self.0.config.as_ref()?;
        let answer = match (&lc.v2, &lc.v3) {
            (Some(login), _) => {
                self.send_v2(
                    lc,
                    login,
                    reqwest::Method::GET,
                    "/visitors?count=1",
                    None,
                    "probe",
                )
                .await
            }
            (None, Some(login)) => {
                let request = self
                    .request(
                        lc,
                        login,
                        reqwest::Method::POST,
                        "/v3.6/agent/action/get_customer",
                    )
                    .json(&serde_json::json!({ "id": "visitor-sidebar-readiness-probe" }));
                self.0
                    .upstream
                    .send(request, Call::new(WHO, "livechat", "probe"))
                    .await
            }
            (None, None) => return None,
        };
        Some(crate::upstream::probe_verdict(answer))
    }
}

/// The proxy's error for an Agent Chat API v3 answer that is not a success; LiveChat's body is
/// `{"error": {"type", "message"}}`.
fn v3_failure(answer: &Answer) -> AppError {
    if let Some(e) = common_failure(answer, WHO) {
        return e;
    }
    let status = answer.status.as_u16();
    let kind = serde_json::from_slice::<serde_json::Value>(&answer.body)
        .ok()
        .and_then(|b| b["error"]["type"].as_str().map(str::to_owned))
        .unwrap_or_default();
    match (status, kind.as_str()) {
        (404, _) | (_, "not_found") => {
            AppError::not_found("LiveChat does not know this customer.")
        }
        (401 | 403, _) | (_, "authentication" | "authorization") => AppError::new(
            ErrorCode::LivechatUnauthorized,
            "LiveChat refused the proxy's account ID or personal access token. Ask an administrator to check them (the token needs the customers:ro scope).",
        ),
        (400, _) => AppError::invalid_id("customer ID", "was refused by LiveChat"),
        _ => AppError::new(
            ErrorCode::UpstreamError,
            format!("LiveChat answered with an unexpected status {status}."),
        ),
    }
    .upstream(status, None)
}

fn failure(answer: &Answer) -> AppError {
    if let Some(e) = common_failure(answer, WHO) {
        return e;
    }
    let status = answer.status.as_u16();
    match status {
        401 | 403 => AppError::new(
            ErrorCode::LivechatUnauthorized,
            "LiveChat refused the proxy's login or API key. Ask an administrator to check them.",
        ),
        _ => AppError::new(
            ErrorCode::UpstreamError,
            format!("LiveChat answered with an unexpected status {status}."),
        ),
    }
    .upstream(status, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_queries_are_checked_and_normalized() {
        let q = ListQuery::parse(Some(
            "group[]=2&state=chatting&group%5B%5D=0&count=1&group[]=2",
        ))
        .unwrap();
        assert_eq!(
            q.to_query(),
            "state=chatting&group%5B%5D=0&group%5B%5D=2&count=1"
        );
        assert_eq!(ListQuery::parse(None).unwrap().to_query(), "");
        for bad in [
            "state=browsing",
            "group[]=x",
            "count=2",
            "evil=1",
            "group[]=-1",
        ] {
            assert_eq!(
                ListQuery::parse(Some(bad)).unwrap_err().code(),
                ErrorCode::InvalidQuery,
                "{bad}"
            );
        }
    }
}
