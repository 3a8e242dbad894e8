//! LiveChat's `chat_started` webhook: checks the shared secret from the URL in constant time and
//! keeps each visitor's `license_id` and `token` in the token store (on disk, or in Redis; bounded,
//! entries expire), for `POST /api/livechat/visitors/{id}/details` to use. The webhook is
//! acknowledged only once the token is stored: when the store cannot take it, the answer is a 503
//! and LiveChat delivers the webhook again.

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use serde_json::{json, Value};

use super::LiveChat;
use crate::error::AppError;
use crate::secret::{secrets_equal, Secret};
use visitor_sidebar_contract::ErrorCode;

pub use crate::store::ChatToken;

/// `POST /api/livechat/webhooks/chat-started?secret=...`
pub async fn chat_started(
    State(lc): State<LiveChat>,
    RawQuery(query): RawQuery,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<impl IntoResponse, AppError> {
    let (Some(expected), Some(tokens)) = (
        lc.0.config
            .as_ref()
            .and_then(|config| config.webhook_secret.as_ref()),
        lc.0.tokens.as_ref(),
    ) else {
        return Err(AppError::not_configured("LiveChat webhooks"));
    };
    let given = form_urlencoded::parse(query.as_deref().unwrap_or("").as_bytes())
        .find(|(k, _)| k == "secret")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default();
    if !secrets_equal(&given, expected.expose()) {
        return Err(AppError::unauthorized(
            "The webhook secret is missing or wrong.",
        ));
    }
    let body = body
        .map_err(|_| AppError::new(ErrorCode::PayloadTooLarge, "The webhook body is too large."))?;
    let event: Value = serde_json::from_slice(&body)
        .map_err(|_| AppError::invalid_body("The webhook body is not JSON."))?;
    let visitor_id = event["visitor"]["id"].as_str().unwrap_or("");
    if let Err(why) = visitor_sidebar_contract::check_id(visitor_id) {
        return Err(AppError::invalid_id("visitor ID", why));
    }
    match event["event_type"].as_str() {
        Some("chat_started") => {
            let license_id = match &event["license_id"] {
                Value::String(s) => s.clone(),
                Value::Number(n) => n.to_string(),
                _ => String::new(),
            };
            let token = event["token"].as_str().unwrap_or("");
            let license_ok = !license_id.is_empty()
                && license_id.len() <= 32
                && license_id.bytes().all(|b| b.is_ascii_digit());
            let token_ok = !token.is_empty()
                && token.len() <= 512
                && token.bytes().all(|b| b.is_ascii_graphic());
            if !license_ok || !token_ok {
                return Err(AppError::invalid_body(
                    "A chat_started webhook needs a numeric license_id and a token.",
                ));
            }
            let token = ChatToken {
                license_id,
                token: Secret::new(token),
                chat_id: event["chat"]["id"].as_str().map(str::to_owned),
            };
            // Durable (fsync'd, or in Redis) before the 200 goes out.
            tokens.put(visitor_id, &token).await?;
            lc.0.upstream.metrics().token_stored();
            tracing::info!(visitor_id, "chat_started webhook stored");
        }
        Some("chat_ended") => {
            // Only the chat that ended: a late chat_ended must not drop a newer chat's token.
            let chat_id = event["chat"]["id"].as_str();
            let token = event["token"].as_str();
            if let Some(stored) = tokens.get(visitor_id).await? {
                let same_chat = match (chat_id, stored.chat_id.as_deref(), token) {
                    (Some(ended), Some(current), _) => ended == current,
                    (_, _, Some(token)) => secrets_equal(token, stored.token.expose()),
                    _ => true,
                };
                // Only if it is still that token: a chat_started racing this one on another
                // replica wins.
                if same_chat && tokens.remove_if(visitor_id, &stored).await? {
                    lc.0.upstream.metrics().token_removed("chat_ended");
                }
            }
        }
        // Other events (visitor_queued, ...) are acknowledged and ignored.
        _ => {}
    }
    Ok((StatusCode::OK, Json(json!({"ok": true}))))
}
