//! What LiveChat's failing answers mean: the proxy's error for each, REST API v2 and Agent Chat
//! API v3 apart (v3's body names the error's type).

use visitor_sidebar_contract::ErrorCode;

use crate::error::AppError;
use crate::upstream::{common_failure, Answer};

pub const WHO: &str = "LiveChat";

/// The proxy's error for an Agent Chat API v3 answer that is not a success; LiveChat's body is
/// `{"error": {"type", "message"}}`.
pub fn v3_failure(answer: &Answer) -> AppError {
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

/// The proxy's error for a REST API v2 answer that is not a success.
pub fn failure(answer: &Answer) -> AppError {
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
