//! Hostile requests to the proxy, sent as raw HTTP/1.1 bytes (so that nothing normalizes `..`,
//! percent-encoding or headers on the way): path traversal, encoded slashes, overlong IDs, CR/LF
//! header injection, oversized bodies, wrong content types, malformed JSON, forged webhooks and
//! a foreign origin. Each is refused with its status, its error code, the JSON error shape and a
//! message, and none reaches an upstream: the simulator's request counters do not move.

mod common;

use common::*;
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use visitor_sidebar_sim::CounterSnapshot;

/// What the simulator received from the proxy (webhooks the simulator sent are not counted).
fn upstream_calls(c: CounterSnapshot) -> [u64; 5] {
    [
        c.domain_api,
        c.lp_visit,
        c.lc_visitors,
        c.lc_details,
        c.auth_failures,
    ]
}

struct Answer {
    status: u16,
    headers: String,
    body: Value,
}

/// Sends `head` (request line and headers, without the final blank line) and `body` on a fresh
/// connection, and reads the whole answer.
async fn raw(h: &Harness, head: &str, body: &[u8]) -> Answer {
    raw_as(h, &h.proxy.addr.to_string(), head, body).await
}

/// [`raw`] with another `Host` header.
async fn raw_as(h: &Harness, host: &str, head: &str, body: &[u8]) -> Answer {
    let mut stream = tokio::net::TcpStream::connect(h.proxy.addr).await.unwrap();
    let mut request = format!("{head}\r\nHost: {host}\r\nConnection: close\r\n\r\n").into_bytes();
    request.extend_from_slice(body);
    // The proxy may answer (413) before reading everything; the answer is what matters.
    let _ = stream.write_all(&request).await;
    let mut bytes = Vec::new();
    let _ = stream.read_to_end(&mut bytes).await;
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let (head, rest) = text
        .split_once("\r\n\r\n")
        .unwrap_or_else(|| panic!("no HTTP answer: {text:?}"));
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status in {head:?}"));
    let headers = head.to_ascii_lowercase();
    let body_text = if headers.contains("transfer-encoding: chunked") {
        dechunk(rest)
    } else {
        rest.to_owned()
    };
    Answer {
        status,
        headers,
        body: serde_json::from_str(&body_text).unwrap_or(Value::Null),
    }
}

fn dechunk(mut rest: &str) -> String {
    let mut out = String::new();
    while let Some((size, after)) = rest.split_once("\r\n") {
        let size = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if size == 0 {
            break;
        }
        out.push_str(&after[..size]);
        rest = &after[size + 2..];
    }
    out
}

async fn get(h: &Harness, target: &str) -> Answer {
    raw(h, &format!("GET {target} HTTP/1.1"), b"").await
}

async fn post(h: &Harness, target: &str, content_type: Option<&str>, body: &[u8]) -> Answer {
    let mut head = format!("POST {target} HTTP/1.1\r\nContent-Length: {}", body.len());
    if let Some(ct) = content_type {
        head.push_str(&format!("\r\nContent-Type: {ct}"));
    }
    raw(h, &head, body).await
}

/// Asserts the refusal: status, code, the error shape with a message, `no-store`, and that no
/// upstream call happened.
fn refused(h: &Harness, case: &str, answer: &Answer, status: u16, code: &str) {
    assert_eq!(
        (answer.status, error_code(&answer.body)),
        (status, code),
        "{case}: {}",
        answer.body
    );
    let message = answer.body["error"]["message"].as_str().unwrap_or("");
    assert!(message.len() > 10, "{case}: a sentence: {message:?}");
    assert!(
        answer.headers.contains("cache-control: no-store"),
        "{case}: {}",
        answer.headers
    );
    assert!(
        answer.headers.contains("content-type: application/json"),
        "{case}"
    );
    assert_eq!(
        upstream_calls(h.sim.counters()),
        [0; 5],
        "{case}: nothing reached the upstream"
    );
}

const DETAILS: &str = r#"{"id": "my-app", "fields": [{"name": "Age", "value": "36"}]}"#;

