//! A small OpenID Connect provider, strict where the proxy must be right: discovery
//! (`/oidc/.well-known/openid-configuration`), `authorize` (authorization code flow only, PKCE
//! S256 required, redirect URIs must be registered, signs in its test user at once, no form),
//! `token` (client authentication by HTTP Basic or form fields, single-use codes that live 60 s,
//! PKCE verified, redirect URI matched) and the JWKS; ID tokens are ES256 with `nonce`.
//!
//! Also the "host" JWKS (`/host/jwks`): the keys a custom console would publish for the agent
//! tokens it mints itself (RS256 test key and ES256), with helpers to sign such tokens.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use percent_encoding::percent_decode_str;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::keys::SigningKey;
use crate::{random_token, Counters, Shared};

/// How long an authorization code can be exchanged.
const CODE_LIFETIME: Duration = Duration::from_secs(60);
/// How long the ID tokens it issues are valid.
const ID_TOKEN_LIFETIME_SECS: u64 = 300;

/// The user the provider signs in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OidcUser {
    pub sub: String,
    pub email: String,
    pub name: String,
}

impl Default for OidcUser {
    fn default() -> Self {
        OidcUser {
            sub: "agent-0001".into(),
            email: "agent@example.com".into(),
            name: "Test Agent".into(),
        }
    }
}

struct CodeGrant {
    client_id: String,
    redirect_uri: String,
    challenge: String,
    nonce: Option<String>,
    user: OidcUser,
    issued: Instant,
}

/// The provider's state.
pub(crate) struct Provider {
    pub(crate) key: SigningKey,
    /// `None`: the user refuses (authorize redirects back with `error=access_denied`).
    pub(crate) user: Option<OidcUser>,
    pub(crate) redirect_uris: Vec<String>,
    codes: HashMap<String, CodeGrant>,
    /// The keys of the host JWKS; the first of each algorithm signs `host_token`.
    pub(crate) host_keys: Vec<SigningKey>,
}

impl Provider {
    pub(crate) fn new() -> Provider {
        Provider {
            key: SigningKey::generate_es256("sim-idp-1"),
            user: Some(OidcUser::default()),
            redirect_uris: Vec::new(),
            codes: HashMap::new(),
            host_keys: vec![
                SigningKey::rsa_test_key("host-rsa-1"),
                SigningKey::generate_es256("host-ec-1"),
            ],
        }
    }
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs()
}

pub(crate) fn issuer(shared: &Shared) -> String {
    format!("{}/oidc", shared.base_url)
}

/// `GET /oidc/.well-known/openid-configuration`.
pub(crate) async fn discovery(State(shared): State<Arc<Shared>>) -> Json<Value> {
    Counters::bump(&shared.counters.oidc_discovery);
    let issuer = issuer(&shared);
    Json(json!({
        "issuer": issuer,
        "authorization_endpoint": format!("{issuer}/authorize"),
        "token_endpoint": format!("{issuer}/token"),
        "jwks_uri": format!("{issuer}/jwks"),
        "response_types_supported": ["code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["ES256"],
        "scopes_supported": ["openid", "email", "profile"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "code_challenge_methods_supported": ["S256"],
        "grant_types_supported": ["authorization_code"],
    }))
}

/// `GET /oidc/jwks`.
pub(crate) async fn jwks(State(shared): State<Arc<Shared>>) -> Json<Value> {
    Counters::bump(&shared.counters.oidc_jwks);
    let key = shared.oidc.lock().unwrap().key.jwk();
    Json(json!({"keys": [key]}))
}

/// `GET /host/jwks`.
pub(crate) async fn host_jwks(State(shared): State<Arc<Shared>>) -> Json<Value> {
    Counters::bump(&shared.counters.host_jwks);
    let keys: Vec<Value> = shared
        .oidc
        .lock()
        .unwrap()
        .host_keys
        .iter()
        .map(SigningKey::jwk)
        .collect();
    Json(json!({ "keys": keys }))
}

fn page(status: StatusCode, text: &str) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        format!("{text}\n"),
    )
        .into_response()
}

