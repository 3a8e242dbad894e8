//! What LivePerson's failing answers mean: its internal error codes (read from the body, and
//! the few documented ones kept as metric labels) and the proxy's error for each.

use visitor_sidebar_contract::ErrorCode;

use crate::error::AppError;
use crate::upstream::{common_failure, Answer};

pub const WHO: &str = "LivePerson";

/// LivePerson's internal error code, read defensively: the body's shape is not documented, so
/// `internalCode` (or `internal_code`, or `code`) at the top or under `error`, as a number or a
/// numeric string.
pub fn internal_code(body: &[u8]) -> Option<i64> {
    let json: serde_json::Value = serde_json::from_slice(body).ok()?;
    let read = |v: &serde_json::Value| -> Option<i64> {
        ["internalCode", "internal_code", "code"]
            .iter()
            .find_map(|k| match &v[*k] {
                serde_json::Value::Number(n) => n.as_i64(),
                serde_json::Value::String(s) => s.trim().parse().ok(),
                _ => None,
            })
    };
    read(&json).or_else(|| read(&json["error"]))
}

/// The `code` label of a failure's body: LivePerson's documented internal codes keep their
/// number; any other is `other`, so that an odd body cannot mint label values; none is empty.
pub fn internal_code_label(body: &[u8]) -> &'static str {
    match internal_code(body) {
        None => "",
        Some(6) => "6",
        Some(10) => "10",
        Some(12) => "12",
        Some(33) => "33",
        Some(37) => "37",
        Some(39) => "39",
        Some(_) => "other",
    }
}

/// The proxy's error for a LivePerson answer that is not a success.
pub fn failure(answer: &Answer) -> AppError {
    if let Some(e) = common_failure(answer, WHO) {
        return e.upstream(answer.status.as_u16(), internal_code(&answer.body));
    }
    let status = answer.status.as_u16();
    let code = internal_code(&answer.body);
    let e = match (status, code) {
        (400, _) => AppError::new(ErrorCode::LivepersonBadRequest,
            "LivePerson refused the request as malformed. Check the visitor's session ID.",
        ),
        (401 | 403, _) => AppError::new(ErrorCode::LivepersonNoPermission,
            "The proxy's LivePerson key is not allowed to read visit information. Ask an administrator to check its permissions.",
        ),
        (404, Some(6)) => AppError::new(ErrorCode::LivepersonInvalidAccount,
            "LivePerson does not know the account the proxy is configured for. Ask an administrator to check the account ID.",
        ),
        (404, Some(37)) => AppError::new(ErrorCode::LivepersonInvalidVisitor,
            "LivePerson does not know this visitor.",
        ),
        (404, Some(39)) => AppError::new(ErrorCode::LivepersonSessionExpired,
            "The visitor's session is unknown or expired. Ask the visitor to reload the page, or open their newest chat.",
        ),
        (404, _) => AppError::new(ErrorCode::LivepersonNotFound,
            "LivePerson has no current visit for this visitor; sessions are kept for at most 6 hours.",
        ),
        _ => AppError::new(ErrorCode::UpstreamError,
            format!("LivePerson answered with an unexpected status {status}."),
        ),
    };
    e.upstream(status, code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_codes_are_read_defensively() {
        assert_eq!(internal_code(br#"{"internalCode":39}"#), Some(39));
        assert_eq!(internal_code(br#"{"internal_code":"37"}"#), Some(37));
        assert_eq!(internal_code(br#"{"error":{"code":6}}"#), Some(6));
        assert_eq!(internal_code(b"<html>"), None);
        assert_eq!(internal_code(br#"{"message":"x"}"#), None);
    }
}
