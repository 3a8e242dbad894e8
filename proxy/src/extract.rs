//! Request parts every provider reads the same way: the visitor or customer ID in the path,
//! checked against the contract's ID rules before it can reach an upstream URL or body, and JSON
//! bodies whose refusals are the proxy's own error body.

use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use visitor_sidebar_contract::check_id;

use crate::error::AppError;

/// The `{visitor_id}` path segment, checked with [`check_id`].
pub struct VisitorId(pub String);

/// The `{customer_id}` path segment (a LiveChat v3 customer), checked with [`check_id`].
pub struct CustomerId(pub String);

/// The route's one path parameter, checked; `what` names it in the refusal.
async fn checked_path_id<S: Send + Sync>(
    parts: &mut Parts,
    state: &S,
    what: &str,
) -> Result<String, AppError> {
    let Path(id) = Path::<String>::from_request_parts(parts, state)
        .await
        .map_err(|_| AppError::invalid_id(what, "is not valid"))?;
    check_id(&id).map_err(|why| AppError::invalid_id(what, why))?;
    Ok(id)
}

impl<S: Send + Sync> FromRequestParts<S> for VisitorId {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        checked_path_id(parts, state, "visitor ID")
            .await
            .map(VisitorId)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for CustomerId {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        checked_path_id(parts, state, "customer ID")
            .await
            .map(CustomerId)
    }
}

/// A JSON body whose refusals (not JSON, wrong type, too large) are the proxy's own error body.
#[derive(axum::extract::FromRequest)]
#[from_request(via(axum::Json), rejection(AppError))]
pub struct AppJson<T>(pub T);
