//! Following one request: its ID is in the response's `X-Request-Id`, on every log line written
//! while it was answered (JSON lines, `VS_LOG_FORMAT=json`'s format, captured in-process), and in
//! the simulator's record of the upstream calls it caused. An incoming ID is kept only from a
//! trusted peer and only when valid; with coalescing, the upstream call carries the ID of the
//! request that triggered it. CORS callers may read the header.

mod common;

use common::*;
use serde_json::Value;
use visitor_sidebar_proxy::logging::{subscriber, LogFormat};
use visitor_sidebar_proxy::request_id::is_valid;
use visitor_sidebar_sim::Knobs;

/// The lines written while answering the request with this ID.
fn lines_of(logs: &Captured, id: &str) -> Vec<Value> {
    logs.json_lines()
        .into_iter()
        .filter(|l| l["span"]["request_id"] == id)
        .collect()
}

fn id_of(response: &reqwest::Response) -> String {
    response.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned()
}

/// One global subscriber per test binary: every test here shares it (and its capture).
fn capture() -> Captured {
    static CAPTURED: std::sync::OnceLock<Captured> = std::sync::OnceLock::new();
    CAPTURED
        .get_or_init(|| {
            let captured = Captured::default();
            let writer = captured.clone();
            let filter =
                tracing_subscriber::EnvFilter::new("visitor_sidebar_proxy=debug,tower_http=debug");
            tracing::subscriber::set_global_default(subscriber(
                LogFormat::Json,
                filter,
                move || writer.clone(),
            ))
            .unwrap();
            captured
        })
        .clone()
}