/// A redirect back to the client with `params` added to its redirect URI.
fn back_to(redirect_uri: &str, params: &[(&str, &str)]) -> Response {
    let mut url = match reqwest::Url::parse(redirect_uri) {
        Ok(url) => url,
        Err(_) => return page(StatusCode::BAD_REQUEST, "redirect_uri is not a URL"),
    };
    {
        let mut pairs = url.query_pairs_mut();
        for (k, v) in params {
            pairs.append_pair(k, v);
        }
    }
    let mut response = StatusCode::FOUND.into_response();
    if let Ok(value) = HeaderValue::from_str(url.as_str()) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// `GET /oidc/authorize`: checks the request as a strict provider does, then signs the test
/// user in without asking (or refuses, when no user is set) and redirects back.
pub(crate) async fn authorize(
    State(shared): State<Arc<Shared>>,
    RawQuery(query): RawQuery,
) -> Response {
    Counters::bump(&shared.counters.oidc_authorize);
    let params: HashMap<String, String> =
        form_urlencoded::parse(query.unwrap_or_default().as_bytes())
            .into_owned()
            .collect();
    let get = |k: &str| params.get(k).map(String::as_str).unwrap_or("");
    let mut provider = shared.oidc.lock().unwrap();
    // Errors about the client or its redirect URI are shown, never redirected (RFC 6749 4.1.2.1).
    if get("client_id") != shared.credentials.oidc_client_id {
        return page(StatusCode::BAD_REQUEST, "unknown client_id");
    }
    let redirect_uri = get("redirect_uri");
    if !provider.redirect_uris.iter().any(|u| u == redirect_uri) {
        return page(StatusCode::BAD_REQUEST, "redirect_uri is not registered");
    }
    let state = get("state");
    let refuse = |error: &str| back_to(redirect_uri, &[("error", error), ("state", state)]);
    if get("response_type") != "code" {
        return refuse("unsupported_response_type");
    }
    if !get("scope").split(' ').any(|s| s == "openid") {
        return refuse("invalid_scope");
    }
    if get("code_challenge_method") != "S256" || get("code_challenge").len() < 43 {
        return refuse("invalid_request");
    }
    let Some(user) = provider.user.clone() else {
        return refuse("access_denied");
    };
    provider
        .codes
        .retain(|_, grant| grant.issued.elapsed() < CODE_LIFETIME);
    let code = random_token(32);
    provider.codes.insert(
        code.clone(),
        CodeGrant {
            client_id: get("client_id").to_owned(),
            redirect_uri: redirect_uri.to_owned(),
            challenge: get("code_challenge").to_owned(),
            nonce: params.get("nonce").cloned(),
            user,
            issued: Instant::now(),
        },
    );
    back_to(redirect_uri, &[("code", &code), ("state", state)])
}

fn token_error(status: StatusCode, error: &str) -> Response {
    let mut response = (status, Json(json!({ "error": error }))).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// The client ID and secret from HTTP Basic (each form-urlencoded, RFC 6749 2.3.1) or the form.
fn client_credentials(
    headers: &HeaderMap,
    form: &HashMap<String, String>,
) -> Option<(String, String)> {
    if let Some(basic) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
    {
        let decoded = String::from_utf8(STANDARD.decode(basic.trim()).ok()?).ok()?;
        let (id, secret) = decoded.split_once(':')?;
        let unescape = |s: &str| {
            percent_decode_str(&s.replace('+', " "))
                .decode_utf8()
                .ok()
                .map(|c| c.into_owned())
        };
        return Some((unescape(id)?, unescape(secret)?));
    }
    Some((
        form.get("client_id")?.clone(),
        form.get("client_secret")?.clone(),
    ))
}

/// `POST /oidc/token`: the authorization code grant.
pub(crate) async fn token(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: String,
) -> Response {
    Counters::bump(&shared.counters.oidc_token);
    let form: HashMap<String, String> = form_urlencoded::parse(body.as_bytes())
        .into_owned()
        .collect();
    let creds = &shared.credentials;
    match client_credentials(&headers, &form) {
        Some((id, secret)) if id == creds.oidc_client_id && secret == creds.oidc_client_secret => {}
        _ => return token_error(StatusCode::UNAUTHORIZED, "invalid_client"),
    }
    if form.get("grant_type").map(String::as_str) != Some("authorization_code") {
        return token_error(StatusCode::BAD_REQUEST, "unsupported_grant_type");
    }
    let mut provider = shared.oidc.lock().unwrap();
    // Single use: the code is gone whatever happens next.
    let Some(grant) = form.get("code").and_then(|c| provider.codes.remove(c)) else {
        return token_error(StatusCode::BAD_REQUEST, "invalid_grant");
    };
    let verifier = form.get("code_verifier").map(String::as_str).unwrap_or("");
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    if grant.issued.elapsed() >= CODE_LIFETIME
        || grant.client_id != creds.oidc_client_id
        || form.get("redirect_uri") != Some(&grant.redirect_uri)
        || challenge != grant.challenge
    {
        return token_error(StatusCode::BAD_REQUEST, "invalid_grant");
    }
    let now = now_secs();
    let mut claims = json!({
        "iss": issuer(&shared),
        "sub": grant.user.sub,
        "aud": creds.oidc_client_id,
        "iat": now,
        "auth_time": now,
        "exp": now + ID_TOKEN_LIFETIME_SECS,
        "email": grant.user.email,
        "name": grant.user.name,
    });
    if let Some(nonce) = grant.nonce {
        claims["nonce"] = json!(nonce);
    }
    let id_token = provider.key.sign(&claims);
    let mut response = Json(json!({
        "access_token": random_token(40),
        "token_type": "Bearer",
        "expires_in": ID_TOKEN_LIFETIME_SECS,
        "scope": "openid",
        "id_token": id_token,
    }))
    .into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
