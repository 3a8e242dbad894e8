//! Load and faults: concurrent requests share one upstream call, the TTL cache serves repeats,
//! ETags give 304s, and each simulator fault knob maps to its error code.

mod common;

use std::time::Duration;

use common::*;
use serde_json::Value;
use visitor_sidebar_sim::Knobs;

/// Fires `n` concurrent GETs and returns their statuses.
async fn concurrent_gets(h: &Harness, path: &str, n: usize) -> Vec<u16> {
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..n {
        let request = h.client.get(h.url(path));
        set.spawn(async move { request.send().await.unwrap().status().as_u16() });
    }
    let mut statuses = Vec::new();
    while let Some(status) = set.join_next().await {
        statuses.push(status.unwrap());
    }
    statuses
}

#[tokio::test(flavor = "multi_thread")]
async fn concurrent_requests_share_one_upstream_call() {
    let h = start(|_, _| {}).await;
    // The latency keeps the first call in flight while the others arrive.
    h.sim.set_knobs(Knobs {
        latency_ms: 300,
        ..Default::default()
    });
    let statuses = concurrent_gets(&h, &h.seed_visit_path(), 50).await;
    assert!(statuses.iter().all(|&s| s == 200), "{statuses:?}");
    let c = h.sim.counters();
    assert_eq!(
        (c.domain_api, c.lp_visit),
        (1, 1),
        "50 requests, one upstream call"
    );

    let statuses = concurrent_gets(
        &h,
        &format!("/api/livechat/visitors/{SEED_LC_VISITOR_ID}"),
        50,
    )
    .await;
    assert!(statuses.iter().all(|&s| s == 200));
    assert_eq!(h.sim.counters().lc_visitors, 1);

    // Repeats within the TTL are served from the cache.
    h.sim.set_knobs(Knobs::default());
    for _ in 0..20 {
        assert_eq!(h.get(&h.seed_visit_path()).await.status(), 200);
    }
    assert_eq!(h.sim.counters().lp_visit, 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn concurrent_requests_share_a_failure_too_and_it_is_not_kept() {
    let h = start(|_, _| {}).await;
    h.get(&h.seed_visit_path()).await; // domain discovered
    h.sim.reset_counters();
    // A long latency, so that all 20 requests arrive while the one failing call is in flight
    // even on a busy machine (failures are not cached, so a late one would call again).
    h.sim.set_knobs(Knobs {
        latency_ms: 1000,
        error_rate: 1.0,
        ..Default::default()
    });
    let path = format!("/api/liveperson/visitors/{SEED_LP_VISITOR_ID}/visit?sid=other.sid");
    let statuses = concurrent_gets(&h, &path, 20).await;
    assert!(statuses.iter().all(|&s| s == 502), "{statuses:?}");
    assert_eq!(h.sim.counters().lp_visit, 1);
    // A transient failure is not cached: once LivePerson recovers the next request goes through.
    h.sim.set_knobs(Knobs::default());
    let (status, body) = h.get_json(&path).await;
    assert_eq!(
        (status, error_code(&body)),
        (404, "liveperson_session_expired")
    );
    assert_eq!(h.sim.counters().lp_visit, 2);
    // ...while a definitive 404 is cached for the TTL like a success.
    h.get_json(&path).await;
    assert_eq!(h.sim.counters().lp_visit, 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn entries_expire_after_the_ttl() {
    let h = start(|raw, _| {
        raw.set("VS_CACHE_TTL_MS", "100");
    })
    .await;
    assert_eq!(h.get(&h.seed_visit_path()).await.status(), 200);
    assert_eq!(h.sim.counters().lp_visit, 1);
    // Expiry is the passing of time itself, so poll for it, bounded.
    eventually(Duration::from_secs(5), "the entry expires", || async {
        assert_eq!(h.get(&h.seed_visit_path()).await.status(), 200);
        match h.sim.counters().lp_visit {
            2.. => Ok(()),
            calls => Err(calls),
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn if_none_match_gives_304() {
    let h = start(|_, _| {}).await;
    for path in [
        h.seed_visit_path(),
        "/api/livechat/visitors?state=chatting".to_owned(),
        format!("/api/livechat/visitors/{SEED_LC_VISITOR_ID}"),
    ] {
        let first = h.get(&path).await;
        assert_eq!(first.status(), 200);
        let etag = first.headers()["etag"].to_str().unwrap().to_owned();
        for tag in [
            etag.clone(),
            format!("W/{etag}"),
            format!("\"x\", {etag}"),
            "*".to_owned(),
        ] {
            let r = h
                .client
                .get(h.url(&path))
                .header("if-none-match", &tag)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 304, "{path} {tag}");
            assert_eq!(r.headers()["etag"].to_str().unwrap(), etag);
            assert_eq!(r.headers()["cache-control"], "no-cache");
            assert!(r.bytes().await.unwrap().is_empty());
        }
        let r = h
            .client
            .get(h.url(&path))
            .header("if-none-match", "\"stale\"")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn etag_changes_when_the_visit_changes() {
    let h = start(|raw, _| {
        raw.set("VS_CACHE_TTL_MS", "1");
    })
    .await;
    let (visitor, sid) = h.generated_lp_visit();
    let path = format!("/api/liveperson/visitors/{visitor}/visit?sid={sid}");
    let first = h.get(&path).await.headers()["etag"].clone();
    let pages_before = {
        let (_, v) = h.get_json(&path).await;
        v["appSessions"][0]["pages"].as_array().unwrap().len()
    };
    for _ in 0..2 {
        h.sim.tick().await;
    }
    // The 1 ms TTL has passed by the time these requests arrive; poll until a fresh fetch shows
    // the new page (bounded).
    let tag = eventually(Duration::from_secs(5), "the visit changes", || async {
        let r = h.get(&path).await;
        let tag = r.headers()["etag"].clone();
        let v: Value = r.json().await.unwrap();
        match v["appSessions"][0]["pages"].as_array().unwrap().len() {
            pages if pages > pages_before => Ok(tag),
            pages => Err(pages),
        }
    })
    .await;
    assert_ne!(tag, first);
}

async fn fault(h: &Harness, knobs: Knobs, path: &str) -> (u16, Value, reqwest::header::HeaderMap) {
    h.sim.set_knobs(knobs);
    let r = h.get(path).await;
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    (status, r.json().await.unwrap_or(Value::Null), headers)
}

#[tokio::test(flavor = "multi_thread")]
async fn every_fault_knob_has_its_error_code() {
    let h = start(|raw, _| {
        raw.set("VS_UPSTREAM_TIMEOUT_MS", "500");
    })
    .await;
    let lp = h.seed_visit_path();
    let lc = "/api/livechat/visitors?state=queued".to_owned();
    let knob = |set: fn(&mut Knobs)| {
        let mut knobs = Knobs::default();
        set(&mut knobs);
        knobs
    };
    let faults: [(Knobs, u16, &str); 4] = [
        (knob(|k| k.error_rate = 1.0), 502, "upstream_error"),
        (
            knob(|k| k.malformed_rate = 1.0),
            502,
            "upstream_bad_response",
        ),
        (
            knob(|k| k.truncated_rate = 1.0),
            502,
            "upstream_bad_response",
        ),
        (knob(|k| k.latency_ms = 1500), 504, "upstream_timeout"),
    ];
    for path in [&lp, &lc] {
        for (knobs, want_status, want_code) in &faults {
            let (status, body, _) = fault(&h, knobs.clone(), path).await;
            assert_eq!(
                (status, error_code(&body)),
                (*want_status, *want_code),
                "{path} with {knobs:?}"
            );
            if *want_code == "upstream_error" {
                assert_eq!(body["error"]["upstream_status"], 500);
            }
        }

        // None of those was cached: with the knobs back at zero the route works.
        let (status, _, _) = fault(&h, Knobs::default(), path).await;
        assert_eq!(status, 200, "{path}");

        // Last, as it makes the proxy pause that upstream for Retry-After seconds.
        let (status, body, headers) = fault(
            &h,
            Knobs {
                rate_limit_rate: 1.0,
                retry_after_secs: 7,
                ..Default::default()
            },
            &if path.contains("liveperson") {
                format!("/api/liveperson/visitors/{SEED_LP_VISITOR_ID}/visit?sid=9.9")
            } else {
                format!("{path}&count=1")
            },
        )
        .await;
        assert_eq!(
            (status, error_code(&body)),
            (429, "upstream_rate_limited"),
            "{path}"
        );
        assert_eq!(headers["retry-after"], "7");
        assert_eq!(body["error"]["upstream_status"], 429);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn after_an_upstream_429_the_proxy_pauses_that_upstream() {
    let h = start(|_, _| {}).await;
    h.get(&h.seed_visit_path()).await; // domain discovered, visit cached
    h.sim.set_knobs(Knobs {
        rate_limit_rate: 1.0,
        retry_after_secs: 30,
        ..Default::default()
    });
    let other = format!("/api/liveperson/visitors/{SEED_LP_VISITOR_ID}/visit?sid=1.2");
    let (status, _) = h.get_json(&other).await;
    assert_eq!(status, 429);
    let calls = h.sim.counters().lp_visit;
    h.sim.set_knobs(Knobs::default());
    for _ in 0..5 {
        let r = h.get("/api/liveperson/visitors/nobody/visit?sid=1.2").await;
        assert_eq!(r.status(), 429);
        let secs: u64 = r.headers()["retry-after"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((1..=30).contains(&secs));
    }
    assert_eq!(
        h.sim.counters().lp_visit,
        calls,
        "no call reached LivePerson during the pause"
    );
    assert_eq!(
        h.get(&h.seed_visit_path()).await.status(),
        200,
        "cached answers are still served"
    );
    assert_eq!(
        h.get("/api/livechat/visitors").await.status(),
        200,
        "other upstreams are not paused"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn knobs_change_at_run_time_over_http() {
    let h = start(|_, _| {}).await;
    let admin = format!("{}/_sim/knobs", h.sim.base_url());
    let set: Value = json_of(
        h.client
            .put(&admin)
            .json(&serde_json::json!({"error_rate": 1.0})),
    )
    .await;
    assert_eq!(set["error_rate"], 1.0);
    assert_eq!(h.sim.knobs().error_rate, 1.0);
    let (status, body) = h.get_json("/api/livechat/visitors").await;
    assert_eq!((status, error_code(&body)), (502, "upstream_error"));
    h.client
        .put(&admin)
        .json(&serde_json::json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(h.get("/api/livechat/visitors").await.status(), 200);
    let counters: Value =
        json_of(h.client.get(format!("{}/_sim/counters", h.sim.base_url()))).await;
    assert_eq!(counters["lc_visitors"], 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn unreachable_and_oversized_upstreams() {
    // A loopback port just freed: nothing listens there.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let closed_url = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let h = start(|raw, _| {
        raw.set("LIVECHAT_API_URL", closed_url.clone());
        raw.set("VS_MAX_RESPONSE_BYTES", "2048");
    })
    .await;
    let (status, body) = h.get_json("/api/livechat/visitors").await;
    assert_eq!((status, error_code(&body)), (502, "upstream_unreachable"));
    // The seed visit is about 7 KB: over the bound.
    let (status, body) = h.get_json(&h.seed_visit_path()).await;
    assert_eq!((status, error_code(&body)), (502, "upstream_bad_response"));
}
