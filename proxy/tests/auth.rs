//! Agents sign in: every visitor route refuses callers without an agent credential, and each of
//! the three ways of being an agent works and fails as it must — host-minted JWTs (HS256 and
//! RS256/ES256 from a JWKS; expired, forged, wrong audience or issuer, `alg: none`, HS/RS
//! confusion, unknown key IDs), LiveChat agents' tokens (other organization or client, expired,
//! accounts server down or unreachable, one check per cache window), and company sign-in (the
//! OIDC popup flow driven by a plain HTTP client against the simulator's provider).
//!
//! Most tests run the demo with `VS_ALLOW_ANONYMOUS=false`, which wires every sign-in mode to the
//! simulator and binds before configuring, so the OIDC redirect URI is the real address.

mod common;

use std::time::{SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{json, Value};
use visitor_sidebar_proxy::demo::{DEMO_JWT_AUDIENCE, DEMO_JWT_ISSUER};
use visitor_sidebar_proxy::{start_demo_with, DemoServer, RawConfig};
use visitor_sidebar_sim::{AgentGrant, OidcUser, SigningKey};

use common::{error_code, SEED_LC_VISITOR_ID, SEED_LP_SID, SEED_LP_VISITOR_ID};

const HS256_SECRET: &str = "a-host-hs256-secret-of-32-bytes-or-more";
/// The origin the demo allows besides its own (the widget's development server).
const WIDGET_ORIGIN: &str = "http://127.0.0.1:8080";
const RSA_PUBLIC_PEM: &str = include_str!("../../fixtures/test-keys/host-rs256.pub.pem");
/// The nonce a widget sends with its popup (fresh and random in the widget).
const WIDGET_NONCE: &str = "5f0c2b9e8a7d41c3b6e2f19a0d4c7e85";

async fn demo(extra: &[(&str, &str)]) -> DemoServer {
    let mut raw = RawConfig::default();
    raw.set("VS_ALLOW_ANONYMOUS", "false");
    raw.set("VS_RATE_LIMIT_PER_SEC", "0");
    for (k, v) in extra {
        assert!(raw.set(k, *v), "{k}");
    }
    start_demo_with(raw, "127.0.0.1:0".parse().unwrap(), None, None)
        .await
        .unwrap()
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// Claims a demo host token needs, expiring in `ttl` seconds (negative: already expired).
fn claims(ttl: i64) -> Value {
    json!({
        "sub": "agent-7",
        "aud": DEMO_JWT_AUDIENCE,
        "iss": DEMO_JWT_ISSUER,
        "exp": (now() as i64 + ttl) as u64,
        "iat": now(),
    })
}

fn seed_visit() -> String {
    format!("/api/liveperson/visitors/{SEED_LP_VISITOR_ID}/visit?sid={SEED_LP_SID}")
}

/// GET with an optional bearer token: status, `WWW-Authenticate`, JSON body.
async fn get(demo: &DemoServer, path: &str, token: Option<&str>) -> (u16, String, Value) {
    let mut request = client().get(format!("{}{path}", demo.url()));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let r = request.send().await.unwrap();
    let status = r.status().as_u16();
    let challenge = r
        .headers()
        .get("www-authenticate")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, challenge, r.json().await.unwrap_or(Value::Null))
}

async fn status(demo: &DemoServer, token: &str) -> (u16, String) {
    let (status, _, body) = get(demo, &seed_visit(), Some(token)).await;
    (status, error_code(&body).to_owned())
}

#[tokio::test(flavor = "multi_thread")]
async fn every_visitor_route_needs_an_agent() {
    let demo = demo(&[]).await;
    demo.sim.reset_counters();
    for path in [
        seed_visit(),
        "/api/livechat/visitors".into(),
        format!("/api/livechat/visitors/{SEED_LC_VISITOR_ID}"),
        "/api/demo/chats".into(),
    ] {
        let (status, challenge, body) = get(&demo, &path, None).await;
        assert_eq!((status, error_code(&body)), (401, "unauthorized"), "{path}");
        assert_eq!(challenge, r#"Bearer realm="visitor-sidebar""#, "{path}");
    }
    let r = client()
        .post(format!(
            "{}/api/livechat/visitors/{SEED_LC_VISITOR_ID}/details",
            demo.url()
        ))
        .json(&json!({"id": "my-app", "fields": [{"name": "Age", "value": "36"}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let c = demo.sim.counters();
    assert_eq!(
        (c.lp_visit, c.lc_visitors, c.lc_details, c.domain_api),
        (0, 0, 0, 0),
        "nothing reached an upstream"
    );
    assert!(demo.sim.visitor_details(SEED_LC_VISITOR_ID).is_empty());

    let (status, _, config) = get(&demo, "/api/auth/config", None).await;
    assert_eq!(status, 200);
    let creds = demo.sim.credentials();
    assert_eq!(
        config,
        json!({"anonymous": false, "modes": [
            {"type": "livechat", "client_id": creds.lc_client_id,
             "accounts_url": demo.sim.base_url()},
            {"type": "host"},
            {"type": "oidc", "login_url": format!("{}/api/auth/login", demo.url()),
             "message_origin": demo.url()},
        ]})
    );
    let text = config.to_string();
    assert!(!text.contains(&creds.oidc_client_secret) && !text.contains(&creds.oidc_client_id));
    let (_, _, health) = get(&demo, "/api/health", None).await;
    assert_eq!(health["anonymous"], false);
    assert_eq!(
        health["sign_in"]["modes"],
        json!(["jwt", "livechat", "oidc"])
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_demo_and_the_setting_let_anonymous_callers_in() {
    let open = visitor_sidebar_proxy::start_demo("127.0.0.1:0".parse().unwrap(), None)
        .await
        .unwrap();
    let (status, _, _) = get(&open, &seed_visit(), None).await;
    assert_eq!(status, 200, "the demo is anonymous");
    let (_, _, config) = get(&open, "/api/auth/config", None).await;
    assert_eq!(config, json!({"anonymous": true, "modes": []}));

    // Anonymous next to a sign-in mode: no credential passes, a bad one is still refused.
    let h = common::start(|raw, _| {
        raw.set("VS_ACCESS_TOKENS", "agent-console-token-0123456789");
    })
    .await;
    assert_eq!(h.get(&h.seed_visit_path()).await.status(), 200);
    let r = h
        .client
        .get(h.url(&h.seed_visit_path()))
        .bearer_auth("not-the-token-0123456789")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
}

#[tokio::test(flavor = "multi_thread")]
async fn host_jwts_from_the_jwks_and_the_shared_secret() {
    let demo = demo(&[("VS_JWT_SECRET", HS256_SECRET)]).await;
    let rsa = demo.sim.host_key(Algorithm::RS256);
    let ec = demo.sim.host_key(Algorithm::ES256);
    assert_eq!(status(&demo, &rsa.sign(&claims(600))).await.0, 200, "RS256");
    assert_eq!(status(&demo, &ec.sign(&claims(600))).await.0, 200, "ES256");
    let hs256 = |claims: &Value, secret: &[u8], kid: Option<&str>| {
        let mut header = Header::new(Algorithm::HS256);
        header.kid = kid.map(str::to_owned);
        jsonwebtoken::encode(&header, claims, &EncodingKey::from_secret(secret)).unwrap()
    };
    let good = hs256(&claims(600), HS256_SECRET.as_bytes(), None);
    assert_eq!(status(&demo, &good).await.0, 200, "HS256");

    // Expired: 401, and WWW-Authenticate says so.
    let (code, challenge, _) = get(&demo, &seed_visit(), Some(&ec.sign(&claims(-600)))).await;
    assert_eq!(code, 401);
    assert!(challenge.contains(r#"error="invalid_token""#) && challenge.contains("expired"));

    let mut wrong_aud = claims(600);
    wrong_aud["aud"] = json!("another-app");
    let mut wrong_iss = claims(600);
    wrong_iss["iss"] = json!("https://someone-else.example");
    let mut no_exp = claims(600);
    no_exp.as_object_mut().unwrap().remove("exp");
    let mut not_yet = claims(600);
    not_yet["nbf"] = json!(now() + 300);
    // Signed with another key under the same key ID.
    let impostor = SigningKey::generate_es256(ec.kid());
    let none = format!(
        "{}.{}.",
        URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#),
        URL_SAFE_NO_PAD.encode(claims(600).to_string())
    );
    // The classic confusion: HS256 "signed" with the RSA public key, pointing at the RSA key.
    let confused = hs256(&claims(600), RSA_PUBLIC_PEM.as_bytes(), Some(rsa.kid()));
    let confused_plain = hs256(&claims(600), RSA_PUBLIC_PEM.as_bytes(), None);
    // An RS256 header on an ES256 signature, and the other way round.
    let mut swapped = ec.sign(&claims(600));
    let rs_header = URL_SAFE_NO_PAD.encode(format!(r#"{{"alg":"RS256","kid":"{}"}}"#, ec.kid()));
    swapped.replace_range(..swapped.find('.').unwrap(), &rs_header);
    for (what, token) in [
        ("wrong audience", ec.sign(&wrong_aud)),
        ("wrong issuer", rsa.sign(&wrong_iss)),
        ("no exp", ec.sign(&no_exp)),
        ("not valid yet", ec.sign(&not_yet)),
        ("forged", impostor.sign(&claims(600))),
        ("alg none", none),
        ("HS/RS confusion with kid", confused),
        ("HS/RS confusion", confused_plain),
        ("alg swapped", swapped),
        (
            "HS256 with another secret",
            hs256(&claims(600), b"another-secret-of-32-bytes-or-more-x", None),
        ),
    ] {
        let (code, challenge, body) = get(&demo, &seed_visit(), Some(&token)).await;
        assert_eq!((code, error_code(&body)), (401, "unauthorized"), "{what}");
        assert!(challenge.contains(r#"error="invalid_token""#), "{what}");
        assert!(!challenge.contains("expired"), "{what}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn hs256_is_refused_when_only_a_jwks_is_configured() {
    // The demo has no VS_JWT_SECRET: an HS256 token has no key to be checked with, whatever it
    // was signed with (here the RSA public key, as published).
    let demo = demo(&[]).await;
    let mut header = Header::new(Algorithm::HS256);
    header.kid = Some("host-rsa-1".into());
    let token = jsonwebtoken::encode(
        &header,
        &claims(600),
        &EncodingKey::from_secret(RSA_PUBLIC_PEM.as_bytes()),
    )
    .unwrap();
    assert_eq!(status(&demo, &token).await, (401, "unauthorized".into()));
}

#[tokio::test(flavor = "multi_thread")]
async fn unknown_key_ids_refresh_the_jwks_at_most_once_per_window() {
    let demo = demo(&[]).await;
    let first = demo.sim.host_key(Algorithm::ES256);
    assert_eq!(status(&demo, &first.sign(&claims(600))).await.0, 200);
    assert_eq!(demo.sim.counters().host_jwks, 1, "fetched on first use");
    assert_eq!(status(&demo, &first.sign(&claims(600))).await.0, 200);
    assert_eq!(demo.sim.counters().host_jwks, 1, "then kept");

    // The host rotates: a token with the new key ID makes the proxy fetch again, and passes.
    let rotated = demo.sim.add_host_key("host-ec-2");
    assert_eq!(status(&demo, &rotated.sign(&claims(600))).await.0, 200);
    assert_eq!(
        demo.sim.counters().host_jwks,
        2,
        "refreshed for the new kid"
    );

    // A flood of made-up key IDs does not reach the JWKS host again within the window.
    for i in 0..20 {
        let token = rotated.sign_as(&format!("made-up-{i}"), &claims(600));
        assert_eq!(status(&demo, &token).await.0, 401);
    }
    assert_eq!(demo.sim.counters().host_jwks, 2);
    assert_eq!(status(&demo, &first.sign(&claims(600))).await.0, 200);
}

#[tokio::test(flavor = "multi_thread")]
async fn livechat_agents_of_this_organization_and_app_only() {
    let demo = demo(&[]).await;
    let sim = &demo.sim;
    let mine = sim.issue_livechat_token(sim.agent_grant());
    assert!(!mine.contains('.'), "opaque, told apart from JWTs");
    assert_eq!(status(&demo, &mine).await.0, 200);
    let other_org = sim.issue_livechat_token(AgentGrant {
        organization_id: "another-organization".into(),
        ..sim.agent_grant()
    });
    let other_app = sim.issue_livechat_token(AgentGrant {
        client_id: "another-client".into(),
        ..sim.agent_grant()
    });
    assert_eq!(status(&demo, &other_org).await, (403, "forbidden".into()));
    assert_eq!(status(&demo, &other_app).await, (403, "forbidden".into()));
    let expired = sim.issue_livechat_token(AgentGrant {
        lifetime: std::time::Duration::ZERO,
        ..sim.agent_grant()
    });
    assert_eq!(status(&demo, &expired).await, (401, "unauthorized".into()));
    assert_eq!(
        status(&demo, "dal:never-issued-by-livechat").await,
        (401, "unauthorized".into())
    );
    // Reading visitors and writing details both work for the agent.
    let r = client()
        .post(format!(
            "{}/api/livechat/visitors/{SEED_LC_VISITOR_ID}/details",
            demo.url()
        ))
        .bearer_auth(&mine)
        .json(&json!({"id": "my-app", "fields": [{"name": "Age", "value": "36"}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}

#[tokio::test(flavor = "multi_thread")]
async fn one_accounts_call_per_token_per_cache_window() {
    let demo = demo(&[]).await;
    let sim = &demo.sim;
    let token = sim.issue_livechat_token(sim.agent_grant());
    sim.reset_counters();
    for _ in 0..5 {
        assert_eq!(status(&demo, &token).await.0, 200);
    }
    assert_eq!(sim.counters().lc_accounts_info, 1, "sequential uses");

    // Concurrent first uses of a new token share one call.
    let fresh = sim.issue_livechat_token(sim.agent_grant());
    let calls: Vec<_> = (0..10)
        .map(|_| {
            let url = format!("{}{}", demo.url(), seed_visit());
            let fresh = fresh.clone();
            tokio::spawn(async move {
                client()
                    .get(url)
                    .bearer_auth(fresh)
                    .send()
                    .await
                    .unwrap()
                    .status()
                    .as_u16()
            })
        })
        .collect();
    for call in calls {
        assert_eq!(call.await.unwrap(), 200);
    }
    assert_eq!(sim.counters().lc_accounts_info, 2, "concurrent first uses");

    // Refusals are cached too: a bad token costs one call per window, however often it is sent.
    let other_org = sim.issue_livechat_token(AgentGrant {
        organization_id: "another-organization".into(),
        ..sim.agent_grant()
    });
    for _ in 0..3 {
        assert_eq!(status(&demo, &other_org).await.0, 403);
    }
    assert_eq!(sim.counters().lc_accounts_info, 3);
}

#[tokio::test(flavor = "multi_thread")]
async fn accounts_server_down_is_503_never_a_pass() {
    let demo = demo(&[]).await;
    let sim = &demo.sim;
    let token = sim.issue_livechat_token(sim.agent_grant());
    // (A 429 would also pause calls for its Retry-After; the upstream tests cover that.)
    for failure in [500, 502, 503] {
        sim.set_accounts_failure(Some(failure));
        let r = client()
            .get(format!("{}{}", demo.url(), seed_visit()))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 503, "accounts answered {failure}");
        assert!(r.headers().contains_key("retry-after"));
        assert_eq!(
            error_code(&r.json().await.unwrap()),
            "auth_unavailable",
            "accounts answered {failure}"
        );
    }
    assert_eq!(
        sim.counters().lc_accounts_info,
        3,
        "failures are not cached: each request asked"
    );
    assert_eq!(sim.counters().lp_visit, 0, "and none got through");

    // Nothing listens on the discard port: unreachable is 503 as well.
    let h = common::start(|raw, sim| {
        raw.set("VS_ALLOW_ANONYMOUS", "false");
        raw.set("LIVECHAT_ACCOUNTS_URL", "http://127.0.0.1:9");
        raw.set(
            "LIVECHAT_CLIENT_ID",
            sim.credentials().lc_client_id.as_str(),
        );
        raw.set(
            "LIVECHAT_ORGANIZATION_ID",
            sim.credentials().lc_organization_id.as_str(),
        );
    })
    .await;
    let token = h.sim.issue_livechat_token(h.sim.agent_grant());
    let r = h
        .client
        .get(h.url(&h.seed_visit_path()))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 503);
    assert_eq!(error_code(&r.json().await.unwrap()), "auth_unavailable");
    assert_eq!(h.sim.counters().lp_visit, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_rate_limited_accounts_server_pauses_new_checks_a_minute_at_most_and_signed_in_agents_stay(
) {
    let demo = demo(&[]).await;
    let sim = &demo.sim;
    let signed_in = sim.issue_livechat_token(sim.agent_grant());
    assert_eq!(status(&demo, &signed_in).await.0, 200);

    // The accounts server limits the proxy and asks it to wait an hour.
    sim.set_accounts_failure_with_retry_after(Some(429), Some(3600));
    let new_agent = sim.issue_livechat_token(sim.agent_grant());
    assert_eq!(
        status(&demo, &new_agent).await,
        (503, "auth_unavailable".into())
    );
    let pause = demo
        .state()
        .upstream
        .cooldown_left("LiveChat's accounts server")
        .expect("calls are paused");
    assert!(
        pause <= std::time::Duration::from_secs(60),
        "paused {pause:?}, not the hour asked"
    );
    let calls = sim.counters().lc_accounts_info;
    // During the pause: new tokens are not checked (no call), the checked one still works.
    assert_eq!(
        status(&demo, &sim.issue_livechat_token(sim.agent_grant())).await,
        (503, "auth_unavailable".into())
    );
    assert_eq!(
        status(&demo, &signed_in).await.0,
        200,
        "its verdict is cached"
    );
    assert_eq!(
        sim.counters().lc_accounts_info,
        calls,
        "no call while paused"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn one_client_may_have_a_bounded_number_of_tokens_checked() {
    let demo = demo(&[("VS_TRUSTED_PROXIES", "127.0.0.1")]).await;
    let sim = &demo.sim;
    let as_client = |forwarded: &'static str, token: String| {
        let request = client()
            .get(format!("{}{}", demo.url(), seed_visit()))
            .header("x-forwarded-for", forwarded)
            .bearer_auth(token);
        async move { request.send().await.unwrap().status().as_u16() }
    };
    let limit = visitor_sidebar_proxy::auth::livechat::CHECKS_PER_MINUTE as usize;
    let tokens: Vec<String> = (0..=limit)
        .map(|_| sim.issue_livechat_token(sim.agent_grant()))
        .collect();
    for token in &tokens[..limit] {
        assert_eq!(as_client("203.0.113.8", token.clone()).await, 200);
    }
    assert_eq!(sim.counters().lc_accounts_info, limit as u64);
    let r = client()
        .get(format!("{}{}", demo.url(), seed_visit()))
        .header("x-forwarded-for", "203.0.113.8")
        .bearer_auth(&tokens[limit])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 429);
    assert!(r.headers().contains_key("retry-after"));
    assert_eq!(error_code(&r.json().await.unwrap()), "rate_limited");
    assert_eq!(sim.counters().lc_accounts_info, limit as u64, "no call");
    // Checked tokens keep working (cached), and another client has its own bound.
    assert_eq!(as_client("203.0.113.8", tokens[0].clone()).await, 200);
    assert_eq!(as_client("203.0.113.9", tokens[limit].clone()).await, 200);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failed_check_is_retried_on_the_next_request() {
    let demo = demo(&[]).await;
    let sim = &demo.sim;
    let token = sim.issue_livechat_token(sim.agent_grant());
    sim.set_accounts_failure(Some(500));
    assert_eq!(status(&demo, &token).await.0, 503);
    sim.set_accounts_failure(None);
    assert_eq!(status(&demo, &token).await.0, 200, "the 503 was not cached");
    assert_eq!(sim.counters().lc_accounts_info, 2);
}

/// The `Location` of a redirect, parsed.
fn location(r: &reqwest::Response) -> reqwest::Url {
    reqwest::Url::parse(r.headers()["location"].to_str().unwrap()).unwrap()
}

fn param(url: &reqwest::Url, key: &str) -> Option<String> {
    url.query_pairs()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.into_owned())
}

/// The JSON data block of the callback page.
fn page_data(html: &str) -> Value {
    let start = html
        .find(r#"<script type="application/json" id="vs-auth-data">"#)
        .expect("the data block");
    let rest = &html[start..];
    let open = rest.find('>').unwrap() + 1;
    let close = rest.find("</script>").unwrap();
    serde_json::from_str(&rest[open..close]).unwrap()
}

/// login → the simulator's authorize → the callback; returns the callback's response and every
/// redirect URL seen on the way.
async fn sign_in(demo: &DemoServer, origin: &str) -> (reqwest::Response, Vec<String>) {
    let login = reqwest::Url::parse_with_params(
        &format!("{}/api/auth/login", demo.url()),
        [("origin", origin), ("nonce", WIDGET_NONCE)],
    )
    .unwrap();
    let r = client().get(login).send().await.unwrap();
    assert_eq!(r.status(), 302, "login redirects to the provider");
    assert_eq!(r.headers()["cache-control"], "no-store");
    assert_eq!(r.headers()["referrer-policy"], "no-referrer");
    assert!(r.headers().get("set-cookie").is_none(), "no cookie");
    let authorize = location(&r);
    assert!(authorize.as_str().starts_with(&demo.sim.oidc_issuer()));
    assert_eq!(
        param(&authorize, "code_challenge_method").as_deref(),
        Some("S256")
    );
    assert!(param(&authorize, "nonce").is_some() && param(&authorize, "state").is_some());
    assert_eq!(
        param(&authorize, "redirect_uri"),
        Some(format!("{}/api/auth/callback", demo.url()))
    );
    let r = client().get(authorize.clone()).send().await.unwrap();
    assert_eq!(r.status(), 302, "the provider signs the test user in");
    let callback = location(&r);
    let r = client().get(callback.clone()).send().await.unwrap();
    (r, vec![authorize.to_string(), callback.to_string()])
}

#[tokio::test(flavor = "multi_thread")]
async fn company_sign_in_end_to_end() {
    let demo = demo(&[]).await;
    let (r, urls) = sign_in(&demo, WIDGET_ORIGIN).await;
    assert_eq!(r.status(), 200);
    let headers = r.headers().clone();
    assert_eq!(headers["content-type"], "text/html; charset=utf-8");
    assert_eq!(headers["cache-control"], "no-store");
    assert_eq!(headers["referrer-policy"], "no-referrer");
    assert!(headers.get("set-cookie").is_none());
    let csp = headers["content-security-policy"].to_str().unwrap();
    assert!(
        csp.starts_with("default-src 'none'; script-src 'sha256-"),
        "{csp}"
    );
    assert!(csp.contains("frame-ancestors 'none'"));
    let html = r.text().await.unwrap();
    // The only executable script is the one the CSP's hash allows.
    let script_start = html.find("<script>").unwrap() + "<script>".len();
    let script_end = script_start + html[script_start..].find("</script>").unwrap();
    let script = &html[script_start..script_end];
    use sha2::Digest;
    let hash = base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(script));
    assert!(csp.contains(&format!("'sha256-{hash}'")));
    assert!(script.contains("window.opener.postMessage(data.message, data.origin)"));

    let data = page_data(&html);
    assert_eq!(
        data["origin"], WIDGET_ORIGIN,
        "aimed at the requesting origin only"
    );
    // Not the host's visitor-sidebar:auth, and carrying the nonce of the popup that asked.
    assert_eq!(data["message"]["type"], "visitor-sidebar:sign-in");
    assert_eq!(data["message"]["nonce"], WIDGET_NONCE);
    let token = data["message"]["token"].as_str().unwrap().to_owned();
    let expires_at = data["message"]["expiresAt"].as_u64().unwrap();
    let now_ms = now() * 1000;
    assert!(
        expires_at > now_ms && expires_at <= now_ms + 3_600_000,
        "at most an hour"
    );
    for url in &urls {
        assert!(!url.contains(&token), "the token is never in a URL");
    }

    // The minted token is an agent credential like the others.
    assert_eq!(status(&demo, &token).await.0, 200);
    // The state was single-use: the same callback again gives no token and posts nothing.
    let again = client().get(&urls[1]).send().await.unwrap();
    assert_eq!(again.status(), 401);
    let data = page_data(&again.text().await.unwrap());
    assert_eq!(data["origin"], Value::Null);
    assert!(data.get("message").is_none());

    // A session token signed with another key is refused.
    let mut header = Header::new(Algorithm::HS256);
    header.kid = Some("vs-session".into());
    let forged = jsonwebtoken::encode(
        &header,
        &json!({"iss": "visitor-sidebar-proxy", "aud": "visitor-sidebar-proxy", "sub": "x",
                "idp": "y", "iat": now(), "exp": now() + 600}),
        &EncodingKey::from_secret(b"not-the-session-key-of-this-proxy!!"),
    )
    .unwrap();
    assert_eq!(status(&demo, &forged).await.0, 401);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_proxy_itself_may_receive_tokens_and_replicas_share_a_session_secret() {
    let secret = "a-session-secret-shared-by-replicas-0123";
    let a = demo(&[("VS_SESSION_SECRET", secret)]).await;
    let b = demo(&[("VS_SESSION_SECRET", secret)]).await;
    let own = a.url();
    let (r, _) = sign_in(&a, &own).await;
    let data = page_data(&r.text().await.unwrap());
    assert_eq!(data["origin"], own);
    let token = data["message"]["token"].as_str().unwrap();
    assert_eq!(status(&b, token).await.0, 200);
}

#[tokio::test(flavor = "multi_thread")]
async fn foreign_origins_never_get_a_token() {
    let demo = demo(&[]).await;
    for origin in [
        "https://evil.example",
        "http://127.0.0.1:8080/path",
        "http://127.0.0.1:8080.evil.example",
        "*",
        "",
        "null",
    ] {
        let login = reqwest::Url::parse_with_params(
            &format!("{}/api/auth/login", demo.url()),
            [("origin", origin)],
        )
        .unwrap();
        let r = client().get(login).send().await.unwrap();
        assert_eq!(r.status(), 403, "{origin:?}");
        assert!(r.headers().get("location").is_none(), "{origin:?}");
        let data = page_data(&r.text().await.unwrap());
        assert_eq!(data["origin"], Value::Null, "{origin:?}: nothing is posted");
    }
    assert_eq!(demo.sim.counters().oidc_authorize, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_login_without_the_widgets_nonce_is_refused_and_posts_nothing() {
    let demo = demo(&[]).await;
    for nonce in [
        None,
        Some(""),
        Some("short"),
        Some("not a nonce but long enough"),
        Some(&"n".repeat(129)[..]),
    ] {
        let mut params = vec![("origin", WIDGET_ORIGIN)];
        params.extend(nonce.map(|n| ("nonce", n)));
        let login =
            reqwest::Url::parse_with_params(&format!("{}/api/auth/login", demo.url()), params)
                .unwrap();
        let r = client().get(login).send().await.unwrap();
        assert_eq!(r.status(), 400, "{nonce:?}");
        assert!(r.headers().get("location").is_none(), "{nonce:?}");
        let data = page_data(&r.text().await.unwrap());
        assert_eq!(data["origin"], Value::Null, "{nonce:?}: nothing is posted");
    }
    assert_eq!(demo.sim.counters().oidc_authorize, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_refused_sign_in_tells_the_widget() {
    let demo = demo(&[]).await;
    demo.sim.set_oidc_user(None);
    let (r, _) = sign_in(&demo, WIDGET_ORIGIN).await;
    assert_eq!(r.status(), 401);
    let data = page_data(&r.text().await.unwrap());
    assert_eq!(data["origin"], WIDGET_ORIGIN);
    assert_eq!(data["message"]["type"], "visitor-sidebar:sign-in-error");
    assert_eq!(data["message"]["nonce"], WIDGET_NONCE);
    assert_eq!(data["message"]["code"], "unauthorized");
    assert!(data["message"].get("token").is_none());
    assert!(data["message"]["message"]
        .as_str()
        .unwrap()
        .contains("access_denied"));
    demo.sim.set_oidc_user(Some(OidcUser::default()));
    assert_eq!(demo.sim.counters().oidc_token, 0, "no code, no exchange");
}
