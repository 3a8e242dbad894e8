//! Host-minted JWTs (custom consoles that sign their agents' tokens): HS256 with
//! `VS_JWT_SECRET`, or RS256/ES256 with a key from `VS_JWKS_URL`. The algorithm in the token's
//! header only chooses among the keys configured for it — an HS256 token is checked against the
//! shared secret and nothing else, an RS256 token against the JWKS's RSA keys and nothing else —
//! so neither `alg: none` nor an HS256 token "signed" with the RSA public key gets through.
//!
//! The claims a token must carry: `exp` (5 s leeway), `sub` (not empty: the audit line names
//! the agent), `aud` whenever `VS_JWT_AUDIENCE` is set and `iss` whenever `VS_JWT_ISSUER` is set
//! (jsonwebtoken 9 checks an `aud` or `iss` only if it is present, so both are also made
//! *required*: otherwise another app's token from the same identity provider, which simply omits
//! `aud`, would pass). `nbf` is honoured. A token may not live longer than
//! `VS_JWT_MAX_LIFETIME_SECS` (default 12 h): neither `exp - iat` nor `exp - now` may exceed it,
//! so a far-future `iat` cannot stretch it either.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, Header, Validation};
use serde::Deserialize;

use super::config::JwtSettings;
use super::jwks::Jwks;
use super::{Agent, AgentMode, Refusal};
use crate::secret::Secret;
use crate::upstream::Upstream;

const INVALID: Refusal = Refusal::Invalid("The access token is not valid.");

#[derive(Deserialize)]
struct Claims {
    /// Required by the validation; an empty one is refused here.
    sub: String,
    /// Required by the validation.
    exp: u64,
    #[serde(default)]
    iat: Option<u64>,
}

pub struct HostJwt {
    hs256: Option<DecodingKey>,
    jwks: Option<Jwks>,
    audience: Option<String>,
    issuer: Option<String>,
    max_lifetime: Duration,
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// Whether a token with these `exp` and `iat` stays valid no longer than `max` seconds, as
/// seen from `now`.
fn lifetime_within(exp: u64, iat: Option<u64>, now: u64, max: u64) -> bool {
    let from_now = exp.saturating_sub(now);
    let from_issue = iat.map_or(0, |iat| exp.saturating_sub(iat));
    from_now <= max && from_issue <= max
}

impl HostJwt {
    /// `None` when no host JWT is accepted (neither a secret nor a JWKS URL).
    pub fn new(
        secret: Option<&Secret>,
        settings: &JwtSettings,
        upstream: Upstream,
    ) -> Option<Self> {
        if secret.is_none() && settings.jwks_url.is_none() {
            return None;
        }
        Some(HostJwt {
            hs256: secret.map(|s| DecodingKey::from_secret(s.expose().as_bytes())),
            jwks: settings
                .jwks_url
                .clone()
                .map(|url| Jwks::new(url, upstream)),
            audience: settings.audience.clone(),
            issuer: settings.issuer.clone(),
            max_lifetime: settings.max_lifetime,
        })
    }

    fn validation(&self, alg: Algorithm) -> Validation {
        let mut validation = Validation::new(alg);
        // Exactly the header's algorithm, already matched to the key's family above.
        validation.algorithms = vec![alg];
        let mut required = vec!["exp", "sub"];
        required.extend(self.audience.as_ref().map(|_| "aud"));
        required.extend(self.issuer.as_ref().map(|_| "iss"));
        validation.set_required_spec_claims(&required);
        validation.validate_exp = true;
        validation.validate_nbf = true;
        validation.leeway = 5;
        match &self.audience {
            Some(aud) => validation.set_audience(&[aud]),
            None => validation.validate_aud = false,
        }
        if let Some(iss) = &self.issuer {
            validation.set_issuer(&[iss]);
        }
        validation
    }

    pub async fn verify(&self, token: &str, header: &Header) -> Result<Agent, Refusal> {
        let key = match header.alg {
            Algorithm::HS256 => self.hs256.clone().ok_or(INVALID)?,
            Algorithm::RS256 | Algorithm::ES256 => match &self.jwks {
                Some(jwks) => jwks.key(header.kid.as_deref(), header.alg).await?,
                None => return Err(INVALID),
            },
            _ => return Err(INVALID),
        };
        self.check(token, &key, header.alg, now_secs())
    }

