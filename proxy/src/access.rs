//! Who may call: browser origins (same origin, or listed in `VS_ALLOWED_ORIGINS`), bearer
//! credentials (listed static tokens or HS256 JWTs with `exp`), and a per-client rate limit.

use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::Arc;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderMap};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;
use visitor_sidebar_contract::ErrorCode;

use crate::config::Config;
use crate::error::AppError;
use crate::secret::{secrets_equal, Secret};

/// Failed authentications allowed per client address: enough for a mistyped token, far too few
/// to guess one.
const AUTH_FAILURES_PER_MINUTE: u32 = 30;
/// Keys kept by a limiter before idle ones are swept.
const MAX_LIMITER_KEYS: usize = 10_000;

/// Who may call, shared by every request (the app state holds it in an `Arc`).
pub struct Access {
    /// Browser origins allowed besides the proxy's own.
    allowed_origins: Vec<String>,
    tokens: Vec<Secret>,
    jwt: Option<(DecodingKey, Validation)>,
    per_client: Option<DefaultKeyedRateLimiter<String>>,
    failures: DefaultKeyedRateLimiter<IpAddr>,
    clock: DefaultClock,
}

#[derive(Deserialize)]
struct Claims {
    #[allow(dead_code)]
    exp: u64,
    #[serde(default)]
    sub: Option<String>,
}

impl Access {
    pub fn new(config: &Config) -> Access {
        let jwt = config.jwt_secret.as_ref().map(|secret| {
            let mut validation = Validation::new(Algorithm::HS256);
            validation.set_required_spec_claims(&["exp"]);
            validation.validate_exp = true;
            validation.validate_aud = false;
            validation.leeway = 5;
            (
                DecodingKey::from_secret(secret.expose().as_bytes()),
                validation,
            )
        });
        let per_client = config.rate_limit.map(|limit| {
            RateLimiter::keyed(Quota::per_second(limit.per_sec).allow_burst(limit.burst))
        });
        let failures = RateLimiter::keyed(
            Quota::per_minute(NonZeroU32::new(AUTH_FAILURES_PER_MINUTE).expect("not 0"))
                .allow_burst(NonZeroU32::new(AUTH_FAILURES_PER_MINUTE).expect("not 0")),
        );
        Access {
            allowed_origins: config.allowed_origins.clone(),
            tokens: config.access_tokens.clone(),
            jwt,
            per_client,
            failures,
            clock: DefaultClock::default(),
        }
    }

    fn enabled(&self) -> bool {
        !self.tokens.is_empty() || self.jwt.is_some()
    }

    /// The caller's identity for rate limiting, or why it was refused.
    fn authenticate(&self, headers: &HeaderMap) -> Result<String, &'static str> {
        let value = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .ok_or("Sign in: this API needs an Authorization: Bearer token.")?;
        let token = value
            .strip_prefix("Bearer ")
            .or_else(|| value.strip_prefix("bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or("The Authorization header must be 'Bearer <token>'.")?;
        // Every listed token is compared, so timing does not tell which one nearly matched.
        let mut matched = None;
        for (i, listed) in self.tokens.iter().enumerate() {
            if secrets_equal(token, listed.expose()) {
                matched = Some(i);
            }
        }
        if let Some(i) = matched {
            return Ok(format!("token:{i}"));
        }
        if let Some((key, validation)) = &self.jwt {
            if token.matches('.').count() == 2 {
                return match jsonwebtoken::decode::<Claims>(token, key, validation) {
                    Ok(data) => Ok(format!("jwt:{}", data.claims.sub.unwrap_or_default())),
                    Err(e)
                        if matches!(
                            e.kind(),
                            jsonwebtoken::errors::ErrorKind::ExpiredSignature
                        ) =>
                    {
                        Err("The access token has expired; sign in again.")
                    }
                    Err(_) => Err("The access token is not valid."),
                };
            }
        }
        Err("The access token is not valid.")
    }

    fn wait_secs(&self, not_until: governor::NotUntil<governor::clock::QuantaInstant>) -> u64 {
        not_until
            .wait_time_from(self.clock.now())
            .as_secs_f64()
            .ceil()
            .max(1.0) as u64
    }
}

fn client_ip(request: &Request) -> IpAddr {
    request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip())
        .unwrap_or(IpAddr::from([0, 0, 0, 0]))
}

/// Refuses browser requests from origins that are neither listed nor the proxy's own. Requests
/// without `Origin` (server-to-server, same-origin GETs) pass; CORS headers are the CorsLayer's.
pub async fn check_origin(
    State(access): State<Arc<Access>>,
    request: Request,
    next: Next,
) -> Response {
    if let Some(origin) = request.headers().get(header::ORIGIN) {
        let origin = origin.to_str().unwrap_or("");
        let listed = access.allowed_origins.iter().any(|o| o == origin);
        let host = request
            .headers()
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .unwrap_or("");
        let same_origin = !host.is_empty()
            && origin
                .split_once("://")
                .is_some_and(|(_, rest)| rest.eq_ignore_ascii_case(host));
        if !listed && !same_origin {
            return AppError::new(
                ErrorCode::OriginNotAllowed,
                "This page's origin may not call the proxy; add it to VS_ALLOWED_ORIGINS.",
            )
            .into_response();
        }
    }
    next.run(request).await
}

/// Authentication (when configured) and the per-client rate limit, for every `/api` route but
/// health and the webhook.
pub async fn require_access(
    State(access): State<Arc<Access>>,
    request: Request,
    next: Next,
) -> Response {
    let ip = client_ip(&request);
    let identity = if access.enabled() {
        match access.authenticate(request.headers()) {
            Ok(identity) => identity,
            Err(why) => {
                // Only failures use up this budget, so a valid token is never slowed by it; past
                // it, guesses get 429s (tokens are long enough that guessing fails anyway).
                let over = access.failures.check_key(&ip);
                if access.failures.len() > MAX_LIMITER_KEYS {
                    access.failures.retain_recent();
                }
                return match over {
                    Ok(()) => AppError::unauthorized(why).into_response(),
                    Err(not_until) => {
                        AppError::rate_limited(access.wait_secs(not_until)).into_response()
                    }
                };
            }
        }
    } else {
        format!("ip:{ip}")
    };
    if let Some(limiter) = &access.per_client {
        if let Err(not_until) = limiter.check_key(&identity) {
            return AppError::rate_limited(access.wait_secs(not_until)).into_response();
        }
        if limiter.len() > MAX_LIMITER_KEYS {
            limiter.retain_recent();
        }
    }
    next.run(request).await
}
