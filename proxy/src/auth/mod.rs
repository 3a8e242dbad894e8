//! Who the caller is: every agent credential the proxy accepts, checked in one place
//! ([`Auth::authenticate`]), and the public sign-in routes (`/api/auth/config`, the OIDC login
//! popup and its callback).
//!
//! A bearer token is told apart by its shape, in this order:
//! 1. one of `VS_ACCESS_TOKENS` (compared in constant time against every listed token);
//! 2. a JWT — exactly two dots and only base64url characters — is the proxy's own session token
//!    when its header says `kid: "vs-session"` (minted after company sign-in), otherwise a
//!    host-minted token (`VS_JWT_SECRET` HS256, or RS256/ES256 from `VS_JWKS_URL`);
//! 3. anything else is an opaque LiveChat access token (`dal:…`, `fra:…`: region-prefixed, and a
//!    `:` is never in a JWT), checked with LiveChat's accounts server when LiveChat sign-in is on.
//!
//! A request without `Authorization` passes only when anonymous access is allowed; a credential
//! that is sent is always checked, anonymous or not.

pub mod config;
pub mod host_jwt;
pub mod jwks;
pub mod livechat;
pub mod oidc;
pub mod page;
pub mod session;

use std::net::IpAddr;
use std::sync::Arc;

use axum::extract::{FromRef, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};
use visitor_sidebar_contract::ErrorCode;

use crate::error::AppError;
use crate::extract::Authorization;
use crate::metrics::Metrics;
use crate::secret::{secrets_equal, Secret};
use crate::upstream::Upstream;
use config::AuthConfig;
use host_jwt::HostJwt;
use livechat::LiveChatTokens;
use oidc::Oidc;
use session::Sessions;

/// Longest bearer token looked at; real ones are well under 2 KB.
const MAX_TOKEN_LEN: usize = 4096;

/// How the caller proved to be an agent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AgentMode {
    /// No credential, allowed by `VS_ALLOW_ANONYMOUS` or demo mode.
    Anonymous,
    /// One of `VS_ACCESS_TOKENS`.
    StaticToken,
    /// A JWT the host console minted.
    HostJwt,
    /// A LiveChat agent's access token.
    LiveChat,
    /// The proxy's own session token, after company sign-in (OIDC).
    Company,
}

impl AgentMode {
    pub fn as_str(self) -> &'static str {
        match self {
            AgentMode::Anonymous => "anonymous",
            AgentMode::StaticToken => "token",
            AgentMode::HostJwt => "jwt",
            AgentMode::LiveChat => "livechat",
            AgentMode::Company => "oidc",
        }
    }
}

/// The agent behind a request, put in the request's extensions by `require_access` for the
/// handlers and the audit log. Never holds the credential itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Agent {
    pub mode: AgentMode,
    /// Who, as the credential says: the JWT or ID token `sub`, the LiveChat account ID, the
    /// static token's position in the list. Empty for anonymous callers.
    pub subject: String,
}

impl Agent {
    pub fn anonymous() -> Agent {
        Agent {
            mode: AgentMode::Anonymous,
            subject: String::new(),
        }
    }

    /// `mode:subject`, as the audit log and the rate limiter name the agent.
    pub fn label(&self) -> String {
        format!("{}:{}", self.mode.as_str(), self.subject)
    }
}

/// Why a credential was not accepted. Each is a response of its own: 401 (with an RFC 6750
/// `WWW-Authenticate` telling missing, invalid and expired apart), 403 or 503.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// No `Authorization` header, and anonymous access is off.
    Missing,
    /// Not `Bearer <token>`, unknown, forged, of another audience or issuer, of a refused
    /// algorithm, or not accepted by the service that issued it.
    Invalid(&'static str),
    Expired,
    /// A genuine credential this deployment does not accept (another LiveChat organization or
    /// OAuth client).
    Forbidden(&'static str),
    /// The service that vouches for the credential could not be asked.
    Unavailable(&'static str),
    /// This client had too many credentials checked with an upstream lately; seconds to wait.
    RateLimited(u64),
}

impl Refusal {
    /// Whether this refusal spends the caller's budget of failed attempts (guesses do; a
    /// missing token or an outage on our side does not).
    pub fn is_failure(&self) -> bool {
        matches!(
            self,
            Refusal::Invalid(_) | Refusal::Expired | Refusal::Forbidden(_)
        )
    }

    pub fn to_error(&self) -> AppError {
        match self {
            Refusal::Missing => {
                AppError::unauthorized("Sign in: this API needs an Authorization: Bearer token.")
            }
            Refusal::Invalid(why) => AppError::unauthorized(*why),
            Refusal::Expired => {
                AppError::unauthorized("The access token has expired; sign in again.")
            }
            Refusal::Forbidden(why) => AppError::new(ErrorCode::Forbidden, *why),
            Refusal::Unavailable(why) => {
                AppError::new(ErrorCode::AuthUnavailable, *why).retry_after(5)
            }
            Refusal::RateLimited(secs) => AppError::rate_limited(*secs),
        }
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let challenge = match &self {
            Refusal::Missing => Some(r#"Bearer realm="visitor-sidebar""#),
            Refusal::Invalid(_) => Some(
                r#"Bearer realm="visitor-sidebar", error="invalid_token", error_description="The access token is not valid""#,
            ),
            Refusal::Expired => Some(
                r#"Bearer realm="visitor-sidebar", error="invalid_token", error_description="The access token expired""#,
            ),
            Refusal::Forbidden(_) | Refusal::Unavailable(_) | Refusal::RateLimited(_) => None,
        };
        let mut response = self.to_error().into_response();
        if let Some(challenge) = challenge {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static(challenge),
            );
        }
        response
    }
}

/// What a refused credential looked like, since it proved nothing: the `mode` label of a
/// refused sign-in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CredentialShape {
    /// No `Authorization` header.
    None,
    /// A JWT's shape: host-minted or a session token.
    Jwt,
    /// Anything else: a static or a LiveChat token, or not a bearer token at all.
    Opaque,
}

/// A refused credential: why, and what it looked like.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refused {
    pub shape: CredentialShape,
    pub refusal: Refusal,
}

