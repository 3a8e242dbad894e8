//! The one error shape every proxy error uses:
//! `{"error": {"code": "...", "message": "...", "upstream_status": 404, "upstream_code": 37}}`,
//! and the one vocabulary of codes ([`ErrorCode`]) both sides match on exhaustively, so a code
//! added or renamed here fails to compile wherever it is not handled.

use crate::details::FieldError;
use serde::{Deserialize, Serialize};

/// Every error code the proxy sends, as it appears on the wire (`snake_case`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    // The request itself.
    InvalidId,
    InvalidQuery,
    InvalidBody,
    ValidationFailed,
    PayloadTooLarge,
    NotFound,
    MethodNotAllowed,
    // Who may call.
    Unauthorized,
    /// A valid agent credential that this deployment does not accept (a LiveChat token of
    /// another organization or OAuth client).
    Forbidden,
    OriginNotAllowed,
    RateLimited,
    /// The service that vouches for agents' tokens (LiveChat's accounts server, the JWKS host,
    /// the identity provider) could not be asked; the credential was neither accepted nor refused.
    AuthUnavailable,
    // The proxy.
    NotConfigured,
    InternalError,
    /// The proxy's token store (Redis, or the disk) cannot be used just now.
    StoreUnavailable,
    // Any upstream.
    UpstreamTimeout,
    UpstreamUnreachable,
    UpstreamError,
    UpstreamBadResponse,
    UpstreamRateLimited,
    // LivePerson's documented answers.
    LivepersonBadRequest,
    LivepersonNoPermission,
    LivepersonInvalidAccount,
    LivepersonInvalidVisitor,
    LivepersonSessionExpired,
    LivepersonNotFound,
    // LiveChat.
    LivechatUnauthorized,
    LivechatTokenRejected,
    NoWebhookToken,
    /// A code this build does not know (a newer proxy); never sent by this one.
    #[serde(other)]
    Unknown,
}

impl ErrorCode {
    /// Every code the proxy can send (all but [`ErrorCode::Unknown`]), for tests and docs.
    pub const ALL: &'static [ErrorCode] = &[
        ErrorCode::InvalidId,
        ErrorCode::InvalidQuery,
        ErrorCode::InvalidBody,
        ErrorCode::ValidationFailed,
        ErrorCode::PayloadTooLarge,
        ErrorCode::NotFound,
        ErrorCode::MethodNotAllowed,
        ErrorCode::Unauthorized,
        ErrorCode::Forbidden,
        ErrorCode::OriginNotAllowed,
        ErrorCode::RateLimited,
        ErrorCode::AuthUnavailable,
        ErrorCode::NotConfigured,
        ErrorCode::InternalError,
        ErrorCode::StoreUnavailable,
        ErrorCode::UpstreamTimeout,
        ErrorCode::UpstreamUnreachable,
        ErrorCode::UpstreamError,
        ErrorCode::UpstreamBadResponse,
        ErrorCode::UpstreamRateLimited,
        ErrorCode::LivepersonBadRequest,
        ErrorCode::LivepersonNoPermission,
        ErrorCode::LivepersonInvalidAccount,
        ErrorCode::LivepersonInvalidVisitor,
        ErrorCode::LivepersonSessionExpired,
        ErrorCode::LivepersonNotFound,
        ErrorCode::LivechatUnauthorized,
        ErrorCode::LivechatTokenRejected,
        ErrorCode::NoWebhookToken,
    ];

    /// The HTTP status the proxy answers with this code.
    pub const fn status(self) -> u16 {
        use ErrorCode::*;
        match self {
            InvalidId | InvalidQuery | InvalidBody | LivepersonBadRequest => 400,
            Unauthorized => 401,
            OriginNotAllowed | Forbidden => 403,
            NotFound | LivepersonInvalidVisitor | LivepersonSessionExpired | LivepersonNotFound => {
                404
            }
            MethodNotAllowed => 405,
            LivechatTokenRejected | NoWebhookToken => 409,
            PayloadTooLarge => 413,
            ValidationFailed => 422,
            RateLimited | UpstreamRateLimited => 429,
            InternalError | Unknown => 500,
            UpstreamUnreachable
            | UpstreamError
            | UpstreamBadResponse
            | LivepersonNoPermission
            | LivepersonInvalidAccount
            | LivechatUnauthorized => 502,
            NotConfigured | AuthUnavailable | StoreUnavailable => 503,
            UpstreamTimeout => 504,
        }
    }

    /// The code as it appears on the wire.
    pub fn as_str(self) -> &'static str {
        use ErrorCode::*;
        match self {
            InvalidId => "invalid_id",
            InvalidQuery => "invalid_query",
            InvalidBody => "invalid_body",
            ValidationFailed => "validation_failed",
            PayloadTooLarge => "payload_too_large",
            NotFound => "not_found",
            MethodNotAllowed => "method_not_allowed",
            Unauthorized => "unauthorized",
            Forbidden => "forbidden",
            OriginNotAllowed => "origin_not_allowed",
            RateLimited => "rate_limited",
            AuthUnavailable => "auth_unavailable",
            NotConfigured => "not_configured",
            InternalError => "internal_error",
            StoreUnavailable => "store_unavailable",
            UpstreamTimeout => "upstream_timeout",
            UpstreamUnreachable => "upstream_unreachable",
            UpstreamError => "upstream_error",
            UpstreamBadResponse => "upstream_bad_response",
            UpstreamRateLimited => "upstream_rate_limited",
            LivepersonBadRequest => "liveperson_bad_request",
            LivepersonNoPermission => "liveperson_no_permission",
            LivepersonInvalidAccount => "liveperson_invalid_account",
            LivepersonInvalidVisitor => "liveperson_invalid_visitor",
            LivepersonSessionExpired => "liveperson_session_expired",
            LivepersonNotFound => "liveperson_not_found",
            LivechatUnauthorized => "livechat_unauthorized",
            LivechatTokenRejected => "livechat_token_rejected",
            NoWebhookToken => "no_webhook_token",
            Unknown => "unknown",
        }
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The body of every error response the proxy sends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

