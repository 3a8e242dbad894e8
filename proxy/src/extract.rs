//! Request parts every route reads the same way: the visitor or customer ID in the path,
//! checked against the contract's ID rules before it can reach an upstream URL or body; JSON
//! bodies and query strings whose refusals are the proxy's own error body; and the
//! `Authorization` header.

use std::collections::HashMap;

use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap};
use serde::de::value::{MapDeserializer, SeqDeserializer};
use serde::de::{DeserializeOwned, Deserializer, IntoDeserializer, Visitor};
use visitor_sidebar_contract::{check_id, ErrorCode};

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

/// A query string read into `T` (a `#[derive(Deserialize)]` struct, fields by name). A field
/// takes its key's first value, as browsers' `URLSearchParams.get` does (`?secret=a&secret=b`
/// is `a`: a later value cannot change what was checked); a list field (`Vec<String>`) takes
/// every value of its key, in order. Values are text, percent-decoded (lossily where the bytes
/// are not UTF-8), so the checks are `T`'s own, and so are the refusals' sentences: the proxy's
/// `invalid_query`.
pub struct AppQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for AppQuery<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, AppError> {
        query(parts.uri.query()).map(AppQuery)
    }
}

/// A raw query string (without the `?`) read as [`AppQuery`] reads it.
pub fn query<T: DeserializeOwned>(raw: Option<&str>) -> Result<T, AppError> {
    let mut keys: Vec<(String, Values)> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    for (key, value) in form_urlencoded::parse(raw.unwrap_or("").as_bytes()) {
        match index.get(key.as_ref()) {
            Some(&i) => {
                let Values(values) = &mut keys[i].1;
                values.push(value.into_owned());
            }
            None => {
                index.insert(key.to_string(), keys.len());
                keys.push((key.into_owned(), Values(vec![value.into_owned()])));
            }
        }
    }
    T::deserialize(MapDeserializer::new(keys.into_iter()))
        .map_err(|e: QueryError| AppError::new(ErrorCode::InvalidQuery, e.to_string()))
}

type QueryError = serde::de::value::Error;

/// Every value one key has in a query, in order (at least one).
struct Values(Vec<String>);

impl<'de> IntoDeserializer<'de, QueryError> for Values {
    type Deserializer = Values;

    fn into_deserializer(self) -> Values {
        self
    }
}

impl<'de> Deserializer<'de> for Values {
    type Error = QueryError;

    /// A field: the key's first value.
    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, QueryError> {
        visitor.visit_string(self.0.into_iter().next().unwrap_or_default())
    }

    /// A list: every value.
    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, QueryError> {
        visitor.visit_seq(SeqDeserializer::new(self.0.into_iter()))
    }

    /// A key that is there is `Some`.
    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, QueryError> {
        visitor.visit_some(self)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf unit
        unit_struct newtype_struct tuple tuple_struct map struct enum identifier ignored_any
    }
}

/// The `Authorization` header as every part of the proxy reads it (one parser: the agent's
/// credential, the metrics listener's token).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Authorization<'a> {
    /// No `Authorization` header.
    Absent,
    /// `Bearer <token>` (the scheme as `Bearer` or `bearer`), the token trimmed and not empty.
    Bearer(&'a str),
    /// Anything else: another scheme, no token, or not text.
    Malformed,
}

impl Authorization<'_> {
    pub fn of(headers: &HeaderMap) -> Authorization<'_> {
        let Some(value) = headers.get(header::AUTHORIZATION) else {
            return Authorization::Absent;
        };
        value
            .to_str()
            .ok()
            .and_then(|v| {
                v.strip_prefix("Bearer ")
                    .or_else(|| v.strip_prefix("bearer "))
            })
            .map(str::trim)
            .filter(|token| !token.is_empty())
            .map_or(Authorization::Malformed, Authorization::Bearer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;
    use serde::Deserialize;

    #[derive(Debug, Default, Deserialize, PartialEq)]
    #[serde(default)]
    struct Example {
        one: String,
        maybe: Option<String>,
        many: Vec<String>,
    }

    #[test]
    fn queries_take_each_keys_first_value_and_lists_every_value() {
        let q: Example = query(Some("one=a&many=1&one=b&x=y&many=2&many=%2F")).unwrap();
        assert_eq!(
            q,
            Example {
                one: "a".into(),
                maybe: None,
                many: vec!["1".into(), "2".into(), "/".into()],
            }
        );
        let q: Example = query(Some("maybe=&one")).unwrap();
        assert_eq!((q.one.as_str(), q.maybe.as_deref()), ("", Some("")));
        assert_eq!(query::<Example>(None).unwrap(), Example::default());
    }

    #[test]
    fn the_authorization_header_is_read_one_way() {
        let read = |value: &'static [u8]| {
            let mut headers = HeaderMap::new();
            headers.insert(
                header::AUTHORIZATION,
                HeaderValue::from_bytes(value).unwrap(),
            );
            match Authorization::of(&headers) {
                Authorization::Bearer(token) => Ok(token.to_owned()),
                Authorization::Absent => Err("absent"),
                Authorization::Malformed => Err("malformed"),
            }
        };
        assert_eq!(Authorization::of(&HeaderMap::new()), Authorization::Absent);
        assert_eq!(read(b"Bearer abc").unwrap(), "abc");
        assert_eq!(read(b"bearer  abc ").unwrap(), "abc");
        for malformed in [&b"Basic abc"[..], b"Bearer ", b"Bearer", b"Bearer \xff"] {
            assert_eq!(read(malformed), Err("malformed"));
        }
    }
}
