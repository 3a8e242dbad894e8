//! `AppError`: every failure the proxy reports, turned into the contract's JSON error body with a
//! fitting status. The client gets a code and a sentence; details stay in the server log, and no
//! credential is ever part of either.

use axum::extract::rejection::JsonRejection;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use visitor_sidebar_contract::{ErrorBody, ErrorCode, ErrorDetail, FieldError};

/// A failure on its way to the client. Boxed, so that `Result<_, AppError>` stays one pointer
/// wide on the success path.
#[derive(Clone, Debug)]
pub struct AppError(Box<ErrorInfo>);

/// What an [`AppError`] carries: the contract's error body, and what only the proxy sees.
#[derive(Clone, Debug)]
pub struct ErrorInfo {
    /// What the client gets (code, message, upstream status and code, per-field problems).
    pub body: ErrorDetail,
    /// Seconds for `Retry-After` (429s).
    pub retry_after: Option<u64>,
    /// For the log only.
    pub detail: Option<String>,
}

impl AppError {
    /// An error with `code` (whose HTTP status the contract fixes) and a sentence for the agent.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> AppError {
        AppError(Box::new(ErrorInfo {
            body: ErrorDetail::new(code, message),
            retry_after: None,
            detail: None,
        }))
    }

    pub fn code(&self) -> ErrorCode {
        self.body.code
    }

    pub fn status(&self) -> StatusCode {
        StatusCode::from_u16(self.body.code.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    pub fn upstream(mut self, status: u16, code: Option<i64>) -> AppError {
        self.body.upstream_status = Some(status);
        self.body.upstream_code = code;
        self
    }

    pub fn detail(mut self, detail: impl Into<String>) -> AppError {
        self.detail = Some(detail.into());
        self
    }

    pub fn retry_after(mut self, secs: u64) -> AppError {
        self.retry_after = Some(secs.max(1));
        self
    }

    pub fn invalid_id(what: &str, why: impl std::fmt::Display) -> AppError {
        AppError::new(ErrorCode::InvalidId, format!("The {what} {why}."))
    }

    pub fn not_found(message: impl Into<String>) -> AppError {
        AppError::new(ErrorCode::NotFound, message)
    }

    pub fn not_configured(provider: &str) -> AppError {
        AppError::new(
            ErrorCode::NotConfigured,
            format!("The proxy is not configured for {provider}."),
        )
    }

    pub fn unauthorized(message: impl Into<String>) -> AppError {
        AppError::new(ErrorCode::Unauthorized, message)
    }

    pub fn rate_limited(secs: u64) -> AppError {
        AppError::new(
            ErrorCode::RateLimited,
            "Too many requests from this client; wait a moment and try again.",
        )
        .retry_after(secs)
    }

    pub fn invalid_body(message: impl Into<String>) -> AppError {
        AppError::new(ErrorCode::InvalidBody, message)
    }

    pub fn payload_too_large() -> AppError {
        AppError::new(ErrorCode::PayloadTooLarge, "The request body is too large.")
    }

    pub fn validation(fields: Vec<FieldError>) -> AppError {
        let mut e = AppError::new(
            ErrorCode::ValidationFailed,
            "Some fields are not valid; see error.fields.",
        );
        e.body.fields = fields;
        e
    }

    pub fn internal(detail: impl Into<String>) -> AppError {
        AppError::new(ErrorCode::InternalError, "The proxy failed unexpectedly.").detail(detail)
    }

    /// Whether this is the upstream's settled answer about the resource (a 404 or 400), which
    /// may be cached like a success; timeouts, 5xx and 429 are retried instead.
    pub fn is_definitive(&self) -> bool {
        matches!(
            self.body.code,
            ErrorCode::LivepersonBadRequest
                | ErrorCode::LivepersonInvalidVisitor
                | ErrorCode::LivepersonSessionExpired
                | ErrorCode::LivepersonNotFound
                | ErrorCode::NotFound
        )
    }

    /// The JSON body: the contract's `ErrorBody` (`fields` only when there are any).
    pub fn to_body(&self) -> ErrorBody {
        ErrorBody {
            error: self.body.clone(),
        }
    }
}

/// A JSON body axum could not read, with what to send instead.
impl From<JsonRejection> for AppError {
    fn from(rejection: JsonRejection) -> AppError {
        match rejection.status() {
            StatusCode::PAYLOAD_TOO_LARGE => AppError::payload_too_large(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE => {
                AppError::invalid_body("Send the body as JSON with Content-Type: application/json.")
            }
            // Told to the caller, never logged: serde's text can quote the values sent.
            _ => AppError::invalid_body(format!(
                "The body is not the JSON this route takes: {}",
                rejection.body_text()
            )),
        }
    }
}

impl std::ops::Deref for AppError {
    type Target = ErrorInfo;
    fn deref(&self) -> &ErrorInfo {
        &self.0
    }
}

impl std::ops::DerefMut for AppError {
    fn deref_mut(&mut self) -> &mut ErrorInfo {
        &mut self.0
    }
}

impl std::fmt::Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} ({}): {}",
            self.body.code,
            self.body.code.status(),
            self.body.message
        )
    }
}

impl std::error::Error for AppError {}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let detail = self.detail.as_deref().unwrap_or("");
        let status = self.status();
        let (code, upstream_status, upstream_code) = (
            self.body.code.as_str(),
            self.body.upstream_status,
            self.body.upstream_code,
        );
        if status.is_server_error() {
            tracing::warn!(code, status = status.as_u16(), upstream_status = ?upstream_status, upstream_code = ?upstream_code, detail, "request failed");
        } else {
            tracing::info!(code, status = status.as_u16(), upstream_status = ?upstream_status, upstream_code = ?upstream_code, detail, "request refused");
        }
        let mut response = (status, axum::Json(self.to_body())).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        if let Some(secs) = self.retry_after {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        if status == StatusCode::UNAUTHORIZED {
            headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_go_inside_the_error_object() {
        let e = AppError::validation(vec![FieldError {
            field: "id".into(),
            message: "Enter a data-set ID.".into(),
        }]);
        assert_eq!(
            serde_json::to_value(e.to_body()).unwrap(),
            serde_json::json!({"error": {"code": "validation_failed", "message": "Some fields are not valid; see error.fields.", "fields": [{"field": "id", "message": "Enter a data-set ID."}]}})
        );
        let parsed: ErrorBody =
            serde_json::from_value(serde_json::to_value(e.to_body()).unwrap()).unwrap();
        assert_eq!(parsed.error.code, ErrorCode::ValidationFailed);
        assert_eq!(parsed.error.fields[0].field, "id");
    }

    #[test]
    fn upstream_fields_when_they_apply() {
        let e = AppError::new(ErrorCode::LivepersonSessionExpired, "m").upstream(404, Some(39));
        let body = serde_json::to_value(e.to_body()).unwrap();
        assert_eq!(body["error"]["upstream_code"], 39);
        assert_eq!(body["error"]["upstream_status"], 404);
    }
}
