//! The router driven in-process with `tower::ServiceExt::oneshot`, no sockets: the checks that
//! need no upstream (health, ID rules, query rules, auth refusals, 404/405 shapes).

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;
use visitor_sidebar_proxy::{app, AppState, Config, RawConfig};

/// Anonymous access allowed: for the checks that come before configuration.
const ANONYMOUS: &[(&str, &str)] = &[("VS_ALLOW_ANONYMOUS", "true")];

fn router(pairs: &[(&str, &str)]) -> axum::Router {
    let mut raw = RawConfig::default();
    for (k, v) in pairs {
        raw.set(k, *v);
    }
    app(AppState::new(Config::from_raw(&raw).unwrap()).unwrap())
}

async fn call(router: axum::Router, request: Request<Body>) -> (StatusCode, Value) {
    let response = router.oneshot(request).await.unwrap();
    let status = response.status();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

fn get(uri: &str) -> Request<Body> {
    Request::get(uri).body(Body::empty()).unwrap()
}

#[tokio::test]
async fn health_without_upstreams() {
    let (status, body) = call(router(&[]), get("/api/health")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["status"], "ok");
    assert_eq!(body["upstreams"]["liveperson"]["configured"], false);
    assert_eq!(body["demo"], false);
}

#[tokio::test]
async fn checks_come_before_configuration() {
    let (status, body) = call(
        router(ANONYMOUS),
        get("/api/liveperson/visitors/a%2Fb/visit?sid=1"),
    )
    .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_id"))
    );
    let (status, body) = call(
        router(ANONYMOUS),
        get("/api/liveperson/visitors/abc/visit?sid=1"),
    )
    .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::SERVICE_UNAVAILABLE, Some("not_configured"))
    );
    let (status, body) = call(router(ANONYMOUS), get("/api/livechat/visitors?state=nope")).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_query"))
    );
}

#[tokio::test]
async fn closed_by_default() {
    let paths = [
        ("GET", "/api/liveperson/visitors/abc/visit?sid=1"),
        ("GET", "/api/livechat/visitors"),
        ("GET", "/api/livechat/visitors/abc"),
        ("POST", "/api/livechat/visitors/abc/details"),
    ];
    for (method, uri) in paths {
        let request = Request::builder()
            .method(method)
            .uri(uri)
            .header("content-type", "application/json")
            .body(Body::from(if method == "POST" { "{}" } else { "" }))
            .unwrap();
        let response = router(&[]).oneshot(request).await.unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{uri}");
        assert_eq!(
            response.headers()["www-authenticate"],
            r#"Bearer realm="visitor-sidebar""#
        );
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        let body: Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(body["error"]["code"], "unauthorized", "{uri}");
    }
    let (status, body) = call(router(&[]), get("/api/health")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (&body["anonymous"], &body["access_control"]),
        (&Value::Bool(false), &Value::Bool(true))
    );
    let (status, body) = call(router(&[]), get("/api/auth/config")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, serde_json::json!({"anonymous": false, "modes": []}));
    let (_, body) = call(router(ANONYMOUS), get("/api/auth/config")).await;
    assert_eq!(body, serde_json::json!({"anonymous": true, "modes": []}));
}

#[tokio::test]
async fn tokens_are_required_when_configured() {
    let r = router(&[("VS_ACCESS_TOKENS", "a-token-of-sixteen-chars")]);
    let (status, body) = call(r.clone(), get("/api/livechat/visitors")).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("unauthorized"))
    );
    let authed = Request::get("/api/livechat/visitors")
        .header("authorization", "Bearer a-token-of-sixteen-chars")
        .body(Body::empty())
        .unwrap();
    let (status, _) = call(r.clone(), authed).await;
    assert_eq!(
        status,
        StatusCode::SERVICE_UNAVAILABLE,
        "past auth, LiveChat is not configured"
    );
    let (status, _) = call(r, get("/api/health")).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn webhook_is_refused_when_not_configured() {
    let request = Request::post("/api/livechat/webhooks/chat-started?secret=x")
        .header("content-type", "application/json")
        .body(Body::from("{}"))
        .unwrap();
    let (status, body) = call(router(&[]), request).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::SERVICE_UNAVAILABLE, Some("not_configured"))
    );
}

#[tokio::test]
async fn oversized_bodies_are_refused() {
    let request = Request::post("/api/livechat/visitors/abc/details")
        .header("content-type", "application/json")
        .body(Body::from(vec![b' '; 100 * 1024]))
        .unwrap();
    // Past sign-in (a stranger's body is not read at all: 401 first).
    let (status, body) = call(router(ANONYMOUS), request).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::PAYLOAD_TOO_LARGE, Some("payload_too_large"))
    );
}
