//! Liveness and readiness: `/api/health/live` answers while the process does; `/api/health/ready`
//! probes each configured upstream once (then trusts real answers and its kept verdicts, so the
//! simulator's counters show exactly which calls it made), fails with the reason when an
//! upstream fails, turns false at once when draining while everything else still answers, and
//! while Redis is unreachable (true again once it is back).

mod common;

use std::time::Duration;

use common::*;
use serde_json::Value;
use visitor_sidebar_sim::Knobs;

async fn ready(h: &Harness) -> (u16, Value) {
    let r = h.get("/api/health/ready").await;
    assert_eq!(r.headers()["cache-control"], "no-store");
    let status = r.status().as_u16();
    (status, r.json().await.unwrap())
}

#[tokio::test(flavor = "multi_thread")]
async fn ready_probes_each_upstream_once_then_trusts_answers() {
    let h = start(|_, _| {}).await;
    let (status, body) = h.get_json("/api/health/live").await;
    assert_eq!((status, &body), (200, &serde_json::json!({"live": true})));

    let (status, body) = ready(&h).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["ready"], true);
    assert_eq!(body["checks"]["config"]["ok"], true);
    assert_eq!(body["checks"]["liveperson"]["probe"], "answered");
    assert_eq!(body["checks"]["livechat"]["probe"], "answered");
    assert_eq!(body["checks"]["store_disk"]["ok"], true);
    assert!(body.get("reason").is_none());
    // The probes: LivePerson's Domain API and LiveChat's visitor count, once each.
    let c = h.sim.counters();
    assert_eq!((c.domain_api, c.lp_visit, c.lc_visitors), (1, 0, 1));

    // Asked again at once: the kept verdicts, no new call.
    let (status, _) = ready(&h).await;
    assert_eq!(status, 200);
    assert_eq!(h.sim.counters(), c);

    // Real traffic shows the upstream answering: no probe needed.
    assert_eq!(h.get(&h.seed_visit_path()).await.status(), 200);
    let (_, body) = ready(&h).await;
    assert!(
        body["checks"]["liveperson"]["last_answer_secs"].is_u64(),
        "{body}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failing_upstream_makes_the_proxy_unready_with_the_reason() {
    let sim_config = visitor_sidebar_sim::SimConfig {
        knobs: Knobs {
            error_rate: 1.0,
            ..Default::default()
        },
        ..Default::default()
    };
    let h = start_with(sim_config, |_, _| {}).await;
    let (status, body) = ready(&h).await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["ready"], false);
    assert_eq!(body["checks"]["liveperson"]["ok"], false);
    assert_eq!(body["checks"]["liveperson"]["reason"], "answered HTTP 500");
    assert_eq!(body["checks"]["livechat"]["reason"], "answered HTTP 500");
    assert_eq!(body["checks"]["store_disk"]["ok"], true);
    let reason = body["reason"].as_str().unwrap();
    assert!(
        reason.contains("liveperson: answered HTTP 500")
            && reason.contains("livechat: answered HTTP 500"),
        "{reason}"
    );
    // Still alive, and /api/health keeps its summary.
    assert_eq!(h.get("/api/health/live").await.status(), 200);
    assert_eq!(h.get_json("/api/health").await.1["status"], "ok");
}

#[tokio::test(flavor = "multi_thread")]
async fn draining_turns_readiness_false_while_requests_still_work() {
    let h = start(|_, _| {}).await;
    assert_eq!(ready(&h).await.0, 200);
    h.proxy.start_draining();
    let (status, body) = ready(&h).await;
    assert_eq!(status, 503);
    assert_eq!(body["reason"], "draining");
    assert_eq!(h.get("/api/health/live").await.status(), 200);
    assert_eq!(h.get(&h.seed_visit_path()).await.status(), 200);
}

#[tokio::test(flavor = "multi_thread")]
async fn with_nothing_configured_the_proxy_is_ready() {
    let data = tempfile::tempdir().unwrap();
    let mut raw = visitor_sidebar_proxy::RawConfig::default();
    raw.set("VS_LISTEN", "127.0.0.1:0");
    raw.set("VS_DATA_DIR", data.path().to_string_lossy());
    let config = visitor_sidebar_proxy::Config::from_raw(&raw).unwrap();
    let proxy = visitor_sidebar_proxy::serve(config).await.unwrap();
    let body: Value = reqwest::get(format!("http://{}/api/health/ready", proxy.addr))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        body,
        serde_json::json!({"ready": true, "checks": {"config": {"ok": true}}})
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn redis_unreachable_makes_the_proxy_unready_and_its_return_ready_again() {
    let mut redis = common::redis::RedisServer::start();
    let url = redis.url();
    let h = start(|raw, _| {
        raw.set("VS_REDIS_URL", url.as_str());
    })
    .await;
    let (status, body) = ready(&h).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["checks"]["store_redis"]["ok"], true);
    assert!(
        body["checks"].get("store_disk").is_none(),
        "tokens are in Redis"
    );

    redis.stop();
    // The replica notices at its next command or ping (every second).
    let body = eventually(Duration::from_secs(10), "readiness fails", || async {
        match ready(&h).await {
            (503, body) => Ok(body),
            (_, body) => Err(body),
        }
    })
    .await;
    assert_eq!(body["checks"]["store_redis"]["ok"], false);
    let reason = body["reason"].as_str().unwrap();
    assert!(
        reason.starts_with("store_redis: Redis is unreachable"),
        "{reason}"
    );
    assert!(
        !body.to_string().contains(&url),
        "no Redis URL (and password) in {body}"
    );

    redis.restart();
    eventually(Duration::from_secs(10), "ready again", || async {
        match ready(&h).await {
            (200, _) => Ok(()),
            (_, body) => Err(body),
        }
    })
    .await;
}
