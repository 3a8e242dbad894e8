//! The simulator's sign-in services over HTTP: LiveChat's `/v2/info` (issued, expired, unknown
//! tokens, the failure setting, the counter) and its sign-in page for `@livechat/accounts-sdk`
//! (a token for the asking client, aimed at the redirect URI's origin; signed out; frames
//! blocked), the OIDC provider's strict checks (registered
//! redirect URIs, PKCE, single-use codes, client authentication, ID token with nonce) and the
//! host JWKS.

mod common;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use common::json_of;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::time::Duration;
use visitor_sidebar_sim::{Sim, SimConfig};

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

async fn info(sim: &Sim, token: &str) -> (u16, Value) {
    let r = client()
        .get(format!("{}/v2/info", sim.base_url()))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap())
}

#[tokio::test]
async fn accounts_info_answers_for_issued_tokens_only() {
    let sim = Sim::start(SimConfig::default()).await.unwrap();
    let token = sim.issue_livechat_token(sim.agent_grant());
    assert!(token.starts_with("dal:") && !token.contains('.'));
    let (status, body) = info(&sim, &token).await;
    assert_eq!(status, 200);
    assert_eq!(
        body["organization_id"],
        sim.credentials().lc_organization_id
    );
    assert_eq!(body["client_id"], sim.credentials().lc_client_id);
    let expires_in = body["expires_in"].as_u64().unwrap();
    assert!((8 * 3600 - 5..=8 * 3600).contains(&expires_in));
    assert!(body.get("access_token").is_none());

    let expired = sim.issue_livechat_token(visitor_sidebar_sim::AgentGrant {
        lifetime: Duration::ZERO,
        ..sim.agent_grant()
    });
    assert_eq!(info(&sim, &expired).await.0, 401);
    assert_eq!(info(&sim, "dal:never-issued").await.0, 401);

    sim.set_accounts_failure(Some(503));
    assert_eq!(info(&sim, &token).await.0, 503);
    sim.set_accounts_failure(None);
    assert_eq!(info(&sim, &token).await.0, 200);
    assert_eq!(sim.counters().lc_accounts_info, 5);
}

