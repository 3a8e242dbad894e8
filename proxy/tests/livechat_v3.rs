//! LiveChat's Agent Chat API v3.6 `get_customer` through the proxy, against the simulator: the
//! customer the Agent App names, its link to the v2 visitor, caching and 304s, each refusal, and
//! the REST API v2's deprecation headers surfacing in health.

mod common;

use common::*;
use serde_json::Value;
use visitor_sidebar_sim::{customer_id_for, Knobs, SEED_LC_CUSTOMER_ID};

fn customer_path(id: &str) -> String {
    format!("/api/livechat/customers/{id}")
}

#[tokio::test(flavor = "multi_thread")]
async fn the_seed_customer_carries_its_visit_and_its_v2_visitor_id() {
    let h = start(|_, _| {}).await;
    let r = h.get(&customer_path(SEED_LC_CUSTOMER_ID)).await;
    assert_eq!(r.status(), 200);
    let etag = r.headers()["etag"].to_str().unwrap().to_owned();
    let customer: Value = r.json().await.unwrap();
    assert_eq!(customer["id"], SEED_LC_CUSTOMER_ID);
    assert_eq!(customer["__priv_lc2_customer_id"], SEED_LC_VISITOR_ID);
    let seed: Value = serde_json::from_str(FIXTURE_LC).unwrap();
    let visitor = &seed[0];
    assert_eq!(customer["name"], visitor["name"]);
    assert_eq!(customer["visit"]["ip"], visitor["ip"]);
    assert_eq!(customer["visit"]["user_agent"], visitor["browser"]);
    assert_eq!(customer["state"], visitor["state"]);
    assert_eq!(customer["visit"]["geolocation"]["city"], visitor["city"]);
    let pages = customer["visit"]["last_pages"].as_array().unwrap();
    assert_eq!(pages.len(), visitor["visit_path"].as_array().unwrap().len());
    assert_eq!(pages[0]["url"], visitor["visit_path"][0]["page"]);
    assert!(customer["statistics"]["page_views_count"].is_u64());
    assert_eq!(
        h.sim.counters().auth_failures,
        0,
        "the simulator accepted account_id:PAT"
    );

    // The next poll is a 304 from the cache: no second upstream call.
    let again = h
        .client
        .get(h.url(&customer_path(SEED_LC_CUSTOMER_ID)))
        .header("If-None-Match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);
    assert_eq!(h.sim.counters().lc_customers, 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn every_listed_livechat_chat_has_a_customer() {
    let h = start(|_, _| {}).await;
    for chat in h
        .sim
        .chats()
        .into_iter()
        .filter(|c| c.provider == "livechat")
    {
        let id = chat
            .customer_id
            .clone()
            .expect("LiveChat chats carry a customer ID");
        assert_eq!(id, customer_id_for(&chat.visitor_id));
        let (status, customer) = h.get_json(&customer_path(&id)).await;
        assert_eq!(status, 200, "{customer}");
        assert_eq!(customer["__priv_lc2_customer_id"], chat.visitor_id.as_str());
        assert_eq!(customer["name"], chat.name.as_str());
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn unknown_invalid_and_unauthorized_customers_are_refused_clearly() {
    let h = start(|_, _| {}).await;
    let (status, body) = h
        .get_json(&customer_path("00000000-0000-4000-8000-000000000000"))
        .await;
    assert_eq!(status, 404, "{body}");
    assert_eq!(error_code(&body), "not_found");
    assert_eq!(body["error"]["upstream_status"], 404);

    let (status, body) = h.get_json(&customer_path("bad%20id")).await;
    assert_eq!(status, 400);
    assert_eq!(error_code(&body), "invalid_id");
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("customer ID"));

    let wrong = start(|raw, _| {
        raw.set("LIVECHAT_PAT", "fra:not-the-token");
    })
    .await;
    let (status, body) = wrong.get_json(&customer_path(SEED_LC_CUSTOMER_ID)).await;
    assert_eq!(status, 502);
    assert_eq!(error_code(&body), "livechat_unauthorized");
    assert_eq!(body["error"]["upstream_status"], 401);
    let text = body.to_string();
    assert!(!text.contains("not-the-token"), "no credential in the body");
}

#[tokio::test(flavor = "multi_thread")]
async fn without_a_personal_access_token_customers_are_not_configured() {
    let h = start(|raw, _| {
        raw.set("LIVECHAT_ACCOUNT_ID", "");
        raw.set("LIVECHAT_PAT", "");
    })
    .await;
    let (status, body) = h.get_json(&customer_path(SEED_LC_CUSTOMER_ID)).await;
    assert_eq!(status, 503);
    assert_eq!(error_code(&body), "not_configured");
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("LIVECHAT_PAT"));
    // v2 goes on working.
    let (status, _) = h.get_json("/api/livechat/visitors").await;
    assert_eq!(status, 200);
    let (_, health) = h.get_json("/api/health").await;
    assert_eq!(health["upstreams"]["livechat"]["agent_chat_api_v3"], false);
    assert_eq!(health["upstreams"]["livechat"]["rest_api_v2"], true);
}

#[tokio::test(flavor = "multi_thread")]
async fn v2_deprecation_headers_show_in_health() {
    let h = start(|_, _| {}).await;
    let (_, health) = h.get_json("/api/health").await;
    assert_eq!(
        health["upstreams"]["livechat"]["v2_deprecation"],
        Value::Null
    );
    h.sim.set_knobs(Knobs {
        lc_v2_deprecated: true,
        ..Knobs::default()
    });
    let (status, _) = h.get_json("/api/livechat/visitors?count=1").await;
    assert_eq!(status, 200);
    let (_, health) = h.get_json("/api/health").await;
    let notice = &health["upstreams"]["livechat"]["v2_deprecation"];
    assert_eq!(notice["deprecation"], "@1688169599");
    assert_eq!(notice["sunset"], "Wed, 31 Mar 2027 23:59:59 GMT");
    assert!(notice["last_seen_unix"].as_u64().unwrap() > 0);
}
