//! Property tests of the proxy's input handling through the real router (`oneshot`, no sockets):
//! arbitrary bytes as a details body or a webhook, arbitrary visitor IDs and list queries. Never a
//! 5xx (a panic would be a 500 `internal_error`), always the JSON error shape on refusal, and the
//! answers agree with the contract crate's rules. LiveChat points at a closed loopback port: no
//! webhook token exists for the visitors asked about, so details never go upstream; only list
//! queries that pass the checks try it (and get `upstream_unreachable`).

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use percent_encoding::{utf8_percent_encode, NON_ALPHANUMERIC};
use proptest::prelude::*;
use serde_json::{json, Value};
use tower::ServiceExt;
use visitor_sidebar_contract::{check_id, DetailsRequest};
use visitor_sidebar_proxy::{app, AppState, Config, RawConfig};

const SECRET: &str = "property-test-webhook-secret";

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// The router with its own data folder (the webhook tokens' store), removed on drop.
struct Proxy {
    router: axum::Router,
    _data: tempfile::TempDir,
}

thread_local! {
    /// One proxy per test (each test runs on its own thread): opening the token store costs an
    /// fsync, too much to pay for each of the 256 cases.
    static PROXY: Proxy = proxy();
}

fn router() -> axum::Router {
    PROXY.with(|proxy| proxy.router.clone())
}

/// LiveChat configured (so valid requests get past "not configured") at a port nothing listens
/// on; LivePerson not configured.
fn proxy() -> Proxy {
    let data = tempfile::tempdir().unwrap();
    let mut raw = RawConfig::default();
    raw.set("VS_DATA_DIR", data.path().to_string_lossy());
    for (k, v) in [
        ("VS_RATE_LIMIT_PER_SEC", "0"),
        // Sign-in is not what these properties are about.
        ("VS_ALLOW_ANONYMOUS", "true"),
        ("LIVECHAT_API_URL", "http://127.0.0.1:9"),
        ("LIVECHAT_LOGIN", "agent@example.com"),
        ("LIVECHAT_API_KEY", "key"),
        ("LIVECHAT_WEBHOOK_SECRET", SECRET),
    ] {
        raw.set(k, v);
    }
    Proxy {
        router: app(AppState::new(Config::from_raw(&raw).unwrap()).unwrap()),
        _data: data,
    }
}

/// Sends the request; returns the status and the JSON body (Null when not JSON).
fn call(
    rt: &tokio::runtime::Runtime,
    router: &axum::Router,
    request: Request<Body>,
) -> (StatusCode, Value) {
    rt.block_on(async {
        let response = router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let is_json = response
            .headers()
            .get("content-type")
            .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        let body = if is_json {
            serde_json::from_slice(&bytes).unwrap_or(Value::Null)
        } else {
            Value::Null
        };
        (status, body)
    })
}

/// A refusal in the contract's shape: `{"error": {"code": "...", "message": "..."}}`.
fn assert_error_shape(status: StatusCode, body: &Value) -> Result<(), TestCaseError> {
    prop_assert!(status.is_client_error(), "{status}: {body}");
    prop_assert!(
        body["error"]["code"]
            .as_str()
            .is_some_and(|c| !c.is_empty()),
        "{body}"
    );
    prop_assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "{body}"
    );
    Ok(())
}

fn post(uri: &str, content_type: &str, body: Vec<u8>) -> Request<Body> {
    Request::post(uri)
        .header("content-type", content_type)
        .body(Body::from(body))
        .unwrap()
}