/// LiveChat's sign-in page for these query parameters: its status and the answers it carries
/// (`{target, popup, frame}`), read from its JSON block.
async fn livechat_page(sim: &Sim, params: &[(&str, &str)]) -> (u16, Value) {
    let url = reqwest::Url::parse_with_params(&format!("{}/", sim.base_url()), params).unwrap();
    let r = client().get(url).send().await.unwrap();
    let status = r.status().as_u16();
    let page = r.text().await.unwrap();
    let answers = page
        .split_once(r#"<script type="application/json" id="answers">"#)
        .and_then(|(_, rest)| rest.split_once("</script>"))
        .map(|(json, _)| serde_json::from_str(json).unwrap())
        .unwrap_or(Value::Null);
    (status, answers)
}

#[tokio::test]
async fn livechat_sign_in_page_offers_a_token_for_the_asking_client_to_the_redirect_origin() {
    let sim = Sim::start(SimConfig::default()).await.unwrap();
    let client_id = sim.credentials().lc_client_id.clone();
    let params = [
        ("client_id", client_id.as_str()),
        ("redirect_uri", "http://127.0.0.1:8080/sidebar/?ignored=1"),
        ("state", "s-1</script><script>alert(1)</script>"),
        ("response_type", "token"),
        ("flow", "button"),
    ];
    let (status, answers) = livechat_page(&sim, &params).await;
    assert_eq!(status, 200);
    assert_eq!(
        answers["target"], "http://127.0.0.1:8080",
        "the origin alone"
    );
    let data = &answers["popup"]["data"];
    assert_eq!(answers["frame"], answers["popup"], "frames may sign in");
    assert_eq!(
        data["state"], params[2].1,
        "the state comes back, escaped in the page"
    );
    assert_eq!(data["client_id"], client_id.as_str());
    let token = data["access_token"].as_str().unwrap();
    let (status, info_body) = info(&sim, token).await;
    assert_eq!(status, 200);
    assert_eq!(info_body["client_id"], client_id.as_str());
    let recorded = sim.livechat_authorizations();
    assert_eq!(recorded.len(), 1);
    assert_eq!(recorded[0].token.as_deref(), Some(token));
    assert_eq!(recorded[0].redirect_uri, params[1].1);

    // Another app's client gets a token of its own, which the proxy would refuse (403).
    let (_, other) = livechat_page(
        &sim,
        &[
            ("client_id", "another-app"),
            params[1],
            params[2],
            params[3],
        ],
    )
    .await;
    let other_token = other["popup"]["data"]["access_token"].as_str().unwrap();
    assert_eq!(info(&sim, other_token).await.1["client_id"], "another-app");

    sim.set_livechat_frames_blocked(true);
    let (_, blocked) = livechat_page(&sim, &params).await;
    assert_eq!(
        blocked["frame"],
        serde_json::json!({"error": {"identity_exception": "unauthorized"}})
    );
    assert!(blocked["popup"]["data"]["access_token"].is_string());

    sim.set_livechat_signed_out(true);
    let (_, signed_out) = livechat_page(&sim, &params).await;
    assert_eq!(signed_out["popup"], signed_out["frame"]);
    assert_eq!(
        signed_out["popup"]["error"]["identity_exception"],
        "unauthorized"
    );
    assert_eq!(sim.livechat_authorizations().last().unwrap().token, None);

    let (_, code) = livechat_page(&sim, &[params[0], params[1], ("response_type", "code")]).await;
    assert_eq!(
        code["popup"]["error"]["oauth_exception"],
        "unsupported_response_type"
    );
    let (status, nobody) =
        livechat_page(&sim, &[("client_id", "c"), ("response_type", "token")]).await;
    assert_eq!(
        (status, nobody),
        (400, Value::Null),
        "no redirect URI: nothing posted"
    );
}

fn pkce() -> (String, String) {
    let verifier = "a-verifier-of-at-least-forty-three-characters-0123456789";
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    (verifier.to_owned(), challenge)
}

/// `authorize`'s Location, parsed.
async fn authorize(sim: &Sim, params: &[(&str, &str)]) -> (u16, Option<reqwest::Url>) {
    let url = reqwest::Url::parse_with_params(&format!("{}/authorize", sim.oidc_issuer()), params)
        .unwrap();
    let r = client().get(url).send().await.unwrap();
    let location = r
        .headers()
        .get("location")
        .map(|l| reqwest::Url::parse(l.to_str().unwrap()).unwrap());
    (r.status().as_u16(), location)
}

fn query(url: &reqwest::Url, key: &str) -> Option<String> {
    url.query_pairs()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.into_owned())
}

async fn exchange(
    sim: &Sim,
    code: &str,
    redirect: &str,
    verifier: &str,
    secret: &str,
) -> (u16, Value) {
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", redirect),
        ("code_verifier", verifier),
    ];
    let r = client()
        .post(format!("{}/token", sim.oidc_issuer()))
        .basic_auth(&sim.credentials().oidc_client_id, Some(secret))
        .form(&form)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap())
}

