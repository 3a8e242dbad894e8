//! LiveChat's `chat_started` webhook: checks the shared secret from the URL in constant time and
//! keeps each visitor's `license_id` and `token` in the token store (on disk, or in Redis; bounded,
//! entries expire), for `POST /api/livechat/visitors/{id}/details` to use. The webhook is
//! acknowledged only once the token is stored: when the store cannot take it, the answer is a 503
//! and LiveChat delivers the webhook again.
//!
//! Hostile input is bounded: `chat.id` at most [`MAX_CHAT_ID_LEN`] and a token at most
//! [`MAX_TOKEN_LEN`] visible ASCII characters; a `chat_ended` must name its chat or its token
//! (one naming neither could only drop whatever token the visitor has). Wrong secrets are
//! throttled per client ([`SECRET_FAILURES_PER_MINUTE`], then 429, counted as
//! `vs_rate_limited_total{limit="webhook_secret"}`); the right secret always passes, so someone
//! guessing from LiveChat's address (or behind the same front end) cannot hold back its
//! deliveries.

use std::net::IpAddr;
use std::num::NonZeroU32;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use serde::de::IgnoredAny;
use serde::Deserialize;
use serde_json::{json, Value};

use super::LiveChat;
use crate::client_ip::ClientIp;
use crate::error::AppError;
use crate::extract::AppQuery;
use crate::metrics::{Limit, Metrics, TokenRemoved};
use crate::secret::{secrets_equal, Secret};
use crate::store::TokenStore;
use visitor_sidebar_contract::ErrorCode;

pub use crate::store::ChatToken;

/// The longest `chat.id` accepted (LiveChat's are ten characters).
pub const MAX_CHAT_ID_LEN: usize = 128;
/// The longest chat token accepted.
pub const MAX_TOKEN_LEN: usize = 512;
/// Wrong webhook secrets one client may send per minute (and at once) before 429s.
pub const SECRET_FAILURES_PER_MINUTE: u32 = 20;

/// The webhook's side of LiveChat: the secret its URL must carry, where the tokens it delivers
/// are kept, and the wrong secrets seen per client.
pub struct Webhook {
    secret: Secret,
    tokens: TokenStore,
    secret_failures: DefaultKeyedRateLimiter<IpAddr>,
    /// Counts tokens stored and dropped, and throttled wrong secrets.
    metrics: Metrics,
}

impl Webhook {
    pub fn new(secret: Secret, tokens: TokenStore, metrics: Metrics) -> Webhook {
        let per_minute = NonZeroU32::new(SECRET_FAILURES_PER_MINUTE).expect("not 0");
        Webhook {
            secret,
            tokens,
            secret_failures: RateLimiter::keyed(
                Quota::per_minute(per_minute).allow_burst(per_minute),
            ),
            metrics,
        }
    }

    /// The chat tokens the `chat_started` webhooks delivered, by visitor ID.
    pub fn tokens(&self) -> &TokenStore {
        &self.tokens
    }

    /// Whether `given` is the secret; a wrong one spends `client`'s budget (then 429).
    fn check_secret(&self, given: &str, client: IpAddr) -> Result<(), AppError> {
        if secrets_equal(given, self.secret.expose()) {
            return Ok(());
        }
        if self.secret_failures.check_key(&client).is_err() {
            self.metrics.rate_limited(Limit::webhook_secret);
            return Err(AppError::rate_limited(60));
        }
        if self.secret_failures.len() > 10_000 {
            self.secret_failures.retain_recent();
        }
        Err(AppError::unauthorized(
            "The webhook secret is missing or wrong.",
        ))
    }
}

/// The events the proxy acts on, by their `event_type`; any other (or none) is acknowledged and
/// ignored (`visitor_queued`, …).
#[derive(Deserialize)]
#[serde(tag = "event_type", rename_all = "snake_case")]
enum Event {
    ChatStarted(Chat),
    ChatEnded(Chat),
    #[serde(other)]
    Other,
}

/// What `chat_started` and `chat_ended` carry besides the visitor. Each field takes whatever
/// JSON was sent, so that its own check refuses it with its own sentence.
#[derive(Default, Deserialize)]
#[serde(default)]
struct Chat {
    license_id: Field,
    token: Field,
    chat: ChatRef,
}

/// One field as sent.
#[derive(Default, Deserialize)]
#[serde(untagged)]
enum Field {
    Text(String),
    Number(serde_json::Number),
    /// Absent, or `null`.
    #[default]
    Absent,
    Other(IgnoredAny),
}

/// `chat`: an object, whose `id` names the chat; anything else names none.
#[derive(Default, Deserialize)]
#[serde(untagged)]
enum ChatRef {
    /// Before `Object`, which would otherwise read a list's first item as the `id`.
    List(#[allow(dead_code)] Vec<IgnoredAny>),
    Object {
        #[serde(default)]
        id: Field,
    },
    #[default]
    None,
    Other(IgnoredAny),
}

impl Field {
    /// The text, when it is 1 to `max` visible ASCII characters (a chat ID or a token).
    fn bounded(&self, max: usize) -> Option<&str> {
        match self {
            Field::Text(value)
                if !value.is_empty()
                    && value.len() <= max
                    && value.bytes().all(|b| b.is_ascii_graphic()) =>
            {
                Some(value)
            }
            _ => None,
        }
    }

