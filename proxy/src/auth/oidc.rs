//! Company sign-in: the OpenID Connect authorization code flow with PKCE against the company's
//! identity provider, through the `openidconnect` crate (discovery, the token exchange and the
//! ID token's signature, issuer, audience, expiry and nonce checks are its, not ours).
//!
//! `GET /api/auth/login?origin=O&nonce=N` (opened by the widget as a popup, `N` fresh and random
//! per popup) checks that `O` may receive tokens (the proxy's own public origin or one of
//! `VS_ALLOWED_ORIGINS`) and that `N` looks like a nonce, keeps the PKCE verifier, the OIDC
//! nonce, `O` and `N` server-side under the random `state` (bounded, 10 minutes, single use; no
//! cookie), and redirects to the provider. `GET /api/auth/callback` exchanges the code, verifies
//! the ID token, mints the proxy's own session token and answers the page that posts
//! `{type: "visitor-sidebar:sign-in", nonce: N, token, expiresAt}` to `O` and nowhere else. The
//! widget believes only its own popup's nonce, so a sign-in another page started cannot hand it
//! a token; and the type is not the host's `visitor-sidebar:auth`, so the answer cannot pass for
//! a host message.
//!
//! The provider's metadata and keys are discovered on first use and again after an hour (or
//! after an ID token whose signature did not verify, in case the keys rotated), each through the
//! proxy's upstream client (no redirects, bounded bodies, timeouts).

use std::future::Future;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use openidconnect::core::{
    CoreAuthenticationFlow, CoreClient, CoreClientAuthMethod, CoreProviderMetadata,
};
use openidconnect::{
    AuthType, AuthorizationCode, ClaimsVerificationError, ClientId, ClientSecret, CsrfToken,
    EndpointMaybeSet, EndpointNotSet, EndpointSet, HttpRequest, HttpResponse, IssuerUrl, Nonce,
    PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, RequestTokenError, Scope, TokenResponse,
};
use serde::Deserialize;
use serde_json::json;
use visitor_sidebar_contract::ErrorCode;

use super::config::OidcSettings;
use super::page;
use super::session::Sessions;
use super::Auth;
use crate::client_ip::ClientIp;
use crate::error::AppError;
use crate::extract::AppQuery;
use crate::metrics::{CompanySignIn, Limit, Metrics, Operation, Provider};
use crate::upstream::{Call, Upstream};
use crate::urls::check_origin;

/// How long a login may take from the popup opening to the callback.
const LOGIN_LIFETIME: Duration = Duration::from_secs(600);
/// Logins in progress kept at most (oldest evicted).
const MAX_PENDING_LOGINS: u64 = 10_000;
/// Logins a client address may start per minute: plenty for people, few for a flood that would
/// push real logins out of the bounded store.
const LOGINS_PER_MINUTE: u32 = 20;
/// The message types the callback page posts (never the host's `visitor-sidebar:auth`).
pub const SIGN_IN_MESSAGE: &str = "visitor-sidebar:sign-in";
pub const SIGN_IN_ERROR_MESSAGE: &str = "visitor-sidebar:sign-in-error";

/// Whether the widget's nonce is one: 16 to 128 characters of letters, digits, `-` and `_`
/// (the widget sends 32 hex digits).
fn nonce_ok(nonce: &str) -> bool {
    (16..=128).contains(&nonce.len())
        && nonce
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}
/// How long discovered metadata and keys are used.
const METADATA_MAX_AGE: Duration = Duration::from_secs(3600);
/// Rediscovery after a failed signature check waits at least this long since the last one.
const REDISCOVER_FLOOR: Duration = Duration::from_secs(60);
const WHO: &str = "The identity provider";

/// The client type `from_provider_metadata` builds: authorization endpoint set, token and
/// userinfo endpoints as discovery says.
type Client = CoreClient<
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// What the callback needs from its login, kept under the `state` parameter.
#[derive(Clone)]
struct PendingLogin {
    origin: String,
    /// The widget's nonce, posted back with the answer.
    widget_nonce: String,
    verifier: String,
    nonce: String,
}

/// Where the callback page posts, and the nonce it posts back.
struct Opener<'a> {
    origin: &'a str,
    nonce: &'a str,
}

pub struct Oidc(Arc<Inner>);

struct Inner {
    settings: OidcSettings,
    redirect_uri: String,
    public_url: String,
    /// Origins a token may be posted to.
    origins: Vec<String>,
    upstream: Upstream,
    /// Counts refused login starts and each callback's outcome.
    metrics: Metrics,
    sessions: Arc<Sessions>,
    client: tokio::sync::Mutex<Option<(Arc<Client>, Instant)>>,
    pending: moka::sync::Cache<String, PendingLogin>,
    logins: DefaultKeyedRateLimiter<IpAddr>,
}

