//! Talking to the proxy: one request function that checks the status before decoding, sends
//! the access token and `If-None-Match`, and turns every failure into an [`ApiError`]. Each
//! provider's `api` module only builds its paths.
//!
//! The token is read from the sidebar's [`Credentials`] at each request (so a new one needs no
//! new client), and every 401 is reported back to them with what `WWW-Authenticate` said.
//!
//! Bodies are parsed by the browser (`Response.json()`) and decoded with serde-wasm-bindgen
//! through `crate::lenient` (see there for the measurements behind that choice).

use crate::auth::{Credentials, Refusal};
use crate::lenient::decode;
use gloo_net::http::{Request, RequestBuilder};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::fmt;
use std::rc::Rc;
use visitor_sidebar_contract::{ErrorBody, ErrorCode, ErrorDetail};
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;
use web_sys::AbortSignal;

/// Where the proxy is and how to prove the right to call it. Clients compare equal while they
/// share a base and [`Credentials`], whatever token those hold now.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiClient {
    base: Rc<str>,
    credentials: Credentials,
}

/// A GET's answer: new data, or "unchanged since the ETag you sent".
#[derive(Debug, Clone, PartialEq)]
pub enum Fetched<T> {
    Data { value: T, etag: Option<String> },
    NotModified,
}

/// Why a call failed, in terms the widget can show and act on.
#[derive(Debug, Clone, PartialEq)]
pub enum ApiError {
    /// No answer at all: the proxy is down, unreachable or blocked by CORS.
    Unreachable(String),
    /// The proxy answered with its error body (the contract's one error type).
    Proxy {
        status: u16,
        error: ErrorDetail,
        /// Seconds to wait before trying again (`Retry-After`).
        retry_after: Option<u32>,
        /// The answer's `X-Request-Id`, which an agent quotes so the request can be found in
        /// the proxy's logs.
        reference: Option<String>,
    },
    /// An HTTP error without the proxy's body: something in front of it answered (a gateway,
    /// a development server).
    Http {
        status: u16,
        status_text: String,
        retry_after: Option<u32>,
        reference: Option<String>,
    },
    /// An answer that is not what the proxy's contract promises.
    BadResponse(String),
    /// Cancelled because the visitor changed or the sidebar went away.
    Aborted,
}

impl ApiError {
    /// The proxy's machine-readable error code, if it sent one.
    pub fn code(&self) -> Option<ErrorCode> {
        match self {
            ApiError::Proxy { error, .. } => Some(error.code),
            _ => None,
        }
    }

    /// How long the server asked us to wait, in seconds.
    pub fn retry_after(&self) -> Option<u32> {
        match self {
            ApiError::Proxy { retry_after, .. } | ApiError::Http { retry_after, .. } => {
                *retry_after
            }
            _ => None,
        }
    }

    /// Did the proxy refuse the agent's credential (401: none, expired or not valid)?
    pub fn is_unauthorized(&self) -> bool {
        matches!(
            self,
            ApiError::Proxy { status: 401, .. } | ApiError::Http { status: 401, .. }
        )
    }

    /// The request's ID the answer carried (`X-Request-Id`), for the agent to quote.
    pub fn reference(&self) -> Option<&str> {
        match self {
            ApiError::Proxy { reference, .. } | ApiError::Http { reference, .. } => {
                reference.as_deref()
            }
            _ => None,
        }
    }

    /// Is this the kind of failure that can pass by itself (so old data stays on screen as
    /// "stale" and polling goes on)? Refusals such as "no permission" or "session expired" are
    /// not.
    pub fn is_transient(&self) -> bool {
        match self {
            ApiError::Unreachable(_) | ApiError::BadResponse(_) => true,
            ApiError::Proxy { status, .. } | ApiError::Http { status, .. } => {
                *status == 429 || *status >= 500
            }
            ApiError::Aborted => false,
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ApiError::Unreachable(_) => f.write_str("The sidebar's proxy cannot be reached."),
            ApiError::Proxy { error, .. } => f.write_str(&error.message),
            ApiError::Http {
                status,
                status_text,
                ..
            } => write!(f, "The proxy answered HTTP {status} {status_text}."),
            ApiError::BadResponse(why) => write!(f, "The proxy sent an unexpected answer ({why})."),
            ApiError::Aborted => f.write_str("Cancelled."),
        }
    }
}

fn js_error_text(e: &JsValue) -> String {
    js_sys::Error::from(e.clone())
        .message()
        .as_string()
        .unwrap_or_else(|| format!("{e:?}"))
}

/// Percent-encodes one path segment (IDs are checked already; this is the second fence).
pub fn segment(s: &str) -> String {
    String::from(js_sys::encode_uri_component(s))
}

impl ApiClient {
    /// A client with a fixed token (or none) and nobody to ask for another.
    pub fn new(base: &str, token: Option<&str>) -> ApiClient {
        ApiClient::with_credentials(base, Credentials::fixed(token))
    }

    /// A client that sends whatever token `credentials` hold at each request.
    pub fn with_credentials(base: &str, credentials: Credentials) -> ApiClient {
        ApiClient {
            base: base.trim_end_matches('/').into(),
            credentials,
        }
    }

    pub fn credentials(&self) -> &Credentials {
        &self.credentials
    }

    fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    fn authorize(&self, builder: RequestBuilder) -> RequestBuilder {
        match self.credentials.token() {
            Some(token) => builder.header("Authorization", &format!("Bearer {token}")),
            None => builder,
        }
    }

