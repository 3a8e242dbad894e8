//! Who may call: bearer tokens (static or HS256 JWT with `exp`), allowed origins and CORS, the
//! per-client rate limit, and the routes that stay open (health, the webhook).

mod common;

use common::*;
use jsonwebtoken::{encode, EncodingKey, Header};
use serde_json::json;

const TOKEN: &str = "agent-console-token-0123456789";
const JWT_SECRET: &str = "an-hs256-secret-of-at-least-32-bytes!!";
const ORIGIN: &str = "https://console.example.com";
const AUDIENCE: &str = "visitor-sidebar";

async fn protected() -> Harness {
    start(|raw, _| {
        raw.set("VS_ALLOW_ANONYMOUS", "false");
        raw.set(
            "VS_ACCESS_TOKENS",
            format!("another-token-abcdefghijkl,{TOKEN}"),
        );
        raw.set("VS_JWT_SECRET", JWT_SECRET);
        raw.set("VS_JWT_AUDIENCE", AUDIENCE);
        raw.set("VS_ALLOWED_ORIGINS", ORIGIN);
    })
    .await
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

fn jwt(secret: &str, exp: u64) -> String {
    signed(
        secret,
        &json!({"sub": "agent-7", "aud": AUDIENCE, "exp": exp}),
    )
}

fn signed(secret: &str, claims: &serde_json::Value) -> String {
    encode(
        &Header::default(),
        claims,
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .unwrap()
}

async fn status_with(h: &Harness, auth: Option<&str>) -> (u16, serde_json::Value) {
    let mut request = h.client.get(h.url("/api/livechat/visitors?count=1"));
    if let Some(auth) = auth {
        request = request.header("authorization", auth);
    }
    let r = request.send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap())
}

#[tokio::test(flavor = "multi_thread")]
async fn bearer_tokens_and_jwts() {
    let h = protected().await;
    let (status, body) = status_with(&h, None).await;
    assert_eq!(
        (status, error_code(&body)),
        (401, "unauthorized"),
        "no token"
    );
    let (status, body) = status_with(&h, Some("Bearer wrong-token-0123456789")).await;
    assert_eq!(
        (status, error_code(&body)),
        (401, "unauthorized"),
        "wrong token"
    );
    let (status, body) = status_with(&h, Some(&format!("Basic {TOKEN}"))).await;
    assert_eq!(
        (status, error_code(&body)),
        (401, "unauthorized"),
        "not a bearer"
    );
    let (status, _) = status_with(&h, Some(&format!("Bearer {TOKEN}"))).await;
    assert_eq!(status, 200, "a listed token");

    let (status, _) = status_with(
        &h,
        Some(&format!("Bearer {}", jwt(JWT_SECRET, now() + 600))),
    )
    .await;
    assert_eq!(status, 200, "a valid JWT");
    let (status, body) = status_with(
        &h,
        Some(&format!("Bearer {}", jwt(JWT_SECRET, now() - 600))),
    )
    .await;
    assert_eq!(
        (status, error_code(&body)),
        (401, "unauthorized"),
        "expired JWT"
    );
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("expired"));
    let (status, _) = status_with(
        &h,
        Some(&format!(
            "Bearer {}",
            jwt("some-other-secret-of-32-bytes-or-more", now() + 600)
        )),
    )
    .await;
    assert_eq!(status, 401, "JWT signed with another key");
    let no_exp = encode(
        &Header::default(),
        &json!({"sub": "x"}),
        &EncodingKey::from_secret(JWT_SECRET.as_bytes()),
    )
    .unwrap();
    let (status, _) = status_with(&h, Some(&format!("Bearer {no_exp}"))).await;
    assert_eq!(status, 401, "a JWT without exp");
    // Signed with the right key, but not for this sidebar, not for an agent, or for too long.
    for (what, claims) in [
        ("no aud", json!({"sub": "agent-7", "exp": now() + 600})),
        ("no sub", json!({"aud": AUDIENCE, "exp": now() + 600})),
        (
            "a day long",
            json!({"sub": "agent-7", "aud": AUDIENCE, "iat": now(), "exp": now() + 86_400}),
        ),
    ] {
        let token = signed(JWT_SECRET, &claims);
        let (status, body) = status_with(&h, Some(&format!("Bearer {token}"))).await;
        assert_eq!((status, error_code(&body)), (401, "unauthorized"), "{what}");
    }
    let r = h
        .client
        .get(h.url("/api/livechat/visitors"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.headers()["www-authenticate"],
        r#"Bearer realm="visitor-sidebar""#
    );
    assert_eq!(
        h.sim.counters().lc_visitors,
        1,
        "only authorized requests reached upstream"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn health_and_webhook_need_no_token() {
    let h = protected().await;
    assert_eq!(h.get("/api/health").await.status(), 200);
    let (status, _) = h
        .post_json(
            &format!("/api/livechat/webhooks/chat-started?secret={WEBHOOK_SECRET}"),
            &json!({"event_type": "visitor_queued", "visitor": {"id": "S1.a"}}),
        )
        .await;
    assert_eq!(status, 200);
    assert!(
        h.sim.counters().webhooks_sent >= 1,
        "the simulator's webhooks got through"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn origins_and_cors() {
    let h = protected().await;
    let auth = format!("Bearer {TOKEN}");
    let r = h
        .client
        .get(h.url("/api/livechat/visitors?count=1"))
        .header("authorization", &auth)
        .header("origin", ORIGIN)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["access-control-allow-origin"], ORIGIN);

    let r = h
        .client
        .get(h.url("/api/livechat/visitors?count=1"))
        .header("authorization", &auth)
        .header("origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert!(r.headers().get("access-control-allow-origin").is_none());
    assert_eq!(error_code(&r.json().await.unwrap()), "origin_not_allowed");

    // A preflight from the allowed origin is answered; from another it gets no CORS grant.
    let preflight = |origin: &'static str| {
        h.client
            .request(reqwest::Method::OPTIONS, h.url("/api/livechat/visitors"))
            .header("origin", origin)
            .header("access-control-request-method", "GET")
            .header("access-control-request-headers", "authorization")
            .send()
    };
    let ok = preflight(ORIGIN).await.unwrap();
    assert_eq!(ok.headers()["access-control-allow-origin"], ORIGIN);
    let refused = preflight("https://evil.example").await.unwrap();
    assert!(refused
        .headers()
        .get("access-control-allow-origin")
        .is_none());

    // Same origin (the page the proxy serves itself) needs no listing.
    let same = format!("http://{}", h.proxy.addr);
    let r = h
        .client
        .get(h.url("/api/health"))
        .header("origin", same)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}

#[tokio::test(flavor = "multi_thread")]
async fn per_client_rate_limit_answers_429_with_retry_after() {
    let h = start(|raw, _| {
        raw.set("VS_ALLOW_ANONYMOUS", "false");
        raw.set("VS_RATE_LIMIT_PER_SEC", "1");
        raw.set("VS_RATE_LIMIT_BURST", "3");
        raw.set(
            "VS_ACCESS_TOKENS",
            format!("another-token-abcdefghijkl,{TOKEN}"),
        );
    })
    .await;
    // The burst of 3 passes; within the next few requests the 1/s rate runs out (a slow machine
    // may refill a token or two on the way, hence "within ten").
    let mut statuses = Vec::new();
    let mut limited = None;
    for _ in 0..10 {
        let r = h
            .client
            .get(h.url("/api/livechat/visitors?count=1"))
            .header("authorization", format!("Bearer {TOKEN}"))
            .send()
            .await
            .unwrap();
        statuses.push(r.status().as_u16());
        if r.status() == 429 {
            limited = Some(r);
            break;
        }
    }
    assert_eq!(&statuses[..3], [200, 200, 200]);
    let limited = limited.expect("the rate limit was reached");
    let retry: u64 = limited.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry >= 1);
    assert_eq!(error_code(&limited.json().await.unwrap()), "rate_limited");
    // Another client (another token) has its own budget.
    let r = h
        .client
        .get(h.url("/api/livechat/visitors?count=1"))
        .header("authorization", "Bearer another-token-abcdefghijkl")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}

/// `count` anonymous requests with `X-Forwarded-For: forwarded`; the statuses.
async fn statuses_as(h: &Harness, forwarded: &str, count: usize) -> Vec<u16> {
    let mut statuses = Vec::new();
    for _ in 0..count {
        let r = h
            .client
            .get(h.url("/api/livechat/visitors?count=1"))
            .header("x-forwarded-for", forwarded)
            .send()
            .await
            .unwrap();
        statuses.push(r.status().as_u16());
    }
    statuses
}

#[tokio::test(flavor = "multi_thread")]
async fn forwarded_addresses_count_only_from_a_trusted_front_end() {
    let limited = |raw: &mut visitor_sidebar_proxy::RawConfig| {
        raw.set("VS_RATE_LIMIT_PER_SEC", "1");
        raw.set("VS_RATE_LIMIT_BURST", "3");
    };
    // Nobody trusted: a client rotating X-Forwarded-For is still one client.
    let h = start(|raw, _| limited(raw)).await;
    let mut statuses = Vec::new();
    for i in 0..10 {
        statuses.extend(statuses_as(&h, &format!("203.0.113.{i}"), 1).await);
    }
    assert!(statuses.contains(&429), "{statuses:?}");

    // Loopback is the trusted front end: each forwarded client has its own budget, and what a
    // client writes into the header itself (left of the front end's entry) changes nothing.
    let h = start(|raw, _| {
        limited(raw);
        raw.set("VS_TRUSTED_PROXIES", "127.0.0.1, 10.0.0.0/8");
    })
    .await;
    let first = statuses_as(&h, "203.0.113.1", 10).await;
    assert_eq!(&first[..3], [200, 200, 200]);
    assert!(first.contains(&429), "{first:?}");
    let spoofing = statuses_as(&h, "198.51.100.9, 203.0.113.1", 1).await;
    assert_eq!(spoofing, [429], "the same client, whatever it prepends");
    let behind_two = statuses_as(&h, "203.0.113.1, 203.0.113.2, 10.1.1.1", 1).await;
    assert_eq!(behind_two, [200], "another client behind two front ends");
}

#[tokio::test(flavor = "multi_thread")]
async fn repeated_bad_tokens_are_throttled() {
    let h = protected().await;
    let mut last = 0;
    for _ in 0..40 {
        last = status_with(&h, Some("Bearer guess-guess-guess-guess"))
            .await
            .0;
    }
    assert_eq!(last, 429, "guessing is slowed down");
    // Spent is spent: a right guess from that client is refused too.
    let (status, body) = status_with(&h, Some(&format!("Bearer {TOKEN}"))).await;
    assert_eq!((status, error_code(&body)), (429, "rate_limited"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_spent_budget_is_checked_before_the_credential() {
    let h = start(|raw, sim| {
        let c = sim.credentials();
        raw.set("VS_ALLOW_ANONYMOUS", "false");
        raw.set("VS_ACCESS_TOKENS", TOKEN);
        raw.set("VS_TRUSTED_PROXIES", "127.0.0.1");
        raw.set("LIVECHAT_ACCOUNTS_URL", sim.base_url());
        raw.set("LIVECHAT_CLIENT_ID", &c.lc_client_id);
        raw.set("LIVECHAT_ORGANIZATION_ID", &c.lc_organization_id);
    })
    .await;
    let guess = |forwarded: &'static str, token: String| {
        let request = h
            .client
            .get(h.url("/api/livechat/visitors?count=1"))
            .header("x-forwarded-for", forwarded)
            .bearer_auth(token);
        async move {
            let r = request.send().await.unwrap();
            let status = r.status().as_u16();
            (status, error_code(&r.json().await.unwrap()).to_owned())
        }
    };
    let mut statuses = Vec::new();
    for i in 0..40 {
        statuses.push(
            guess("203.0.113.5", format!("guess-guess-guess-{i:04}"))
                .await
                .0,
        );
    }
    assert_eq!(
        statuses.iter().filter(|s| **s == 401).count(),
        30,
        "{statuses:?}"
    );
    assert!(statuses[30..].iter().all(|s| *s == 429), "{statuses:?}");
    let calls = h.sim.counters().lc_accounts_info;
    assert_eq!(
        calls, 30,
        "each new opaque guess was one accounts-server call, until the budget ran out"
    );

    // Over budget: the right token is refused, and a new LiveChat token costs no upstream call.
    assert_eq!(
        guess("203.0.113.5", TOKEN.into()).await,
        (429, "rate_limited".into())
    );
    let agent_token = h.sim.issue_livechat_token(h.sim.agent_grant());
    assert_eq!(
        guess("203.0.113.5", agent_token.clone()).await,
        (429, "rate_limited".into())
    );
    assert_eq!(h.sim.counters().lc_accounts_info, calls, "no upstream call");

    // Another agent behind the same front end is not affected.
    assert_eq!(guess("203.0.113.6", TOKEN.into()).await.0, 200);
    assert_eq!(guess("203.0.113.6", agent_token).await.0, 200);
}

#[test]
fn refuses_to_start_open_on_a_public_address() {
    let mut raw = visitor_sidebar_proxy::RawConfig::default();
    raw.set("VS_LISTEN", "0.0.0.0:3000");
    let e = visitor_sidebar_proxy::Config::from_raw(&raw).unwrap_err();
    assert_eq!(e.key, "VS_LISTEN", "no way to sign agents in");
    assert!(e.to_string().contains("VS_ACCESS_TOKENS"));
    // Anonymous access is for loopback only, even next to a sign-in mode.
    raw.set("VS_ACCESS_TOKENS", TOKEN);
    raw.set("VS_ALLOW_ANONYMOUS", "true");
    let e = visitor_sidebar_proxy::Config::from_raw(&raw).unwrap_err();
    assert_eq!(e.key, "VS_ALLOW_ANONYMOUS");
    raw.set("VS_ALLOW_ANONYMOUS", "false");
    assert!(visitor_sidebar_proxy::Config::from_raw(&raw).is_ok());
}
