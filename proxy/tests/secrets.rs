//! No credential, token or signature appears in a response or a log line, whatever happens:
//! every log line of a busy session (successes, refusals, upstream failures, webhooks) is
//! captured at debug level and searched for each secret.

mod common;

use std::time::Duration;

use common::*;
use serde_json::json;
use visitor_sidebar_sim::Knobs;

const TOKEN: &str = "agent-console-token-0123456789";
const JWT_SECRET: &str = "an-hs256-secret-of-at-least-32-bytes!!";
const REDIS_PASSWORD: &str = "redis-password-0123456789";

#[tokio::test(flavor = "multi_thread")]
async fn secrets_stay_out_of_logs_and_responses() {
    let captured = Captured::default();
    let writer = captured.clone();
    tracing_subscriber::fmt()
        .with_env_filter("visitor_sidebar_proxy=trace,tower_http=trace,reqwest=debug")
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .init();

    let h = start(|raw, _| {
        raw.set("VS_ALLOW_ANONYMOUS", "false");
        raw.set("VS_ACCESS_TOKENS", TOKEN);
        raw.set("VS_JWT_SECRET", JWT_SECRET);
        raw.set("VS_JWT_AUDIENCE", "visitor-sidebar");
    })
    .await;
    let auth = format!("Bearer {TOKEN}");
    let mut bodies = String::new();
    let call = |path: String, auth: Option<String>| {
        let request = h.client.get(h.url(&path));
        let request = match auth {
            Some(a) => request.header("authorization", a),
            None => request,
        };
        async move { request.send().await.unwrap().text().await.unwrap() }
    };
    bodies += &call(h.seed_visit_path(), Some(auth.clone())).await;
    bodies += &call(
        h.seed_visit_path(),
        Some("Bearer wrong-token-0123456789".into()),
    )
    .await;
    bodies += &call(h.seed_visit_path(), None).await;
    bodies += &call("/api/livechat/visitors".into(), Some(auth.clone())).await;
    bodies += &call(
        "/api/liveperson/visitors/nobody/visit?sid=1.2".into(),
        Some(auth.clone()),
    )
    .await;
    h.sim.set_knobs(Knobs {
        error_rate: 1.0,
        ..Default::default()
    });
    bodies += &call(
        "/api/livechat/visitors?state=queued".into(),
        Some(auth.clone()),
    )
    .await;
    h.sim.set_knobs(Knobs::default());
    bodies += &call(
        format!(
            "/api/livechat/customers/{}",
            visitor_sidebar_sim::SEED_LC_CUSTOMER_ID
        ),
        Some(auth.clone()),
    )
    .await;
    let details = h
        .client
        .post(h.url(&format!(
            "/api/livechat/visitors/{SEED_LC_VISITOR_ID}/details"
        )))
        .header("authorization", &auth)
        .json(&json!({"id": "my-app", "fields": [{"name": "Age", "value": "36"}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(details.status(), 200);
    bodies += &details.text().await.unwrap();
    let wrong_webhook = h
        .client
        .post(h.url("/api/livechat/webhooks/chat-started?secret=not-the-secret-123"))
        .json(&json!({"event_type": "chat_started"}))
        .send()
        .await
        .unwrap();
    bodies += &wrong_webhook.text().await.unwrap();

    // A replica whose Redis (URL with a password) is unreachable: it says so in its log, its
    // health and its webhook answers, without the password.
    let closed_port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let data = tempfile::tempdir().unwrap();
    let replica = start_proxy(&h.sim, data.path(), |raw, _| {
        raw.set(
            "VS_REDIS_URL",
            format!("redis://:{REDIS_PASSWORD}@127.0.0.1:{closed_port}/0"),
        );
    })
    .await;
    let replica_url = |path: &str| format!("http://{}{path}", replica.addr);
    let hook = h
        .client
        .post(replica_url(&format!(
            "/api/livechat/webhooks/chat-started?secret={WEBHOOK_SECRET}"
        )))
        .json(&json!({"event_type": "chat_started", "token": "tok-0123", "license_id": "1", "visitor": {"id": "S1.r"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(hook.status(), 503);
    bodies += &hook.text().await.unwrap();
    let health = eventually(Duration::from_secs(10), "Redis reported down", || async {
        let health = call_url(&h.client, replica_url("/api/health")).await;
        let logged = captured.text().contains("Redis is unreachable");
        if health.contains("degraded") && logged {
            Ok(health)
        } else {
            Err(health)
        }
    })
    .await;
    bodies += &health;

    let creds = h.sim.credentials().clone();
    let chat_token = h.sim.chat_token(SEED_LC_VISITOR_ID).unwrap();
    let log = captured.text();
    assert!(
        log.contains("/api/liveperson/visitors"),
        "logging was captured"
    );
    for secret in [
        TOKEN,
        JWT_SECRET,
        WEBHOOK_SECRET,
        "not-the-secret-123",
        "wrong-token-0123456789",
        &creds.lp_consumer_key,
        &creds.lp_consumer_secret,
        &creds.lp_access_token,
        &creds.lp_token_secret,
        &creds.lc_api_key,
        &creds.lc_pat,
        &chat_token,
        "oauth_signature",
        REDIS_PASSWORD,
    ] {
        assert!(!log.contains(secret), "a log line holds {secret:?}");
        assert!(!bodies.contains(secret), "a response holds {secret:?}");
    }
}

async fn call_url(client: &reqwest::Client, url: String) -> String {
    client.get(url).send().await.unwrap().text().await.unwrap()
}
