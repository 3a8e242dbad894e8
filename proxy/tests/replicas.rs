//! N replicas with one Redis act as one: a webhook that lands on one replica serves details sent
//! through another; a miss on one is a hit on the other (same ETag, so its 304); concurrent
//! misses on both cost one upstream call; tokens in Redis are bounded and expire. Redis frozen or
//! killed mid-test: no request waits past the upstream timeout, webhooks answer 503, health says
//! degraded, and once Redis is back everything works again without restarting a proxy.
//!
//! Each test starts its own `redis-server` (see `common/redis.rs`); without it installed these
//! tests fail and say so.

mod common;

use std::time::{Duration, Instant};

use common::redis::{RedisServer, ACL_PASSWORD, ACL_USER, PASSWORD};
use common::*;
use serde_json::{json, Value};
use visitor_sidebar_proxy::RunningServer;
use visitor_sidebar_sim::{Knobs, Sim, SimConfig};

/// The harness's upstream timeout: no request may take longer, whatever Redis does.
const UPSTREAM_TIMEOUT: Duration = Duration::from_millis(2000);

struct Replicas {
    sim: Sim,
    redis: RedisServer,
    proxies: Vec<RunningServer>,
    client: reqwest::Client,
    _data: Vec<tempfile::TempDir>,
}

/// `n` proxies sharing one simulator and one Redis; `customize` applies to each.
async fn replicas(n: usize, customize: impl Fn(&mut visitor_sidebar_proxy::RawConfig)) -> Replicas {
    let redis = RedisServer::start();
    let url = redis.url();
    replicas_on(redis, url, n, customize).await
}

/// [`replicas`] on a Redis of the caller's, reached at `url`.
async fn replicas_on(
    redis: RedisServer,
    url: String,
    n: usize,
    customize: impl Fn(&mut visitor_sidebar_proxy::RawConfig),
) -> Replicas {
    let sim = Sim::start(SimConfig::default()).await.unwrap();
    let mut proxies = Vec::new();
    let mut data = Vec::new();
    for _ in 0..n {
        let dir = tempfile::tempdir().unwrap();
        let proxy = start_proxy(&sim, dir.path(), |raw, _| {
            raw.set("VS_REDIS_URL", url.clone());
            raw.set("VS_CACHE_TTL_MS", "30000");
            customize(raw);
        })
        .await;
        proxies.push(proxy);
        data.push(dir);
    }
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    Replicas {
        sim,
        redis,
        proxies,
        client,
        _data: data,
    }
}

impl Replicas {
    fn url(&self, replica: usize, path: &str) -> String {
        format!("http://{}{path}", self.proxies[replica].addr)
    }

    /// GET; (status, ETag, body, how long it took).
    async fn get(
        &self,
        replica: usize,
        path: &str,
        etag: Option<&str>,
    ) -> (u16, String, Value, Duration) {
        let started = Instant::now();
        let mut request = self.client.get(self.url(replica, path));
        if let Some(tag) = etag {
            request = request.header("If-None-Match", tag);
        }
        let r = request.send().await.unwrap();
        let status = r.status().as_u16();
        let tag = r
            .headers()
            .get("etag")
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default();
        let body = r.json().await.unwrap_or(Value::Null);
        (status, tag, body, started.elapsed())
    }

    async fn post(&self, replica: usize, path: &str, body: &Value) -> (u16, Value, Duration) {
        let started = Instant::now();
        let r = self
            .client
            .post(self.url(replica, path))
            .json(body)
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        (
            status,
            r.json().await.unwrap_or(Value::Null),
            started.elapsed(),
        )
    }

    async fn webhook(
        &self,
        replica: usize,
        event: &str,
        visitor: &str,
        chat: &str,
        token: &str,
    ) -> (u16, Value, Duration) {
        let license = self.sim.credentials().lc_license_id.clone();
        let body = json!({"event_type": event, "token": token, "license_id": license,
                          "chat": {"id": chat}, "visitor": {"id": visitor}});
        self.post(
            replica,
            &format!("/api/livechat/webhooks/chat-started?secret={WEBHOOK_SECRET}"),
            &body,
        )
        .await
    }

    async fn details(&self, replica: usize, visitor: &str) -> (u16, Value, Duration) {
        let body = json!({"id": "my-app", "fields": [{"name": "Plan", "value": "Gold"}]});
        self.post(
            replica,
            &format!("/api/livechat/visitors/{visitor}/details"),
            &body,
        )
        .await
    }

