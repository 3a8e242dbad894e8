//! LiveChat agents' access tokens (from `@livechat/accounts-sdk` in the Agent App), checked with
//! LiveChat's accounts server: `GET {LIVECHAT_ACCOUNTS_URL}/v2/info` with the token as bearer
//! answers whose it is. It must be unexpired, issued to `LIVECHAT_CLIENT_ID` and belong to
//! `LIVECHAT_ORGANIZATION_ID` (otherwise 403).
//!
//! Verdicts are cached by the SHA-256 of the token (the token itself is never kept), bounded, for
//! at most 60 s and never past the token's `expires_in`; concurrent first uses of one token share
//! one call. An accounts server that cannot be asked gives `Unavailable` (503), which is not
//! cached and never a pass.
//!
//! The accounts server must not become a way to lock every agent out: a 429 pauses calls to it
//! for its `Retry-After`, but never more than [`MAX_COOLDOWN`] (a minute, not the hour a
//! `Retry-After` may ask), and the verdicts already cached keep being served meanwhile (the
//! cache is looked at before the pause is). One client may make the proxy check at most
//! [`CHECKS_PER_MINUTE`] tokens it has no verdict for; past that it gets a 429 and no call is
//! made.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use moka::future::Cache;
use moka::Expiry;
use serde::Deserialize;
use sha2::{Digest, Sha256};

use super::config::LiveChatSignIn;
use super::{Agent, AgentMode, Refusal};
use crate::metrics::{Limit, Metrics, Operation, Provider};
use crate::upstream::{Call, Upstream};

/// Longest a verdict is reused.
pub const MAX_VERDICT_AGE: Duration = Duration::from_secs(60);
/// Most verdicts kept (oldest/least used evicted).
const CAPACITY: u64 = 10_000;
/// The longest a 429 from the accounts server pauses sign-ins with tokens not yet checked.
pub const MAX_COOLDOWN: Duration = Duration::from_secs(60);
/// Tokens without a verdict one client may have checked per minute (and at once): an office of
/// LiveChat agents behind one address re-checks each agent's token about once a minute.
pub const CHECKS_PER_MINUTE: u32 = 60;
const WHO: &str = "LiveChat's accounts server";
const UNAVAILABLE: Refusal =
    Refusal::Unavailable("LiveChat's sign-in service is not answering; try again in a moment.");

/// What the accounts server said about a token.
#[derive(Clone, Debug)]
enum Verdict {
    Agent { account_id: String, ttl: Duration },
    Refused(Refusal),
}

struct VerdictExpiry;

impl Expiry<[u8; 32], Verdict> for VerdictExpiry {
    fn expire_after_create(
        &self,
        _key: &[u8; 32],
        value: &Verdict,
        _created_at: Instant,
    ) -> Option<Duration> {
        Some(match value {
            Verdict::Agent { ttl, .. } => *ttl,
            Verdict::Refused(_) => MAX_VERDICT_AGE,
        })
    }
}

/// `/v2/info`'s answer: only the fields checked (the rest, such as the scope, are ignored).
#[derive(Deserialize)]
struct Info {
    account_id: String,
    organization_id: String,
    client_id: String,
    expires_in: u64,
}

pub struct LiveChatTokens {
    config: LiveChatSignIn,
    upstream: Upstream,
    /// Counts the checks refused by the per-client bound.
    metrics: Metrics,
    verdicts: Cache<[u8; 32], Verdict>,
    /// Accounts-server checks per client address.
    checks: DefaultKeyedRateLimiter<IpAddr>,
    clock: DefaultClock,
}

/// How long a verdict for a token that expires in `expires_in` seconds may be reused.
pub fn verdict_ttl(expires_in: u64) -> Duration {
    Duration::from_secs(expires_in).min(MAX_VERDICT_AGE)
}

impl LiveChatTokens {
    pub fn new(config: LiveChatSignIn, upstream: Upstream, metrics: Metrics) -> Self {
        LiveChatTokens {
            config,
            upstream,
            metrics,
            verdicts: Cache::builder()
                .max_capacity(CAPACITY)
                .expire_after(VerdictExpiry)
                .build(),
            checks: RateLimiter::keyed(
                Quota::per_minute(NonZeroU32::new(CHECKS_PER_MINUTE).expect("not 0"))
                    .allow_burst(NonZeroU32::new(CHECKS_PER_MINUTE).expect("not 0")),
            ),
            clock: DefaultClock::default(),
        }
    }