#[tokio::test]
async fn oidc_code_flow_with_pkce() {
    let sim = Sim::start(SimConfig::default()).await.unwrap();
    let redirect = "http://127.0.0.1:9/api/auth/callback";
    let creds = sim.credentials().clone();
    let discovery: Value = json_of(client().get(format!(
        "{}/.well-known/openid-configuration",
        sim.oidc_issuer()
    )))
    .await;
    assert_eq!(discovery["issuer"], sim.oidc_issuer());
    let (verifier, challenge) = pkce();
    let good = [
        ("response_type", "code"),
        ("client_id", creds.oidc_client_id.as_str()),
        ("redirect_uri", redirect),
        ("scope", "openid"),
        ("state", "st-1"),
        ("nonce", "n-1"),
        ("code_challenge", challenge.as_str()),
        ("code_challenge_method", "S256"),
    ];
    assert_eq!(
        authorize(&sim, &good).await,
        (400, None),
        "unregistered redirect URI"
    );
    sim.register_oidc_redirect_uri(redirect);
    let (status, location) = authorize(&sim, &good).await;
    assert_eq!(status, 302);
    let location = location.unwrap();
    assert!(location.as_str().starts_with(redirect));
    assert_eq!(query(&location, "state").as_deref(), Some("st-1"));
    let code = query(&location, "code").unwrap();

    let secret = creds.oidc_client_secret.as_str();
    let (status, body) = exchange(&sim, &code, redirect, &verifier, "wrong").await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("invalid_client"))
    );
    let other = "another-verifier-of-forty-three-characters-xxxxxxx";
    let (status, body) = exchange(&sim, &code, redirect, other, secret).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant"))
    );
    // The failed exchange used the code up.
    let (status, _) = exchange(&sim, &code, redirect, &verifier, secret).await;
    assert_eq!(status, 400, "codes are single-use");

    let (_, location) = authorize(&sim, &good).await;
    let code = query(&location.unwrap(), "code").unwrap();
    let (status, body) = exchange(&sim, &code, redirect, &verifier, secret).await;
    assert_eq!(status, 200, "{body}");
    let jwks: jsonwebtoken::jwk::JwkSet =
        json_of(client().get(format!("{}/jwks", sim.oidc_issuer()))).await;
    let id_token = body["id_token"].as_str().unwrap();
    let kid = jsonwebtoken::decode_header(id_token).unwrap().kid.unwrap();
    let key = DecodingKey::from_jwk(jwks.find(&kid).unwrap()).unwrap();
    let mut validation = Validation::new(Algorithm::ES256);
    validation.set_audience(&[&creds.oidc_client_id]);
    validation.set_issuer(&[sim.oidc_issuer()]);
    let claims = jsonwebtoken::decode::<Value>(id_token, &key, &validation)
        .unwrap()
        .claims;
    assert_eq!(claims["nonce"], "n-1");
    assert_eq!(claims["sub"], "agent-0001");

    sim.set_oidc_user(None);
    let (_, location) = authorize(&sim, &good).await;
    assert_eq!(
        query(&location.unwrap(), "error").as_deref(),
        Some("access_denied")
    );
    let c = sim.counters();
    assert_eq!((c.oidc_discovery, c.oidc_jwks, c.oidc_token), (1, 1, 4));
}

#[tokio::test]
async fn host_jwks_verifies_host_tokens_and_rotates() {
    let sim = Sim::start(SimConfig::default()).await.unwrap();
    let fetch = || async {
        client()
            .get(sim.host_jwks_url())
            .send()
            .await
            .unwrap()
            .json::<jsonwebtoken::jwk::JwkSet>()
            .await
            .unwrap()
    };
    let jwks = fetch().await;
    assert_eq!(jwks.keys.len(), 2);
    for alg in [Algorithm::RS256, Algorithm::ES256] {
        let key = sim.host_key(alg);
        let token = key.sign(&serde_json::json!({"sub": "a", "exp": 4_000_000_000u64}));
        let jwk = jwks.find(key.kid()).unwrap();
        let mut validation = Validation::new(alg);
        validation.validate_aud = false;
        jsonwebtoken::decode::<Value>(&token, &DecodingKey::from_jwk(jwk).unwrap(), &validation)
            .unwrap();
    }
    let rotated = sim.add_host_key("host-ec-2");
    assert!(fetch().await.find(rotated.kid()).is_some());
    assert_eq!(sim.counters().host_jwks, 2);
}