/// The upstream client as `openidconnect`'s HTTP client: the same limits as every upstream call.
fn http_client(
    upstream: &Upstream,
) -> impl Fn(HttpRequest) -> Pin<Box<dyn Future<Output = Result<HttpResponse, AppError>> + Send>>
       + Send
       + Sync {
    let upstream = upstream.clone();
    move |request: HttpRequest| {
        let upstream = upstream.clone();
        Box::pin(async move {
            let (parts, body) = request.into_parts();
            // Discovery and the JWKS are GETs (told apart by the discovery document's path);
            // the code exchange is the one POST.
            let operation = if parts.method == axum::http::Method::POST {
                Operation::token
            } else if parts
                .uri
                .path()
                .ends_with("/.well-known/openid-configuration")
            {
                Operation::discovery
            } else {
                Operation::jwks
            };
            let builder = upstream
                .client
                .request(parts.method, parts.uri.to_string())
                .headers(parts.headers)
                .body(body);
            let answer = upstream
                .send(builder, Call::new(WHO, Provider::oidc, operation))
                .await?;
            let mut response = HttpResponse::new(answer.body.to_vec());
            *response.status_mut() = answer.status;
            *response.headers_mut() = answer.headers;
            Ok(response)
        })
    }
}

fn unavailable(message: &str) -> AppError {
    AppError::new(ErrorCode::AuthUnavailable, message).retry_after(5)
}

impl Oidc {
    pub fn new(
        settings: OidcSettings,
        public_url: String,
        origins: Vec<String>,
        upstream: Upstream,
        metrics: Metrics,
        sessions: Arc<Sessions>,
    ) -> Oidc {
        let per_minute = NonZeroU32::new(LOGINS_PER_MINUTE).expect("not 0");
        Oidc(Arc::new(Inner {
            redirect_uri: format!("{public_url}/api/auth/callback"),
            public_url,
            settings,
            origins,
            upstream,
            metrics,
            sessions,
            client: tokio::sync::Mutex::new(None),
            pending: moka::sync::Cache::builder()
                .max_capacity(MAX_PENDING_LOGINS)
                .time_to_live(LOGIN_LIFETIME)
                .build(),
            logins: RateLimiter::keyed(Quota::per_minute(per_minute).allow_burst(per_minute)),
        }))
    }

    /// The popup's address for `/api/auth/config` (the widget adds `?origin=`).
    pub fn login_url(&self) -> String {
        format!("{}/api/auth/login", self.0.public_url)
    }

    /// The origin the callback page's message comes from (`event.origin` in the widget).
    pub fn message_origin(&self) -> String {
        reqwest::Url::parse(&self.0.public_url)
            .map(|u| u.origin().ascii_serialization())
            .unwrap_or_default()
    }

    /// The configured client, discovering the provider first when needed. Failures are not
    /// remembered: the next login tries again.
    async fn client(&self) -> Result<Arc<Client>, AppError> {
        let mut cached = self.0.client.lock().await;
        if let Some((client, at)) = cached.as_ref() {
            if at.elapsed() < METADATA_MAX_AGE {
                return Ok(client.clone());
            }
        }
        let issuer = IssuerUrl::new(self.0.settings.issuer.clone())
            .map_err(|_| AppError::internal("the issuer URL was checked at start"))?;
        let http = http_client(&self.0.upstream);
        let metadata = CoreProviderMetadata::discover_async(issuer, &http)
            .await
            .map_err(|e| {
                tracing::warn!(issuer = %self.0.settings.issuer, error = %e, "OIDC discovery failed");
                unavailable("The company sign-in service is not answering; try again in a moment.")
            })?;
        // client_secret_basic unless the provider takes only client_secret_post.
        let post_only = metadata
            .token_endpoint_auth_methods_supported()
            .is_some_and(|methods| {
                methods.contains(&CoreClientAuthMethod::ClientSecretPost)
                    && !methods.contains(&CoreClientAuthMethod::ClientSecretBasic)
            });
        let redirect = RedirectUrl::new(self.0.redirect_uri.clone())
            .map_err(|_| AppError::internal("the public URL was checked at start"))?;
        let mut client = CoreClient::from_provider_metadata(
            metadata,
            ClientId::new(self.0.settings.client_id.clone()),
            self.0
                .settings
                .client_secret
                .as_ref()
                .map(|s| ClientSecret::new(s.expose().to_owned())),
        )
        .set_redirect_uri(redirect);
        if post_only {
            client = client.set_auth_type(AuthType::RequestBody);
        }
        let client = Arc::new(client);
        *cached = Some((client.clone(), Instant::now()));
        Ok(client)
    }

