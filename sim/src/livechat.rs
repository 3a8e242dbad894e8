//! LiveChat REST API v2: `GET /visitors` (with `state`, `group[]` and `count`),
//! `POST /visitors/{id}/details` (which needs the `license_id` and `token` of the visitor's chat),
//! and the `chat_started` / `chat_ended` webhooks the simulator sends when chats start and end;
//! and the Agent Chat API v3.6's `get_customer` (every v2 visitor is also a v3 customer).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use crate::world::{ChatEvent, DetailsRefusal};
use crate::{Counters, Shared};

fn lc_error(status: StatusCode, message: &str) -> Response {
    (status, Json(json!({"error": message}))).into_response()
}

/// The Agent Chat API v3's error shape: `{"error": {"type", "message"}}`.
fn v3_error(status: StatusCode, kind: &str, message: &str) -> Response {
    (
        status,
        Json(json!({"error": {"type": kind, "message": message}})),
    )
        .into_response()
}

/// A v2 answer, with the `Deprecation` / `Sunset` headers of a deprecated API version when the
/// `lc_v2_deprecated` knob is on (RFC 9745's structured date and RFC 8594's HTTP date).
fn v2_answer(shared: &Shared, response: Response) -> Response {
    let mut response = response;
    if shared.knobs.lock().unwrap().lc_v2_deprecated {
        let headers = response.headers_mut();
        headers.insert(
            "deprecation",
            axum::http::HeaderValue::from_static("@1688169599"),
        );
        headers.insert(
            "sunset",
            axum::http::HeaderValue::from_static("Wed, 31 Mar 2027 23:59:59 GMT"),
        );
    }
    response
}

/// The checks every v2 call gets: `X-API-Version: 2`, then HTTP Basic (and `X-Region`); the
/// refusal, if any.
fn refusal(shared: &Shared, headers: &HeaderMap) -> Option<Response> {
    if headers.get("x-api-version").map(|v| v.as_bytes()) != Some(b"2") {
        return Some(lc_error(
            StatusCode::BAD_REQUEST,
            "Unsupported API version: send X-API-Version: 2",
        ));
    }
    if !crate::auth::check_livechat(&shared.credentials, headers) {
        Counters::bump(&shared.counters.auth_failures);
        return Some(lc_error(
            StatusCode::UNAUTHORIZED,
            "Authentication required",
        ));
    }
    None
}

/// `GET /visitors?state=chatting&group[]=0&count=1`
pub(crate) async fn list_visitors(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    if let Some(refused) = refusal(&shared, &headers) {
        return refused;
    }
    let mut state = None;
    let mut groups: Vec<i64> = Vec::new();
    let mut count = false;
    for (key, value) in form_urlencoded::parse(query.as_deref().unwrap_or("").as_bytes()) {
        match key.as_ref() {
            // Only these two states are accepted as filters, though more come back unfiltered.
            "state" => match value.as_ref() {
                "chatting" | "queued" => state = Some(value.into_owned()),
                _ => return lc_error(StatusCode::BAD_REQUEST, "Invalid state filter"),
            },
            "group[]" | "group" => match value.parse() {
                Ok(g) => groups.push(g),
                Err(_) => return lc_error(StatusCode::BAD_REQUEST, "Invalid group"),
            },
            "count" => match value.as_ref() {
                "1" => count = true,
                "0" => count = false,
                _ => return lc_error(StatusCode::BAD_REQUEST, "Invalid count"),
            },
            _ => {}
        }
    }
    let visitors: Vec<Value> = shared
        .world
        .lock()
        .unwrap()
        .lc_visitors()
        .into_iter()
        .filter(|v| state.as_deref().is_none_or(|s| v["state"] == s))
        .filter(|v| groups.is_empty() || v["group"].as_i64().is_some_and(|g| groups.contains(&g)))
        .collect();
    let answer = if count {
        Json(json!(visitors.len())).into_response()
    } else {
        Json(visitors).into_response()
    };
    v2_answer(&shared, answer)
}

