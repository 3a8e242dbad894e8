//! Calling an upstream: one shared client, a timeout, a bounded body, and the failures every
//! upstream shares (unreachable, timeout, 429, 5xx, not JSON) mapped to their error codes. Every
//! call is counted and timed by provider and operation ([`Call`]), carries the request's ID
//! (`X-Request-Id`, see `request_id.rs`), and notes when each provider last answered, for
//! readiness.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use bytes::{Bytes, BytesMut};
use reqwest::header::{HeaderMap, CONTENT_LENGTH, RETRY_AFTER};

use crate::error::AppError;
use crate::metrics::{Limit, Metrics, Operation, Provider};
use crate::request_id;
use crate::settings::{err, number, ConfigError, RawConfig};
use visitor_sidebar_contract::ErrorCode;

pub const DEFAULT_UPSTREAM_TIMEOUT_MS: u64 = 5000;
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 4 * 1024 * 1024;

/// The client's limits: `VS_UPSTREAM_TIMEOUT_MS` and `VS_MAX_RESPONSE_BYTES`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UpstreamConfig {
    /// The longest one upstream call may take, answer read.
    pub timeout: Duration,
    /// The largest answer read from an upstream.
    pub max_response_bytes: usize,
}

impl UpstreamConfig {
    pub fn from_raw(raw: &RawConfig) -> Result<UpstreamConfig, ConfigError> {
        let timeout_ms = number(
            raw.value("VS_UPSTREAM_TIMEOUT_MS"),
            "VS_UPSTREAM_TIMEOUT_MS",
            DEFAULT_UPSTREAM_TIMEOUT_MS,
        )?;
        if timeout_ms == 0 {
            return Err(err("VS_UPSTREAM_TIMEOUT_MS", "must be more than 0"));
        }
        let max_response_bytes = number(
            raw.value("VS_MAX_RESPONSE_BYTES"),
            "VS_MAX_RESPONSE_BYTES",
            DEFAULT_MAX_RESPONSE_BYTES as u64,
        )?;
        if max_response_bytes < 1024 {
            return Err(err("VS_MAX_RESPONSE_BYTES", "must be at least 1024"));
        }
        Ok(UpstreamConfig {
            timeout: Duration::from_millis(timeout_ms),
            max_response_bytes: max_response_bytes as usize,
        })
    }
}

/// What an upstream answered, body read in full (within the size bound).
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

/// What one upstream call is, for messages, metrics and readiness. Every label is fixed in code.
#[derive(Clone, Copy, Debug)]
pub struct Call {
    /// Names the upstream in messages ("LivePerson", "LivePerson's Domain API").
    pub who: &'static str,
    /// The metric's `provider` label, and the name readiness tracks answers by: `liveperson`,
    /// `livechat`, `livechat_accounts`, `host_jwks`, `oidc`.
    pub provider: Provider,
    /// The metric's `operation` label (`visit`, `domain_api`, `visitors`, `probe`, …).
    pub operation: Operation,
    /// Reads the `code` label (the upstream's internal error code) from a failure's body.
    pub internal_code: Option<ReadCode>,
    /// The longest pause a 429's `Retry-After` may impose on this upstream.
    pub max_cooldown: Duration,
}

/// The longest pause after an upstream's 429 unless a call says otherwise: vendors ask for a
/// pause, and an hour is the most any of them asks.
pub const MAX_COOLDOWN: Duration = Duration::from_secs(3600);

/// Reads the `code` label from a failure's body: a value the upstream's module fixes in code
/// (LivePerson's documented internal codes), never one the body chooses.
pub type ReadCode = fn(&[u8]) -> &'static str;

impl Call {
    pub const fn new(who: &'static str, provider: Provider, operation: Operation) -> Call {
        Call {
            who,
            provider,
            operation,
            internal_code: None,
            max_cooldown: MAX_COOLDOWN,
        }
    }

    /// Caps the pause after this upstream's 429s (an upstream every sign-in needs must not be
    /// paused for the hour its `Retry-After` may ask).
    pub const fn with_max_cooldown(mut self, max: Duration) -> Call {
        self.max_cooldown = max;
        self
    }

    pub const fn with_internal_code(mut self, read: ReadCode) -> Call {
        self.internal_code = Some(read);
        self
    }
}

/// The one HTTP client the proxy uses, with its limits.
#[derive(Clone)]
pub struct Upstream {
    pub client: reqwest::Client,
    max_bytes: usize,
    /// Per upstream, when its last 429 asked the proxy to wait until. Vendors ask clients to
    /// pause after a 429 rather than retry in bursts, so until then the proxy answers 429 itself.
    cooldown: Arc<Mutex<HashMap<String, Instant>>>,
    /// Per provider, when it last answered with a status below 500 (readiness).
    answered: Arc<Mutex<HashMap<Provider, Instant>>>,
    metrics: Metrics,
}

