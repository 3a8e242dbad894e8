//! Every route against the simulator over real HTTP: LivePerson with both auth schemes and each
//! documented error code, LiveChat list / visitor / details, the webhook, health, static files.

mod common;

use common::*;
use serde_json::{json, Value};

#[tokio::test(flavor = "multi_thread")]
async fn liveperson_visit_with_oauth1_and_the_domain_api() {
    let h = start(|_, _| {}).await;
    let r = h.get(&h.seed_visit_path()).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["cache-control"], "no-cache");
    assert_eq!(r.headers()["x-content-type-options"], "nosniff");
    let etag = r.headers()["etag"].to_str().unwrap().to_owned();
    assert!(
        etag.starts_with('"') && etag.ends_with('"'),
        "strong ETag: {etag}"
    );
    let body: Value = r.json().await.unwrap();
    let fixture: Value = serde_json::from_str(FIXTURE_LP).unwrap();
    assert_eq!(body, fixture, "the upstream body is passed through");
    let counters = h.sim.counters();
    assert_eq!(counters.domain_api, 1, "the domain was discovered once");
    assert_eq!(counters.lp_visit, 1);
    assert_eq!(
        counters.auth_failures, 0,
        "the simulator accepted the proxy's OAuth signature"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn liveperson_visit_with_a_bearer_token_and_a_configured_domain() {
    let h = start(|raw, sim| {
        for k in [
            "LIVEPERSON_CONSUMER_KEY",
            "LIVEPERSON_CONSUMER_SECRET",
            "LIVEPERSON_ACCESS_TOKEN",
            "LIVEPERSON_TOKEN_SECRET",
        ] {
            raw.set(k, "");
        }
        raw.set(
            "LIVEPERSON_BEARER_TOKEN",
            sim.credentials().lp_bearer_token.clone(),
        );
        raw.set("LIVEPERSON_DOMAIN", sim.base_url());
    })
    .await;
    let (status, body) = h.get_json(&h.seed_visit_path()).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["appSessions"][0]["geo"]["city"], "Tel Aviv");
    assert_eq!(
        h.sim.counters().domain_api,
        0,
        "a configured domain needs no Domain API call"
    );
    let (_, health) = h.get_json("/api/health").await;
    assert_eq!(health["upstreams"]["liveperson"]["auth"], "bearer");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_domain_api_answer_outside_liveperson_net_is_an_upstream_error_and_never_called() {
    let h = start(|_, _| {}).await;
    // Where a tampered Domain API answer would send the signed call: a listener that counts.
    let elsewhere = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    elsewhere.set_nonblocking(true).unwrap();
    let port = elsewhere.local_addr().unwrap().port();
    for answer in [
        format!("http://127.0.0.1:{port}"),
        "lo.v.liveperson.net.attacker.example".to_owned(),
        "http://lo.v.liveperson.net".to_owned(),
    ] {
        h.sim.set_domain_answer(Some(&answer));
        let (status, body) = h.get_json(&h.seed_visit_path()).await;
        assert_eq!(
            (status, error_code(&body)),
            (502, "upstream_bad_response"),
            "{answer}: {body}"
        );
    }
    assert_eq!(h.sim.counters().lp_visit, 0, "no visit call anywhere");
    assert!(
        matches!(elsewhere.accept(), Err(e) if e.kind() == std::io::ErrorKind::WouldBlock),
        "nothing connected to the address the answer named"
    );
    // The simulator naming itself (a loopback Domain API's own origin) is followed.
    h.sim.set_domain_answer(None);
    assert_eq!(h.get_json(&h.seed_visit_path()).await.0, 200);
}

#[tokio::test(flavor = "multi_thread")]
async fn wrong_liveperson_credentials_are_no_permission_10() {
    let h = start(|raw, _| {
        raw.set("LIVEPERSON_TOKEN_SECRET", "not-the-secret");
    })
    .await;
    let (status, body) = h.get_json(&h.seed_visit_path()).await;
    assert_eq!(status, 502);
    assert_eq!(error_code(&body), "liveperson_no_permission");
    assert_eq!(body["error"]["upstream_status"], 401);
    assert_eq!(body["error"]["upstream_code"], 10);
    assert_eq!(h.sim.counters().auth_failures, 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn wrong_bearer_token_is_no_permission_10() {
    let h = start(|raw, _| {
        raw.set("LIVEPERSON_CONSUMER_KEY", "");
        raw.set("LIVEPERSON_BEARER_TOKEN", "wrong-token");
    })
    .await;
    let (status, body) = h.get_json(&h.seed_visit_path()).await;
    assert_eq!(
        (status, error_code(&body)),
        (502, "liveperson_no_permission")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn each_liveperson_error_code_has_its_own_code() {
    let h = start(|_, _| {}).await;
    let (generated, generated_sid) = h.generated_lp_visit();
    // 404/37: a visitor LivePerson does not know.
    let (status, body) = h
        .get_json("/api/liveperson/visitors/nobody/visit?sid=1.2")
        .await;
    assert_eq!(
        (status, error_code(&body)),
        (404, "liveperson_invalid_visitor")
    );
    assert_eq!(body["error"]["upstream_code"], 37);
    // 404/39: a known visitor with another session ID.
    let (status, body) = h
        .get_json(&format!(
            "/api/liveperson/visitors/{SEED_LP_VISITOR_ID}/visit?sid=999.999"
        ))
        .await;
    assert_eq!(
        (status, error_code(&body)),
        (404, "liveperson_session_expired")
    );
    assert_eq!(body["error"]["upstream_code"], 39);
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("unknown or expired"));
    // 400/33: a session ID the proxy's charset allows but LivePerson refuses.
    let (status, body) = h
        .get_json(&format!(
            "/api/liveperson/visitors/{SEED_LP_VISITOR_ID}/visit?sid=a~b"
        ))
        .await;
    assert_eq!((status, error_code(&body)), (400, "liveperson_bad_request"));
    assert_eq!(body["error"]["upstream_code"], 33);
    // 404/12: the session ended (LivePerson keeps them 6 hours).
    assert!(h.sim.expire_visit(&generated));
    let (status, body) = h
        .get_json(&format!(
            "/api/liveperson/visitors/{generated}/visit?sid={generated_sid}"
        ))
        .await;
    assert_eq!((status, error_code(&body)), (404, "liveperson_not_found"));
    assert_eq!(body["error"]["upstream_code"], 12);
    // 500: LivePerson's internal error.
    h.sim.set_knobs(visitor_sidebar_sim::Knobs {
        error_rate: 1.0,
        ..Default::default()
    });
    let (status, body) = h
        .get_json("/api/liveperson/visitors/other/visit?sid=1.2")
        .await;
    assert_eq!((status, error_code(&body)), (502, "upstream_error"));
    assert_eq!(body["error"]["upstream_status"], 500);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unknown_account_is_invalid_account_6() {
    let h = start(|raw, sim| {
        raw.set("LIVEPERSON_ACCOUNT_ID", "99999999");
        // With a fixed domain the visit API itself answers 404/6 (the Domain API would too).
        raw.set("LIVEPERSON_DOMAIN", sim.base_url());
    })
    .await;
    let (status, body) = h.get_json(&h.seed_visit_path()).await;
    assert_eq!(
        (status, error_code(&body)),
        (502, "liveperson_invalid_account")
    );
    assert_eq!(body["error"]["upstream_code"], 6);
    assert_eq!(body["error"]["upstream_status"], 404);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unknown_account_at_the_domain_api_is_invalid_account_6() {
    let h = start(|raw, _| {
        raw.set("LIVEPERSON_ACCOUNT_ID", "99999999");
    })
    .await;
    let (status, body) = h.get_json(&h.seed_visit_path()).await;
    assert_eq!(
        (status, error_code(&body)),
        (502, "liveperson_invalid_account")
    );
    assert_eq!(body["error"]["upstream_code"], 6);
    let c = h.sim.counters();
    assert_eq!(
        (c.domain_api, c.lp_visit),
        (1, 0),
        "no visit call without a domain"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn ids_that_could_steer_the_upstream_url_are_refused() {
    let h = start(|_, _| {}).await;
    for path in [
        "/api/liveperson/visitors/..%2Fadmin/visit?sid=1.2",
        "/api/liveperson/visitors/a%2Fb/visit?sid=1.2",
        "/api/liveperson/visitors/..%2F..%2Fhost/visit?sid=1.2",
        "/api/liveperson/visitors/a%40evil.example/visit?sid=1.2",
        "/api/liveperson/visitors/abc/visit?sid=1.2%26filter%3Dall",
        "/api/liveperson/visitors/abc/visit?sid=..",
        "/api/liveperson/visitors/abc/visit",
        "/api/livechat/visitors/a%0d%0aX-Evil:1",
        "/api/livechat/visitors/%C3%A9",
    ] {
        let (status, body) = h.get_json(path).await;
        assert_eq!((status, error_code(&body)), (400, "invalid_id"), "{path}");
    }
    let long = "a".repeat(129);
    let (status, body) = h.get_json(&format!("/api/livechat/visitors/{long}")).await;
    assert_eq!((status, error_code(&body)), (400, "invalid_id"));
    let c = h.sim.counters();
    assert_eq!(
        (c.lp_visit, c.lc_visitors, c.domain_api),
        (0, 0, 0),
        "nothing reached upstream"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn livechat_list_with_filters_and_count() {
    let h = start(|_, _| {}).await;
    let (status, all) = h.get_json("/api/livechat/visitors").await;
    assert_eq!(status, 200);
    let all = all.as_array().unwrap().clone();
    assert_eq!(all.len(), 7, "the seed and six generated visitors");
    let fixture: Value = serde_json::from_str(FIXTURE_LC).unwrap();
    assert_eq!(
        all[0], fixture[0],
        "the seed visitor is passed through unchanged"
    );

    let (_, chatting) = h.get_json("/api/livechat/visitors?state=chatting").await;
    let chatting = chatting.as_array().unwrap();
    assert!(!chatting.is_empty());
    assert!(chatting.iter().all(|v| v["state"] == "chatting"));

    let (_, grouped) = h
        .get_json("/api/livechat/visitors?group[]=102&group[]=1")
        .await;
    let grouped = grouped.as_array().unwrap();
    assert!(grouped.iter().all(|v| v["group"] == 102 || v["group"] == 1));
    assert!(grouped.iter().any(|v| v["id"] == SEED_LC_VISITOR_ID));

    let (status, count) = h.get_json("/api/livechat/visitors?count=1").await;
    assert_eq!((status, count), (200, json!(7)));
    let (status, count) = h
        .get_json("/api/livechat/visitors?state=queued&count=1")
        .await;
    assert_eq!(status, 200);
    assert!(count.is_u64());

    for bad in ["state=browsing", "count=5", "group[]=x", "other=1"] {
        let (status, body) = h.get_json(&format!("/api/livechat/visitors?{bad}")).await;
        assert_eq!((status, error_code(&body)), (400, "invalid_query"), "{bad}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn livechat_one_visitor_from_the_cached_list() {
    let h = start(|_, _| {}).await;
    let (status, body) = h
        .get_json(&format!("/api/livechat/visitors/{SEED_LC_VISITOR_ID}"))
        .await;
    assert_eq!(status, 200);
    assert_eq!(body["city"], "Greenville");
    assert_eq!(body["page_title"], "LiveChat – Chat Window API (JS)");
    let generated = h.lc_visitor_in_state("browsing").unwrap();
    let (status, body) = h
        .get_json(&format!("/api/livechat/visitors/{generated}"))
        .await;
    assert_eq!(
        (status, body["id"].as_str()),
        (200, Some(generated.as_str()))
    );
    let (status, body) = h.get_json("/api/livechat/visitors/S000.absent").await;
    assert_eq!((status, error_code(&body)), (404, "not_found"));
    assert_eq!(
        h.sim.counters().lc_visitors,
        1,
        "all three came from one cached list"
    );
}

fn details() -> Value {
    json!({"id": "my-app", "fields": [{"name": "Age", "value": "36"}, {"name": "CRM", "value": "Open record", "url": "https://crm.example.com/c/1"}], "icon": "example.com/icon.png"})
}

#[tokio::test(flavor = "multi_thread")]
async fn details_are_posted_with_the_webhook_token() {
    let h = start(|_, _| {}).await;
    let path = format!("/api/livechat/visitors/{SEED_LC_VISITOR_ID}/details");
    let (status, body) = h.post_json(&path, &details()).await;
    assert_eq!(
        (status, &body),
        (200, &json!({"result": "Visitor details added"}))
    );
    let stored = h.sim.visitor_details(SEED_LC_VISITOR_ID);
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0]["id"], "my-app");
    assert_eq!(stored[0]["license_id"], "9281545");
    assert_eq!(stored[0]["fields"][1]["url"], "https://crm.example.com/c/1");
    assert_eq!(stored[0]["icon"], "example.com/icon.png");
}

#[tokio::test(flavor = "multi_thread")]
async fn details_without_a_webhook_token_are_409_until_the_chat_starts() {
    let h = start(|_, _| {}).await;
    let browsing = h.lc_visitor_in_state("browsing").unwrap();
    let path = format!("/api/livechat/visitors/{browsing}/details");
    let (status, body) = h.post_json(&path, &details()).await;
    assert_eq!((status, error_code(&body)), (409, "no_webhook_token"));
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("webhook"));
    // The chat starts: the simulator sends chat_started to the proxy, which keeps the token.
    assert!(h.sim.start_chat(&browsing).await);
    let (status, body) = h.post_json(&path, &details()).await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test(flavor = "multi_thread")]
async fn each_validation_failure_names_its_field() {
    let h = start(|_, _| {}).await;
    let path = format!("/api/livechat/visitors/{SEED_LC_VISITOR_ID}/details");
    let field = |name: &str, value: &str| json!({"name": name, "value": value});
    let many: Vec<Value> = (0..51).map(|i| field(&format!("n{i}"), "v")).collect();
    let cases = [
        (json!({"id": "", "fields": [field("a", "b")]}), "id"),
        (json!({"id": "my app", "fields": [field("a", "b")]}), "id"),
        (
            json!({"id": "x".repeat(65), "fields": [field("a", "b")]}),
            "id",
        ),
        (json!({"id": "my-app", "fields": []}), "fields"),
        (json!({"id": "my-app", "fields": many}), "fields"),
        (
            json!({"id": "my-app", "fields": [field("", "b")]}),
            "fields[0].name",
        ),
        (
            json!({"id": "my-app", "fields": [field("a", "")]}),
            "fields[0].value",
        ),
        (
            json!({"id": "my-app", "fields": [field(&"n".repeat(101), "b")]}),
            "fields[0].name",
        ),
        (
            json!({"id": "my-app", "fields": [field("a", &"v".repeat(1001))]}),
            "fields[0].value",
        ),
        (
            json!({"id": "my-app", "fields": [{"name": "a", "value": "b", "url": "javascript:alert(1)"}]}),
            "fields[0].url",
        ),
        (
            json!({"id": "my-app", "fields": [{"name": "a", "value": "b", "url": "ftp://x.example"}]}),
            "fields[0].url",
        ),
        (
            json!({"id": "my-app", "fields": [field("a", "b")], "icon": "https://example.com/i.png"}),
            "icon",
        ),
        (
            json!({"id": "my-app", "fields": [field("a", "b")], "icon": "javascript:alert(1)"}),
            "icon",
        ),
    ];
    for (body, expected_field) in cases {
        let (status, answer) = h.post_json(&path, &body).await;
        assert_eq!(
            (status, error_code(&answer)),
            (422, "validation_failed"),
            "{body}"
        );
        let fields: Vec<&str> = answer["error"]["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["field"].as_str().unwrap())
            .collect();
        assert_eq!(fields, [expected_field], "{body}");
        assert!(answer["error"]["fields"][0]["message"].is_string());
    }
    // Not JSON, or not the expected shape: 400.
    let r = h
        .client
        .post(h.url(&path))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(error_code(&r.json().await.unwrap()), "invalid_body");
    let (status, body) = h.post_json(&path, &json!({"fields": "x"})).await;
    assert_eq!((status, error_code(&body)), (400, "invalid_body"));
    assert!(
        h.sim.visitor_details(SEED_LC_VISITOR_ID).is_empty(),
        "nothing invalid was sent"
    );
    assert_eq!(h.sim.counters().lc_details, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn webhook_needs_the_secret_and_stores_nothing_without_it() {
    let h = start(|_, _| {}).await;
    let browsing = h.lc_visitor_in_state("browsing").unwrap();
    let event = json!({"event_type": "chat_started", "token": "tok-123", "license_id": "9281545", "lc_version": "2", "chat": {"id": "C1"}, "visitor": {"id": browsing, "name": "V"}});
    for query in ["", "?secret=wrong", "?secret="] {
        let (status, body) = h
            .post_json(
                &format!("/api/livechat/webhooks/chat-started{query}"),
                &event,
            )
            .await;
        assert_eq!(
            (status, error_code(&body)),
            (401, "unauthorized"),
            "{query}"
        );
    }
    assert!(h.stored_token(&browsing).await.is_none());
    let (status, body) = h
        .post_json(
            &format!("/api/livechat/webhooks/chat-started?secret={WEBHOOK_SECRET}"),
            &event,
        )
        .await;
    assert_eq!((status, &body), (200, &json!({"ok": true})));
    let stored = h.stored_token(&browsing).await.unwrap();
    assert_eq!(
        (stored.license_id.as_str(), stored.token.expose()),
        ("9281545", "tok-123")
    );
    // A token the simulator never issued is refused by LiveChat: the proxy says so and forgets it.
    let path = format!("/api/livechat/visitors/{browsing}/details");
    let (status, body) = h.post_json(&path, &details()).await;
    assert_eq!(
        (status, error_code(&body)),
        (409, "livechat_token_rejected")
    );
    assert!(h.stored_token(&browsing).await.is_none());
    // A bad event body is refused.
    let (status, body) = h
        .post_json(
            &format!("/api/livechat/webhooks/chat-started?secret={WEBHOOK_SECRET}"),
            &json!({"event_type": "chat_started", "visitor": {"id": "../x"}}),
        )
        .await;
    assert_eq!((status, error_code(&body)), (400, "invalid_id"));
}

#[tokio::test(flavor = "multi_thread")]
async fn health_reports_configured_upstreams() {
    let h = start(|raw, _| {
        raw.clear_upstreams();
        raw.set("LIVECHAT_LOGIN", "a@example.com");
        raw.set("LIVECHAT_API_KEY", "k");
    })
    .await;
    let (status, body) = h.get_json("/api/health").await;
    assert_eq!(status, 200);
    assert_eq!(body["upstreams"]["liveperson"]["configured"], false);
    assert_eq!(body["upstreams"]["livechat"]["configured"], true);
    assert_eq!(body["upstreams"]["livechat"]["webhook"], false);
    let (status, body) = h.get_json(&h.seed_visit_path()).await;
    assert_eq!((status, error_code(&body)), (503, "not_configured"));
    let (status, body) = h.get_json("/api/demo/chats").await;
    assert_eq!(
        (status, error_code(&body)),
        (404, "not_found"),
        "no demo chats outside demo mode"
    );
    for path in [
        "/api/demo/agent-workspace",
        "/api/demo/agent-workspace/widget",
        "/api/demo/lp-agent-sdk-standin.js",
    ] {
        let (status, body) = h.get_json(path).await;
        assert_eq!((status, error_code(&body)), (404, "not_found"), "{path}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn unknown_routes_and_methods_get_json_errors() {
    let h = start(|_, _| {}).await;
    let (status, body) = h.get_json("/api/nope").await;
    assert_eq!((status, error_code(&body)), (404, "not_found"));
    let (status, body) = h.get_json("/").await;
    assert_eq!(
        (status, error_code(&body)),
        (404, "not_found"),
        "no static dir configured"
    );
    let r = h.client.delete(h.url("/api/health")).send().await.unwrap();
    assert_eq!(r.status(), 405);
    assert_eq!(error_code(&r.json().await.unwrap()), "method_not_allowed");
}

#[cfg(feature = "demo")]
#[tokio::test(flavor = "multi_thread")]
async fn demo_mode_serves_the_fake_agent_workspace_its_widget_page_and_the_sdk_stand_in() {
    let demo = visitor_sidebar_proxy::start_demo("127.0.0.1:0".parse().unwrap(), None)
        .await
        .unwrap();
    let client = reqwest::Client::new();
    let get = |path: &str| client.get(format!("{}{path}", demo.url())).send();
    for (path, kind, holds) in [
        (
            "/api/demo/agent-workspace",
            "text/html",
            "/api/demo/agent-workspace/widget?console=liveperson",
        ),
        (
            "/api/demo/agent-workspace/widget",
            "text/html",
            r#"<meta name="visitor-sidebar:liveperson-sdk-url" content="/api/demo/lp-agent-sdk-standin.js">"#,
        ),
        (
            "/api/demo/lp-agent-sdk-standin.js",
            "text/javascript",
            "window.lpTag.agentSDK = sdk",
        ),
    ] {
        let r = get(path).await.unwrap();
        assert_eq!(r.status(), 200, "{path}");
        let content_type = r.headers()["content-type"].to_str().unwrap().to_owned();
        assert!(content_type.starts_with(kind), "{path}: {content_type}");
        assert_eq!(r.headers()["x-content-type-options"], "nosniff");
        assert!(r.text().await.unwrap().contains(holds), "{path}");
    }
    demo.shutdown().await;
}

#[cfg(feature = "demo")]
#[tokio::test(flavor = "multi_thread")]
async fn demo_mode_serves_the_widget_and_lists_chats() {
    let dir = std::env::temp_dir().join(format!("vs-static-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("index.html"), "<html>widget</html>").unwrap();
    std::fs::write(dir.join("app.js"), "console.log(1)").unwrap();
    let demo = visitor_sidebar_proxy::start_demo("127.0.0.1:0".parse().unwrap(), Some(dir.clone()))
        .await
        .unwrap();
    let client = reqwest::Client::new();
    let get = |path: &str| client.get(format!("{}{path}", demo.url())).send();
    let page = get("/").await.unwrap();
    assert_eq!(page.status(), 200);
    assert_eq!(page.text().await.unwrap(), "<html>widget</html>");
    assert_eq!(
        get("/app.js").await.unwrap().text().await.unwrap(),
        "console.log(1)"
    );
    assert_eq!(
        get("/console/chat/1").await.unwrap().text().await.unwrap(),
        "<html>widget</html>",
        "client-side routes get index.html"
    );
    let api_404: Value = get("/api/unknown").await.unwrap().json().await.unwrap();
    assert_eq!(error_code(&api_404), "not_found");

    let chats: Vec<Value> = get("/api/demo/chats").await.unwrap().json().await.unwrap();
    let lp: Vec<&Value> = chats
        .iter()
        .filter(|c| c["provider"] == "liveperson")
        .collect();
    assert_eq!(lp[0]["visitorId"], SEED_LP_VISITOR_ID);
    assert_eq!(lp[0]["sid"], SEED_LP_SID);
    assert_eq!(lp[0]["name"], "John Doe");
    assert_eq!(lp[0]["summary"], "Test Page");
    let seed_lc = chats
        .iter()
        .find(|c| c["visitorId"] == SEED_LC_VISITOR_ID)
        .unwrap();
    assert_eq!(seed_lc["name"], "Visitor");
    assert_eq!(seed_lc["summary"], "Greenville, United States");
    assert!(seed_lc.get("sid").is_none());
    assert_eq!(chats.len(), 14);

    // The demo's proxy really calls the simulator with its credentials.
    let visit: Value = get(&format!(
        "/api/liveperson/visitors/{SEED_LP_VISITOR_ID}/visit?sid={SEED_LP_SID}"
    ))
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert_eq!(visit["appSessions"][0]["geo"]["city"], "Tel Aviv");
    let r = client
        .post(format!(
            "{}/api/livechat/visitors/{SEED_LC_VISITOR_ID}/details",
            demo.url()
        ))
        .json(&details())
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        200,
        "the seed chat's webhook reached the proxy at start"
    );
    demo.shutdown().await;
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test(flavor = "multi_thread")]
async fn livechat_region_header_is_sent_when_configured() {
    let mut sim_config = visitor_sidebar_sim::SimConfig::default();
    sim_config.credentials.lc_region = Some("fra".into());
    let with_region = start_with(sim_config.clone(), |raw, _| {
        raw.set("LIVECHAT_REGION", "fra");
    })
    .await;
    let (status, _) = with_region.get_json("/api/livechat/visitors?count=1").await;
    assert_eq!(status, 200);

    let without = start_with(sim_config, |_, _| {}).await;
    let (status, body) = without.get_json("/api/livechat/visitors?count=1").await;
    assert_eq!((status, error_code(&body)), (502, "livechat_unauthorized"));
    assert_eq!(body["error"]["upstream_status"], 401);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_chat_ended_webhook_drops_the_token() {
    let h = start(|_, _| {}).await;
    let chatting = h
        .lc_visitor_in_state("chatting")
        .expect("a generated visitor starts chatting");
    assert!(h.stored_token(&chatting).await.is_some());
    // Simulated chats close after a few ticks; the simulator then sends chat_ended.
    for _ in 0..20 {
        if h.sim.chat_token(&chatting).is_none() {
            break;
        }
        h.sim.tick().await;
    }
    assert!(h.sim.chat_token(&chatting).is_none(), "the chat ended");
    assert!(h.stored_token(&chatting).await.is_none());
    let (status, body) = h
        .post_json(
            &format!("/api/livechat/visitors/{chatting}/details"),
            &details(),
        )
        .await;
    assert_eq!((status, error_code(&body)), (409, "no_webhook_token"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_late_chat_ended_keeps_the_newer_chats_token() {
    let h = start(|_, _| {}).await;
    let url = format!("/api/livechat/webhooks/chat-started?secret={WEBHOOK_SECRET}");
    let event = |kind: &str, chat: &str, token: &str| json!({"event_type": kind, "token": token, "license_id": "9281545", "chat": {"id": chat}, "visitor": {"id": "S1.late"}});
    h.post_json(&url, &event("chat_started", "OLD", "t-old"))
        .await;
    h.post_json(&url, &event("chat_started", "NEW", "t-new"))
        .await;
    let (status, _) = h
        .post_json(&url, &event("chat_ended", "OLD", "t-old"))
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        h.stored_token("S1.late").await.unwrap().token.expose(),
        "t-new"
    );
    h.post_json(&url, &event("chat_ended", "NEW", "t-new"))
        .await;
    assert!(h.stored_token("S1.late").await.is_none());
}