/// JSON that is sometimes a details request: the right keys with arbitrary values, or anything.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        any::<String>().prop_map(Value::from),
        "[a-z-]{0,10}".prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::from),
            prop::collection::btree_map(
                prop_oneof![
                    Just("id".to_owned()),
                    Just("fields".to_owned()),
                    Just("name".to_owned()),
                    Just("value".to_owned()),
                    Just("url".to_owned()),
                    Just("icon".to_owned()),
                    any::<String>(),
                ],
                inner,
                0..6
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn details_json() -> impl Strategy<Value = Value> {
    let text = prop_oneof![
        "[a-zA-Z0-9 -]{0,20}",
        any::<String>(),
        Just("https://crm.example.com/c/1".to_owned()),
        Just("javascript:alert(1)".to_owned()),
        Just("a\r\nb".to_owned()),
    ];
    let field = (text.clone(), text.clone(), prop::option::of(text.clone())).prop_map(
        |(n, v, u)| match u {
            Some(u) => json!({"name": n, "value": v, "url": u}),
            None => json!({"name": n, "value": v}),
        },
    );
    (
        text.clone(),
        prop::collection::vec(field, 0..5),
        prop::option::of(text),
    )
        .prop_map(|(id, fields, icon)| match icon {
            Some(icon) => json!({"id": id, "fields": fields, "icon": icon}),
            None => json!({"id": id, "fields": fields}),
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_bytes_as_details_are_refused_cleanly(
        bytes in prop::collection::vec(any::<u8>(), 0..2048),
        content_type in prop::sample::select(vec!["application/json", "text/plain", "application/json; charset=utf-8"]),
    ) {
        let rt = runtime();
        let (status, body) = call(&rt, &router(), post("/api/livechat/visitors/S1.abc/details", content_type, bytes));
        assert_error_shape(status, &body)?;
    }

    #[test]
    fn arbitrary_json_as_details_is_refused_cleanly(value in json_value()) {
        let rt = runtime();
        let (status, body) = call(&rt, &router(), post("/api/livechat/visitors/S1.abc/details", "application/json", value.to_string().into_bytes()));
        assert_error_shape(status, &body)?;
    }

    /// Shaped like a details request: the proxy's answer agrees with the contract. Valid ones get
    /// as far as the missing webhook token (409), invalid ones are 422 naming the same fields.
    #[test]
    fn details_answers_agree_with_the_contract(value in details_json()) {
        let rt = runtime();
        let (status, body) = call(&rt, &router(), post("/api/livechat/visitors/S1.abc/details", "application/json", value.to_string().into_bytes()));
        assert_error_shape(status, &body)?;
        let request: DetailsRequest = serde_json::from_value(value).unwrap();
        let problems = request.normalized().validate();
        if problems.is_empty() {
            prop_assert_eq!((status, body["error"]["code"].as_str()), (StatusCode::CONFLICT, Some("no_webhook_token")));
        } else {
            prop_assert_eq!((status, body["error"]["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("validation_failed")));
            let fields: Vec<&str> = body["error"]["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
            let expected: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
            prop_assert_eq!(fields, expected);
        }
    }

    #[test]
    fn arbitrary_webhook_bodies_never_fail_the_proxy(
        bytes in prop_oneof![
            prop::collection::vec(any::<u8>(), 0..2048),
            json_value().prop_map(|v| v.to_string().into_bytes()),
        ],
        with_secret in any::<bool>(),
    ) {
        let rt = runtime();
        let uri = if with_secret {
            format!("/api/livechat/webhooks/chat-started?secret={SECRET}")
        } else {
            "/api/livechat/webhooks/chat-started?secret=wrong".to_owned()
        };
        let (status, body) = call(&rt, &router(), post(&uri, "application/json", bytes));
        if status == StatusCode::OK {
            prop_assert!(with_secret);
            prop_assert_eq!(body, json!({"ok": true}));
        } else {
            assert_error_shape(status, &body)?;
            if !with_secret {
                // Refused, and past the burst of wrong secrets from one client (every case
                // here is the same client), throttled.
                prop_assert!(
                    status == StatusCode::UNAUTHORIZED || status == StatusCode::TOO_MANY_REQUESTS,
                    "{status}"
                );
            }
        }
    }

    /// Any visitor ID in the path: refused as `invalid_id` exactly when the contract refuses it;
    /// otherwise looked up (LivePerson is not configured here: `not_configured`).
    #[test]
    fn visitor_ids_in_paths_follow_check_id(id in prop_oneof![any::<String>(), "[A-Za-z0-9._~-]{0,140}", "[./%a-z]{0,10}"]) {
        let rt = runtime();
        let encoded = utf8_percent_encode(&id, NON_ALPHANUMERIC).to_string();
        let request = Request::get(format!("/api/liveperson/visitors/{encoded}/visit?sid=1.2")).body(Body::empty()).unwrap();
        let (status, body) = call(&rt, &router(), request);
        if check_id(&id).is_ok() {
            prop_assert_eq!((status, body["error"]["code"].as_str()), (StatusCode::SERVICE_UNAVAILABLE, Some("not_configured")));
        } else if id.is_empty() {
            // An empty segment: no visitor ID at all.
            assert_error_shape(status, &body)?;
        } else {
            prop_assert_eq!((status, body["error"]["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_id")));
        }
    }

    /// Any raw query on the LiveChat list: refused with the error shape, or (when it passes the
    /// checks) sent on to the closed upstream port; never another 5xx.
    #[test]
    fn arbitrary_list_queries_are_checked(query in prop_oneof![any::<String>(), "((state|group\\[\\]|count|x)=[a-z0-9%]{0,5}&){0,4}"]) {
        let rt = runtime();
        let encoded: String = utf8_percent_encode(&query, percent_encoding::CONTROLS).to_string().replace([' ', '#'], "+");
        let Ok(request) = Request::get(format!("/api/livechat/visitors?{encoded}")).body(Body::empty()) else {
            return Ok(());
        };
        let (status, body) = call(&rt, &router(), request);
        if status.is_client_error() {
            assert_error_shape(status, &body)?;
        } else {
            // Passed the checks: the proxy tried the (closed) upstream.
            prop_assert_eq!((status, body["error"]["code"].as_str()), (StatusCode::BAD_GATEWAY, Some("upstream_unreachable")));
        }
    }
}
