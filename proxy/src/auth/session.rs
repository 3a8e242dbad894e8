//! The proxy's own session tokens, minted after company sign-in: HS256 JWTs under
//! `VS_SESSION_SECRET` (or a random key per process, so a restart signs everyone out and replicas
//! need the setting), header `kid: "vs-session"`, issuer and audience the proxy's own, `sub` the
//! identity provider's subject, valid `VS_SESSION_TTL_SECS` (at most an hour).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rand::RngCore;
use serde::{Deserialize, Serialize};

use super::{Agent, AgentMode, Refusal};
use crate::secret::Secret;

/// The header `kid` that marks the proxy's own tokens.
pub const SESSION_KID: &str = "vs-session";
/// `iss` and `aud` of the proxy's own tokens: they are for this proxy only.
const ISSUER: &str = "visitor-sidebar-proxy";

#[derive(Serialize, Deserialize)]
struct Claims {
    iss: String,
    aud: String,
    sub: String,
    /// The identity provider that signed the agent in.
    idp: String,
    iat: u64,
    exp: u64,
}

pub struct Sessions {
    encoding: EncodingKey,
    decoding: DecodingKey,
    ttl: Duration,
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs()
}

impl Sessions {
    pub fn new(secret: Option<&Secret>, ttl: Duration) -> Sessions {
        let key: Vec<u8> = match secret {
            Some(secret) => secret.expose().as_bytes().to_vec(),
            None => {
                let mut key = vec![0u8; 32];
                rand::rngs::OsRng.fill_bytes(&mut key);
                key
            }
        };
        Sessions {
            encoding: EncodingKey::from_secret(&key),
            decoding: DecodingKey::from_secret(&key),
            ttl,
        }
    }

    /// A token for `subject` signed in by `idp`, and when it expires (seconds since the epoch).
    pub fn mint(&self, subject: &str, idp: &str) -> (String, u64) {
        let iat = now_secs();
        let exp = iat + self.ttl.as_secs();
        let claims = Claims {
            iss: ISSUER.into(),
            aud: ISSUER.into(),
            sub: subject.into(),
            idp: idp.into(),
            iat,
            exp,
        };
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some(SESSION_KID.into());
        let token = jsonwebtoken::encode(&header, &claims, &self.encoding)
            .expect("HS256 signing cannot fail");
        (token, exp)
    }

    pub fn verify(&self, token: &str) -> Result<Agent, Refusal> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[ISSUER]);
        validation.leeway = 5;
        match jsonwebtoken::decode::<Claims>(token, &self.decoding, &validation) {
            Ok(data) => Ok(Agent {
                mode: AgentMode::Company,
                subject: data.claims.sub,
            }),
            Err(e) if matches!(e.kind(), ErrorKind::ExpiredSignature) => Err(Refusal::Expired),
            Err(_) => Err(Refusal::Invalid("The access token is not valid.")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minted_tokens_verify_here_only() {
        let sessions = Sessions::new(None, Duration::from_secs(3600));
        let (token, exp) = sessions.mint("agent-1", "https://idp.example.com");
        assert!(exp > now_secs() + 3590 && exp <= now_secs() + 3600);
        assert_eq!(
            sessions.verify(&token).unwrap(),
            Agent {
                mode: AgentMode::Company,
                subject: "agent-1".into()
            }
        );
        let header = jsonwebtoken::decode_header(&token).unwrap();
        assert_eq!(header.kid.as_deref(), Some(SESSION_KID));
        // Another process (another random key) does not accept it.
        let other = Sessions::new(None, Duration::from_secs(3600));
        assert!(other.verify(&token).is_err());
        // A shared secret makes replicas agree.
        let secret = Secret::new("a-session-secret-of-32-bytes-or-more!!");
        let a = Sessions::new(Some(&secret), Duration::from_secs(60));
        let b = Sessions::new(Some(&secret), Duration::from_secs(60));
        assert!(b.verify(&a.mint("x", "y").0).is_ok());
    }
}