impl Upstream {
    pub fn new(config: &UpstreamConfig, metrics: Metrics) -> anyhow::Result<Upstream> {
        let client = reqwest::Client::builder()
            .timeout(config.timeout)
            .connect_timeout(config.timeout.min(Duration::from_secs(3)))
            // A redirect could carry the credentials' effect to another host; none is expected.
            .redirect(reqwest::redirect::Policy::none())
            .pool_idle_timeout(Duration::from_secs(60))
            .user_agent(concat!("visitor-sidebar-proxy/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Upstream {
            client,
            max_bytes: config.max_response_bytes,
            cooldown: Arc::default(),
            answered: Arc::default(),
            metrics,
        })
    }

    /// How long the proxy still holds back calls to `who` after its last 429, if it does.
    pub fn cooldown_left(&self, who: &str) -> Option<Duration> {
        self.cooldown
            .lock()
            .unwrap()
            .get(who)
            .and_then(|until| until.checked_duration_since(Instant::now()))
    }

    /// How long ago `provider` last answered with a status below 500, if it has.
    pub fn last_answer(&self, provider: Provider) -> Option<Duration> {
        self.answered
            .lock()
            .unwrap()
            .get(&provider)
            .map(Instant::elapsed)
    }

    /// Sends the request (with the current request's `X-Request-Id`) and reads the body, at
    /// most `max_bytes` of it; counts and times the call.
    pub async fn send(
        &self,
        request: reqwest::RequestBuilder,
        call: Call,
    ) -> Result<Answer, AppError> {
        let who = call.who;
        if let Some(left) = self.cooldown_left(who) {
            // Refused here, during a 429's pause: no call is made.
            self.metrics.rate_limited(Limit::upstream);
            return Err(rate_limited(who, left.as_secs_f64().ceil() as u64));
        }
        let request = match request_id::current() {
            Some(id) => request.header(request_id::HEADER, id.as_str()),
            None => request,
        };
        let started = Instant::now();
        let outcome = self.send_timed(request, &call).await;
        // The HTTP status when an answer came (even one whose body could not be used: too
        // large, cut off), else why not.
        let (status, code) = match &outcome {
            Ok(answer) => {
                let code = match (call.internal_code, answer.status.is_success()) {
                    (Some(read), false) => read(&answer.body),
                    _ => "",
                };
                (Some(answer.status.as_u16()), code)
            }
            Err(e) => (e.body.upstream_status, ""),
        };
        let status = match status {
            Some(status) => {
                if status < 500 {
                    self.answered
                        .lock()
                        .unwrap()
                        .insert(call.provider, Instant::now());
                    self.metrics.upstream_answered(call.provider);
                }
                status.to_string()
            }
            None => match outcome.as_ref().map_err(AppError::code) {
                Err(ErrorCode::UpstreamTimeout) => "timeout".to_owned(),
                _ => "unreachable".to_owned(),
            },
        };
        self.metrics.upstream(
            call.provider,
            call.operation,
            status,
            code,
            started.elapsed(),
        );
        outcome
    }

    async fn send_timed(
        &self,
        request: reqwest::RequestBuilder,
        call: &Call,
    ) -> Result<Answer, AppError> {
        let who = call.who;
        let mut response = request.send().await.map_err(|e| transport_error(e, who))?;
        let status =
            StatusCode::from_u16(response.status().as_u16()).unwrap_or(StatusCode::BAD_GATEWAY);
        let headers = response.headers().clone();
        if status == StatusCode::TOO_MANY_REQUESTS {
            let pause = Duration::from_secs(retry_after_secs(&headers)).min(call.max_cooldown);
            self.cooldown
                .lock()
                .unwrap()
                .insert(who.to_owned(), Instant::now() + pause);
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

/// Readiness's verdict on a probe: an upstream that answered below 500 is up (a 404 or a 401 is
/// a configuration matter every replica shares, not a reason to take this one out of the load
/// balancer).
pub fn probe_verdict(answer: Result<Answer, AppError>) -> Result<(), String> {
    match answer {
        Ok(answer) if answer.status.as_u16() < 500 => Ok(()),
        Ok(answer) => Err(format!("answered HTTP {}", answer.status.as_u16())),
        Err(e) => Err(format!("{}: {}", e.code(), e.body.message)),
    }
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
