//! Host-minted JWTs (custom consoles that sign their agents' tokens): HS256 with
//! `VS_JWT_SECRET`, or RS256/ES256 with a key from `VS_JWKS_URL`. The algorithm in the token's
//! header only chooses among the keys configured for it — an HS256 token is checked against the
//! shared secret and nothing else, an RS256 token against the JWKS's RSA keys and nothing else —
//! so neither `alg: none` nor an HS256 token "signed" with the RSA public key gets through.
//! `exp` is required (5 s leeway), `nbf` honoured, `aud` and `iss` checked when configured.

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
    #[serde(default)]
    sub: Option<String>,
}

pub struct HostJwt {
    hs256: Option<DecodingKey>,
    jwks: Option<Jwks>,
    audience: Option<String>,
    issuer: Option<String>,
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
        })
    }

    fn validation(&self, alg: Algorithm) -> Validation {
        let mut validation = Validation::new(alg);
        // Exactly the header's algorithm, already matched to the key's family above.
        validation.algorithms = vec![alg];
        validation.set_required_spec_claims(&["exp"]);
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
        match jsonwebtoken::decode::<Claims>(token, &key, &self.validation(header.alg)) {
            Ok(data) => Ok(Agent {
                mode: AgentMode::HostJwt,
                subject: data.claims.sub.unwrap_or_default(),
            }),
            Err(e) if matches!(e.kind(), ErrorKind::ExpiredSignature) => Err(Refusal::Expired),
            Err(_) => Err(INVALID),
        }
    }
}
