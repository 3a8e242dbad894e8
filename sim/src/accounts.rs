//! LiveChat's accounts server, the part a back end uses to check an agent's access token:
//! `GET /v2/info` with `Authorization: Bearer <token>` answers who the token belongs to
//! (`account_id`, `organization_id`, `client_id`, `scope`, `expires_in`, `license_id`) or 401.
//!
//! And the part `@livechat/accounts-sdk` talks to in a browser: `GET /?client_id&redirect_uri&
//! state&response_type=token&flow=button` (the SDK's hidden-iframe and popup flows) answers a
//! page that posts `{data: {access_token, expires_in, token_type, state, …}}` (or `{error:
//! {identity_exception | oauth_exception}}`) to the window that opened or framed it, aimed at the
//! redirect URI's origin only, as LiveChat's does for an agent already signed in to LiveChat.
//! Settings play an agent who is signed out, and a browser that keeps LiveChat's cookies from
//! frames (so only the popup signs in); every authorization is recorded for tests.
//!
//! Tokens are issued by [`Sim::issue_livechat_token`](crate::Sim::issue_livechat_token) for any
//! organization and OAuth client, so tests can present tokens of other organizations, other
//! clients and expired ones. Every call is counted (`lc_accounts_info`), and a fault setting
//! makes the endpoint answer a fixed status (500, 503…) to play an accounts server that is down,
//! or a 429 with a `Retry-After` to play one that limits the proxy.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use rand::distributions::Alphanumeric;
use rand::Rng;
use serde_json::json;

use crate::{Counters, Shared, SimCredentials};

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

/// The demo organization's agent, signed in to LiveChat in the simulated browser.
pub(crate) fn demo_agent(creds: &SimCredentials) -> AgentGrant {
    AgentGrant {
        account_id: "d9d5a0a8-7b1c-4c1e-9d3a-0a1b2c3d4e5f".into(),
        organization_id: creds.lc_organization_id.clone(),
        client_id: creds.lc_client_id.clone(),
        license_id: creds.lc_license_id.parse().unwrap_or(0),
        scope: "customers:ro agents--my:ro".into(),
        lifetime: Duration::from_secs(8 * 3600),
    }
}

/// One sign-in page the accounts server answered (`GET /?…`), as a test looks at it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Authorization {
    pub client_id: String,
    pub redirect_uri: String,
    pub response_type: String,
    pub state: String,
    /// The token the page offers (to a popup, or to a frame when frames may sign in).
    pub token: Option<String>,
}

/// Issued tokens, the browser's LiveChat session and the fault setting.
#[derive(Default)]
pub(crate) struct Accounts {
    tokens: HashMap<String, (AgentGrant, Instant)>,
    /// When set, `/v2/info` answers this status (with a JSON error) whatever the token.
    pub(crate) fail_with: Option<u16>,
    /// `Retry-After` seconds sent with those failures (a rate-limited accounts server).
    pub(crate) fail_retry_after: Option<u64>,
    /// Nobody is signed in to LiveChat: every sign-in page answers `unauthorized`.
    pub(crate) signed_out: bool,
    /// The browser keeps LiveChat's cookies from frames: the SDK's hidden iframe is answered
    /// `unauthorized`, its popup signs in.
    pub(crate) frames_blocked: bool,
    pub(crate) authorizations: Vec<Authorization>,
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
        let mut response = (
            status,
            Json(json!({"error": "server_error", "error_description": "simulated failure"})),
        )
            .into_response();
        if let Some(secs) = accounts.fail_retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, secs.into());
        }
        return response;
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

/// `GET /` with the SDK's query: the sign-in page (see the module's comment).
pub(crate) async fn authorize(
    State(shared): State<Arc<Shared>>,
    RawQuery(query): RawQuery,
) -> Response {
    let params: HashMap<String, String> =
        form_urlencoded::parse(query.unwrap_or_default().as_bytes())
            .into_owned()
            .collect();
    let get = |k: &str| params.get(k).cloned().unwrap_or_default();
    let (client_id, redirect_uri, response_type, state) = (
        get("client_id"),
        get("redirect_uri"),
        get("response_type"),
        get("state"),
    );
    // Without a redirect URI there is nobody to answer: a page that says so, posting nothing.
    let Some(target) = reqwest::Url::parse(&redirect_uri)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https"))
        .map(|u| u.origin().ascii_serialization())
    else {
        return (
            StatusCode::BAD_REQUEST,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            "redirect_uri is missing or not an http(s) URL\n",
        )
            .into_response();
    };
    let mut accounts = shared.accounts.lock().unwrap();
    let refused = |exception: (&str, &str)| json!({"error": {exception.0: exception.1}});
    let (popup, frame, token) = if client_id.is_empty() {
        let e = refused(("oauth_exception", "unauthorized_client"));
        (e.clone(), e, None)
    } else if response_type != "token" {
        let e = refused(("oauth_exception", "unsupported_response_type"));
        (e.clone(), e, None)
    } else if accounts.signed_out {
        let e = refused(("identity_exception", "unauthorized"));
        (e.clone(), e, None)
    } else {
        let grant = AgentGrant {
            client_id: client_id.clone(),
            ..demo_agent(&shared.credentials)
        };
        let expires_in = grant.lifetime.as_secs();
        let data = json!({"data": {
            "access_token": accounts.issue(grant.clone()),
            "token_type": "Bearer",
            "expires_in": expires_in,
            "state": state,
            "scopes": grant.scope,
            "client_id": grant.client_id,
            "account_id": grant.account_id,
            "organization_id": grant.organization_id,
        }});
        let token = data["data"]["access_token"].as_str().map(str::to_owned);
        let frame = if accounts.frames_blocked {
            refused(("identity_exception", "unauthorized"))
        } else {
            data.clone()
        };
        (data, frame, token)
    };
    accounts.authorizations.push(Authorization {
        client_id,
        redirect_uri,
        response_type,
        state,
        token,
    });
    let answers = json!({"target": target, "popup": popup, "frame": frame})
        .to_string()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026");
    let page = format!(
        "<!doctype html><meta charset=\"utf-8\"><title>LiveChat accounts (simulated)</title>\
         <script type=\"application/json\" id=\"answers\">{answers}</script>\
         <script>{SIGN_IN_SCRIPT}</script>"
    );
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
            (header::REFERRER_POLICY, "no-referrer"),
        ],
        page,
    )
        .into_response()
}

/// The page's script: a popup answers its opener and closes; a frame answers its parent.
const SIGN_IN_SCRIPT: &str = r#"(function () {
  var a = JSON.parse(document.getElementById("answers").textContent);
  if (window.opener) {
    window.opener.postMessage(a.popup, a.target);
    window.close();
  } else if (window.parent !== window) {
    window.parent.postMessage(a.frame, a.target);
  }
})();"#;