    /// Forgets the discovered provider (its keys may have rotated), unless that was just done.
    async fn rediscover_later(&self) {
        let mut cached = self.0.client.lock().await;
        if cached
            .as_ref()
            .is_some_and(|(_, at)| at.elapsed() >= REDISCOVER_FLOOR)
        {
            *cached = None;
        }
    }

    fn origin_allowed(&self, origin: &str) -> bool {
        check_origin(origin).is_ok_and(|canonical| canonical == origin)
            && self.0.origins.iter().any(|o| o == origin)
    }
}

/// `GET /api/auth/login`'s query: the page the token goes to and the popup's own nonce.
#[derive(Default, Deserialize)]
#[serde(default)]
pub struct LoginQuery {
    origin: String,
    nonce: String,
}

/// `GET /api/auth/callback`'s query, as the provider sends it: a code, or an error, and the
/// login's state.
#[derive(Default, Deserialize)]
#[serde(default)]
pub struct CallbackQuery {
    state: Option<String>,
    code: Option<String>,
    error: Option<String>,
}

/// The error page, and when the opener is known, the error message posted to it.
fn failure(error: AppError, opener: Option<Opener<'_>>) -> Response {
    let status = error.status();
    let text = error.body.message.clone();
    tracing::info!(
        code = %error.code(),
        status = status.as_u16(),
        detail = error.detail.as_deref().unwrap_or(""),
        "sign-in refused"
    );
    let post = opener.map(|o| {
        (
            o.origin,
            json!({"type": SIGN_IN_ERROR_MESSAGE, "nonce": o.nonce, "code": error.code(), "message": text}),
        )
    });
    let mut response = page::render(status, &text, post);
    if let Some(secs) = error.retry_after {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(secs));
    }
    response
}

/// `GET /api/auth/login?origin=<the widget's origin>`.
pub async fn login(
    State(auth): State<Auth>,
    ClientIp(ip): ClientIp,
    AppQuery(LoginQuery { origin, nonce }): AppQuery<LoginQuery>,
) -> Response {
    let Some(oidc) = auth.oidc() else {
        return failure(
            AppError::new(
                ErrorCode::NotConfigured,
                "Company sign-in is not configured on this proxy.",
            ),
            None,
        );
    };
    let origin = origin.as_str();
    if !oidc.origin_allowed(origin) {
        return failure(
            AppError::new(
                ErrorCode::OriginNotAllowed,
                "This page may not receive sign-in tokens: its origin must be the proxy's own or one of VS_ALLOWED_ORIGINS.",
            ),
            None,
        );
    }
    let widget_nonce = nonce.as_str();
    if !nonce_ok(widget_nonce) {
        return failure(
            AppError::invalid_body(
                "This sign-in window was not opened by the sidebar (no valid nonce); sign in from the sidebar.",
            ),
            None,
        );
    }
    let opener = || {
        Some(Opener {
            origin,
            nonce: widget_nonce,
        })
    };
    if oidc.0.logins.check_key(&ip).is_err() {
        oidc.0.metrics.rate_limited(Limit::sign_in_start);
        return failure(AppError::rate_limited(60), opener());
    }
    if oidc.0.logins.len() > MAX_PENDING_LOGINS as usize {
        oidc.0.logins.retain_recent();
    }
    let client = match oidc.client().await {
        Ok(client) => client,
        Err(e) => return failure(e, opener()),
    };
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, state, nonce) = client
        .authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .add_scope(Scope::new("openid".into()))
        .set_pkce_challenge(challenge)
        .url();
    oidc.0.pending.insert(
        state.secret().clone(),
        PendingLogin {
            origin: origin.to_owned(),
            widget_nonce: widget_nonce.to_owned(),
            verifier: verifier.secret().clone(),
            nonce: nonce.secret().clone(),
        },
    );
    let mut response = StatusCode::FOUND.into_response();
    let headers = response.headers_mut();
    match HeaderValue::from_str(url.as_str()) {
        Ok(location) => {
            headers.insert(header::LOCATION, location);
        }
        Err(_) => return failure(AppError::internal("authorize URL is not a header"), None),
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    response
}

