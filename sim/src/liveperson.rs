//! LivePerson: the Domain API (`baseURI.json`) and the Visit Information API, with its documented
//! error codes (400/33, 401/10, 404/6, 404/37, 404/39, 404/12; 500 comes from the fault knobs).

use std::sync::Arc;

use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use crate::world::LpLookup;
use crate::{Counters, Shared};

/// An error as LivePerson's APIs send them: a message, the time and the internal code.
fn lp_error(status: StatusCode, internal_code: i64, message: &str) -> Response {
    (
        status,
        Json(json!({
            "time": crate::faults::now_ms(),
            "message": message,
            "internalCode": internal_code,
        })),
    )
        .into_response()
}

fn query_pairs(query: &Option<String>) -> Vec<(String, String)> {
    form_urlencoded::parse(query.as_deref().unwrap_or("").as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// `GET /api/account/{accountId}/service/smt/baseURI.json?version=1.0`
pub(crate) async fn domain_api(
    State(shared): State<Arc<Shared>>,
    Path(account_id): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let pairs = query_pairs(&query);
    if !pairs.iter().any(|(k, v)| k == "version" && v == "1.0") {
        return lp_error(
            StatusCode::BAD_REQUEST,
            33,
            "Missing or unsupported version",
        );
    }
    if account_id != shared.credentials.lp_account_id {
        return lp_error(StatusCode::NOT_FOUND, 6, "Invalid account ID");
    }
    // The real service answers a host name under liveperson.net; the simulator answers its own
    // loopback base URL, which the proxy follows only because its Domain API is that same
    // loopback address.
    let base_uri = shared
        .domain_answer
        .lock()
        .unwrap()
        .clone()
        .unwrap_or_else(|| shared.base_url.clone());
    Json(json!({"service": "smt", "account": account_id, "baseURI": base_uri})).into_response()
}

/// `GET /api/account/{accountId}/monitoring/visitors/{visitorId}/visits/current/state?v=1&filter=agent&sid=...`
pub(crate) async fn visit_state(
    State(shared): State<Arc<Shared>>,
    Path((account_id, visitor_id)): Path<(String, String)>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    if let Err(why) = crate::auth::check_liveperson(&shared, method.as_str(), &uri, &headers) {
        Counters::bump(&shared.counters.auth_failures);
        tracing::info!("LivePerson request refused: {why:?}");
        return lp_error(StatusCode::UNAUTHORIZED, 10, "Unauthorized");
    }
    let pairs = query_pairs(&uri.query().map(str::to_owned));
    let get = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let Some(sid) = get("sid").filter(|s| !s.is_empty()) else {
        return lp_error(StatusCode::BAD_REQUEST, 33, "Missing sid");
    };
    // LivePerson session IDs are short and plain (`123.567`); anything else is a bad query.
    let sid_ok = sid.len() <= 64
        && sid
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
    if !sid_ok || get("v") != Some("1") || get("filter").is_some_and(|f| f != "agent") {
        return lp_error(StatusCode::BAD_REQUEST, 33, "Bad query parameters");
    }
    if account_id != shared.credentials.lp_account_id {
        return lp_error(StatusCode::NOT_FOUND, 6, "Invalid account ID");
    }
    let found = shared.world.lock().unwrap().lp_visit(&visitor_id, sid);
    match found {
        Ok(body) => Json(body).into_response(),
        Err(LpLookup::UnknownVisitor) => lp_error(StatusCode::NOT_FOUND, 37, "Invalid visitor ID"),
        Err(LpLookup::UnknownSession) => lp_error(StatusCode::NOT_FOUND, 39, "Invalid session ID"),
        Err(LpLookup::Expired) => lp_error(StatusCode::NOT_FOUND, 12, "Not found"),
    }
}
