//! Request parts every provider reads the same way: the visitor ID in the path, checked against
//! the contract's ID rules before it can reach an upstream URL.

use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use visitor_sidebar_contract::check_id;

use crate::error::AppError;

/// The `{visitor_id}` path segment, checked with [`check_id`].
pub struct VisitorId(pub String);

impl<S: Send + Sync> FromRequestParts<S> for VisitorId {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        let Path(id) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|_| AppError::invalid_id("visitor ID", "is not valid"))?;
        check_id(&id).map_err(|why| AppError::invalid_id("visitor ID", why))?;
        Ok(VisitorId(id))
    }
}

/// A JSON body whose refusals (not JSON, wrong type, too large) are the proxy's own error body.
#[derive(axum::extract::FromRequest)]
#[from_request(via(axum::Json), rejection(AppError))]
pub struct AppJson<T>(pub T);
