//! The wire contract between the widget and the proxy: the JSON error body, the rules for the
//! identifiers that end up in upstream URLs, and the custom-details request with its validation.
//!
//! Both sides compile this crate, so the widget's form rejects exactly what the proxy would.

pub mod details;
pub mod error;
pub mod ids;

pub use details::{DetailsField, DetailsRequest, FieldError};
pub use error::{ErrorBody, ErrorCode, ErrorDetail};
pub use ids::{check_id, IdError, MAX_ID_LEN};
