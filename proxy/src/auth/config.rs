//! The sign-in settings: whether anonymous callers pass, the static access tokens, host JWTs
//! (the HS256 secret, audience, issuer, JWKS URL), LiveChat agent tokens, company sign-in (OIDC)
//! and the proxy's own session tokens. Checked at start like every other key.

use std::time::Duration;

use crate::secret::Secret;
use crate::settings::{err, list, number, ConfigError, RawConfig};
use crate::urls::{base_url, check_origin, endpoint_url};

pub const DEFAULT_LIVECHAT_ACCOUNTS_URL: &str = "https://accounts.livechat.com";
/// Minted session tokens live at most an hour: a stolen one is worth little for long.
pub const MAX_SESSION_TTL_SECS: u64 = 3600;
pub const MIN_SESSION_TTL_SECS: u64 = 60;
/// Host JWTs live at most this long by default (`VS_JWT_MAX_LIFETIME_SECS`): an agent's shift.
pub const DEFAULT_JWT_MAX_LIFETIME_SECS: u64 = 12 * 3600;
/// The longest `VS_JWT_MAX_LIFETIME_SECS` may be: a week.
pub const MAX_JWT_MAX_LIFETIME_SECS: u64 = 7 * 24 * 3600;

/// Host-minted JWTs beyond the HS256 secret.
#[derive(Clone, Debug)]
pub struct JwtSettings {
    /// `VS_JWT_AUDIENCE`: the `aud` a token must carry (one of, when it is a list).
    pub audience: Option<String>,
    /// `VS_JWT_ISSUER`: the `iss` a token must carry.
    pub issuer: Option<String>,
    /// `VS_JWKS_URL`: where the host publishes its RS256/ES256 public keys.
    pub jwks_url: Option<String>,
    /// `VS_JWT_MAX_LIFETIME_SECS`: the longest a token may be valid (`exp - iat`, `exp - now`).
    pub max_lifetime: Duration,
}

impl Default for JwtSettings {
    fn default() -> Self {
        JwtSettings {
            audience: None,
            issuer: None,
            jwks_url: None,
            max_lifetime: Duration::from_secs(DEFAULT_JWT_MAX_LIFETIME_SECS),
        }
    }
}

/// LiveChat agents' own access tokens.
#[derive(Clone, Debug)]
pub struct LiveChatSignIn {
    pub accounts_url: String,
    pub client_id: String,
    pub organization_id: String,
}

/// Company sign-in with OpenID Connect.
#[derive(Clone, Debug)]
pub struct OidcSettings {
    pub issuer: String,
    pub client_id: String,
    /// `None`: a public client (PKCE only).
    pub client_secret: Option<Secret>,
}

#[derive(Clone, Debug, Default)]
pub struct AuthConfig {
    /// `VS_ALLOW_ANONYMOUS`: callers without a credential pass (loopback only).
    pub allow_anonymous: bool,
    /// `VS_ACCESS_TOKENS`: static agent tokens (at least 16 visible ASCII characters each).
    pub access_tokens: Vec<Secret>,
    /// `VS_JWT_SECRET`: the HS256 key of host-minted JWTs (at least 32 bytes).
    pub jwt_secret: Option<Secret>,
    pub jwt: JwtSettings,
    pub livechat: Option<LiveChatSignIn>,
    pub oidc: Option<OidcSettings>,
    /// `VS_PUBLIC_URL`: the proxy's address as browsers reach it (`https://sidebar.example.com`,
    /// perhaps with a path prefix), for the OIDC redirect URI and as an allowed token origin.
    pub public_url: Option<String>,
    /// `VS_SESSION_SECRET`: the key of the proxy's own session tokens (random per process when
    /// unset, so replicas must share one).
    pub session_secret: Option<Secret>,
    pub session_ttl: Duration,
}

fn flag(value: Option<&str>, key: &str) -> Result<bool, ConfigError> {
    match value.map(str::to_ascii_lowercase).as_deref() {
        None | Some("false") => Ok(false),
        Some("true") => Ok(true),
        Some(other) => Err(err(key, format!("'{other}' is not true or false"))),
    }
}

