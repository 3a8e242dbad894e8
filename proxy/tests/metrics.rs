//! `/metrics` as an operator scrapes it, on its own listener: after a known sequence of requests
//! (cache hits and misses, a coalesced wait, an upstream 404/37, refused sign-ins, a rate-limit
//! refusal, webhooks) the counters have exact values, agreeing with what crossed the wire and
//! with the simulator's own counts; no label ever carries a visitor ID, a session ID, a token or
//! a raw path; the listener asks for its token and serves nothing else, and the API port serves
//! no metrics.

mod common;

use std::collections::BTreeMap;
use std::time::Duration;

use common::*;
use serde_json::json;
use visitor_sidebar_sim::{Knobs, SEED_LC_CUSTOMER_ID};

const TOKEN: &str = "agent-console-token-0123456789";
const METRICS_TOKEN: &str = "metrics-scrape-token-0123456789";
const VISIT_ROUTE: &str = "/api/liveperson/visitors/{visitor_id}/visit";

/// One sample: metric name and labels → value.
type Samples = BTreeMap<String, f64>;

/// Parses the Prometheus text format into `name{labels}` → value (labels as written).
fn parse(text: &str) -> Samples {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let (series, value) = l.rsplit_once(' ').expect("a sample line");
            (series.to_owned(), value.parse().expect("a number"))
        })
        .collect()
}

/// Every label value of every sample.
fn label_values(text: &str) -> Vec<(String, String)> {
    let mut values = Vec::new();
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let Some(start) = line.find('{') else {
            continue;
        };
        let end = line.rfind('}').unwrap();
        let mut rest = &line[start + 1..end];
        while let Some((name, tail)) = rest.split_once("=\"") {
            let close = tail.find('"').unwrap();
            values.push((
                name.trim_start_matches(',').to_owned(),
                tail[..close].to_owned(),
            ));
            rest = &tail[close + 1..];
        }
    }
    values
}

async fn scrape(h: &Harness) -> String {
    let addr = h.proxy.metrics_addr.expect("the metrics listener is on");
    let r = h
        .client
        .get(format!("http://{addr}/metrics"))
        .bearer_auth(METRICS_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.headers()["content-type"],
        "text/plain; version=0.0.4; charset=utf-8"
    );
    r.text().await.unwrap()
}

fn value(samples: &Samples, series: &str) -> f64 {
    *samples
        .get(series)
        .unwrap_or_else(|| panic!("{series} is not scraped; got {samples:#?}"))
}

async fn start_with_metrics() -> Harness {
    start(|raw, _| {
        raw.set("VS_METRICS_LISTEN", "127.0.0.1:0");
        raw.set("VS_METRICS_TOKEN", METRICS_TOKEN);
        raw.set("VS_ALLOW_ANONYMOUS", "false");
        raw.set("VS_ACCESS_TOKENS", TOKEN);
    })
    .await
}

