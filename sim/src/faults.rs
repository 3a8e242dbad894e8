//! Fault knobs: added latency, 500s, 429s, malformed and truncated bodies, applied to every vendor
//! route (not to the `/_sim` admin routes) and changeable while the simulator runs.

use std::sync::Arc;
use std::time::Duration;

use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use rand::Rng;
use serde::{Deserialize, Serialize};

use crate::{Counters, Shared};

/// What goes wrong on purpose. Rates are fractions from 0 (never) to 1 (every request); when
/// several fire, 429 wins over 500, and 500 over a bad body.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct Knobs {
    /// Added before every answer, in milliseconds.
    pub latency_ms: u64,
    /// Share of requests answered `500 Internal Server Error`.
    pub error_rate: f64,
    /// Share of requests answered `429 Too Many Requests` with `Retry-After`.
    pub rate_limit_rate: f64,
    /// The `Retry-After` seconds sent with those 429s (0 means 1).
    pub retry_after_secs: u64,
    /// Share of successful answers whose body is replaced by text that is not JSON.
    pub malformed_rate: f64,
    /// Share of successful answers whose JSON body is cut in half.
    pub truncated_rate: f64,
    /// LiveChat v2 answers carry `Deprecation` and `Sunset` headers, as deprecated LiveChat
    /// API versions do.
    pub lc_v2_deprecated: bool,
}

fn fires(rate: f64) -> bool {
    rate >= 1.0 || (rate > 0.0 && rand::thread_rng().gen_bool(rate.clamp(0.0, 1.0)))
}

/// Counts the request, then applies the knobs around the real handler.
pub(crate) async fn apply(State(shared): State<Arc<Shared>>, req: Request, next: Next) -> Response {
    let path = req.uri().path();
    let counter = if path.ends_with("/baseURI.json") {
        Some(&shared.counters.domain_api)
    } else if path.ends_with("/visits/current/state") {
        Some(&shared.counters.lp_visit)
    } else if path.ends_with("/details") {
        Some(&shared.counters.lc_details)
    } else if path == "/visitors" {
        Some(&shared.counters.lc_visitors)
    } else if path.ends_with("/get_customer") {
        Some(&shared.counters.lc_customers)
    } else {
        None
    };
    if let Some(counter) = counter {
        Counters::bump(counter);
    }

    let knobs = shared.knobs.lock().unwrap().clone();
    if knobs.latency_ms > 0 {
        tokio::time::sleep(Duration::from_millis(knobs.latency_ms)).await;
    }
    if fires(knobs.rate_limit_rate) {
        let secs = knobs.retry_after_secs.max(1);
        return (
            StatusCode::TOO_MANY_REQUESTS,
            [(header::RETRY_AFTER, HeaderValue::from(secs))],
            axum::Json(serde_json::json!({"message": "Too many requests", "internalCode": 429})),
        )
            .into_response();
    }
    if fires(knobs.error_rate) {
        return (
            StatusCode::INTERNAL_SERVER_ERROR,
            axum::Json(serde_json::json!({"message": "Internal Server Error", "time": now_ms()})),
        )
            .into_response();
    }
    let response = next.run(req).await;
    if !response.status().is_success() {
        return response;
    }
    let malformed = fires(knobs.malformed_rate);
    let truncated = !malformed && fires(knobs.truncated_rate);
    if !malformed && !truncated {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let bytes = to_bytes(body, usize::MAX).await.unwrap_or_default();
    let new_body = if malformed {
        Body::from("<html><body>Service temporarily unavailable</body></html>")
    } else {
        Body::from(bytes.slice(..bytes.len() / 2))
    };
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, new_body)
}

pub(crate) fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}
