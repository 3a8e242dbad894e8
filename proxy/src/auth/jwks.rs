//! A JWKS kept in memory: fetched through the upstream client on first use, refetched when an
//! hour old, and refreshed early when a token names a key ID it does not hold (the host rotated
//! its keys) — but such early refreshes happen at most once per [`KID_REFRESH_FLOOR`], so a flood
//! of tokens with made-up key IDs cannot turn into a flood of requests to the JWKS host.
//!
//! Only signature keys the proxy can use are kept: RSA (RS256) and EC P-256 (ES256). Symmetric
//! (`oct`) keys are dropped, so a published JWKS can never make the proxy accept HMAC tokens.

use std::sync::RwLock;
use std::time::{Duration, Instant};

use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, Jwk, KeyAlgorithm, PublicKeyUse};
use jsonwebtoken::{Algorithm, DecodingKey};
use serde::Deserialize;

use super::Refusal;
use crate::metrics::{Operation, Provider};
use crate::upstream::{Call, Upstream};

/// How long fetched keys are used before they are fetched again.
const MAX_AGE: Duration = Duration::from_secs(3600);
/// At most one refresh for an unknown key ID per this long.
pub const KID_REFRESH_FLOOR: Duration = Duration::from_secs(30);
/// After a failed fetch, the next try waits this long (tokens are refused meanwhile).
const FAILURE_FLOOR: Duration = Duration::from_secs(5);
const WHO: &str = "The JWKS host";

/// One usable key.
#[derive(Clone)]
struct Key {
    kid: Option<String>,
    alg: Algorithm,
    key: DecodingKey,
}

#[derive(Default)]
struct Keys {
    keys: Vec<Key>,
    fetched: Option<Instant>,
    /// The last refresh caused by an unknown key ID.
    kid_refresh: Option<Instant>,
    last_failure: Option<Instant>,
    /// Bumped by every fetch, so a waiter can tell that another fetch happened meanwhile.
    generation: u64,
}

impl Keys {
    fn find(&self, kid: Option<&str>, alg: Algorithm) -> Option<DecodingKey> {
        let mut fitting = self.keys.iter().filter(|k| k.alg == alg);
        match kid {
            Some(kid) => fitting
                .find(|k| k.kid.as_deref() == Some(kid))
                .map(|k| k.key.clone()),
            // Without a key ID, only an unambiguous key will do.
            None => {
                let first = fitting.next()?;
                fitting.next().is_none().then(|| first.key.clone())
            }
        }
    }
}

pub struct Jwks {
    url: String,
    upstream: Upstream,
    keys: RwLock<Keys>,
    /// One fetch at a time; the others wait for its result.
    fetching: tokio::sync::Mutex<()>,
}

#[derive(Deserialize)]
struct Document {
    keys: Vec<serde_json::Value>,
}

/// The usable keys of a JWKS document; others (unknown types, encryption keys, `oct`) skipped
/// one by one rather than failing the whole set.
fn usable_keys(document: Document) -> Vec<Key> {
    document
        .keys
        .into_iter()
        .filter_map(|value| serde_json::from_value::<Jwk>(value).ok())
        .filter(|jwk| {
            !matches!(
                jwk.common.public_key_use,
                Some(PublicKeyUse::Encryption) | Some(PublicKeyUse::Other(_))
            )
        })
        .filter_map(|jwk| {
            let alg = match &jwk.algorithm {
                AlgorithmParameters::RSA(_) => Algorithm::RS256,
                AlgorithmParameters::EllipticCurve(ec) if ec.curve == EllipticCurve::P256 => {
                    Algorithm::ES256
                }
                _ => return None,
            };
            // A key that names another algorithm is kept for that one only: none we accept.
            let named = jwk.common.key_algorithm;
            let agrees = match named {
                None => true,
                Some(KeyAlgorithm::RS256) => alg == Algorithm::RS256,
                Some(KeyAlgorithm::ES256) => alg == Algorithm::ES256,
                Some(_) => false,
            };
            if !agrees {
                return None;
            }
            let key = DecodingKey::from_jwk(&jwk).ok()?;
            Some(Key {
                kid: jwk.common.key_id.clone(),
                alg,
                key,
            })
        })
        .collect()
}