/// What went wrong, for a program (`code`) and for an agent (`message`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorDetail {
    /// A stable, machine-readable code such as `liveperson_session_expired`.
    pub code: ErrorCode,
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

impl ErrorDetail {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ErrorDetail {
            code,
            message: message.into(),
            upstream_status: None,
            upstream_code: None,
            fields: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn optional_upstream_fields_are_left_out_when_absent() {
        let body = ErrorBody {
            error: ErrorDetail::new(ErrorCode::NotFound, "No such visitor."),
        };
        assert_eq!(
            serde_json::to_string(&body).unwrap(),
            r#"{"error":{"code":"not_found","message":"No such visitor."}}"#
        );
    }

    #[test]
    fn upstream_fields_round_trip() {
        let text = r#"{"error":{"code":"liveperson_session_expired","message":"m","upstream_status":404,"upstream_code":39}}"#;
        let body: ErrorBody = serde_json::from_str(text).unwrap();
        assert_eq!(body.error.code, ErrorCode::LivepersonSessionExpired);
        assert_eq!(body.error.upstream_status, Some(404));
        assert_eq!(body.error.upstream_code, Some(39));
        assert_eq!(serde_json::to_string(&body).unwrap(), text);
    }

    #[test]
    fn wire_names_are_the_serde_names() {
        for code in ErrorCode::ALL {
            assert_eq!(
                serde_json::to_value(code).unwrap(),
                serde_json::Value::String(code.as_str().into())
            );
            let back: ErrorCode = serde_json::from_value(code.as_str().into()).unwrap();
            assert_eq!(back, *code);
        }
    }

    #[test]
    fn a_code_from_a_newer_proxy_is_unknown_not_an_error() {
        let body: ErrorBody =
            serde_json::from_str(r#"{"error":{"code":"brand_new","message":"m"}}"#).unwrap();
        assert_eq!(body.error.code, ErrorCode::Unknown);
    }
}
