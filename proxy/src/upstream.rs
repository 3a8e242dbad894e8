//! Calling an upstream: one shared client, a timeout, a bounded body, and the failures every
//! upstream shares (unreachable, timeout, 429, 5xx, not JSON) mapped to their error codes.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use bytes::{Bytes, BytesMut};
use reqwest::header::{HeaderMap, CONTENT_LENGTH, RETRY_AFTER};

use crate::config::Config;
use crate::error::AppError;
use visitor_sidebar_contract::ErrorCode;

/// What an upstream answered, body read in full (within the size bound).
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

/// The one HTTP client the proxy uses, with its limits.
#[derive(Clone)]
pub struct Upstream {
    pub client: reqwest::Client,
    max_bytes: usize,
    /// Per upstream, when its last 429 asked the proxy to wait until. Vendors ask clients to
    /// pause after a 429 rather than retry in bursts, so until then the proxy answers 429 itself.
    cooldown: Arc<Mutex<HashMap<String, Instant>>>,
}

impl Upstream {
    pub fn new(config: &Config) -> anyhow::Result<Upstream> {
        let client = reqwest::Client::builder()
            .timeout(config.upstream_timeout)
            .connect_timeout(config.upstream_timeout.min(Duration::from_secs(3)))
            // A redirect could carry the credentials' effect to another host; none is expected.
            .redirect(reqwest::redirect::Policy::none())
            .pool_idle_timeout(Duration::from_secs(60))
            .user_agent(concat!("visitor-sidebar-proxy/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Upstream {
            client,
            max_bytes: config.max_response_bytes,
            cooldown: Arc::default(),
        })
    }

    /// Sends the request and reads the body, at most `max_bytes` of it. `who` names the
    /// upstream in messages ("LivePerson", "LiveChat").
    pub async fn send(
        &self,
        request: reqwest::RequestBuilder,
        who: &str,
    ) -> Result<Answer, AppError> {
        let waiting = self
            .cooldown
            .lock()
            .unwrap()
            .get(who)
            .and_then(|until| until.checked_duration_since(Instant::now()));
        if let Some(left) = waiting {
            return Err(rate_limited(who, left.as_secs_f64().ceil() as u64));
        }
        let mut response = request.send().await.map_err(|e| transport_error(e, who))?;
        let status =
            StatusCode::from_u16(response.status().as_u16()).unwrap_or(StatusCode::BAD_GATEWAY);
        let headers = response.headers().clone();
        if status == StatusCode::TOO_MANY_REQUESTS {
            let secs = retry_after_secs(&headers);
            self.cooldown
                .lock()
                .unwrap()
                .insert(who.to_owned(), Instant::now() + Duration::from_secs(secs));
        }
        let too_large = || {
            AppError::new(
                ErrorCode::UpstreamBadResponse,
                format!("{who} sent an answer larger than the proxy accepts."),
            )
            .upstream(status.as_u16(), None)
        };
        let declared = headers
            .get(CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok());
        if declared.is_some_and(|n| n > self.max_bytes) {
            return Err(too_large());
        }
        let mut body = BytesMut::with_capacity(declared.unwrap_or(8 * 1024).min(self.max_bytes));
        loop {
            match response.chunk().await {
                Ok(Some(chunk)) => {
                    if body.len() + chunk.len() > self.max_bytes {
                        return Err(too_large());
                    }
                    body.extend_from_slice(&chunk);
                }
                Ok(None) => break,
                Err(e) if e.is_timeout() => return Err(transport_error(e, who)),
                Err(e) => {
                    return Err(AppError::new(
                        ErrorCode::UpstreamBadResponse,
                        format!("{who}'s answer was cut off."),
                    )
                    .upstream(status.as_u16(), None)
                    .detail(e.without_url().to_string()))
                }
            }
        }
        Ok(Answer {
            status,
            headers,
            body: body.freeze(),
        })
    }
}

fn transport_error(e: reqwest::Error, who: &str) -> AppError {
    // The URL can hold a visitor's session ID; keep it out of the log line.
    let timeout = e.is_timeout();
    let detail = e.without_url().to_string();
    if timeout {
        AppError::new(
            ErrorCode::UpstreamTimeout,
            format!("{who} did not answer in time. Try again in a moment."),
        )
        .detail(detail)
    } else {
        AppError::new(
            ErrorCode::UpstreamUnreachable,
            format!("The proxy could not reach {who}."),
        )
        .detail(detail)
    }
}

/// The upstream's `Retry-After` in seconds (an HTTP date or nothing counts as 1): at least 1,
/// as vendors ask, and at most an hour.
fn retry_after_secs(headers: &HeaderMap) -> u64 {
    headers
        .get(RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .unwrap_or(1)
        .clamp(1, 3600)
}

fn rate_limited(who: &str, secs: u64) -> AppError {
    AppError::new(
        ErrorCode::UpstreamRateLimited,
        format!("{who} is limiting requests; try again in a moment."),
    )
    .upstream(429, None)
    .retry_after(secs)
}

/// The shared handling of non-success answers: 429 and 5xx. `None` for other statuses, which
/// each upstream maps itself.
pub fn common_failure(answer: &Answer, who: &str) -> Option<AppError> {
    let status = answer.status;
    if status == StatusCode::TOO_MANY_REQUESTS {
        return Some(rate_limited(who, retry_after_secs(&answer.headers)));
    }
    if status.is_server_error() {
        return Some(
            AppError::new(
                ErrorCode::UpstreamError,
                format!("{who} had an internal error. Try again in a moment."),
            )
            .upstream(status.as_u16(), None),
        );
    }
    None
}

/// A 2xx body must be JSON; anything else (an HTML error page, a cut-off body) is a bad answer.
pub fn require_json(answer: &Answer, who: &str) -> Result<serde_json::Value, AppError> {
    serde_json::from_slice(&answer.body).map_err(|e| {
        AppError::new(
            ErrorCode::UpstreamBadResponse,
            format!("{who} sent an answer that is not valid JSON."),
        )
        .upstream(answer.status.as_u16(), None)
        .detail(e.to_string())
    })
}