    /// The signature and claims of a token whose key is found.
    fn check(
        &self,
        token: &str,
        key: &DecodingKey,
        alg: Algorithm,
        now: u64,
    ) -> Result<Agent, Refusal> {
        let claims = match jsonwebtoken::decode::<Claims>(token, key, &self.validation(alg)) {
            Ok(data) => data.claims,
            Err(e) if matches!(e.kind(), ErrorKind::ExpiredSignature) => {
                return Err(Refusal::Expired)
            }
            Err(_) => return Err(INVALID),
        };
        if claims.sub.trim().is_empty() {
            return Err(INVALID);
        }
        if !lifetime_within(claims.exp, claims.iat, now, self.max_lifetime.as_secs()) {
            return Err(Refusal::Invalid(
                "The access token lives longer than this proxy accepts; mint shorter-lived tokens.",
            ));
        }
        Ok(Agent {
            mode: AgentMode::HostJwt,
            subject: claims.sub,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jsonwebtoken::{EncodingKey, Header};
    use serde_json::{json, Value};

    const SECRET: &str = "a-host-hs256-secret-of-32-bytes-or-more";
    const NOW: u64 = 1_800_000_000;
    const HOUR: u64 = 3600;

    fn host(audience: Option<&str>, issuer: Option<&str>) -> HostJwt {
        HostJwt {
            hs256: Some(DecodingKey::from_secret(SECRET.as_bytes())),
            jwks: None,
            audience: audience.map(str::to_owned),
            issuer: issuer.map(str::to_owned),
            max_lifetime: Duration::from_secs(12 * HOUR),
        }
    }

    fn sign(claims: &Value) -> String {
        jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            claims,
            &EncodingKey::from_secret(SECRET.as_bytes()),
        )
        .unwrap()
    }

    fn verdict(host: &HostJwt, claims: Value) -> Result<Agent, Refusal> {
        let key = DecodingKey::from_secret(SECRET.as_bytes());
        // The library checks `exp` against the real clock: tokens here expire after it.
        let now = now_secs().max(NOW);
        let mut claims = claims;
        for field in ["exp", "iat"] {
            if let Some(offset) = claims[field].as_i64() {
                claims[field] = json!((now as i64 + offset) as u64);
            }
        }
        host.check(&sign(&claims), &key, Algorithm::HS256, now)
    }

    fn good() -> Value {
        json!({"sub": "agent-7", "aud": "visitor-sidebar", "iss": "console", "exp": HOUR, "iat": 0})
    }

    fn without(field: &str) -> Value {
        let mut claims = good();
        claims.as_object_mut().unwrap().remove(field);
        claims
    }

    #[test]
    fn a_token_with_every_claim_names_its_agent() {
        let host = host(Some("visitor-sidebar"), Some("console"));
        assert_eq!(verdict(&host, good()).unwrap().subject, "agent-7");
    }

    #[test]
    fn aud_and_iss_are_required_when_configured_not_only_checked() {
        let host = host(Some("visitor-sidebar"), Some("console"));
        assert_eq!(verdict(&host, without("aud")), Err(INVALID), "no aud");
        assert_eq!(verdict(&host, without("iss")), Err(INVALID), "no iss");
        let mut other = good();
        other["aud"] = json!("another-app");
        assert_eq!(verdict(&host, other), Err(INVALID), "another aud");
        // Not configured: not required.
        let open = self::host(None, None);
        assert!(verdict(&open, without("aud")).is_ok());
        assert!(verdict(&open, without("iss")).is_ok());
    }

    #[test]
    fn a_token_without_a_subject_is_refused() {
        let host = host(Some("visitor-sidebar"), Some("console"));
        assert_eq!(verdict(&host, without("sub")), Err(INVALID));
        let mut empty = good();
        empty["sub"] = json!(" ");
        assert_eq!(verdict(&host, empty), Err(INVALID));
        assert_eq!(verdict(&host, without("exp")), Err(INVALID), "no exp");
    }

    #[test]
    fn lifetimes_are_capped_from_issue_and_from_now() {
        let host = host(Some("visitor-sidebar"), Some("console"));
        let long_lived = |claims: &mut Value| matches!(verdict(&host, claims.clone()), Err(Refusal::Invalid(why)) if why.contains("longer"));
        let mut claims = good();
        claims["exp"] = json!(12 * HOUR);
        assert!(verdict(&host, claims.clone()).is_ok(), "exactly 12 h");
        claims["exp"] = json!(12 * HOUR + 60);
        assert!(long_lived(&mut claims), "exp - iat over 12 h");
        // Issued long ago, still valid for an hour: exp - iat says a day.
        let mut old = good();
        old["iat"] = json!(-(23 * HOUR as i64));
        assert!(long_lived(&mut old), "issued 23 h before its exp");
        // No iat: exp - now.
        let mut no_iat = without("iat");
        no_iat["exp"] = json!(13 * HOUR);
        assert!(long_lived(&mut no_iat), "no iat, 13 h left");
        no_iat["exp"] = json!(HOUR);
        assert!(verdict(&host, no_iat).is_ok(), "no iat, an hour left");
        // An iat in the future does not stretch it.
        let mut future = good();
        future["iat"] = json!(364 * 24 * HOUR);
        future["exp"] = json!(365 * 24 * HOUR);
        assert!(long_lived(&mut future), "iat in the future");
        assert!(lifetime_within(NOW + 60, Some(NOW), NOW, 60));
        assert!(!lifetime_within(NOW + 61, None, NOW, 60));
    }
}