#[tokio::test(flavor = "multi_thread")]
async fn path_traversal_and_encoded_separators_are_invalid_ids() {
    let h = start(|_, _| {}).await;
    let lp = |id: &str| format!("/api/liveperson/visitors/{id}/visit?sid=1.2");
    let cases = [
        lp(".."),
        lp("."),
        lp("%2e%2e"),
        lp("%2E"),
        lp("..%2F..%2Fadmin"),
        lp("..%2f..%2fadmin"),
        lp("a%2Fb"),
        lp("a%252Fb"),
        lp("..%5C..%5Cwindows"),
        lp("a%5cb"),
        lp("a%00b"),
        lp("%00"),
        lp("a%3Fx%3D1"),
        lp("a%23frag"),
        lp("a%40evil.example"),
        lp("a%3A%2F%2Fevil.example"),
        lp("%C0%AE%C0%AE"),
        lp("%E2%80%AEabc"),
        lp("a%20b"),
        "/api/liveperson/visitors/abc/visit?sid=..".into(),
        "/api/liveperson/visitors/abc/visit?sid=..%2F..%2Fx".into(),
        "/api/liveperson/visitors/abc/visit?sid=1%2F2".into(),
        "/api/liveperson/visitors/abc/visit?sid=1.2%26filter%3Dall".into(),
        "/api/liveperson/visitors/abc/visit?sid=".into(),
        "/api/liveperson/visitors/abc/visit".into(),
        "/api/livechat/visitors/..".into(),
        "/api/livechat/visitors/%2e%2e".into(),
        "/api/livechat/visitors/..%2F..%2Fvisitors".into(),
        "/api/livechat/visitors/a%2Fb".into(),
        "/api/liveperson/visitors//visit?sid=1.2".into(),
    ];
    for target in &cases {
        let answer = get(&h, target).await;
        refused(&h, target, &answer, 400, "invalid_id");
    }
    // Paths that climb out of the API match no route at all (the proxy does not resolve `..`).
    for target in [
        "/api/liveperson/visitors/a/../../../../etc/passwd/visit?sid=1.2",
        "/api/../../etc/passwd",
        "/api/livechat/visitors/a/b/c",
    ] {
        let answer = get(&h, target).await;
        refused(&h, target, &answer, 404, "not_found");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn overlong_ids_are_refused() {
    let h = start(|_, _| {}).await;
    let long = "a".repeat(129);
    let huge = "b".repeat(8 * 1024);
    for target in [
        format!("/api/liveperson/visitors/{long}/visit?sid=1.2"),
        format!("/api/liveperson/visitors/{huge}/visit?sid=1.2"),
        format!("/api/liveperson/visitors/abc/visit?sid={long}"),
        format!("/api/liveperson/visitors/abc/visit?sid={huge}"),
        format!("/api/livechat/visitors/{long}"),
        format!("/api/livechat/visitors/{huge}"),
    ] {
        let answer = get(&h, &target).await;
        refused(&h, &target[..60], &answer, 400, "invalid_id");
    }
    let answer = post(
        &h,
        &format!("/api/livechat/visitors/{long}/details"),
        Some("application/json"),
        DETAILS.as_bytes(),
    )
    .await;
    refused(
        &h,
        "details for a 129-character ID",
        &answer,
        400,
        "invalid_id",
    );
    // The longest allowed ID is a normal request (the simulator does not know it).
    let ok = "c".repeat(128);
    let (status, body) = h.get_json(&format!("/api/livechat/visitors/{ok}")).await;
    assert_eq!((status, error_code(&body)), (404, "not_found"));
}

#[tokio::test(flavor = "multi_thread")]
async fn cr_lf_header_injection_is_refused() {
    let h = start(|_, _| {}).await;
    for target in [
        "/api/liveperson/visitors/a%0d%0aX-Injected:%20yes/visit?sid=1.2",
        "/api/liveperson/visitors/a%0aX-Injected:%20yes/visit?sid=1.2",
        "/api/liveperson/visitors/a%0dX/visit?sid=1.2",
        "/api/liveperson/visitors/abc/visit?sid=1%0d%0aX-Injected:%20yes",
        "/api/liveperson/visitors/abc/visit?sid=1%0d%0a%0d%0aGET%20/evil",
        "/api/livechat/visitors/a%0d%0aHost:%20evil.example",
        "/api/livechat/visitors/%E5%98%8A%E5%98%8Dx",
    ] {
        let answer = get(&h, target).await;
        refused(&h, target, &answer, 400, "invalid_id");
    }
    let answer = post(
        &h,
        "/api/livechat/visitors/a%0d%0aX-Injected:%20yes/details",
        Some("application/json"),
        DETAILS.as_bytes(),
    )
    .await;
    refused(&h, "details path with CR/LF", &answer, 400, "invalid_id");
    // CR/LF inside the details body: each field that holds one is named.
    let path = format!("/api/livechat/visitors/{SEED_LC_VISITOR_ID}/details");
    for (body, field) in [
        (
            json!({"id": "my-app\r\nX-Evil: 1", "fields": [{"name": "a", "value": "b"}]}),
            "id",
        ),
        (
            json!({"id": "my-app", "fields": [{"name": "a\r\nX-Evil: 1", "value": "b"}]}),
            "fields[0].name",
        ),
        (
            json!({"id": "my-app", "fields": [{"name": "a", "value": "b\r\nX-Evil: 1"}]}),
            "fields[0].value",
        ),
        (
            json!({"id": "my-app", "fields": [{"name": "a", "value": "b", "url": "https://x.example/\r\nX-Evil: 1"}]}),
            "fields[0].url",
        ),
        (
            json!({"id": "my-app", "fields": [{"name": "a", "value": "b"}], "icon": "x.example/i.png\r\nX-Evil: 1"}),
            "icon",
        ),
    ] {
        let answer = post(
            &h,
            &path,
            Some("application/json"),
            body.to_string().as_bytes(),
        )
        .await;
        refused(&h, field, &answer, 422, "validation_failed");
        assert_eq!(answer.body["error"]["fields"][0]["field"], field);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn oversized_bodies_are_refused() {
    let h = start(|_, _| {}).await;
    let path = format!("/api/livechat/visitors/{SEED_LC_VISITOR_ID}/details");
    // Valid JSON, 100 KiB: a long value.
    let big = json!({"id": "my-app", "fields": [{"name": "a", "value": "v".repeat(100 * 1024)}]})
        .to_string();
    let answer = post(&h, &path, Some("application/json"), big.as_bytes()).await;
    refused(&h, "details, 100 KiB", &answer, 413, "payload_too_large");
    // The same without Content-Length, chunked: the limit holds while streaming.
    let mut chunked = Vec::new();
    for chunk in big.as_bytes().chunks(8192) {
        chunked.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
        chunked.extend_from_slice(chunk);
        chunked.extend_from_slice(b"\r\n");
    }
    chunked.extend_from_slice(b"0\r\n\r\n");
    let answer = raw(
        &h,
        &format!(
            "POST {path} HTTP/1.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked"
        ),
        &chunked,
    )
    .await;
    refused(
        &h,
        "details, chunked 100 KiB",
        &answer,
        413,
        "payload_too_large",
    );
    // A Content-Length that announces 1 GiB is refused before any of it is read.
    let answer = raw(
        &h,
        &format!(
            "POST {path} HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: 1073741824"
        ),
        b"{",
    )
    .await;
    refused(
        &h,
        "details, announced 1 GiB",
        &answer,
        413,
        "payload_too_large",
    );
    // Webhooks too, with the right secret.
    let webhook = format!("/api/livechat/webhooks/chat-started?secret={WEBHOOK_SECRET}");
    let answer = post(&h, &webhook, Some("application/json"), big.as_bytes()).await;
    refused(&h, "webhook, 100 KiB", &answer, 413, "payload_too_large");
    assert!(h.sim.visitor_details(SEED_LC_VISITOR_ID).is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn wrong_content_types_and_malformed_bodies_are_invalid_body() {
    let h = start(|_, _| {}).await;
    let path = format!("/api/livechat/visitors/{SEED_LC_VISITOR_ID}/details");
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let cases: Vec<(&str, Option<&str>, Vec<u8>)> = vec![
        ("text/plain", Some("text/plain"), DETAILS.into()),
        ("no content type", None, DETAILS.into()),
        (
            "form",
            Some("application/x-www-form-urlencoded"),
            b"id=my-app&fields=x".to_vec(),
        ),
        (
            "multipart",
            Some("multipart/form-data; boundary=x"),
            b"--x\r\nContent-Disposition: form-data; name=\"id\"\r\n\r\nmy-app\r\n--x--\r\n"
                .to_vec(),
        ),
        ("xml", Some("application/xml"), b"<id>my-app</id>".to_vec()),
        (
            "html",
            Some("text/html"),
            b"<script>alert(1)</script>".to_vec(),
        ),
        ("not JSON", Some("application/json"), b"{not json".to_vec()),
        ("empty", Some("application/json"), Vec::new()),
        (
            "truncated",
            Some("application/json"),
            DETAILS.as_bytes()[..20].to_vec(),
        ),
        (
            "not UTF-8",
            Some("application/json"),
            b"{\"id\": \"\xff\xfe\"}".to_vec(),
        ),
        ("a list", Some("application/json"), b"[1, 2, 3]".to_vec()),
        ("a string", Some("application/json"), b"\"my-app\"".to_vec()),
        ("null", Some("application/json"), b"null".to_vec()),
        (
            "wrong types",
            Some("application/json"),
            br#"{"id": 1, "fields": "x"}"#.to_vec(),
        ),
        (
            "nested 10 000 deep",
            Some("application/json"),
            deep.into_bytes(),
        ),
        (
            "two documents",
            Some("application/json"),
            format!("{DETAILS}{DETAILS}").into_bytes(),
        ),
    ];
    for (case, content_type, body) in cases {
        let answer = post(&h, &path, content_type, &body).await;
        refused(&h, case, &answer, 400, "invalid_body");
    }
    // A GET on the details route, or a POST on a read route, is the wrong method.
    let answer = get(&h, &path).await;
    refused(&h, "GET details", &answer, 405, "method_not_allowed");
    let answer = post(&h, &h.seed_visit_path(), Some("application/json"), b"{}").await;
    refused(&h, "POST visit", &answer, 405, "method_not_allowed");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_anonymous_proxy_answers_under_its_own_host_names_only() {
    let h = start(|_, _| {}).await;
    let port = h.proxy.addr.port();
    let visit = format!("GET {} HTTP/1.1", h.seed_visit_path());
    // A page re-pointed at 127.0.0.1 by DNS (rebinding) still names its own host.
    for host in [
        format!("attacker.example:{port}"),
        "attacker.example".to_owned(),
        format!("127.0.0.1.nip.io:{port}"),
    ] {
        let answer = raw_as(&h, &host, &visit, b"").await;
        refused(&h, &host, &answer, 403, "forbidden");
        let page = raw_as(&h, &host, "GET /api/health HTTP/1.1", b"").await;
        assert_eq!(page.status, 403, "{host}: every route");
    }
    // A page rebound to a development server in front of the proxy: trunk puts the page's host
    // in X-Forwarded-Host.
    let answer = raw_as(
        &h,
        "127.0.0.1",
        &format!("{visit}\r\nX-Forwarded-Host: attacker.example:8080"),
        b"",
    )
    .await;
    refused(&h, "rebound through trunk", &answer, 403, "forbidden");
    // Its own names: the listen address, localhost with its port, and 127.0.0.1 without a
    // port with the browser's host in X-Forwarded-Host (what trunk's /api forwarding sends,
    // make serve).
    for (host, head) in [
        (h.proxy.addr.to_string(), visit.clone()),
        (format!("localhost:{port}"), visit.clone()),
        (
            "127.0.0.1".to_owned(),
            format!("{visit}\r\nX-Forwarded-Host: 127.0.0.1:8080"),
        ),
    ] {
        let answer = raw_as(&h, &host, &head, b"").await;
        assert_eq!(answer.status, 200, "{host}: {}", answer.body);
    }

    // With sign-in on, a credential decides whatever the host.
    let h = start(|raw, _| {
        raw.set("VS_ALLOW_ANONYMOUS", "false");
        raw.set("VS_ACCESS_TOKENS", "agent-console-token-0123456789");
    })
    .await;
    let answer = raw_as(
        &h,
        "attacker.example",
        &format!("{visit}\r\nAuthorization: Bearer agent-console-token-0123456789"),
        b"",
    )
    .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
}

#[tokio::test(flavor = "multi_thread")]
async fn forged_webhooks_store_nothing() {
    let h = start(|_, _| {}).await;
    let visitor = "S1.forged";
    let event = json!({"event_type": "chat_started", "token": "forged-token", "license_id": "9281545", "chat": {"id": "F1"}, "visitor": {"id": visitor}});
    let hook = "/api/livechat/webhooks/chat-started";
    let event_bytes = event.to_string();
    // Without the right secret.
    for query in [
        "".to_owned(),
        "?secret=".to_owned(),
        "?secret=wrong".to_owned(),
        format!("?secret={}", WEBHOOK_SECRET.to_uppercase()),
        format!("?secret={}", &WEBHOOK_SECRET[..WEBHOOK_SECRET.len() - 1]),
        format!("?secret={WEBHOOK_SECRET}x"),
        format!("?secret=%20{WEBHOOK_SECRET}"),
        format!("?Secret={WEBHOOK_SECRET}"),
        format!("?secret=wrong&secret={WEBHOOK_SECRET}"),
        format!("?secret_={WEBHOOK_SECRET}"),
    ] {
        let answer = post(
            &h,
            &format!("{hook}{query}"),
            Some("application/json"),
            event_bytes.as_bytes(),
        )
        .await;
        refused(&h, &query, &answer, 401, "unauthorized");
    }
    // The secret in a header instead of the URL does not count.
    let answer = raw(
        &h,
        &format!(
            "POST {hook} HTTP/1.1\r\nContent-Type: application/json\r\nX-Webhook-Secret: {WEBHOOK_SECRET}\r\nAuthorization: Bearer {WEBHOOK_SECRET}\r\nContent-Length: {}",
            event_bytes.len()
        ),
        event_bytes.as_bytes(),
    )
    .await;
    refused(&h, "secret in headers", &answer, 401, "unauthorized");
    // With the secret, bodies that are not a usable event.
    let with_secret = format!("{hook}?secret={WEBHOOK_SECRET}");
    let forged = |patch: Value| {
        let mut e = event.clone();
        for (k, v) in patch.as_object().unwrap() {
            e[k] = v.clone();
        }
        e.to_string().into_bytes()
    };
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "not JSON",
            b"event_type=chat_started".to_vec(),
            "invalid_body",
        ),
        ("empty", Vec::new(), "invalid_body"),
        ("a list", b"[]".to_vec(), "invalid_id"),
        ("no visitor", forged(json!({"visitor": null})), "invalid_id"),
        (
            "traversal visitor",
            forged(json!({"visitor": {"id": "../../x"}})),
            "invalid_id",
        ),
        (
            "CR/LF visitor",
            forged(json!({"visitor": {"id": "a\r\nX-Evil: 1"}})),
            "invalid_id",
        ),
        (
            "overlong visitor",
            forged(json!({"visitor": {"id": "v".repeat(129)}})),
            "invalid_id",
        ),
        (
            "overlong chat id",
            forged(json!({"chat": {"id": "c".repeat(129)}})),
            "invalid_body",
        ),
        (
            "chat id not text",
            forged(json!({"chat": {"id": 42}})),
            "invalid_body",
        ),
        (
            "chat_ended naming no chat",
            forged(json!({"event_type": "chat_ended", "token": null, "chat": null})),
            "invalid_body",
        ),
        (
            "chat_ended with an overlong chat id",
            forged(json!({"event_type": "chat_ended", "chat": {"id": "c".repeat(129)}})),
            "invalid_body",
        ),
        (
            "chat_ended with an overlong token",
            forged(json!({"event_type": "chat_ended", "chat": null, "token": "t".repeat(513)})),
            "invalid_body",
        ),
        (
            "numeric visitor",
            forged(json!({"visitor": {"id": 12345}})),
            "invalid_id",
        ),
        ("no token", forged(json!({"token": null})), "invalid_body"),
        ("empty token", forged(json!({"token": ""})), "invalid_body"),
        (
            "CR/LF token",
            forged(json!({"token": "t\r\nX-Evil: 1"})),
            "invalid_body",
        ),
        (
            "token with a space",
            forged(json!({"token": "t t"})),
            "invalid_body",
        ),
        (
            "overlong token",
            forged(json!({"token": "t".repeat(513)})),
            "invalid_body",
        ),
        (
            "token as object",
            forged(json!({"token": {"a": 1}})),
            "invalid_body",
        ),
        (
            "no license",
            forged(json!({"license_id": null})),
            "invalid_body",
        ),
        (
            "license not a number",
            forged(json!({"license_id": "9281545; DROP"})),
            "invalid_body",
        ),
        (
            "license with CR/LF",
            forged(json!({"license_id": "1\r\n2"})),
            "invalid_body",
        ),
        (
            "negative license",
            forged(json!({"license_id": -1})),
            "invalid_body",
        ),
        (
            "overlong license",
            forged(json!({"license_id": "1".repeat(33)})),
            "invalid_body",
        ),
    ];
    for (case, body, code) in cases {
        let answer = post(&h, &with_secret, Some("application/json"), &body).await;
        refused(&h, case, &answer, 400, code);
    }
    let answer = get(&h, &with_secret).await;
    refused(&h, "GET webhook", &answer, 405, "method_not_allowed");
    // None of it was stored: details for the forged visitor have no token to go with.
    assert!(h.stored_token(visitor).await.is_none());
    let answer = post(
        &h,
        &format!("/api/livechat/visitors/{visitor}/details"),
        Some("application/json"),
        DETAILS.as_bytes(),
    )
    .await;
    refused(
        &h,
        "details after forged webhooks",
        &answer,
        409,
        "no_webhook_token",
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_foreign_origin_and_bad_queries_reach_nothing() {
    let h = start(|_, _| {}).await;
    let answer = raw(
        &h,
        &format!(
            "GET {} HTTP/1.1\r\nOrigin: https://evil.example",
            h.seed_visit_path()
        ),
        b"",
    )
    .await;
    refused(&h, "foreign origin", &answer, 403, "origin_not_allowed");
    for query in [
        "state=chatting%0d%0aX-Evil:%201",
        "state=chatting&evil=1",
        "group[]=1%26evil%3D1",
        "group[]=../1",
        "group[]=99999999999999999999",
        "count=1%0d%0a",
        "__proto__=x",
        "state=%00",
    ] {
        let answer = get(&h, &format!("/api/livechat/visitors?{query}")).await;
        refused(&h, query, &answer, 400, "invalid_query");
    }
    let many: Vec<String> = (0..51).map(|g| format!("group[]={g}")).collect();
    let answer = get(&h, &format!("/api/livechat/visitors?{}", many.join("&"))).await;
    refused(&h, "51 groups", &answer, 400, "invalid_query");
}

/// The other direction: hostile data from the upstream. In demo mode with the simulator's hostile
/// visitors, they are listed after the normal chats, and the proxy passes their bodies through
/// unchanged, the 1 MiB payload included.
#[cfg(feature = "demo")]
#[tokio::test(flavor = "multi_thread")]
async fn hostile_demo_visitors_are_listed_and_passed_through() {
    use visitor_sidebar_proxy::sim::{huge_payload, SimConfig};
    let mut raw = visitor_sidebar_proxy::RawConfig::default();
    raw.set("VS_RATE_LIMIT_PER_SEC", "0");
    let sim = SimConfig {
        hostile: true,
        ..SimConfig::default()
    };
    let demo =
        visitor_sidebar_proxy::start_demo_with_sim(raw, "127.0.0.1:0".parse().unwrap(), None, sim)
            .await
            .unwrap();
    let client = reqwest::Client::new();
    let get = |path: String| {
        let client = client.clone();
        let url = format!("{}{path}", demo.url());
        async move {
            let r = client.get(url).send().await.unwrap();
            (r.status().as_u16(), r.json::<Value>().await.unwrap())
        }
    };
    let (status, chats) = get("/api/demo/chats".into()).await;
    assert_eq!(status, 200);
    let chats = chats.as_array().unwrap();
    assert_eq!(chats[0]["visitorId"], SEED_LP_VISITOR_ID);
    assert!(chats[0].get("hostile").is_none());
    let hostile: Vec<&Value> = chats.iter().filter(|c| c["hostile"] == true).collect();
    assert_eq!(hostile.len(), 6, "three per vendor");
    // Within each vendor the hostile visitors come after the normal ones.
    for provider in ["liveperson", "livechat"] {
        let flags: Vec<bool> = chats
            .iter()
            .filter(|c| c["provider"] == provider)
            .map(|c| c["hostile"] == true)
            .collect();
        assert!(
            flags.windows(2).all(|w| w[0] <= w[1]),
            "{provider}: {flags:?}"
        );
    }
    let huge = huge_payload();
    let (status, visit) =
        get("/api/liveperson/visitors/hostile-lp-01/visit?sid=666.001".into()).await;
    assert_eq!(status, 200);
    assert_eq!(
        visit["appSessions"][0]["pages"][0]["pageTitle"].as_str(),
        Some(huge.as_str())
    );
    let (status, visitor) = get("/api/livechat/visitors/S1666666666.hostile01".into()).await;
    assert_eq!(status, 200);
    assert_eq!(
        visitor["visit_path"][0]["title"].as_str(),
        Some(huge.as_str())
    );
    let name = visitor["name"].as_str().unwrap();
    assert!(visitor_sidebar_proxy::sim::small_payloads()
        .iter()
        .any(|p| p == name));
}