    async fn health(&self, replica: usize) -> Value {
        self.get(replica, "/api/health", None).await.2
    }

    /// Waits (with a deadline) until every replica's health says `status`.
    async fn wait_for_health(&self, status: &str) -> Vec<Value> {
        let what = format!("every replica's health says {status}");
        eventually(Duration::from_secs(10), &what, || async {
            let mut all = Vec::new();
            for i in 0..self.proxies.len() {
                all.push(self.health(i).await);
            }
            if all.iter().all(|h| h["status"] == status) {
                Ok(all)
            } else {
                Err(all)
            }
        })
        .await
    }

    fn generated_visit(&self, nth: usize) -> String {
        let (visitor, sid) = self
            .sim
            .chats()
            .into_iter()
            .filter(|c| c.provider == "liveperson" && c.visitor_id != SEED_LP_VISITOR_ID)
            .map(|c| (c.visitor_id, c.sid.unwrap()))
            .nth(nth)
            .expect("enough generated visits");
        format!("/api/liveperson/visitors/{visitor}/visit?sid={sid}")
    }
}

/// Whether a details answer shows a kept token: sent on to LiveChat, which does not know these
/// made-up visitors (404), rather than refused for want of a token (409 `no_webhook_token`).
fn token_was_kept(status: u16, body: &Value) -> bool {
    match (status, error_code(body)) {
        (404, "not_found") => body["error"]["upstream_status"] == 404,
        (409, "no_webhook_token") => false,
        other => panic!("unexpected answer {other:?}: {body}"),
    }
}

fn seed_visit() -> String {
    format!("/api/liveperson/visitors/{SEED_LP_VISITOR_ID}/visit?sid={SEED_LP_SID}")
}

#[tokio::test(flavor = "multi_thread")]
async fn replicas_share_a_redis_over_tls_with_a_private_ca_and_an_acl_user() {
    let redis = RedisServer::start_tls();
    let url = redis.tls_url(ACL_USER, ACL_PASSWORD);
    let ca = redis.ca_file().to_string_lossy().into_owned();
    let r = replicas_on(redis, url, 2, |raw| {
        raw.set("VS_REDIS_CA_FILE", ca.clone());
    })
    .await;
    for health in r.wait_for_health("ok").await {
        assert_eq!(health["store"]["redis"], "ok", "{health}");
    }
    // Shared through the TLS connection: a webhook on one, the token used through the other.
    let (status, _, _) = r
        .webhook(0, "chat_started", "S1.tls-visitor", "TLS1", "tls-token-1")
        .await;
    assert_eq!(status, 200);
    let (status, body, _) = r.details(1, "S1.tls-visitor").await;
    assert!(token_was_kept(status, &body), "{status} {body}");
}

