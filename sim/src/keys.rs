//! Signing keys the simulator plays with: ES256 keys generated at start (ring) and the fixed
//! RS256 test key (`fixtures/test-keys/host-rs256.pem`), each able to sign a JWT and to show its
//! public half as a JWK. Used by the OIDC provider (ID tokens) and by the "host" JWKS that stands
//! in for a custom console's own token issuer.

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use ring::rand::SystemRandom;
use ring::signature::{EcdsaKeyPair, KeyPair, RsaKeyPair, ECDSA_P256_SHA256_FIXED_SIGNING};
use serde_json::{json, Value};

/// The fixed RSA test key: RSA keys take seconds to generate in a debug build.
const RSA_TEST_KEY_PEM: &str = include_str!("../../fixtures/test-keys/host-rs256.pem");

/// A private signing key with its key ID.
#[derive(Clone)]
pub struct SigningKey {
    kid: String,
    alg: Algorithm,
    encoding: EncodingKey,
    jwk: Value,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The private half stays out of debug output.
        f.debug_struct("SigningKey")
            .field("kid", &self.kid)
            .field("alg", &self.alg)
            .finish()
    }
}

impl SigningKey {
    /// A fresh ECDSA P-256 key (ES256).
    pub fn generate_es256(kid: &str) -> SigningKey {
        let rng = SystemRandom::new();
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng)
            .expect("the system's random source works");
        let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref(), &rng)
            .expect("a key ring just made");
        // An uncompressed point: 0x04, then X and Y, 32 bytes each.
        let point = pair.public_key().as_ref();
        let jwk = json!({
            "kty": "EC", "crv": "P-256", "use": "sig", "alg": "ES256", "kid": kid,
            "x": URL_SAFE_NO_PAD.encode(&point[1..33]),
            "y": URL_SAFE_NO_PAD.encode(&point[33..65]),
        });
        SigningKey {
            kid: kid.to_owned(),
            alg: Algorithm::ES256,
            encoding: EncodingKey::from_ec_der(pkcs8.as_ref()),
            jwk,
        }
    }

    /// The fixed RSA test key (RS256).
    pub fn rsa_test_key(kid: &str) -> SigningKey {
        let body: String = RSA_TEST_KEY_PEM
            .lines()
            .filter(|l| !l.starts_with("-----"))
            .collect();
        let der = STANDARD.decode(body).expect("the fixture is base64 PEM");
        let pair = RsaKeyPair::from_der(&der).expect("the fixture is a PKCS#1 RSA key");
        let components: ring::rsa::PublicKeyComponents<Vec<u8>> = pair.public().into();
        let jwk = json!({
            "kty": "RSA", "use": "sig", "alg": "RS256", "kid": kid,
            "n": URL_SAFE_NO_PAD.encode(&components.n),
            "e": URL_SAFE_NO_PAD.encode(&components.e),
        });
        SigningKey {
            kid: kid.to_owned(),
            alg: Algorithm::RS256,
            encoding: EncodingKey::from_rsa_der(&der),
            jwk,
        }
    }

    pub fn kid(&self) -> &str {
        &self.kid
    }

    pub fn alg(&self) -> Algorithm {
        self.alg
    }

    /// The public key as a JWK (`kty`, `kid`, `alg`, `use` and the key's numbers).
    pub fn jwk(&self) -> Value {
        self.jwk.clone()
    }

    /// A compact JWS of `claims`, with this key's `alg` and `kid` in the header.
    pub fn sign(&self, claims: &Value) -> String {
        let mut header = Header::new(self.alg);
        header.kid = Some(self.kid.clone());
        jsonwebtoken::encode(&header, claims, &self.encoding).expect("signing with a valid key")
    }

    /// [`sign`](Self::sign) with another `kid` in the header (for unknown-key tests).
    pub fn sign_as(&self, kid: &str, claims: &Value) -> String {
        let mut header = Header::new(self.alg);
        header.kid = Some(kid.to_owned());
        jsonwebtoken::encode(&header, claims, &self.encoding).expect("signing with a valid key")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jsonwebtoken::{DecodingKey, Validation};

    fn verify(key: &SigningKey, token: &str) -> Value {
        let jwk: jsonwebtoken::jwk::Jwk = serde_json::from_value(key.jwk()).unwrap();
        let mut validation = Validation::new(key.alg());
        validation.required_spec_claims.clear();
        validation.validate_exp = false;
        validation.validate_aud = false;
        jsonwebtoken::decode::<Value>(token, &DecodingKey::from_jwk(&jwk).unwrap(), &validation)
            .unwrap()
            .claims
    }

    #[test]
    fn each_key_verifies_with_its_own_jwk() {
        for key in [
            SigningKey::generate_es256("ec"),
            SigningKey::rsa_test_key("rsa"),
        ] {
            let token = key.sign(&json!({"sub": "a"}));
            assert_eq!(verify(&key, &token)["sub"], "a");
            let header = jsonwebtoken::decode_header(&token).unwrap();
            assert_eq!(header.kid.as_deref(), Some(key.kid()));
        }
    }

    #[test]
    fn debug_output_has_no_key_material() {
        let key = SigningKey::generate_es256("ec");
        assert_eq!(format!("{key:?}"), "SigningKey { kid: \"ec\", alg: ES256 }");
    }
}
