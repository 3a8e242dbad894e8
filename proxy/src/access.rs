//! Who may call: browser origins (same origin, or listed in `VS_ALLOWED_ORIGINS`), an agent
//! identity for every visitor route (checked by `auth`; closed unless anonymous access is
//! allowed), and a per-client rate limit. A client that spent its budget of failed sign-ins is
//! refused (429) before its credential is checked at all. Each credential check is counted by
//! mode and outcome (`vs_sign_ins_total`), each rate-limit refusal by limit
//! (`vs_rate_limited_total`).

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock, DefaultClock};
use governor::middleware::StateInformationMiddleware;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use visitor_sidebar_contract::ErrorCode;

use crate::auth::{Agent, AgentMode, Auth, CredentialShape, Refusal, Refused};
use crate::client_ip::ClientIp;
use crate::error::AppError;
use crate::layers::Check;
use crate::metrics::{Limit, Metrics, SignInMode, SignInOutcome};
use crate::settings::{err, number, ConfigError, RawConfig};

pub const DEFAULT_RATE_LIMIT_PER_SEC: u32 = 20;
pub const DEFAULT_RATE_LIMIT_BURST: u32 = 60;

/// The per-client rate limit on visitor routes (`VS_RATE_LIMIT_PER_SEC`, `VS_RATE_LIMIT_BURST`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RateLimit {
    pub per_sec: NonZeroU32,
    pub burst: NonZeroU32,
}

impl RateLimit {
    /// `None`: no per-client limit (a rate of 0). The burst is at least the rate.
    pub fn from_raw(raw: &RawConfig) -> Result<Option<RateLimit>, ConfigError> {
        let per_sec = number(
            raw.value("VS_RATE_LIMIT_PER_SEC"),
            "VS_RATE_LIMIT_PER_SEC",
            DEFAULT_RATE_LIMIT_PER_SEC as u64,
        )?;
        let burst = number(
            raw.value("VS_RATE_LIMIT_BURST"),
            "VS_RATE_LIMIT_BURST",
            DEFAULT_RATE_LIMIT_BURST as u64,
        )?;
        match (u32::try_from(per_sec), u32::try_from(burst)) {
            (Ok(0), _) => Ok(None),
            (Ok(p), Ok(b)) => Ok(Some(RateLimit {
                per_sec: NonZeroU32::new(p).expect("not 0"),
                burst: NonZeroU32::new(b.max(p)).expect("not 0"),
            })),
            (Err(_), _) => Err(err("VS_RATE_LIMIT_PER_SEC", "is too large")),
            (_, Err(_)) => Err(err("VS_RATE_LIMIT_BURST", "is too large")),
        }
    }
}

/// Failed authentications allowed per client address: enough for a mistyped token, far too few
/// to guess one.
const AUTH_FAILURES_PER_MINUTE: u32 = 30;
/// Keys kept by a limiter before idle ones are swept.
const MAX_LIMITER_KEYS: usize = 10_000;

/// The failed-authentication limiter, which also says how much budget a client has left.
type FailureLimiter = DefaultKeyedRateLimiter<IpAddr, StateInformationMiddleware>;

/// Who may call, shared by every request (the app state holds it in an `Arc`).
pub struct Access {
    /// Browser origins allowed besides the proxy's own.
    allowed_origins: Vec<String>,
    auth: Auth,
    per_client: Option<DefaultKeyedRateLimiter<String>>,
    failures: FailureLimiter,
    /// How long one failure's budget takes to come back.
    failure_refill: Duration,
    /// Clients whose failure budget is spent, and until when: refused before their credential
    /// is looked at, so neither a right guess passes nor a new token costs an upstream call.
    spent: moka::sync::Cache<IpAddr, Instant>,
    clock: DefaultClock,
    metrics: Metrics,
}

impl Access {
    /// `allowed_origins`: browser origins besides the proxy's own (`VS_ALLOWED_ORIGINS`).
    pub fn new(
        allowed_origins: Vec<String>,
        rate_limit: Option<RateLimit>,
        auth: Auth,
        metrics: Metrics,
    ) -> Access {
        let per_client = rate_limit.map(|limit| {
            RateLimiter::keyed(Quota::per_second(limit.per_sec).allow_burst(limit.burst))
        });
        let failure_quota =
            Quota::per_minute(NonZeroU32::new(AUTH_FAILURES_PER_MINUTE).expect("not 0"))
                .allow_burst(NonZeroU32::new(AUTH_FAILURES_PER_MINUTE).expect("not 0"));
        Access {
            allowed_origins,
            auth,
            per_client,
            failures: RateLimiter::keyed(failure_quota).with_middleware(),
            failure_refill: failure_quota.replenish_interval(),
            spent: moka::sync::Cache::builder()
                .max_capacity(MAX_LIMITER_KEYS as u64)
                .time_to_live(Duration::from_secs(60))
                .build(),
            clock: DefaultClock::default(),
            metrics,
        }
    }

    fn wait_secs(&self, not_until: governor::NotUntil<governor::clock::QuantaInstant>) -> u64 {
        whole_secs(not_until.wait_time_from(self.clock.now()))
    }

    /// Seconds until a client whose failure budget is spent may try again; `None` while it
    /// has budget left.
    fn spent_for(&self, ip: IpAddr) -> Option<u64> {
        let left = self
            .spent
            .get(&ip)?
            .checked_duration_since(Instant::now())?;
        Some(whole_secs(left))
    }