impl Refused {
    fn new(shape: CredentialShape, refusal: Refusal) -> Refused {
        Refused { shape, refusal }
    }
}

/// Whether a bearer token has a JWT's shape: three base64url parts (two dots, the signature may
/// be empty only in an unsigned token, which is refused later anyway).
fn looks_like_jwt(token: &str) -> bool {
    token.bytes().filter(|&b| b == b'.').count() == 2
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.')
}

/// Every way of being an agent, shared by all requests. Cheap to clone.
#[derive(Clone)]
pub struct Auth(Arc<Inner>);

struct Inner {
    allow_anonymous: bool,
    tokens: Vec<Secret>,
    host_jwt: Option<HostJwt>,
    livechat: Option<LiveChatTokens>,
    oidc: Option<Oidc>,
    sessions: Arc<Sessions>,
}

impl Auth {
    /// Every way of signing in that `auth` turns on. `allowed_origins` (`VS_ALLOWED_ORIGINS`),
    /// with the proxy's own public origin, are the pages company sign-in may post a token to.
    /// `upstream` asks the services that vouch for credentials; `metrics` counts their limits.
    pub fn new(
        auth: &AuthConfig,
        allowed_origins: &[String],
        upstream: Upstream,
        metrics: Metrics,
    ) -> Auth {
        let sessions = Arc::new(Sessions::new(
            auth.session_secret.as_ref(),
            auth.session_ttl,
        ));
        let host_jwt = HostJwt::new(auth.jwt_secret.as_ref(), &auth.jwt, upstream.clone());
        Auth(Arc::new(Inner {
            allow_anonymous: auth.allow_anonymous,
            tokens: auth.access_tokens.clone(),
            host_jwt,
            livechat: auth
                .livechat
                .clone()
                .map(|lc| LiveChatTokens::new(lc, upstream.clone(), metrics.clone())),
            oidc: auth.oidc.clone().map(|settings| {
                let mut origins = allowed_origins.to_vec();
                origins.extend(auth.public_origin());
                Oidc::new(
                    settings,
                    auth.public_url.clone().unwrap_or_default(),
                    origins,
                    upstream,
                    metrics,
                    sessions.clone(),
                )
            }),
            sessions,
        }))
    }

    pub fn allows_anonymous(&self) -> bool {
        self.0.allow_anonymous
    }

    /// The caller's identity from its `Authorization` header, or why it was refused and what
    /// the refused credential looked like. `client` is the caller's address (bounds how often
    /// it may have tokens checked upstream).
    pub async fn authenticate(
        &self,
        headers: &HeaderMap,
        client: IpAddr,
    ) -> Result<Agent, Refused> {
        let token = match Authorization::of(headers) {
            Authorization::Absent if self.0.allow_anonymous => return Ok(Agent::anonymous()),
            Authorization::Absent => {
                return Err(Refused::new(CredentialShape::None, Refusal::Missing))
            }
            Authorization::Malformed => {
                return Err(Refused::new(
                    CredentialShape::Opaque,
                    Refusal::Invalid("The Authorization header must be 'Bearer <token>'."),
                ))
            }
            Authorization::Bearer(token) => token,
        };
        let shape = if looks_like_jwt(token) {
            CredentialShape::Jwt
        } else {
            CredentialShape::Opaque
        };
        self.verify(token, client)
            .await
            .map_err(|refusal| Refused::new(shape, refusal))
    }

