//! The simulator over real HTTP on 127.0.0.1:0: LivePerson's credential checks (requests signed
//! here with the `oauth1-request` crate, a third implementation) and error codes, LiveChat's
//! Basic auth, filters, details and webhooks, the fault knobs and the counters.

mod common;

use std::num::NonZeroU64;
use std::sync::{Arc, Mutex};

use axum::routing::post;
use axum::{Json, Router};
use common::json_of;
use serde_json::{json, Value};
use visitor_sidebar_sim::*;

async fn sim() -> Sim {
    Sim::start(SimConfig::default()).await.unwrap()
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// The visit URL (without query) and the query pairs.
fn visit_url(sim: &Sim, account: &str, visitor: &str) -> String {
    format!(
        "{}/api/account/{account}/monitoring/visitors/{visitor}/visits/current/state",
        sim.base_url()
    )
}

/// An `Authorization: OAuth ...` header from the oauth1-request crate.
fn oauth_header(
    creds: &SimCredentials,
    url: &str,
    query: &[(&str, &str)],
    nonce: &str,
    secret: &str,
) -> String {
    let list = oauth1_request::ParameterList::new(query.to_vec());
    oauth1_request::Builder::<_, &str, &str>::new(
        oauth1_request::Credentials::new(creds.lp_consumer_key.as_str(), secret),
        oauth1_request::HmacSha1::new(),
    )
    .token(oauth1_request::Credentials::new(
        creds.lp_access_token.as_str(),
        creds.lp_token_secret.as_str(),
    ))
    .nonce(nonce)
    .timestamp(NonZeroU64::new(now()))
    .version(true)
    .authorize("GET", url, &list)
}

async fn lp_get(
    sim: &Sim,
    account: &str,
    visitor: &str,
    sid: &str,
    auth: Option<String>,
) -> (u16, Value) {
    let url = visit_url(sim, account, visitor);
    let mut request =
        reqwest::Client::new()
            .get(&url)
            .query(&[("v", "1"), ("filter", "agent"), ("sid", sid)]);
    if let Some(auth) = auth {
        request = request.header("authorization", auth);
    }
    let r = request.send().await.unwrap();
    (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
}

fn signed(sim: &Sim, account: &str, visitor: &str, sid: &str, nonce: &str) -> String {
    let creds = sim.credentials();
    oauth_header(
        creds,
        &visit_url(sim, account, visitor),
        &[("v", "1"), ("filter", "agent"), ("sid", sid)],
        nonce,
        &creds.lp_consumer_secret,
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn liveperson_accepts_oauth1_and_bearer_and_refuses_the_rest() {
    let sim = sim().await;
    let acc = sim.credentials().lp_account_id.clone();
    let auth = signed(&sim, &acc, SEED_LP_VISITOR_ID, SEED_LP_SID, "nonce-1");
    let (status, body) = lp_get(
        &sim,
        &acc,
        SEED_LP_VISITOR_ID,
        SEED_LP_SID,
        Some(auth.clone()),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        body["appSessions"][0]["personalInfo"]["personalInfo"]["name"],
        "John"
    );
    // The same nonce again is a replay.
    let (status, body) = lp_get(&sim, &acc, SEED_LP_VISITOR_ID, SEED_LP_SID, Some(auth)).await;
    assert_eq!((status, body["internalCode"].as_i64()), (401, Some(10)));
    // A signature made with the wrong secret.
    let creds = sim.credentials();
    let bad = oauth_header(
        creds,
        &visit_url(&sim, &acc, SEED_LP_VISITOR_ID),
        &[("v", "1"), ("filter", "agent"), ("sid", SEED_LP_SID)],
        "nonce-2",
        "wrong",
    );
    assert_eq!(
        lp_get(&sim, &acc, SEED_LP_VISITOR_ID, SEED_LP_SID, Some(bad))
            .await
            .0,
        401
    );
    // Signed for another sid than the one sent.
    let other = signed(&sim, &acc, SEED_LP_VISITOR_ID, "1.2", "nonce-3");
    assert_eq!(
        lp_get(&sim, &acc, SEED_LP_VISITOR_ID, SEED_LP_SID, Some(other))
            .await
            .0,
        401
    );
    // Bearer tokens.
    let bearer = format!("Bearer {}", creds.lp_bearer_token);
    assert_eq!(
        lp_get(&sim, &acc, SEED_LP_VISITOR_ID, SEED_LP_SID, Some(bearer))
            .await
            .0,
        200
    );
    let wrong = "Bearer nope".to_owned();
    assert_eq!(
        lp_get(&sim, &acc, SEED_LP_VISITOR_ID, SEED_LP_SID, Some(wrong))
            .await
            .0,
        401
    );
    assert_eq!(
        lp_get(&sim, &acc, SEED_LP_VISITOR_ID, SEED_LP_SID, None)
            .await
            .0,
        401
    );
    let c = sim.counters();
    assert_eq!((c.lp_visit, c.auth_failures), (7, 5));
}

#[tokio::test(flavor = "multi_thread")]
async fn liveperson_error_codes() {
    let sim = sim().await;
    let acc = sim.credentials().lp_account_id.clone();
    let bearer = || Some(format!("Bearer {}", sim.credentials().lp_bearer_token));
    let code = |(status, body): (u16, Value)| (status, body["internalCode"].as_i64().unwrap_or(0));
    assert_eq!(
        code(lp_get(&sim, "999", SEED_LP_VISITOR_ID, SEED_LP_SID, bearer()).await),
        (404, 6)
    );
    assert_eq!(
        code(lp_get(&sim, &acc, "nobody", SEED_LP_SID, bearer()).await),
        (404, 37)
    );
    assert_eq!(
        code(lp_get(&sim, &acc, SEED_LP_VISITOR_ID, "1.2", bearer()).await),
        (404, 39)
    );
    assert_eq!(
        code(lp_get(&sim, &acc, SEED_LP_VISITOR_ID, "a~b", bearer()).await),
        (400, 33)
    );
    assert!(sim.expire_visit(SEED_LP_VISITOR_ID));
    assert_eq!(
        code(lp_get(&sim, &acc, SEED_LP_VISITOR_ID, SEED_LP_SID, bearer()).await),
        (404, 12)
    );
    sim.set_knobs(Knobs {
        error_rate: 1.0,
        ..Default::default()
    });
    assert_eq!(lp_get(&sim, &acc, "x", "1", bearer()).await.0, 500);
}

#[tokio::test(flavor = "multi_thread")]
async fn domain_api_answers_the_base_uri() {
    let sim = sim().await;
    let acc = sim.credentials().lp_account_id.clone();
    let url = format!(
        "{}/api/account/{acc}/service/smt/baseURI.json?version=1.0",
        sim.base_url()
    );
    let body: Value = reqwest::get(&url).await.unwrap().json().await.unwrap();
    assert_eq!(
        body,
        json!({"service": "smt", "account": acc, "baseURI": sim.base_url()})
    );
    let r = reqwest::get(format!(
        "{}/api/account/1/service/smt/baseURI.json?version=1.0",
        sim.base_url()
    ))
    .await
    .unwrap();
    assert_eq!(r.status(), 404);
    assert_eq!(sim.counters().domain_api, 2);
}

fn livechat(sim: &Sim, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
    let c = sim.credentials();
    reqwest::Client::new()
        .request(method, format!("{}{path}", sim.base_url()))
        .basic_auth(&c.lc_login, Some(&c.lc_api_key))
        .header("X-API-Version", "2")
}

#[tokio::test(flavor = "multi_thread")]
async fn livechat_auth_filters_and_count() {
    let sim = sim().await;
    let get = |path: &str| livechat(&sim, reqwest::Method::GET, path).send();
    let all: Vec<Value> = get("/visitors").await.unwrap().json().await.unwrap();
    assert_eq!(all.len(), 7);
    assert_eq!(all[0]["id"], SEED_LC_VISITOR_ID);
    let chatting: Vec<Value> = get("/visitors?state=chatting")
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(chatting.iter().all(|v| v["state"] == "chatting") && chatting.len() >= 2);
    let grouped: Vec<Value> = get("/visitors?group[]=102")
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(grouped.iter().all(|v| v["group"] == 102));
    let count: Value = get("/visitors?count=1")
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(count, json!(7));
    assert_eq!(get("/visitors?state=browsing").await.unwrap().status(), 400);

    let no_version = reqwest::Client::new()
        .get(format!("{}/visitors", sim.base_url()))
        .basic_auth(
            &sim.credentials().lc_login,
            Some(&sim.credentials().lc_api_key),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(no_version.status(), 400);
    let wrong_key = reqwest::Client::new()
        .get(format!("{}/visitors", sim.base_url()))
        .basic_auth(&sim.credentials().lc_login, Some("wrong"))
        .header("X-API-Version", "2")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong_key.status(), 401);
}

#[tokio::test(flavor = "multi_thread")]
async fn details_need_the_chats_token() {
    let sim = sim().await;
    let token = sim.chat_token(SEED_LC_VISITOR_ID).unwrap();
    let post = |token: &str| {
        livechat(&sim, reqwest::Method::POST, &format!("/visitors/{SEED_LC_VISITOR_ID}/details"))
            .json(&json!({"license_id": 9281545, "token": token, "id": "my-app", "fields": [{"name": "Age", "value": 36}]}))
            .send()
    };
    assert_eq!(post("wrong").await.unwrap().status(), 403);
    let ok = post(&token).await.unwrap();
    assert_eq!(ok.status(), 200);
    assert_eq!(
        ok.json::<Value>().await.unwrap(),
        json!({"result": "Visitor details added"})
    );
    let stored = sim.visitor_details(SEED_LC_VISITOR_ID);
    assert_eq!(stored.len(), 1);
    assert!(
        stored[0].get("token").is_none(),
        "the token is not kept with the details"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn chats_that_start_send_the_webhook() {
    let received = Arc::new(Mutex::new(Vec::<Value>::new()));
    let sink = received.clone();
    let app = Router::new().route(
        "/hook",
        post(move |Json(body): Json<Value>| {
            let sink = sink.clone();
            async move {
                sink.lock().unwrap().push(body);
                "ok"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

    let sim = sim().await;
    let delivered = sim
        .set_webhook_url(Some(format!("http://{addr}/hook?secret=s")))
        .await;
    assert!(
        delivered >= 2,
        "the seed chat and a generated one were announced"
    );
    let events = received.lock().unwrap().clone();
    let seed = events
        .iter()
        .find(|e| e["visitor"]["id"] == SEED_LC_VISITOR_ID)
        .unwrap();
    assert_eq!(seed["event_type"], "chat_started");
    assert_eq!(seed["license_id"], "9281545");
    assert_eq!(
        seed["token"].as_str(),
        sim.chat_token(SEED_LC_VISITOR_ID).as_deref()
    );

    // Ticking moves generated visitors on: a queued one starts chatting and its webhook is sent.
    let before = sim.counters().webhooks_sent;
    let mut started = false;
    for _ in 0..6 {
        sim.tick().await;
        if sim.counters().webhooks_sent > before {
            started = true;
            break;
        }
    }
    assert!(
        started,
        "a queued visitor started a chat within a few ticks"
    );
    assert_eq!(sim.counters().webhooks_failed, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn knobs_and_counters_over_http() {
    let sim = Sim::start(SimConfig {
        knobs: Knobs {
            rate_limit_rate: 1.0,
            retry_after_secs: 9,
            ..Default::default()
        },
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let r = livechat(&sim, reqwest::Method::GET, "/visitors")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 429);
    assert_eq!(r.headers()["retry-after"], "9");
    let client = reqwest::Client::new();
    let knobs: Value = json_of(
        client
            .put(format!("{}/_sim/knobs", sim.base_url()))
            .json(&json!({"malformed_rate": 1.0})),
    )
    .await;
    assert_eq!(knobs["rate_limit_rate"], 0.0);
    let r = livechat(&sim, reqwest::Method::GET, "/visitors")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.json::<Value>().await.is_err(), "malformed body");
    sim.set_knobs(Knobs {
        truncated_rate: 1.0,
        ..Default::default()
    });
    let text = livechat(&sim, reqwest::Method::GET, "/visitors")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        text.starts_with('[') && serde_json::from_str::<Value>(&text).is_err(),
        "cut in half"
    );
    let counters: Value = json_of(client.get(format!("{}/_sim/counters", sim.base_url()))).await;
    assert_eq!(counters["lc_visitors"], 3);
    client
        .post(format!("{}/_sim/counters/reset", sim.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(sim.counters(), CounterSnapshot::default());
    let chats: Vec<DemoChat> = json_of(client.post(format!("{}/_sim/tick", sim.base_url()))).await;
    assert_eq!(chats[0].name, "John Doe");
}
