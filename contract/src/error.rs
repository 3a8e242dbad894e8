//! The one error shape every proxy error uses:
//! `{"error": {"code": "...", "message": "...", "upstream_status": 404, "upstream_code": 37}}`.

use crate::details::FieldError;
use serde::{Deserialize, Serialize};

/// The body of every error response the proxy sends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

/// What went wrong, for a program (`code`) and for an agent (`message`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorDetail {
    /// A stable, machine-readable code such as `liveperson_session_expired`.
    pub code: String,
    /// A sentence an agent understands. Never carries a credential.
    pub message: String,
    /// The upstream's HTTP status, when the error came from an upstream answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upstream_status: Option<u16>,
    /// The upstream's internal error code (LivePerson's `internalCode`), when it sent one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upstream_code: Option<i64>,
    /// For `validation_failed`: each input that broke a rule, and why.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldError>,
}

impl ErrorBody {
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> Self {
        ErrorBody {
            error: ErrorDetail {
                code: code.into(),
                message: message.into(),
                upstream_status: None,
                upstream_code: None,
                fields: Vec::new(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn optional_upstream_fields_are_left_out_when_absent() {
        let body = ErrorBody::new("not_found", "No such visitor.");
        assert_eq!(
            serde_json::to_string(&body).unwrap(),
            r#"{"error":{"code":"not_found","message":"No such visitor."}}"#
        );
    }

    #[test]
    fn upstream_fields_round_trip() {
        let text = r#"{"error":{"code":"liveperson_session_expired","message":"m","upstream_status":404,"upstream_code":39}}"#;
        let body: ErrorBody = serde_json::from_str(text).unwrap();
        assert_eq!(body.error.upstream_status, Some(404));
        assert_eq!(body.error.upstream_code, Some(39));
        assert_eq!(serde_json::to_string(&body).unwrap(), text);
    }
}