/// `POST /v3.6/agent/action/get_customer` with `{"id": "..."}`: HTTP Basic
/// `account_id:personal_access_token`, JSON in and out.
pub(crate) async fn get_customer(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if !crate::auth::check_livechat_v3(&shared.credentials, &headers) {
        Counters::bump(&shared.counters.auth_failures);
        return v3_error(
            StatusCode::UNAUTHORIZED,
            "authentication",
            "Invalid access token",
        );
    }
    let Ok(body) = serde_json::from_slice::<Value>(&body) else {
        return v3_error(StatusCode::BAD_REQUEST, "validation", "Invalid JSON body");
    };
    let Some(id) = body["id"].as_str().filter(|id| !id.is_empty()) else {
        return v3_error(StatusCode::BAD_REQUEST, "validation", "`id` is required");
    };
    match shared.world.lock().unwrap().lc_customer(id) {
        Some(customer) => Json(customer).into_response(),
        None => v3_error(StatusCode::NOT_FOUND, "not_found", "Customer not found"),
    }
}

/// `POST /visitors/{id}/details` with a JSON body (`license_id`, `token`, `id`, `fields`, `icon`).
pub(crate) async fn add_details(
    State(shared): State<Arc<Shared>>,
    Path(visitor_id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Some(refused) = refusal(&shared, &headers) {
        return refused;
    }
    let Ok(body) = serde_json::from_slice::<Value>(&body) else {
        return lc_error(StatusCode::BAD_REQUEST, "Body is not JSON");
    };
    // license_id may come as a number or a string, as in LiveChat's own examples.
    let license_id = match &body["license_id"] {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        _ => return lc_error(StatusCode::BAD_REQUEST, "license_id is required"),
    };
    let Some(token) = body["token"].as_str() else {
        return lc_error(StatusCode::BAD_REQUEST, "token is required");
    };
    let id_ok = body["id"]
        .as_str()
        .is_some_and(|id| !id.is_empty() && id.bytes().all(|b| b.is_ascii_graphic()));
    let fields_ok = body["fields"].as_array().is_some_and(|fields| {
        !fields.is_empty()
            && fields.iter().all(|f| {
                f["name"].is_string() && (f["value"].is_string() || f["value"].is_number())
            })
    });
    if !id_ok || !fields_ok {
        return lc_error(StatusCode::BAD_REQUEST, "id and fields are required");
    }
    let mut stored = body.clone();
    if let Some(obj) = stored.as_object_mut() {
        obj.remove("token");
    }
    let outcome = shared
        .world
        .lock()
        .unwrap()
        .add_details(&visitor_id, &license_id, token, stored);
    let answer = match outcome {
        Ok(()) => Json(json!({"result": "Visitor details added"})).into_response(),
        Err(DetailsRefusal::UnknownVisitor) => lc_error(StatusCode::NOT_FOUND, "Visitor not found"),
        Err(DetailsRefusal::BadToken) => lc_error(
            StatusCode::FORBIDDEN,
            "Invalid license_id or token for this visitor",
        ),
    };
    v2_answer(&shared, answer)
}

/// Delivers the `chat_started` / `chat_ended` webhooks of these events, if a webhook URL is set;
/// returns how many got a 2xx answer.
pub(crate) async fn send_webhooks(shared: &Arc<Shared>, chats: Vec<ChatEvent>) -> usize {
    let Some(url) = shared.webhook_url.lock().unwrap().clone() else {
        return 0;
    };
    let sends = chats.into_iter().map(|chat| {
        let shared = shared.clone();
        let url = url.clone();
        async move {
            let body = json!({
                "event_type": chat.event,
                "event_unique_id": crate::random_token(24),
                "token": chat.token,
                "license_id": chat.license_id,
                "lc_version": "2",
                "chat": {"id": chat.chat_id},
                "visitor": {
                    "id": chat.visitor_id,
                    "name": chat.visitor_name,
                    "email": format!("{}@example.com", chat.visitor_name.to_lowercase().replace([' ', '.'], "")),
                },
            });
            let ok = shared
                .http
                .post(&url)
                .json(&body)
                .send()
                .await
                .is_ok_and(|r| r.status().is_success());
            let counter = if ok {
                &shared.counters.webhooks_sent
            } else {
                &shared.counters.webhooks_failed
            };
            Counters::bump(counter);
            ok
        }
    });
    let mut delivered = 0;
    // Sent one after another: a handful per tick, and the order stays easy to follow in logs.
    for send in sends {
        if send.await {
            delivered += 1;
        }
    }
    delivered
}