    /// Sends `request` (built by `build` once the token is known) and tells the credentials how
    /// the proxy took the token.
    async fn send(
        &self,
        build: impl FnOnce() -> Result<Request, gloo_net::Error>,
        signal: Option<&AbortSignal>,
    ) -> Result<web_sys::Response, ApiError> {
        // While the sidebar is still finding out how the agent signs in, wait for the token
        // rather than be refused without one.
        if !self.credentials.ready(signal).await {
            return Err(ApiError::Aborted);
        }
        let generation = self.credentials.generation();
        let request = build().map_err(|e| ApiError::BadResponse(e.to_string()))?;
        let response = send(request, signal).await?;
        if response.ok() || response.status() == 304 {
            self.credentials.accepted(generation);
            return Ok(response);
        }
        if response.status() == 401 {
            let challenge = response.headers().get("WWW-Authenticate").ok().flatten();
            self.credentials
                .refused(generation, Refusal::from_challenge(challenge.as_deref()));
        }
        Err(error_from(&response, signal).await)
    }

    /// GETs `path` (relative to the proxy's API base) and decodes the JSON body as `T`.
    pub async fn get<T: DeserializeOwned>(
        &self,
        path: &str,
        etag: Option<&str>,
        signal: Option<&AbortSignal>,
    ) -> Result<Fetched<T>, ApiError> {
        // Only the decoding is generic: the request is in the bundle once, not once per type.
        Ok(match self.get_json(path, etag, signal).await? {
            Fetched::Data { value, etag } => Fetched::Data {
                value: decode(value).map_err(ApiError::BadResponse)?,
                etag,
            },
            Fetched::NotModified => Fetched::NotModified,
        })
    }

    /// [`get`](Self::get) with the body as the browser parsed it.
    pub async fn get_json(
        &self,
        path: &str,
        etag: Option<&str>,
        signal: Option<&AbortSignal>,
    ) -> Result<Fetched<JsValue>, ApiError> {
        let build = || {
            let mut builder = self
                .authorize(Request::get(&self.url(path)))
                .header("Accept", "application/json")
                .abort_signal(signal);
            if let Some(etag) = etag {
                builder = builder.header("If-None-Match", etag);
            }
            builder.build()
        };
        let response = self.send(build, signal).await?;
        if response.status() == 304 {
            return Ok(Fetched::NotModified);
        }
        let etag = response.headers().get("ETag").ok().flatten();
        let value = json_body(&response, signal).await?;
        Ok(Fetched::Data { value, etag })
    }

    /// POSTs `body` as JSON and returns the decoded answer.
    pub async fn post<B: Serialize, T: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
        signal: Option<&AbortSignal>,
    ) -> Result<T, ApiError> {
        // serde-wasm-bindgen then JSON.stringify: no JSON encoder in the bundle.
        let js = body
            .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
            .map_err(|e| ApiError::BadResponse(e.to_string()))?;
        let text = js_sys::JSON::stringify(&js)
            .map(String::from)
            .map_err(|e| ApiError::BadResponse(js_error_text(&e)))?;
        let answer = self.post_text(path, text, signal).await?;
        decode(answer).map_err(ApiError::BadResponse)
    }

    /// [`post`](Self::post) of a body already in JSON, answered as the browser parsed it.
    async fn post_text(
        &self,
        path: &str,
        text: String,
        signal: Option<&AbortSignal>,
    ) -> Result<JsValue, ApiError> {
        let build = || {
            self.authorize(Request::post(&self.url(path)))
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .abort_signal(signal)
                .body(text)
        };
        let response = self.send(build, signal).await?;
        json_body(&response, signal).await
    }
}

fn aborted(signal: Option<&AbortSignal>) -> bool {
    signal.is_some_and(AbortSignal::aborted)
}

/// Sends `request`; any answer is `Ok`, whatever its status.
async fn send(
    request: Request,
    signal: Option<&AbortSignal>,
) -> Result<web_sys::Response, ApiError> {
    let response = request.send().await.map_err(|e| {
        if aborted(signal) {
            ApiError::Aborted
        } else {
            ApiError::Unreachable(e.to_string())
        }
    })?;
    Ok(web_sys::Response::from(response))
}

/// The body parsed by the browser (`Response.json()`); decoded by `crate::lenient`.
async fn json_body(
    response: &web_sys::Response,
    signal: Option<&AbortSignal>,
) -> Result<JsValue, ApiError> {
    let promise = response
        .json()
        .map_err(|e| ApiError::BadResponse(js_error_text(&e)))?;
    JsFuture::from(promise).await.map_err(|e| {
        if aborted(signal) {
            ApiError::Aborted
        } else {
            ApiError::BadResponse(js_error_text(&e))
        }
    })
}

async fn error_from(response: &web_sys::Response, signal: Option<&AbortSignal>) -> ApiError {
    let status = response.status();
    let retry_after = response
        .headers()
        .get("Retry-After")
        .ok()
        .flatten()
        .and_then(|v| v.trim().parse::<u32>().ok());
    // Shown to the agent as text: only a plausible ID (what the proxy sends: at most 128
    // visible ASCII characters), not whatever a gateway put there.
    let reference = response
        .headers()
        .get("X-Request-Id")
        .ok()
        .flatten()
        .map(|v| v.trim().to_owned())
        .filter(|v| (1..=128).contains(&v.len()) && v.bytes().all(|b| b.is_ascii_graphic()));
    let body = match json_body(response, signal).await {
        Ok(body) => decode::<ErrorBody>(body).ok(),
        Err(ApiError::Aborted) => return ApiError::Aborted,
        Err(_) => None,
    };
    match body {
        Some(ErrorBody { error }) => ApiError::Proxy {
            status,
            error,
            retry_after,
            reference,
        },
        // Something other than the proxy answered (a gateway, a dev server).
        None => ApiError::Http {
            status,
            status_text: response.status_text(),
            retry_after,
            reference,
        },
    }
}
