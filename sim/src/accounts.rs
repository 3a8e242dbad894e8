//! LiveChat's accounts server, the part a back end uses to check an agent's access token:
//! `GET /v2/info` with `Authorization: Bearer <token>` answers who the token belongs to
//! (`account_id`, `organization_id`, `client_id`, `scope`, `expires_in`, `license_id`) or 401.
//!
//! Tokens are issued by [`Sim::issue_livechat_token`](crate::Sim::issue_livechat_token) for any
//! organization and OAuth client, so tests can present tokens of other organizations, other
//! clients and expired ones. Every call is counted (`lc_accounts_info`), and a fault setting
//! makes the endpoint answer a fixed status (500, 503…) to play an accounts server that is down.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use rand::distributions::Alphanumeric;
use rand::Rng;
use serde_json::json;

use crate::{Counters, Shared};

/// Whom a simulated LiveChat access token belongs to and for how long.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AgentGrant {
    /// The agent's LiveChat account ID.
    pub account_id: String,
    pub organization_id: String,
    /// The OAuth client (the app) the token was issued to.
    pub client_id: String,
    pub license_id: u64,
    pub scope: String,
    /// How long the token is valid from issue; zero makes an already expired token.
    pub lifetime: Duration,
}

/// Issued tokens and the fault setting.
#[derive(Default)]
pub(crate) struct Accounts {
    tokens: HashMap<String, (AgentGrant, Instant)>,
    /// When set, `/v2/info` answers this status (with a JSON error) whatever the token.
    pub(crate) fail_with: Option<u16>,
}

impl Accounts {
    /// A new opaque token, region-prefixed like LiveChat's (`dal:…`).
    pub(crate) fn issue(&mut self, grant: AgentGrant) -> String {
        let random: String = rand::thread_rng()
            .sample_iter(&Alphanumeric)
            .take(43)
            .map(char::from)
            .collect();
        let token = format!("dal:{random}");
        self.tokens.insert(token.clone(), (grant, Instant::now()));
        token
    }
}

/// `GET /v2/info`.
pub(crate) async fn info(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> Response {
    Counters::bump(&shared.counters.lc_accounts_info);
    let accounts = shared.accounts.lock().unwrap();
    if let Some(status) = accounts.fail_with {
        let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        return (
            status,
            Json(json!({"error": "server_error", "error_description": "simulated failure"})),
        )
            .into_response();
    }
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    let Some((grant, issued)) = token.and_then(|t| accounts.tokens.get(t)) else {
        return invalid("the access token is not known");
    };
    let left = grant.lifetime.saturating_sub(issued.elapsed());
    if left.is_zero() {
        return invalid("the access token has expired");
    }
    Json(json!({
        "account_id": grant.account_id,
        "entity_id": grant.account_id,
        "organization_id": grant.organization_id,
        "client_id": grant.client_id,
        "license_id": grant.license_id,
        "scope": grant.scope,
        // Whole seconds left, rounded down like the real server's.
        "expires_in": left.as_secs(),
        "token_type": "Bearer",
    }))
    .into_response()
}

fn invalid(why: &str) -> Response {
    (
        StatusCode::UNAUTHORIZED,
        Json(json!({"error": "invalid_token", "error_description": why})),
    )
        .into_response()
}