impl Jwks {
    pub fn new(url: String, upstream: Upstream) -> Jwks {
        Jwks {
            url,
            upstream,
            keys: RwLock::new(Keys::default()),
            fetching: tokio::sync::Mutex::new(()),
        }
    }

    /// The key for a token's `kid` and algorithm (RS256 or ES256).
    pub async fn key(&self, kid: Option<&str>, alg: Algorithm) -> Result<DecodingKey, Refusal> {
        let (generation, fresh, found, may_refresh_kid) = {
            let keys = self.keys.read().unwrap();
            let fresh = keys.fetched.is_some_and(|at| at.elapsed() < MAX_AGE);
            let may_refresh_kid = keys
                .kid_refresh
                .is_none_or(|at| at.elapsed() >= KID_REFRESH_FLOOR);
            (keys.generation, fresh, keys.find(kid, alg), may_refresh_kid)
        };
        match (fresh, found) {
            (true, Some(key)) => return Ok(key),
            (true, None) if !may_refresh_kid => {
                return Err(Refusal::Invalid(
                    "The access token's signing key is not known.",
                ))
            }
            _ => {}
        }
        let unknown_kid = fresh;
        let _fetching = self.fetching.lock().await;
        {
            // Another request may have fetched while this one waited: use its result.
            let keys = self.keys.read().unwrap();
            if keys.generation != generation {
                return keys.find(kid, alg).ok_or(Refusal::Invalid(
                    "The access token's signing key is not known.",
                ));
            }
            if keys
                .last_failure
                .is_some_and(|at| at.elapsed() < FAILURE_FLOOR)
            {
                return keys.find(kid, alg).ok_or(Refusal::Unavailable(
                    "The service that publishes the sign-in keys is not answering.",
                ));
            }
        }
        let fetched = self.fetch().await;
        let mut keys = self.keys.write().unwrap();
        keys.generation += 1;
        if unknown_kid {
            keys.kid_refresh = Some(Instant::now());
        }
        match fetched {
            Ok(new_keys) => {
                keys.keys = new_keys;
                keys.fetched = Some(Instant::now());
                keys.last_failure = None;
                keys.find(kid, alg).ok_or(Refusal::Invalid(
                    "The access token's signing key is not known.",
                ))
            }
            // Stale keys are better than none while the host is down; no keys, no pass.
            Err(why) => {
                tracing::warn!(url = %self.url, why, "fetching the JWKS failed");
                keys.last_failure = Some(Instant::now());
                keys.find(kid, alg).ok_or(Refusal::Unavailable(
                    "The service that publishes the sign-in keys is not answering.",
                ))
            }
        }
    }

    async fn fetch(&self) -> Result<Vec<Key>, String> {
        let answer = self
            .upstream
            .send(
                self.upstream.client.get(&self.url),
                Call::new(WHO, Provider::host_jwks, Operation::jwks),
            )
            .await
            .map_err(|e| e.to_string())?;
        if !answer.status.is_success() {
            return Err(format!("status {}", answer.status.as_u16()));
        }
        let document: Document =
            serde_json::from_slice(&answer.body).map_err(|e| format!("not a JWKS: {e}"))?;
        Ok(usable_keys(document))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn only_rsa_and_p256_signature_keys_are_kept() {
        let document: Document = serde_json::from_value(json!({"keys": [
            {"kty": "oct", "k": "c2VjcmV0", "kid": "hmac"},
            {"kty": "EC", "crv": "P-384", "kid": "p384",
             "x": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
             "y": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"},
            {"kty": "RSA", "use": "enc", "kid": "enc", "n": "AQAB", "e": "AQAB"},
            {"kty": "RSA", "alg": "PS256", "kid": "pss", "n": "AQAB", "e": "AQAB"},
            {"kty": "RSA", "kid": "rsa", "n": "AQAB", "e": "AQAB"},
            {"kty": "OKP", "crv": "Ed25519", "kid": "ed", "x": "AAAA"},
            {"no": "kty"},
        ]}))
        .unwrap();
        let keys = usable_keys(document);
        let kids: Vec<_> = keys.iter().map(|k| k.kid.as_deref().unwrap()).collect();
        assert_eq!(kids, ["rsa"]);
        assert_eq!(keys[0].alg, Algorithm::RS256);
    }
}