async fn get_as(h: &Harness, path: &str, token: Option<&str>) -> u16 {
    let request = h.client.get(h.url(path));
    let request = match token {
        Some(t) => request.bearer_auth(t),
        None => request,
    };
    request.send().await.unwrap().status().as_u16()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_known_sequence_gives_exact_counts() {
    let h = start_with_metrics().await;
    let seed = h.seed_visit_path();
    let unknown = format!("/api/liveperson/visitors/no-such-visitor/visit?sid={SEED_LP_SID}");

    assert_eq!(get_as(&h, &seed, Some(TOKEN)).await, 200); // miss
    assert_eq!(get_as(&h, &seed, Some(TOKEN)).await, 200); // hit
    assert_eq!(get_as(&h, &unknown, Some(TOKEN)).await, 404); // miss: 404/37
    assert_eq!(get_as(&h, &unknown, Some(TOKEN)).await, 404); // hit (a settled answer)
    assert_eq!(get_as(&h, &seed, Some("wrong-token-0123456789")).await, 401);
    assert_eq!(get_as(&h, &seed, None).await, 401);

    // A coalesced wait: the first request's upstream call is held by the simulator's latency
    // (counted on arrival), and the second asks for the same visit meanwhile.
    let (visitor, sid) = h.generated_lp_visit();
    let path = format!("/api/liveperson/visitors/{visitor}/visit?sid={sid}");
    h.sim.set_knobs(Knobs {
        latency_ms: 1500,
        ..Default::default()
    });
    let first = tokio::spawn({
        let request = h.client.get(h.url(&path)).bearer_auth(TOKEN);
        async move { request.send().await.unwrap().status().as_u16() }
    });
    // The first call is in flight once the simulator counts it.
    h.lp_visit_calls_reach(3).await;
    assert_eq!(get_as(&h, &path, Some(TOKEN)).await, 200);
    assert_eq!(first.await.unwrap(), 200);
    h.sim.set_knobs(Knobs::default());

    // Bad tokens from one address until its budget of failures is spent.
    let (mut refused, mut limited) = (0, 0);
    for _ in 0..40 {
        match get_as(&h, &seed, Some("guessed-token-0123456789")).await {
            401 => refused += 1,
            429 => limited += 1,
            other => panic!("unexpected {other}"),
        }
    }
    assert!(limited > 0, "the failure budget is 30 a minute");

    let text = scrape(&h).await;
    let s = parse(&text);
    let cache = |result: &str| {
        value(
            &s,
            &format!(r#"vs_cache_requests_total{{cache="lp_visit",result="{result}"}}"#),
        )
    };
    assert_eq!(cache("hit"), 2.0);
    assert_eq!(cache("miss"), 3.0);
    assert_eq!(cache("coalesced"), 1.0);
    assert!(!s.keys().any(|k| k.contains(r#"result="shared_hit""#)));

    let upstream = |operation: &str, status: &str, code: &str| {
        value(
            &s,
            &format!(
                r#"vs_upstream_requests_total{{provider="liveperson",operation="{operation}",status="{status}",code="{code}"}}"#
            ),
        )
    };
    let c = h.sim.counters();
    assert_eq!(upstream("domain_api", "200", ""), c.domain_api as f64);
    assert_eq!(upstream("domain_api", "200", ""), 1.0);
    assert_eq!(upstream("visit", "200", ""), 2.0);
    assert_eq!(upstream("visit", "404", "37"), 1.0);
    assert_eq!(
        c.lp_visit, 3,
        "the simulator saw the same three visit calls"
    );
    assert_eq!(
        value(
            &s,
            r#"vs_upstream_request_duration_seconds_count{provider="liveperson",operation="visit"}"#
        ),
        3.0
    );

    let sign_in = |mode: &str, outcome: &str| {
        value(
            &s,
            &format!(r#"vs_sign_ins_total{{mode="{mode}",outcome="{outcome}"}}"#),
        )
    };
    assert_eq!(sign_in("token", "accepted"), 6.0);
    // Once the budget is spent the credential is not even looked at: no sign-in to count.
    assert_eq!(sign_in("opaque", "invalid"), f64::from(1 + refused));
    assert_eq!(sign_in("none", "missing"), 1.0);
    assert_eq!(
        value(&s, r#"vs_rate_limited_total{limit="failed_sign_in"}"#),
        f64::from(limited)
    );

    let requests = |class: &str| {
        value(
            &s,
            &format!(
                r#"vs_http_requests_total{{route="{VISIT_ROUTE}",method="GET",status="{class}"}}"#
            ),
        )
    };
    assert_eq!(requests("2xx"), 4.0);
    assert_eq!(requests("4xx"), f64::from(4 + 40));
    assert_eq!(
        value(
            &s,
            &format!(
                r#"vs_http_request_duration_seconds_count{{route="{VISIT_ROUTE}",method="GET"}}"#
            )
        ),
        f64::from(4 + 4 + 40)
    );

    // The webhooks the simulator delivered at start are the tokens stored.
    assert_eq!(
        value(&s, "vs_webhook_tokens_stored_total"),
        h.sim.counters().webhooks_sent as f64
    );
    assert!(value(&s, "vs_webhook_tokens_stored_total") > 0.0);
    assert!(
        value(
            &s,
            r#"vs_upstream_last_answer_timestamp_seconds{provider="liveperson"}"#
        ) > 1.7e9
    );
    assert_eq!(value(&s, "vs_ready"), 1.0);
    assert_eq!(value(&s, r#"vs_store_up{store="disk"}"#), 1.0);
}

#[tokio::test(flavor = "multi_thread")]
async fn webhook_tokens_stored_removed_and_rejected_are_counted() {
    let h = start_with_metrics().await;
    let sent_at_start = h.sim.counters().webhooks_sent;
    // A chat ends (chat_ended drops its token), then a token LiveChat refuses is dropped.
    let chatting = SEED_LC_VISITOR_ID.to_owned();
    let token = h.stored_token(&chatting).await.expect("its token");
    let ended = json!({
        "event_type": "chat_ended",
        "token": token.token.expose(),
        "license_id": token.license_id,
        "chat": {"id": token.chat_id},
        "visitor": {"id": chatting},
    });
    let (status, _) = h
        .post_json(
            &format!("/api/livechat/webhooks/chat-started?secret={WEBHOOK_SECRET}"),
            &ended,
        )
        .await;
    assert_eq!(status, 200);
    assert!(h.stored_token(&chatting).await.is_none());

    // Another chat ends without the proxy being told (no webhook URL): its token is stale,
    // LiveChat refuses it, and the proxy drops it.
    let stale = h.lc_visitor_in_state("chatting").expect("a running chat");
    assert!(h.stored_token(&stale).await.is_some());
    h.sim.set_webhook_url(None).await;
    let mut ticks = 0;
    while h.sim.chat_token(&stale).is_some() {
        assert!(ticks < 50, "the seed chat never ended");
        h.sim.tick().await;
        ticks += 1;
    }
    let (status, body) = h
        .client
        .post(h.url(&format!("/api/livechat/visitors/{stale}/details")))
        .bearer_auth(TOKEN)
        .json(&json!({"id": "my-app", "fields": [{"name": "Plan", "value": "Gold"}]}))
        .send()
        .await
        .map(|r| (r.status().as_u16(), r))
        .unwrap();
    let body: serde_json::Value = body.json().await.unwrap();
    assert_eq!(
        (status, error_code(&body)),
        (409, "livechat_token_rejected")
    );
    assert!(h.stored_token(&stale).await.is_none());

    let s = parse(&scrape(&h).await);
    assert_eq!(
        value(&s, "vs_webhook_tokens_stored_total"),
        sent_at_start as f64
    );
    assert_eq!(
        value(
            &s,
            r#"vs_webhook_tokens_removed_total{reason="chat_ended"}"#
        ),
        1.0
    );
    assert_eq!(
        value(&s, r#"vs_webhook_tokens_removed_total{reason="rejected"}"#),
        1.0
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn wrong_webhook_secrets_are_throttled_per_client_and_counted() {
    let h = start_with_metrics().await;
    let event = json!({"event_type": "chat_started", "token": "t-1", "license_id": "1",
        "chat": {"id": "C1"}, "visitor": {"id": "S1.throttled"}});
    let hook = "/api/livechat/webhooks/chat-started";
    let burst = visitor_sidebar_proxy::livechat::webhook::SECRET_FAILURES_PER_MINUTE as usize;
    let mut statuses = Vec::new();
    for i in 0..burst + 5 {
        let (status, body) = h
            .post_json(&format!("{hook}?secret=guess-{i}"), &event)
            .await;
        statuses.push((status, error_code(&body).to_owned()));
    }
    assert!(
        statuses[..burst]
            .iter()
            .all(|s| *s == (401, "unauthorized".into())),
        "{statuses:?}"
    );
    assert!(
        statuses[burst..]
            .iter()
            .all(|s| *s == (429, "rate_limited".into())),
        "{statuses:?}"
    );
    // LiveChat's own deliveries (the right secret) are never held back by someone's guesses.
    let (status, _) = h
        .post_json(&format!("{hook}?secret={WEBHOOK_SECRET}"), &event)
        .await;
    assert_eq!(status, 200);
    assert!(h.stored_token("S1.throttled").await.is_some());
    let s = parse(&scrape(&h).await);
    assert_eq!(
        value(&s, r#"vs_rate_limited_total{limit="webhook_secret"}"#),
        5.0
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn no_visitor_id_token_or_raw_path_is_ever_a_label() {
    let h = start_with_metrics().await;
    let mut secrets: Vec<String> = vec![
        SEED_LP_VISITOR_ID.into(),
        SEED_LP_SID.into(),
        SEED_LC_VISITOR_ID.into(),
        SEED_LC_CUSTOMER_ID.into(),
        TOKEN.into(),
        "wrong-token-0123456789".into(),
        "Sentinel-Unknown-Visitor-4711".into(),
        "sentinel-path-segment".into(),
    ];
    for chat in h.sim.chats() {
        secrets.push(chat.visitor_id.clone());
        secrets.extend(chat.sid.clone());
        secrets.extend(chat.customer_id.clone());
    }
    for chat in h.sim.chats() {
        let path = match chat.provider.as_str() {
            "liveperson" => format!(
                "/api/liveperson/visitors/{}/visit?sid={}",
                chat.visitor_id,
                chat.sid.unwrap()
            ),
            _ => format!("/api/livechat/visitors/{}", chat.visitor_id),
        };
        assert_eq!(get_as(&h, &path, Some(TOKEN)).await, 200, "{path}");
        if let Some(customer) = &chat.customer_id {
            get_as(
                &h,
                &format!("/api/livechat/customers/{customer}"),
                Some(TOKEN),
            )
            .await;
        }
    }
    for path in [
        "/api/livechat/visitors?state=chatting".to_owned(),
        format!("/api/liveperson/visitors/Sentinel-Unknown-Visitor-4711/visit?sid={SEED_LP_SID}"),
        "/api/liveperson/visitors/%3Cscript%3E/visit?sid=1".to_owned(),
        "/api/livechat/visitors/Sentinel-Unknown-Visitor-4711".to_owned(),
        "/api/sentinel-path-segment/Sentinel-Unknown-Visitor-4711".to_owned(),
        "/sentinel-path-segment".to_owned(),
    ] {
        get_as(&h, &path, Some(TOKEN)).await;
    }
    get_as(&h, &h.seed_visit_path(), Some("wrong-token-0123456789")).await;
    let (status, _) = h
        .client
        .post(h.url(&format!(
            "/api/livechat/visitors/{SEED_LC_VISITOR_ID}/details"
        )))
        .bearer_auth(TOKEN)
        .json(&json!({"id": "my-app", "fields": [{"name": "Plan", "value": "Sentinel-Personal-Value"}]}))
        .send()
        .await
        .map(|r| (r.status().as_u16(), ()))
        .unwrap();
    assert_eq!(status, 200);
    secrets.push("Sentinel-Personal-Value".into());

    let text = scrape(&h).await;
    let labels = label_values(&text);
    assert!(labels.len() > 20, "{text}");
    for (name, value) in &labels {
        for secret in &secrets {
            assert!(
                !value.contains(secret.as_str()),
                "{name}={value:?} carries {secret}"
            );
        }
        assert!(
            !value.contains('%') && !value.contains('?'),
            "{name}={value:?}"
        );
    }
    let templates = [
        "/api/liveperson/visitors/{visitor_id}/visit",
        "/api/livechat/visitors",
        "/api/livechat/visitors/{visitor_id}",
        "/api/livechat/visitors/{visitor_id}/details",
        "/api/livechat/customers/{customer_id}",
        // The simulator's webhooks, posted to this proxy at start.
        "/api/livechat/webhooks/chat-started",
        "/api/{*rest}",
        "unmatched",
    ];
    let routes: Vec<&String> = labels
        .iter()
        .filter(|(name, _)| name == "route")
        .map(|(_, v)| v)
        .collect();
    for route in &routes {
        assert!(templates.contains(&route.as_str()), "route label {route:?}");
    }
    assert!(routes.iter().any(|r| r.as_str() == "/api/{*rest}"));
    assert!(routes.iter().any(|r| r.as_str() == "unmatched"));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_metrics_listener_wants_its_token_and_serves_nothing_else() {
    let h = start_with_metrics().await;
    let addr = h.proxy.metrics_addr.unwrap();
    assert_ne!(addr, h.proxy.addr);
    let r = h
        .client
        .get(format!("http://{addr}/metrics"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    assert!(r.headers().contains_key("www-authenticate"));
    let r = h
        .client
        .get(format!("http://{addr}/metrics"))
        .bearer_auth("metrics-scrape-token-wrong")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let r = h
        .client
        .get(format!("http://{addr}/api/health"))
        .bearer_auth(METRICS_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    // The API port has no /metrics (its fallback answers, and counts the try as unmatched).
    assert_eq!(h.get("/metrics").await.status(), 404);
    let s = parse(&scrape(&h).await);
    assert_eq!(
        value(
            &s,
            r#"vs_http_requests_total{route="unmatched",method="GET",status="4xx"}"#
        ),
        1.0
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn without_the_setting_there_is_no_metrics_listener() {
    let h = start(|_, _| {}).await;
    assert!(h.proxy.metrics_addr.is_none());
}

#[tokio::test(flavor = "multi_thread")]
async fn expired_webhook_tokens_are_counted() {
    let h = start(|raw, _| {
        raw.set("VS_METRICS_LISTEN", "127.0.0.1:0");
        raw.set("VS_METRICS_TOKEN", METRICS_TOKEN);
        raw.set("LIVECHAT_WEBHOOK_TTL_SECS", "1");
    })
    .await;
    let stored = h.sim.counters().webhooks_sent;
    assert!(stored > 0);
    // Tokens live a second; the sweep (every 250 ms here) drops and counts them.
    eventually(Duration::from_secs(10), "every token expires", || async {
        let s = parse(&scrape(&h).await);
        assert_eq!(value(&s, "vs_webhook_tokens_stored_total"), stored as f64);
        let expired = value(&s, "vs_webhook_tokens_expired_total");
        assert!(expired <= stored as f64, "more expired than stored");
        if expired == stored as f64 {
            Ok(())
        } else {
            Err(expired)
        }
    })
    .await;
    assert!(h.stored_token(SEED_LC_VISITOR_ID).await.is_none());
}

#[tokio::test(flavor = "multi_thread")]
async fn per_agent_rate_limit_refusals_are_counted_as_sent() {
    let h = start(|raw, _| {
        raw.set("VS_METRICS_LISTEN", "127.0.0.1:0");
        raw.set("VS_METRICS_TOKEN", METRICS_TOKEN);
        raw.set("VS_RATE_LIMIT_PER_SEC", "1");
        raw.set("VS_RATE_LIMIT_BURST", "1");
    })
    .await;
    let mut limited = 0;
    for _ in 0..5 {
        match get_as(&h, &h.seed_visit_path(), None).await {
            200 => {}
            429 => limited += 1,
            other => panic!("unexpected {other}"),
        }
    }
    assert!(limited > 0, "one request a second, five sent at once");
    let s = parse(&scrape(&h).await);
    assert_eq!(
        value(&s, r#"vs_rate_limited_total{limit="client"}"#),
        f64::from(limited)
    );
    assert_eq!(
        value(
            &s,
            r#"vs_sign_ins_total{mode="anonymous",outcome="accepted"}"#
        ),
        5.0
    );
}