    pub fn client_id(&self) -> &str {
        &self.config.client_id
    }

    /// The accounts server that issues (and answers for) the tokens: the widget's SDK signs
    /// agents in there.
    pub fn accounts_url(&self) -> &str {
        &self.config.accounts_url
    }

    /// The agent `token` belongs to, asked of the accounts server unless a verdict is cached;
    /// `client` is who sent it (for the bound on checks).
    pub async fn verify(&self, token: &str, client: IpAddr) -> Result<Agent, Refusal> {
        let key: [u8; 32] = Sha256::digest(token.as_bytes()).into();
        let verdict = match self.verdicts.get(&key).await {
            Some(verdict) => verdict,
            None => {
                if let Err(not_until) = self.checks.check_key(&client) {
                    self.metrics.rate_limited(Limit::token_check);
                    let wait = not_until.wait_time_from(self.clock.now());
                    return Err(Refusal::RateLimited(
                        wait.as_secs_f64().ceil().max(1.0) as u64
                    ));
                }
                if self.checks.len() > CAPACITY as usize {
                    self.checks.retain_recent();
                }
                self.verdicts
                    .try_get_with(key, self.ask(token))
                    .await
                    .map_err(|refusal| (*refusal).clone())?
            }
        };
        match verdict {
            Verdict::Agent { account_id, .. } => Ok(Agent {
                mode: AgentMode::LiveChat,
                subject: account_id,
            }),
            Verdict::Refused(refusal) => Err(refusal),
        }
    }

    /// One call to `/v2/info`. `Err` only when the server could not give an answer.
    async fn ask(&self, token: &str) -> Result<Verdict, Refusal> {
        let request = self
            .upstream
            .client
            .get(format!("{}/v2/info", self.config.accounts_url))
            .bearer_auth(token);
        let answer = self
            .upstream
            .send(
                request,
                Call::new(WHO, Provider::livechat_accounts, Operation::token_info).with_max_cooldown(MAX_COOLDOWN),
            )
            .await.map_err(|e| {
            tracing::warn!(code = %e.code(), detail = e.detail.as_deref().unwrap_or(""), "LiveChat's accounts server could not be asked");
            UNAVAILABLE
        })?;
        match answer.status {
            // LiveChat answers 4xx for tokens it does not know or that expired.
            StatusCode::BAD_REQUEST
            | StatusCode::UNAUTHORIZED
            | StatusCode::FORBIDDEN
            | StatusCode::NOT_FOUND => return Ok(Verdict::Refused(Refusal::Invalid(
                "LiveChat does not accept this access token (unknown or expired); sign in again.",
            ))),
            status if status.is_success() => {}
            status => {
                tracing::warn!(
                    status = status.as_u16(),
                    "LiveChat's accounts server failed"
                );
                return Err(UNAVAILABLE);
            }
        }
        // A 2xx that does not say whose the token is proves nothing: not a pass, not cached.
        let info: Info = serde_json::from_slice(&answer.body).map_err(|_| {
            tracing::warn!("LiveChat's accounts server sent an answer without the token's owner");
            UNAVAILABLE
        })?;
        if info.expires_in == 0 {
            return Ok(Verdict::Refused(Refusal::Expired));
        }
        if info.client_id != self.config.client_id {
            return Ok(Verdict::Refused(Refusal::Forbidden(
                "This LiveChat sign-in belongs to another app; open the sidebar from its own LiveChat app.",
            )));
        }
        if info.organization_id != self.config.organization_id {
            return Ok(Verdict::Refused(Refusal::Forbidden(
                "This LiveChat account belongs to another organization than the sidebar's.",
            )));
        }
        Ok(Verdict::Agent {
            account_id: info.account_id,
            ttl: verdict_ttl(info.expires_in),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verdicts_never_outlive_the_token_or_a_minute() {
        assert_eq!(verdict_ttl(28_800), Duration::from_secs(60));
        assert_eq!(verdict_ttl(60), Duration::from_secs(60));
        assert_eq!(verdict_ttl(12), Duration::from_secs(12));
        assert_eq!(verdict_ttl(1), Duration::from_secs(1));
    }
}
