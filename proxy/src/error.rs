//! `AppError`: every failure the proxy reports, turned into the contract's JSON error body with a
//! fitting status. The client gets a code and a sentence; details stay in the server log, and no
//! credential is ever part of either.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use visitor_sidebar_contract::{ErrorBody, FieldError};

/// A failure on its way to the client. Boxed, so that `Result<_, AppError>` stays one pointer
/// wide on the success path.
#[derive(Clone, Debug)]
pub struct AppError(Box<ErrorInfo>);

/// What an [`AppError`] carries.
#[derive(Clone, Debug)]
pub struct ErrorInfo {
    pub status: StatusCode,
    /// The stable code the widget branches on (listed in the README).
    pub code: &'static str,
    pub message: String,
    pub upstream_status: Option<u16>,
    pub upstream_code: Option<i64>,
    /// Seconds for `Retry-After` (429s).
    pub retry_after: Option<u64>,
    /// Per-field problems (`validation_failed`), sent as `error.fields`.
    pub fields: Vec<FieldError>,
    /// For the log only.
    pub detail: Option<String>,
}

impl AppError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> AppError {
        AppError(Box::new(ErrorInfo {
            status,
            code,
            message: message.into(),
            upstream_status: None,
            upstream_code: None,
            retry_after: None,
            fields: Vec::new(),
            detail: None,
        }))
    }

    pub fn upstream(mut self, status: u16, code: Option<i64>) -> AppError {
        self.upstream_status = Some(status);
        self.upstream_code = code;
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
        AppError::new(
            StatusCode::BAD_REQUEST,
            "invalid_id",
            format!("The {what} {why}."),
        )
    }

    pub fn not_found(message: impl Into<String>) -> AppError {
        AppError::new(StatusCode::NOT_FOUND, "not_found", message)
    }

    pub fn not_configured(provider: &str) -> AppError {
        AppError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "not_configured",
            format!("The proxy is not configured for {provider}."),
        )
    }

    pub fn unauthorized(message: impl Into<String>) -> AppError {
        AppError::new(StatusCode::UNAUTHORIZED, "unauthorized", message)
    }

    pub fn rate_limited(secs: u64) -> AppError {
        AppError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            "Too many requests from this client; wait a moment and try again.",
        )
        .retry_after(secs)
    }

    pub fn invalid_body(message: impl Into<String>) -> AppError {
        AppError::new(StatusCode::BAD_REQUEST, "invalid_body", message)
    }

    pub fn validation(fields: Vec<FieldError>) -> AppError {
        let mut e = AppError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            "Some fields are not valid; see error.fields.",
        );
        e.fields = fields;
        e
    }

    pub fn internal(detail: impl Into<String>) -> AppError {
        AppError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal_error",
            "The proxy failed unexpectedly.",
        )
        .detail(detail)
    }

    /// Whether this is the upstream's settled answer about the resource (a 404 or 400), which
    /// may be cached like a success; timeouts, 5xx and 429 are retried instead.
    pub fn is_definitive(&self) -> bool {
        matches!(
            self.code,
            "liveperson_bad_request"
                | "liveperson_invalid_visitor"
                | "liveperson_session_expired"
                | "liveperson_not_found"
                | "not_found"
        )
    }

    /// The JSON body: the contract's `ErrorBody` (`fields` only when there are any).
    pub fn body(&self) -> serde_json::Value {
        let mut body = ErrorBody::new(self.code, self.message.clone());
        body.error.upstream_status = self.upstream_status;
        body.error.upstream_code = self.upstream_code;
        body.error.fields = self.fields.clone();
        serde_json::to_value(&body).unwrap_or_default()
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
            self.code,
            self.status.as_u16(),
            self.message
        )
    }
}

impl std::error::Error for AppError {}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let detail = self.detail.as_deref().unwrap_or("");
        if self.status.is_server_error() {
            tracing::warn!(code = self.code, status = self.status.as_u16(), upstream_status = ?self.upstream_status, upstream_code = ?self.upstream_code, detail, "request failed");
        } else {
            tracing::info!(code = self.code, status = self.status.as_u16(), upstream_status = ?self.upstream_status, upstream_code = ?self.upstream_code, detail, "request refused");
        }
        let mut response = (self.status, axum::Json(self.body())).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        if let Some(secs) = self.retry_after {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        if self.status == StatusCode::UNAUTHORIZED {
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
            e.body(),
            serde_json::json!({"error": {"code": "validation_failed", "message": "Some fields are not valid; see error.fields.", "fields": [{"field": "id", "message": "Enter a data-set ID."}]}})
        );
        let parsed: ErrorBody = serde_json::from_value(e.body()).unwrap();
        assert_eq!(parsed.error.code, "validation_failed");
        assert_eq!(parsed.error.fields[0].field, "id");
    }

    #[test]
    fn upstream_fields_when_they_apply() {
        let e = AppError::new(StatusCode::NOT_FOUND, "liveperson_session_expired", "m")
            .upstream(404, Some(39));
        assert_eq!(e.body()["error"]["upstream_code"], 39);
        assert_eq!(e.body()["error"]["upstream_status"], 404);
    }
}