    /// A license ID: 1 to 32 digits, sent as text or as a number.
    fn license_id(&self) -> Option<String> {
        let text = match self {
            Field::Text(text) => text.clone(),
            Field::Number(n) => n.to_string(),
            _ => return None,
        };
        (!text.is_empty() && text.len() <= 32 && text.bytes().all(|b| b.is_ascii_digit()))
            .then_some(text)
    }
}

impl Chat {
    /// `chat.id`: absent is `Ok(None)`, present but not a bounded ID is refused.
    fn chat_id(&self) -> Result<Option<&str>, AppError> {
        match &self.chat {
            ChatRef::Object { id: Field::Absent } => Ok(None),
            ChatRef::Object { id } => id.bounded(MAX_CHAT_ID_LEN).map(Some).ok_or_else(|| {
                AppError::invalid_body(format!(
                    "The webhook's chat.id must be 1 to {MAX_CHAT_ID_LEN} visible characters."
                ))
            }),
            ChatRef::List(_) | ChatRef::None | ChatRef::Other(_) => Ok(None),
        }
    }
}

/// `POST /api/livechat/webhooks/chat-started?secret=...`
pub async fn chat_started(
    State(lc): State<LiveChat>,
    ClientIp(client): ClientIp,
    AppQuery(WebhookQuery { secret }): AppQuery<WebhookQuery>,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<impl IntoResponse, AppError> {
    let Some(webhook) = lc.webhook() else {
        return Err(AppError::not_configured("LiveChat webhooks"));
    };
    webhook.check_secret(&secret, client)?;
    let tokens = webhook.tokens();
    let body = body
        .map_err(|_| AppError::new(ErrorCode::PayloadTooLarge, "The webhook body is too large."))?;
    let event: Value = serde_json::from_slice(&body)
        .map_err(|_| AppError::invalid_body("The webhook body is not JSON."))?;
    let visitor_id = event["visitor"]["id"].as_str().unwrap_or("");
    if let Err(why) = visitor_sidebar_contract::check_id(visitor_id) {
        return Err(AppError::invalid_id("visitor ID", why));
    }
    // No `event_type`, or not text: not an event the proxy acts on.
    match Event::deserialize(&event).unwrap_or(Event::Other) {
        Event::ChatStarted(chat) => {
            let (Some(license_id), Some(token)) = (
                chat.license_id.license_id(),
                chat.token.bounded(MAX_TOKEN_LEN),
            ) else {
                return Err(AppError::invalid_body(
                    "A chat_started webhook needs a numeric license_id and a token.",
                ));
            };
            let token = ChatToken {
                license_id,
                token: Secret::new(token),
                chat_id: chat.chat_id()?.map(str::to_owned),
            };
            // Durable (fsync'd, or in Redis) before the 200 goes out.
            tokens.put(visitor_id, &token).await?;
            webhook.metrics.token_stored();
            tracing::info!(visitor_id, "chat_started webhook stored");
        }
        Event::ChatEnded(chat) => {
            // Only the chat that ended: a late chat_ended must not drop a newer chat's token.
            let chat_id = chat.chat_id()?;
            let token = match &chat.token {
                Field::Absent => None,
                token => Some(token.bounded(MAX_TOKEN_LEN).ok_or_else(|| {
                    AppError::invalid_body(format!(
                        "The webhook's token must be 1 to {MAX_TOKEN_LEN} visible characters."
                    ))
                })?),
            };
            if chat_id.is_none() && token.is_none() {
                return Err(AppError::invalid_body(
                    "A chat_ended webhook needs the chat's id or its token.",
                ));
            }
            if let Some(stored) = tokens.get(visitor_id).await? {
                let same_chat = match (chat_id, stored.chat_id.as_deref(), token) {
                    (Some(ended), Some(current), _) => ended == current,
                    (_, _, Some(token)) => secrets_equal(token, stored.token.expose()),
                    // A chat ID, and a token stored without one (as before).
                    _ => true,
                };
                // Only if it is still that token: a chat_started racing this one on another
                // replica wins.
                if same_chat && tokens.remove_if(visitor_id, &stored).await? {
                    webhook.metrics.token_removed(TokenRemoved::chat_ended);
                }
            }
        }
        // Other events (visitor_queued, ...) are acknowledged and ignored.
        Event::Other => {}
    }
    Ok((StatusCode::OK, Json(json!({"ok": true}))))
}

/// `?secret=`: the webhook's shared secret, as registered with LiveChat.
#[derive(Default, Deserialize)]
#[serde(default)]
pub struct WebhookQuery {
    secret: String,
}