    /// Whose `token` is: a static token, a session token, a host JWT or a LiveChat token.
    async fn verify(&self, token: &str, client: IpAddr) -> Result<Agent, Refusal> {
        if token.len() > MAX_TOKEN_LEN {
            return Err(Refusal::Invalid("The access token is not valid."));
        }
        // Every listed token is compared, so timing does not tell which one nearly matched.
        let mut matched = None;
        for (i, listed) in self.0.tokens.iter().enumerate() {
            if secrets_equal(token, listed.expose()) {
                matched = Some(i);
            }
        }
        if let Some(i) = matched {
            return Ok(Agent {
                mode: AgentMode::StaticToken,
                subject: i.to_string(),
            });
        }
        if looks_like_jwt(token) {
            let header = jsonwebtoken::decode_header(token)
                .map_err(|_| Refusal::Invalid("The access token is not valid."))?;
            if header.kid.as_deref() == Some(session::SESSION_KID) {
                if self.0.oidc.is_some() {
                    return self.0.sessions.verify(token);
                }
                return Err(Refusal::Invalid("The access token is not valid."));
            }
            return match &self.0.host_jwt {
                Some(host) => host.verify(token, &header).await,
                None => Err(Refusal::Invalid("The access token is not valid.")),
            };
        }
        match &self.0.livechat {
            Some(livechat) => livechat.verify(token, client).await,
            None => Err(Refusal::Invalid("The access token is not valid.")),
        }
    }

    /// What `GET /api/auth/config` answers: the modes this proxy accepts and what the widget
    /// needs for each. Never a secret.
    pub fn public_config(&self) -> Value {
        let mut modes = Vec::new();
        if let Some(lc) = &self.0.livechat {
            modes.push(json!({
                "type": "livechat",
                "client_id": lc.client_id(),
                "accounts_url": lc.accounts_url(),
            }));
        }
        if !self.0.tokens.is_empty() || self.0.host_jwt.is_some() {
            modes.push(json!({"type": "host"}));
        }
        if let Some(oidc) = &self.0.oidc {
            modes.push(json!({
                "type": "oidc",
                "login_url": oidc.login_url(),
                "message_origin": oidc.message_origin(),
            }));
        }
        json!({"anonymous": self.0.allow_anonymous, "modes": modes})
    }

    /// What `/api/health` says about sign-in.
    pub fn health(&self) -> Value {
        let modes: Vec<&str> = [
            (!self.0.tokens.is_empty(), "token"),
            (self.0.host_jwt.is_some(), "jwt"),
            (self.0.livechat.is_some(), "livechat"),
            (self.0.oidc.is_some(), "oidc"),
        ]
        .into_iter()
        .filter_map(|(on, name)| on.then_some(name))
        .collect();
        json!({"anonymous": self.0.allow_anonymous, "modes": modes})
    }

    pub(crate) fn oidc(&self) -> Option<&Oidc> {
        self.0.oidc.as_ref()
    }
}

/// The public sign-in routes, for any app state that holds an [`Auth`].
pub fn router<S>() -> Router<S>
where
    S: Clone + Send + Sync + 'static,
    Auth: FromRef<S>,
{
    Router::new()
        .route("/api/auth/config", get(auth_config))
        .route("/api/auth/login", get(oidc::login))
        .route("/api/auth/callback", get(oidc::callback))
}

/// `GET /api/auth/config`.
async fn auth_config(State(auth): State<Auth>) -> Response {
    let mut response = (StatusCode::OK, Json(auth.public_config())).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jwts_and_livechat_tokens_are_told_apart_by_shape() {
        assert!(looks_like_jwt("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhIn0.c2ln"));
        assert!(
            looks_like_jwt("a.b."),
            "an unsigned token is still a JWT, refused later"
        );
        for opaque in [
            "dal:Q2hhbmdlTWU.abc.def",
            "fra:abcDEF123-_",
            "dal:abc",
            "a.b",
            "a.b.c.d",
            "a.b c.d",
            "a+b.c/d.e=",
        ] {
            assert!(!looks_like_jwt(opaque), "{opaque}");
        }
    }

    #[test]
    fn refusals_have_their_codes_and_statuses() {
        let cases = [
            (Refusal::Missing, 401, "unauthorized"),
            (Refusal::Invalid("x"), 401, "unauthorized"),
            (Refusal::Expired, 401, "unauthorized"),
            (Refusal::Forbidden("x"), 403, "forbidden"),
            (Refusal::Unavailable("x"), 503, "auth_unavailable"),
            (Refusal::RateLimited(7), 429, "rate_limited"),
        ];
        for (refusal, status, code) in cases {
            let e = refusal.to_error();
            assert_eq!((e.status().as_u16(), e.code().as_str()), (status, code));
        }
        let expired = Refusal::Expired.into_response();
        assert!(expired.headers()[header::WWW_AUTHENTICATE]
            .to_str()
            .unwrap()
            .contains("expired"));
    }
}