#[tokio::test(flavor = "multi_thread")]
async fn redis_over_tls_needs_the_right_ca_and_the_right_acl_password() {
    let redis = RedisServer::start_tls();
    let ca = redis.ca_file().to_string_lossy().into_owned();
    // The system's roots do not know the test's CA; a wrong ACL password is refused by Redis.
    let without_ca = redis.tls_url(ACL_USER, ACL_PASSWORD);
    let wrong_password = redis.tls_url(ACL_USER, "not-the-password");
    let r = replicas_on(redis, without_ca, 1, |_| {}).await;
    for health in r.wait_for_health("degraded").await {
        assert_ne!(health["store"]["redis"], "ok", "{health}");
    }
    let data = tempfile::tempdir().unwrap();
    let proxy = start_proxy(&r.sim, data.path(), |raw, _| {
        raw.set("VS_REDIS_URL", wrong_password.clone());
        raw.set("VS_REDIS_CA_FILE", ca.clone());
    })
    .await;
    eventually(Duration::from_secs(10), "health says degraded", || async {
        let health: Value =
            json_of(r.client.get(format!("http://{}/api/health", proxy.addr))).await;
        if health["status"] == "degraded" {
            Ok(())
        } else {
            Err(health)
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_webhook_on_one_replica_serves_details_through_another() {
    let r = replicas(2, |_| {}).await;
    for health in r.wait_for_health("ok").await {
        assert_eq!(
            health["store"],
            json!({"tokens": "redis", "cache": "redis", "redis": "ok"})
        );
    }
    // LiveChat's chat_started for the seed's running chat reaches replica 0 only.
    assert!(
        r.sim
            .set_webhook_url(Some(webhook_url(&r.proxies[0])))
            .await
            >= 1
    );
    let (status, body, _) = r.details(1, SEED_LC_VISITOR_ID).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(r.sim.visitor_details(SEED_LC_VISITOR_ID).len(), 1);

    // chat_ended on replica 1 drops the token replica 0 stored; a late chat_ended for an older
    // chat does not drop a newer one.
    r.webhook(0, "chat_started", "S1.roam", "NEW", "t-new")
        .await;
    let (status, _, _) = r.webhook(1, "chat_ended", "S1.roam", "OLD", "t-old").await;
    assert_eq!(status, 200);
    let (status, body, _) = r.details(1, "S1.roam").await;
    assert!(token_was_kept(status, &body), "still kept");
    r.webhook(0, "chat_started", "S1.roam", "NEW2", "t-new2")
        .await;
    r.webhook(1, "chat_ended", "S1.roam", "NEW2", "t-new2")
        .await;
    let (status, body, _) = r.details(0, "S1.roam").await;
    assert!(!token_was_kept(status, &body));
}

#[tokio::test(flavor = "multi_thread")]
async fn tokens_in_redis_are_bounded_and_expire() {
    let r = replicas(2, |raw| {
        raw.set("LIVECHAT_WEBHOOK_CAPACITY", "3");
    })
    .await;
    for i in 0..5 {
        let (status, _, _) = r
            .webhook(i % 2, "chat_started", &format!("S1.b{i}"), "C", "t")
            .await;
        assert_eq!(status, 200);
    }
    let mut kept = Vec::new();
    for i in 0..5 {
        let (status, body, _) = r.details(1, &format!("S1.b{i}")).await;
        kept.push(token_was_kept(status, &body));
    }
    assert_eq!(
        kept,
        [false, false, true, true, true],
        "the oldest two went"
    );

    let short = replicas(1, |raw| {
        raw.set("LIVECHAT_WEBHOOK_TTL_SECS", "1");
    })
    .await;
    short.webhook(0, "chat_started", "S1.brief", "C", "t").await;
    let (status, body, _) = short.details(0, "S1.brief").await;
    assert!(token_was_kept(status, &body), "kept at first");
    eventually(Duration::from_secs(10), "the token expires", || async {
        match short.details(0, "S1.brief").await {
            (status, body, _) if token_was_kept(status, &body) => Err((status, body)),
            _ => Ok(()),
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_miss_on_one_replica_is_a_hit_on_another_with_the_same_etag() {
    let r = replicas(2, |_| {}).await;
    r.wait_for_health("ok").await;
    let before = r.sim.counters().lp_visit;
    let (status, tag, body, _) = r.get(0, &seed_visit(), None).await;
    assert_eq!(status, 200);
    assert_eq!(r.sim.counters().lp_visit, before + 1);
    let (status, tag_b, body_b, _) = r.get(1, &seed_visit(), None).await;
    assert_eq!((status, &tag_b, &body_b), (200, &tag, &body));
    assert_eq!(
        r.sim.counters().lp_visit,
        before + 1,
        "a hit on the other replica"
    );
    let (status, _, _, _) = r.get(1, &seed_visit(), Some(&tag)).await;
    assert_eq!(status, 304);
    // Each replica compresses for itself, to the same tag: a brotli poll revalidates anywhere.
    let br = |replica| {
        r.client
            .get(r.url(replica, &seed_visit()))
            .header("Accept-Encoding", "br")
    };
    let first = br(0).send().await.unwrap();
    assert_eq!(first.headers()["content-encoding"], "br");
    let br_tag = first.headers()["etag"].to_str().unwrap().to_owned();
    assert_eq!(br_tag, format!("{}-br\"", &tag[..tag.len() - 1]));
    let again = br(1).header("If-None-Match", &br_tag).send().await.unwrap();
    assert_eq!(again.status(), 304);
    assert_eq!(again.headers()["etag"].to_str().unwrap(), br_tag);

    // Concurrent misses on both replicas, while the upstream is slow: one call in all.
    r.sim.set_knobs(Knobs {
        latency_ms: 300,
        ..Knobs::default()
    });
    let path = r.generated_visit(0);
    let before = r.sim.counters().lp_visit;
    let mut calls = tokio::task::JoinSet::new();
    for i in 0..40 {
        let (client, url) = (r.client.clone(), r.url(i % 2, &path));
        calls.spawn(async move {
            let response = client.get(url).send().await.unwrap();
            let status = response.status().as_u16();
            let tag = response.headers()["etag"].to_str().unwrap().to_owned();
            (status, tag)
        });
    }
    let mut tags = std::collections::BTreeSet::new();
    while let Some(done) = calls.join_next().await {
        let (status, tag) = done.unwrap();
        assert_eq!(status, 200);
        tags.insert(tag);
    }
    assert_eq!(tags.len(), 1, "one answer for all");
    assert_eq!(
        r.sim.counters().lp_visit,
        before + 1,
        "one upstream call across replicas"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_frozen_redis_never_holds_a_request_and_is_picked_up_again() {
    let r = replicas(2, |_| {}).await;
    r.wait_for_health("ok").await;
    assert!(
        r.sim
            .set_webhook_url(Some(webhook_url(&r.proxies[0])))
            .await
            >= 1
    );
    r.sim.set_webhook_url(None).await;

    // Connections stay open, nothing answers: the case a naive client waits on forever.
    r.redis.freeze();
    let (status, _, _, took) = r.get(0, &r.generated_visit(0), None).await;
    assert_eq!(status, 200, "served by the replica itself");
    assert!(took < UPSTREAM_TIMEOUT, "{took:?}");
    let (status, body, took) = r.webhook(1, "chat_started", "S1.frozen", "C", "t").await;
    assert_eq!((status, error_code(&body)), (503, "store_unavailable"));
    assert!(took < UPSTREAM_TIMEOUT, "{took:?}");
    let (status, body, took) = r.details(1, SEED_LC_VISITOR_ID).await;
    assert_eq!((status, error_code(&body)), (503, "store_unavailable"));
    assert!(took < UPSTREAM_TIMEOUT, "{took:?}");
    for health in r.wait_for_health("degraded").await {
        assert_eq!(health["store"]["redis"], "unreachable");
        assert!(health["store"]["reason"]
            .as_str()
            .is_some_and(|s| !s.is_empty()));
    }
    // Reads keep working, quickly, while it is down.
    for path in [seed_visit(), r.generated_visit(1)] {
        let (status, _, _, took) = r.get(1, &path, None).await;
        assert_eq!(status, 200);
        assert!(took < UPSTREAM_TIMEOUT, "{took:?}");
    }

    r.redis.resume();
    r.wait_for_health("ok").await;
    // Nothing was lost: the seed's token (stored through replica 0) serves replica 1.
    let (status, body, _) = r.details(1, SEED_LC_VISITOR_ID).await;
    assert_eq!(status, 200, "{body}");
    let (status, _, _) = r.webhook(1, "chat_started", "S1.frozen", "C", "t").await;
    assert_eq!(status, 200, "LiveChat's retry is accepted");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_killed_redis_degrades_and_its_restart_is_picked_up_without_restarting_a_proxy() {
    let mut r = replicas(2, |_| {}).await;
    r.wait_for_health("ok").await;

    r.redis.stop();
    let (status, body, took) = r.webhook(0, "chat_started", "S1.down", "C", "t").await;
    assert_eq!((status, error_code(&body)), (503, "store_unavailable"));
    assert!(took < UPSTREAM_TIMEOUT, "{took:?}");
    for (replica, path) in [
        (0, seed_visit()),
        (1, seed_visit()),
        (1, r.generated_visit(2)),
    ] {
        let (status, _, _, took) = r.get(replica, &path, None).await;
        assert_eq!(status, 200);
        assert!(took < UPSTREAM_TIMEOUT, "{took:?}");
    }
    for health in r.wait_for_health("degraded").await {
        let reason = health["store"]["reason"].as_str().unwrap().to_owned();
        assert!(!reason.contains(PASSWORD), "{reason}");
        assert!(!health.to_string().contains(PASSWORD));
    }

    // Same port, empty (it kept nothing): the proxies reconnect by themselves.
    r.redis.restart();
    r.wait_for_health("ok").await;
    let (status, _, _) = r
        .webhook(
            0,
            "chat_started",
            SEED_LC_VISITOR_ID,
            "C",
            &r.sim.chat_token(SEED_LC_VISITOR_ID).unwrap(),
        )
        .await;
    assert_eq!(status, 200);
    let (status, body, _) = r.details(1, SEED_LC_VISITOR_ID).await;
    assert_eq!(status, 200, "{body}");
    // And the cache is shared again.
    let path = r.generated_visit(3);
    let before = r.sim.counters().lp_visit;
    let (_, tag, _, _) = r.get(1, &path, None).await;
    let (status, _, _, _) = r.get(0, &path, Some(&tag)).await;
    assert_eq!(status, 304);
    assert_eq!(r.sim.counters().lp_visit, before + 1);
}