/// `GET /api/auth/callback?code=…&state=…` (or `error=…&state=…`), where the provider sends the
/// popup back. Each outcome is counted (`vs_company_sign_ins_total`).
pub async fn callback(
    State(auth): State<Auth>,
    AppQuery(query): AppQuery<CallbackQuery>,
) -> Response {
    let metrics = auth.oidc().map(|oidc| oidc.0.metrics.clone());
    let response = callback_flow(auth, query).await;
    if let Some(metrics) = metrics {
        metrics.company_sign_in(match response.status().as_u16() {
            200 => CompanySignIn::accepted,
            401 => CompanySignIn::refused,
            403 => CompanySignIn::forbidden,
            429 => CompanySignIn::rate_limited,
            503 => CompanySignIn::unavailable,
            _ => CompanySignIn::failed,
        });
    }
    response
}

async fn callback_flow(auth: Auth, query: CallbackQuery) -> Response {
    let Some(oidc) = auth.oidc() else {
        return failure(
            AppError::new(
                ErrorCode::NotConfigured,
                "Company sign-in is not configured on this proxy.",
            ),
            None,
        );
    };
    // Single use: whatever happens next, this state cannot be replayed.
    let pending = query
        .state
        .as_ref()
        .and_then(|state| oidc.0.pending.remove(state));
    let Some(pending) = pending else {
        return failure(
            AppError::unauthorized(
                "This sign-in expired or was used already; close this window and sign in again.",
            ),
            None,
        );
    };
    let opener = || {
        Some(Opener {
            origin: &pending.origin,
            nonce: &pending.widget_nonce,
        })
    };
    if let Some(error) = &query.error {
        // Only the provider's error code, and only if it looks like one, reaches the page.
        let error: String = error
            .chars()
            .filter(|c| c.is_ascii_lowercase() || *c == '_')
            .take(40)
            .collect();
        return failure(
            AppError::unauthorized(format!(
                "The company sign-in did not sign you in ({error})."
            )),
            opener(),
        );
    }
    let Some(code) = &query.code else {
        return failure(
            AppError::unauthorized("The company sign-in sent no authorization code."),
            opener(),
        );
    };
    let client = match oidc.client().await {
        Ok(client) => client,
        Err(e) => return failure(e, opener()),
    };
    let exchange = match client.exchange_code(AuthorizationCode::new(code.clone())) {
        Ok(exchange) => exchange,
        Err(_) => {
            return failure(
                unavailable("The company sign-in service names no token endpoint."),
                opener(),
            )
        }
    };
    let http = http_client(&oidc.0.upstream);
    let answer = exchange
        .set_pkce_verifier(PkceCodeVerifier::new(pending.verifier))
        .request_async(&http)
        .await;
    let answer = match answer {
        Ok(answer) => answer,
        Err(RequestTokenError::ServerResponse(e)) => {
            return failure(
                AppError::unauthorized("The company sign-in refused the sign-in; try again.")
                    .detail(format!("token endpoint: {}", e.error())),
                opener(),
            )
        }
        Err(e) => {
            // Parse errors carry the answer's body, which holds tokens: only the kind is logged.
            let kind = match e {
                RequestTokenError::Request(_) => "request failed",
                RequestTokenError::Parse(..) => "answer not understood",
                _ => "other",
            };
            return failure(
                unavailable("The company sign-in service is not answering; try again in a moment.")
                    .detail(format!("token endpoint: {kind}")),
                opener(),
            );
        }
    };
    let Some(id_token) = answer.id_token() else {
        return failure(
            AppError::unauthorized("The company sign-in sent no ID token."),
            opener(),
        );
    };
    let verifier = client.id_token_verifier();
    let claims = match id_token.claims(&verifier, &Nonce::new(pending.nonce)) {
        Ok(claims) => claims,
        Err(e) => {
            let kind = match &e {
                ClaimsVerificationError::Expired(_) => "expired",
                ClaimsVerificationError::InvalidAudience(_) => "audience",
                ClaimsVerificationError::InvalidIssuer(_) => "issuer",
                ClaimsVerificationError::InvalidNonce(_) => "nonce",
                ClaimsVerificationError::SignatureVerification(_) => "signature",
                _ => "other",
            };
            if kind == "signature" {
                oidc.rediscover_later().await;
            }
            return failure(
                AppError::unauthorized("The company sign-in's answer did not verify; try again.")
                    .detail(format!("ID token: {kind}")),
                opener(),
            );
        }
    };
    let subject = claims.subject().as_str();
    let (token, expires) = oidc.0.sessions.mint(subject, &oidc.0.settings.issuer);
    tracing::info!(subject = ?subject, "an agent signed in with the company sign-in");
    page::render(
        StatusCode::OK,
        "Signed in. This window closes by itself; if it does not, close it.",
        Some((
            &pending.origin,
            json!({
                "type": SIGN_IN_MESSAGE,
                "nonce": pending.widget_nonce,
                "token": token,
                "expiresAt": expires * 1000,
            }),
        )),
    )
}