    /// Spends one failure of `ip`'s budget. `Err(seconds)` when there was none left; when this
    /// failure took the last of it, the client is refused from now on until it comes back.
    fn spend_failure(&self, ip: IpAddr) -> Result<(), u64> {
        let outcome = self.failures.check_key(&ip);
        if self.failures.len() > MAX_LIMITER_KEYS {
            self.failures.retain_recent();
        }
        match outcome {
            Ok(snapshot) => {
                if snapshot.remaining_burst_capacity() == 0 {
                    self.spent.insert(ip, Instant::now() + self.failure_refill);
                }
                Ok(())
            }
            Err(not_until) => {
                let wait = not_until.wait_time_from(self.clock.now());
                self.spent.insert(ip, Instant::now() + wait);
                Err(whole_secs(wait))
            }
        }
    }
}

/// A wait in whole seconds for `Retry-After`, at least 1.
fn whole_secs(wait: Duration) -> u64 {
    wait.as_secs_f64().ceil().max(1.0) as u64
}

/// The guard for all of `/api` (see `app`): refuses browser requests from origins that are
/// neither listed nor the proxy's own. Requests without `Origin` (server-to-server, same-origin
/// GETs) pass; CORS headers are the CorsLayer's.
impl Check for Access {
    fn refusal(&self, request: &Request) -> Option<Response> {
        let origin = request.headers().get(header::ORIGIN)?;
        let origin = origin.to_str().unwrap_or("");
        let listed = self.allowed_origins.iter().any(|o| o == origin);
        let host = request
            .headers()
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .unwrap_or("");
        let same_origin = !host.is_empty()
            && origin
                .split_once("://")
                .is_some_and(|(_, rest)| rest.eq_ignore_ascii_case(host));
        (!listed && !same_origin).then(|| {
            AppError::new(
                ErrorCode::OriginNotAllowed,
                "This page's origin may not call the proxy; add it to VS_ALLOWED_ORIGINS.",
            )
            .into_response()
        })
    }
}

/// The agent's identity and the per-client rate limit, for every visitor route (all of `/api`
/// but health, the webhook and the public sign-in routes). The [`Agent`] goes into the request's
/// extensions for the handlers and the audit log.
pub async fn require_access(
    State(access): State<Arc<Access>>,
    mut request: Request,
    next: Next,
) -> Response {
    let ClientIp(ip) = ClientIp::of(request.extensions());
    // Before the credential is looked at: past its budget of failures a client is refused
    // whatever it sends, so a right guess does not pass and an unknown token costs no call to
    // the service that would vouch for it.
    if let Some(secs) = access.spent_for(ip) {
        access.metrics.rate_limited(Limit::failed_sign_in);
        return AppError::rate_limited(secs).into_response();
    }
    let agent = match access.auth.authenticate(request.headers(), ip).await {
        Ok(agent) => {
            access
                .metrics
                .sign_in(mode_label(agent.mode), SignInOutcome::accepted);
            agent
        }
        Err(Refused { shape, refusal }) => {
            access
                .metrics
                .sign_in(shape_label(shape), refusal_outcome(&refusal));
            // Only failures use up this budget, so an agent whose token works is never slowed
            // by it; once it is spent, everything from that client gets 429s (above).
            if refusal.is_failure() {
                if let Err(secs) = access.spend_failure(ip) {
                    access.metrics.rate_limited(Limit::failed_sign_in);
                    return AppError::rate_limited(secs).into_response();
                }
            }
            return refusal.into_response();
        }
    };
    let identity = match agent.mode {
        AgentMode::Anonymous => format!("ip:{ip}"),
        _ => agent.label(),
    };
    if let Some(limiter) = &access.per_client {
        if let Err(not_until) = limiter.check_key(&identity) {
            access.metrics.rate_limited(Limit::client);
            return AppError::rate_limited(access.wait_secs(not_until)).into_response();
        }
        if limiter.len() > MAX_LIMITER_KEYS {
            limiter.retain_recent();
        }
    }
    request.extensions_mut().insert::<Agent>(agent);
    next.run(request).await
}

/// The `mode` label of an accepted credential.
fn mode_label(mode: AgentMode) -> SignInMode {
    match mode {
        AgentMode::Anonymous => SignInMode::anonymous,
        AgentMode::StaticToken => SignInMode::token,
        AgentMode::HostJwt => SignInMode::jwt,
        AgentMode::LiveChat => SignInMode::livechat,
        AgentMode::Company => SignInMode::oidc,
    }
}

/// The `mode` label of a refused credential: what it looked like, since it proved nothing.
fn shape_label(shape: CredentialShape) -> SignInMode {
    match shape {
        CredentialShape::None => SignInMode::none,
        CredentialShape::Jwt => SignInMode::jwt,
        CredentialShape::Opaque => SignInMode::opaque,
    }
}

/// The `outcome` label of a refusal.
fn refusal_outcome(refusal: &Refusal) -> SignInOutcome {
    match refusal {
        Refusal::Missing => SignInOutcome::missing,
        Refusal::Invalid(_) => SignInOutcome::invalid,
        Refusal::Expired => SignInOutcome::expired,
        Refusal::Forbidden(_) => SignInOutcome::forbidden,
        Refusal::Unavailable(_) => SignInOutcome::unavailable,
        Refusal::RateLimited(_) => SignInOutcome::rate_limited,
    }
}