impl AuthConfig {
    pub fn from_raw(raw: &RawConfig) -> Result<AuthConfig, ConfigError> {
        let get = |env: &str| raw.value(env);
        let access_tokens: Vec<Secret> = list(get("VS_ACCESS_TOKENS"))
            .into_iter()
            .map(|t| {
                if t.len() < 16 {
                    Err(err(
                        "VS_ACCESS_TOKENS",
                        "each token must be at least 16 characters",
                    ))
                } else if !t.bytes().all(|b| b.is_ascii_graphic()) {
                    Err(err(
                        "VS_ACCESS_TOKENS",
                        "tokens may contain only visible ASCII characters",
                    ))
                } else {
                    Ok(Secret::new(t))
                }
            })
            .collect::<Result<_, _>>()?;
        let jwt_secret = match get("VS_JWT_SECRET") {
            Some(s) if s.len() < 32 => {
                return Err(err("VS_JWT_SECRET", "must be at least 32 bytes for HS256"))
            }
            other => other.map(Secret::new),
        };
        let allow_anonymous = flag(get("VS_ALLOW_ANONYMOUS"), "VS_ALLOW_ANONYMOUS")?;

        let jwks_url = get("VS_JWKS_URL")
            .map(|u| endpoint_url(u).map_err(|m| err("VS_JWKS_URL", m)))
            .transpose()?;
        let max_lifetime = number(
            get("VS_JWT_MAX_LIFETIME_SECS"),
            "VS_JWT_MAX_LIFETIME_SECS",
            DEFAULT_JWT_MAX_LIFETIME_SECS,
        )?;
        if !(60..=MAX_JWT_MAX_LIFETIME_SECS).contains(&max_lifetime) {
            return Err(err(
                "VS_JWT_MAX_LIFETIME_SECS",
                format!("must be from 60 to {MAX_JWT_MAX_LIFETIME_SECS} seconds"),
            ));
        }
        let jwt = JwtSettings {
            audience: get("VS_JWT_AUDIENCE").map(str::to_owned),
            issuer: get("VS_JWT_ISSUER").map(str::to_owned),
            jwks_url,
            max_lifetime: Duration::from_secs(max_lifetime),
        };
        if jwt_secret.is_some() && jwt.audience.is_none() {
            // A shared secret is often the identity provider's or another app's too: a token
            // minted for anything else with the same key must not let its holder in.
            return Err(err(
                "VS_JWT_AUDIENCE",
                "is required with VS_JWT_SECRET: tokens must name this sidebar as their audience",
            ));
        }
        if jwt.jwks_url.is_some() {
            // A JWKS is often an identity provider's, shared by every app it signs for: without
            // both checks any token it ever issued, for any app, would let its holder in.
            for key in ["VS_JWT_AUDIENCE", "VS_JWT_ISSUER"] {
                if get(key).is_none() {
                    return Err(err(key, "is required with VS_JWKS_URL"));
                }
            }
        } else if jwt_secret.is_none() {
            for key in ["VS_JWT_AUDIENCE", "VS_JWT_ISSUER"] {
                if get(key).is_some() {
                    return Err(err(
                        key,
                        "is set, but no JWT is accepted: set VS_JWT_SECRET or VS_JWKS_URL",
                    ));
                }
            }
        }

        let livechat = match (get("LIVECHAT_CLIENT_ID"), get("LIVECHAT_ORGANIZATION_ID")) {
            (Some(client_id), Some(organization_id)) => Some(LiveChatSignIn {
                accounts_url: base_url(
                    get("LIVECHAT_ACCOUNTS_URL").unwrap_or(DEFAULT_LIVECHAT_ACCOUNTS_URL),
                )
                .map_err(|m| err("LIVECHAT_ACCOUNTS_URL", m))?,
                client_id: client_id.to_owned(),
                organization_id: organization_id.to_owned(),
            }),
            (None, None) => {
                if get("LIVECHAT_ACCOUNTS_URL").is_some() {
                    return Err(err(
                        "LIVECHAT_CLIENT_ID",
                        "is required with LIVECHAT_ACCOUNTS_URL",
                    ));
                }
                None
            }
            (Some(_), None) => return Err(err(
                "LIVECHAT_ORGANIZATION_ID",
                "is required with LIVECHAT_CLIENT_ID: tokens are accepted from one organization",
            )),
            (None, Some(_)) => {
                return Err(err(
                    "LIVECHAT_CLIENT_ID",
                    "is required with LIVECHAT_ORGANIZATION_ID",
                ))
            }
        };

        let public_url = get("VS_PUBLIC_URL")
            .map(|u| endpoint_url(u).map_err(|m| err("VS_PUBLIC_URL", m)))
            .transpose()?;
        if let Some(url) = &public_url {
            if url.contains('?') || url.contains('#') {
                return Err(err("VS_PUBLIC_URL", "must not carry a query or fragment"));
            }
        }
        let oidc = match (get("VS_OIDC_ISSUER"), get("VS_OIDC_CLIENT_ID")) {
            (Some(issuer), Some(client_id)) => {
                if public_url.is_none() {
                    return Err(err(
                        "VS_PUBLIC_URL",
                        "is required with VS_OIDC_ISSUER (the redirect URI is VS_PUBLIC_URL/api/auth/callback)",
                    ));
                }
                Some(OidcSettings {
                    issuer: endpoint_url(issuer).map_err(|m| err("VS_OIDC_ISSUER", m))?,
                    client_id: client_id.to_owned(),
                    client_secret: get("VS_OIDC_CLIENT_SECRET").map(Secret::new),
                })
            }
            (None, None) => {
                if get("VS_OIDC_CLIENT_SECRET").is_some() {
                    return Err(err(
                        "VS_OIDC_ISSUER",
                        "is required with VS_OIDC_CLIENT_SECRET",
                    ));
                }
                None
            }
            (Some(_), None) => {
                return Err(err("VS_OIDC_CLIENT_ID", "is required with VS_OIDC_ISSUER"))
            }
            (None, Some(_)) => {
                return Err(err("VS_OIDC_ISSUER", "is required with VS_OIDC_CLIENT_ID"))
            }
        };

        let session_secret = match get("VS_SESSION_SECRET") {
            Some(s) if s.len() < 32 => {
                return Err(err("VS_SESSION_SECRET", "must be at least 32 bytes"))
            }
            other => other.map(Secret::new),
        };
        let ttl = number(
            get("VS_SESSION_TTL_SECS"),
            "VS_SESSION_TTL_SECS",
            MAX_SESSION_TTL_SECS,
        )?;
        if !(MIN_SESSION_TTL_SECS..=MAX_SESSION_TTL_SECS).contains(&ttl) {
            return Err(err(
                "VS_SESSION_TTL_SECS",
                format!("must be from {MIN_SESSION_TTL_SECS} to {MAX_SESSION_TTL_SECS} seconds"),
            ));
        }
        Ok(AuthConfig {
            allow_anonymous,
            access_tokens,
            jwt_secret,
            jwt,
            livechat,
            oidc,
            public_url,
            session_secret,
            session_ttl: Duration::from_secs(ttl),
        })
    }