#[tokio::test(flavor = "multi_thread")]
async fn one_id_from_the_response_through_the_log_to_the_upstream_call() {
    let logs = capture();
    let h = start(|_, _| {}).await;
    let unknown = format!("/api/liveperson/visitors/Unknown-Visitor-77/visit?sid={SEED_LP_SID}");

    let r = h.get(&h.seed_visit_path()).await;
    assert_eq!(r.status(), 200);
    let id = id_of(&r);
    assert!(uuid_v4(&id), "{id}");
    // The upstream calls it caused: the Domain API lookup and the visit.
    assert_eq!(h.sim.request_ids("domain_api"), [id.as_str()]);
    assert_eq!(h.sim.request_ids("lp_visit"), [id.as_str()]);
    let lines = lines_of(&logs, &id);
    assert!(
        lines
            .iter()
            .any(|l| l["target"] == "visitor_sidebar_proxy::audit" && l["status"] == 200),
        "the audit line carries the ID: {lines:#?}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l["target"] == "tower_http::trace::on_response"),
        "{lines:#?}"
    );

    // An error: the response's ID is on the 'request refused' line and at the simulator.
    let r = h.get(&unknown).await;
    assert_eq!(r.status(), 404);
    let error_id = id_of(&r);
    assert_ne!(error_id, id, "each request its own ID");
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"]["upstream_code"], 37);
    assert_eq!(
        h.sim.request_ids("lp_visit"),
        [id.clone(), error_id.clone()]
    );
    let lines = lines_of(&logs, &error_id);
    assert!(
        lines
            .iter()
            .any(|l| l["message"] == "request refused" && l["code"] == "liveperson_invalid_visitor"),
        "{lines:#?}"
    );

    // A cache hit makes no upstream call: the simulator has no record of its ID.
    let r = h.get(&h.seed_visit_path()).await;
    let hit = id_of(&r);
    assert!(!h
        .sim
        .all_request_ids()
        .values()
        .flatten()
        .any(|i| *i == hit));
    assert!(!lines_of(&logs, &hit).is_empty());

    // By default a client's own ID is not trusted: it is replaced, and never sent upstream.
    let r = h
        .client
        .get(h.url(&format!("/api/livechat/visitors/{SEED_LC_VISITOR_ID}")))
        .header("x-request-id", "client-chosen-id-1")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let replaced = id_of(&r);
    assert!(uuid_v4(&replaced), "{replaced}");
    assert_eq!(h.sim.request_ids("lc_visitors"), [replaced.as_str()]);
    let everything = logs.json_lines();
    assert!(!everything
        .iter()
        .any(|l| l.to_string().contains("client-chosen-id-1")));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_trusted_peer_s_id_is_kept_when_valid() {
    let logs = capture();
    let h = start(|raw, _| {
        raw.set("VS_TRUST_REQUEST_ID", "127.0.0.1");
    })
    .await;
    let r = h
        .client
        .get(h.url(&h.seed_visit_path()))
        .header("x-request-id", "lb-Root=1-abc.def:42")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(id_of(&r), "lb-Root=1-abc.def:42");
    assert_eq!(h.sim.request_ids("lp_visit"), ["lb-Root=1-abc.def:42"]);
    assert!(lines_of(&logs, "lb-Root=1-abc.def:42")
        .iter()
        .any(|l| l["target"] == "visitor_sidebar_proxy::audit"));

    // Not valid (a space, too long): replaced even from a trusted peer.
    for bad in ["two words", &"x".repeat(129)] {
        let r = h
            .client
            .get(h.url("/api/health"))
            .header("x-request-id", bad)
            .send()
            .await
            .unwrap();
        let id = id_of(&r);
        assert_ne!(id, bad);
        assert!(uuid_v4(&id) && is_valid(&id));
    }

    // Another peer is not trusted.
    let other = start(|raw, _| {
        raw.set("VS_TRUST_REQUEST_ID", "10.9.8.7");
    })
    .await;
    let r = other
        .client
        .get(other.url("/api/health"))
        .header("x-request-id", "from-an-untrusted-peer")
        .send()
        .await
        .unwrap();
    assert_ne!(id_of(&r), "from-an-untrusted-peer");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_coalesced_upstream_call_carries_the_triggering_request_s_id() {
    let _logs = capture();
    let h = start(|_, _| {}).await;
    let (visitor, sid) = h.generated_lp_visit();
    let path = format!("/api/liveperson/visitors/{visitor}/visit?sid={sid}");
    // Warm the domain, so the only upstream call below is the visit.
    assert_eq!(h.get(&h.seed_visit_path()).await.status(), 200);
    h.sim.set_knobs(Knobs {
        latency_ms: 1500,
        ..Default::default()
    });
    let first = tokio::spawn({
        let request = h.client.get(h.url(&path));
        async move {
            let r = request.send().await.unwrap();
            (r.status().as_u16(), id_of(&r))
        }
    });
    // The first call is in flight once the simulator counts it.
    h.lp_visit_calls_reach(2).await;
    let second = h.get(&path).await;
    assert_eq!(second.status(), 200);
    let second_id = id_of(&second);
    let (status, first_id) = first.await.unwrap();
    assert_eq!(status, 200);
    assert_ne!(first_id, second_id);
    let visits = h.sim.request_ids("lp_visit");
    assert_eq!(visits.len(), 2, "one call for the seed, one shared by both");
    assert_eq!(visits[1], first_id);
}

#[tokio::test(flavor = "multi_thread")]
async fn cors_callers_may_read_the_request_id() {
    let _logs = capture();
    let h = start(|raw, _| {
        raw.set("VS_ALLOWED_ORIGINS", "https://console.example.com");
    })
    .await;
    let r = h
        .client
        .get(h.url(&h.seed_visit_path()))
        .header("origin", "https://console.example.com")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let exposed = r.headers()["access-control-expose-headers"]
        .to_str()
        .unwrap()
        .to_ascii_lowercase();
    assert!(exposed.contains("x-request-id"), "{exposed}");
    assert!(r.headers().contains_key("x-request-id"));
}

/// A UUID v4 as the proxy generates them (`8-4-4-4-12` hex, version 4).
fn uuid_v4(id: &str) -> bool {
    let parts: Vec<&str> = id.split('-').collect();
    parts.iter().map(|p| p.len()).collect::<Vec<_>>() == [8, 4, 4, 4, 12]
        && id.bytes().all(|b| b == b'-' || b.is_ascii_hexdigit())
        && parts[2].starts_with('4')
}