    /// Whether any way of signing agents in is configured.
    pub fn access_control(&self) -> bool {
        !self.access_tokens.is_empty()
            || self.jwt_secret.is_some()
            || self.jwt.jwks_url.is_some()
            || self.livechat.is_some()
            || self.oidc.is_some()
    }

    /// The origin of `VS_PUBLIC_URL`, where the proxy's own pages are served from.
    pub fn public_origin(&self) -> Option<String> {
        let url = reqwest::Url::parse(self.public_url.as_deref()?).ok()?;
        check_origin(&url.origin().ascii_serialization()).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error_key(pairs: &[(&str, &str)]) -> String {
        AuthConfig::from_raw(&RawConfig::from_pairs(pairs))
            .unwrap_err()
            .key
    }

    const OIDC: [(&str, &str); 3] = [
        ("VS_OIDC_ISSUER", "https://idp.example.com/realms/agents"),
        ("VS_OIDC_CLIENT_ID", "sidebar"),
        ("VS_PUBLIC_URL", "https://sidebar.example.com/"),
    ];

    #[test]
    fn closed_by_default_and_every_mode_from_its_keys() {
        let c = AuthConfig::from_raw(&RawConfig::default()).unwrap();
        assert!(!c.allow_anonymous && !c.access_control());
        let mut pairs = OIDC.to_vec();
        pairs.extend([
            ("VS_ALLOW_ANONYMOUS", "TRUE"),
            ("LIVECHAT_CLIENT_ID", "client"),
            ("LIVECHAT_ORGANIZATION_ID", "org"),
            (
                "VS_JWKS_URL",
                "https://console.example.com/.well-known/jwks.json",
            ),
            ("VS_JWT_AUDIENCE", "visitor-sidebar"),
            ("VS_JWT_ISSUER", "https://console.example.com"),
            ("VS_SESSION_TTL_SECS", "900"),
        ]);
        let c = AuthConfig::from_raw(&RawConfig::from_pairs(&pairs)).unwrap();
        assert!(c.allow_anonymous && c.access_control());
        let lc = c.livechat.as_ref().unwrap();
        assert_eq!(lc.accounts_url, DEFAULT_LIVECHAT_ACCOUNTS_URL);
        assert_eq!(c.public_url.as_deref(), Some("https://sidebar.example.com"));
        assert_eq!(
            c.public_origin().as_deref(),
            Some("https://sidebar.example.com")
        );
        assert_eq!(
            c.oidc.unwrap().issuer,
            "https://idp.example.com/realms/agents"
        );
        assert_eq!(c.session_ttl, Duration::from_secs(900));
    }

    #[test]
    fn each_bad_sign_in_setting_names_its_key() {
        let cases: &[(&[(&str, &str)], &str)] = &[
            (&[("VS_ALLOW_ANONYMOUS", "yes")], "VS_ALLOW_ANONYMOUS"),
            (
                &[("VS_JWKS_URL", "https://x.example/jwks")],
                "VS_JWT_AUDIENCE",
            ),
            (
                &[
                    ("VS_JWKS_URL", "https://x.example/jwks"),
                    ("VS_JWT_AUDIENCE", "a"),
                ],
                "VS_JWT_ISSUER",
            ),
            (&[("VS_JWKS_URL", "http://x.example/jwks")], "VS_JWKS_URL"),
            (&[("VS_JWT_AUDIENCE", "a")], "VS_JWT_AUDIENCE"),
            (
                &[("VS_JWT_SECRET", "a-host-hs256-secret-of-32-bytes-or-more")],
                "VS_JWT_AUDIENCE",
            ),
            (
                &[
                    ("VS_JWT_SECRET", "a-host-hs256-secret-of-32-bytes-or-more"),
                    ("VS_JWT_AUDIENCE", "a"),
                    ("VS_JWT_MAX_LIFETIME_SECS", "10"),
                ],
                "VS_JWT_MAX_LIFETIME_SECS",
            ),
            (&[("LIVECHAT_CLIENT_ID", "c")], "LIVECHAT_ORGANIZATION_ID"),
            (&[("LIVECHAT_ORGANIZATION_ID", "o")], "LIVECHAT_CLIENT_ID"),
            (
                &[("LIVECHAT_ACCOUNTS_URL", "https://a.example")],
                "LIVECHAT_CLIENT_ID",
            ),
            (
                &[
                    ("LIVECHAT_CLIENT_ID", "c"),
                    ("LIVECHAT_ORGANIZATION_ID", "o"),
                    ("LIVECHAT_ACCOUNTS_URL", "http://accounts.example"),
                ],
                "LIVECHAT_ACCOUNTS_URL",
            ),
            (&OIDC[..2], "VS_PUBLIC_URL"),
            (
                &[("VS_OIDC_ISSUER", "https://idp.example")],
                "VS_OIDC_CLIENT_ID",
            ),
            (&[("VS_OIDC_CLIENT_SECRET", "s")], "VS_OIDC_ISSUER"),
            (
                &[("VS_PUBLIC_URL", "https://s.example/?x=1")],
                "VS_PUBLIC_URL",
            ),
            (&[("VS_SESSION_SECRET", "short")], "VS_SESSION_SECRET"),
            (&[("VS_SESSION_TTL_SECS", "7200")], "VS_SESSION_TTL_SECS"),
            (&[("VS_SESSION_TTL_SECS", "10")], "VS_SESSION_TTL_SECS"),
        ];
        for (pairs, key) in cases {
            assert_eq!(error_key(pairs), *key, "{pairs:?}");
        }
        let mut oidc_bad_issuer = OIDC.to_vec();
        oidc_bad_issuer[0].1 = "http://idp.example.com";
        assert_eq!(error_key(&oidc_bad_issuer), "VS_OIDC_ISSUER");
    }
}
