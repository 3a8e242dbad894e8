//! The widget's pages served with `--static`: every answer (pages and assets alike) carries the
//! strict Content-Security-Policy (no inline script or style, nothing fetched, framed or loaded
//! from elsewhere but what the configuration and the built pages name; `frame-ancestors` from
//! `VS_FRAME_ANCESTORS`, 'self' when unset), `Referrer-Policy: no-referrer`, the opener and
//! permissions policies; the API's JSON a policy of its own (nothing runs, loads or frames it). And demo mode's pages: the fake consoles under
//! their own strict policy, the demo widget page under the widget's.

mod common;

use common::*;
use std::path::PathBuf;

/// The policy of a page when nothing beyond the proxy's own origin is configured.
const BASE_POLICY: &str = "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; \
    style-src 'self'; img-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; \
    form-action 'none'; frame-ancestors 'self'";

/// A built widget in a fresh directory: `index.html` as given, and a script.
fn widget_dir(name: &str, index: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("vs-pages-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("index.html"), index).unwrap();
    std::fs::write(dir.join("app.js"), "console.log(1)").unwrap();
    dir
}

fn header(response: &reqwest::Response, name: &str) -> Option<String> {
    response
        .headers()
        .get(name)
        .map(|v| v.to_str().unwrap().to_owned())
}

fn policy(response: &reqwest::Response) -> Option<String> {
    header(response, "content-security-policy")
}

/// The protective headers besides the policy.
fn assert_protected(response: &reqwest::Response, what: &str) {
    assert_eq!(
        header(response, "referrer-policy").as_deref(),
        Some("no-referrer"),
        "{what}"
    );
    assert_eq!(
        header(response, "cross-origin-opener-policy").as_deref(),
        Some("same-origin-allow-popups"),
        "{what}"
    );
    let permissions = header(response, "permissions-policy").unwrap_or_default();
    for denied in [
        "camera=()",
        "microphone=()",
        "geolocation=()",
        "payment=()",
        "usb=()",
    ] {
        assert!(permissions.contains(denied), "{what}: {permissions}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn every_page_and_asset_carries_the_strict_policy_and_the_api_does_not() {
    let dir = widget_dir("default", "<html>widget</html>");
    let h = start(|raw, _| {
        raw.set("VS_STATIC_DIR", dir.to_string_lossy());
    })
    .await;
    for path in [
        "/",
        "/?console=livechat",
        "/?console=liveperson",
        "/app.js",
        "/some/client/route",
        "/missing.js",
    ] {
        let r = h.client.get(h.url(path)).send().await.unwrap();
        assert_eq!(policy(&r).as_deref(), Some(BASE_POLICY), "{path}");
        assert_protected(&r, path);
    }
    let api = h.client.get(h.url("/api/health")).send().await.unwrap();
    assert_eq!(api.status(), 200);
    // JSON is not a page: opened as one, it runs and loads nothing and cannot be framed.
    assert_eq!(
        policy(&api).as_deref(),
        Some("default-src 'none'; frame-ancestors 'none'")
    );
    assert_eq!(
        header(&api, "referrer-policy").as_deref(),
        Some("no-referrer")
    );
    assert_eq!(header(&api, "permissions-policy"), None);
}

#[tokio::test(flavor = "multi_thread")]
async fn vs_frame_ancestors_names_the_consoles_that_may_frame_the_pages() {
    let dir = widget_dir("listed", "<html>widget</html>");
    let h = start(|raw, _| {
        raw.set("VS_STATIC_DIR", dir.to_string_lossy());
        raw.set(
            "VS_FRAME_ANCESTORS",
            "https://my.livechatinc.com, https://*.liveperson.net",
        );
    })
    .await;
    let r = h
        .client
        .get(h.url("/?console=livechat"))
        .send()
        .await
        .unwrap();
    let csp = policy(&r).unwrap();
    assert!(
        csp.ends_with("; frame-ancestors https://my.livechatinc.com https://*.liveperson.net"),
        "{csp}"
    );
    assert_eq!(r.text().await.unwrap(), "<html>widget</html>");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_built_pages_inline_scripts_and_named_origins_are_allowed_exactly() {
    // A page as `trunk build` writes it (an inline start-up script), whose settings name a proxy
    // and a self-hosted LivePerson SDK on other origins.
    let start_up = "import init from '/x.js';\nawait init();";
    let dir = widget_dir(
        "built",
        &format!(
            r#"<html><head>
<meta name="visitor-sidebar:proxy-url" content="https://api.example.com/api">
<meta name="visitor-sidebar:liveperson-sdk-url" content="https://cdn.example.net/lp/client-SDK.min.js">
<script type="module">{start_up}</script></head></html>"#
        ),
    );
    let h = start(|raw, _| {
        raw.set("VS_STATIC_DIR", dir.to_string_lossy());
        raw.set("LIVECHAT_CLIENT_ID", "client");
        raw.set("LIVECHAT_ORGANIZATION_ID", "organization");
        raw.set("LIVECHAT_ACCOUNTS_URL", "https://accounts.example.com");
    })
    .await;
    let hash = {
        use base64::Engine;
        use sha2::Digest;
        base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(start_up))
    };
    let livechat = policy(
        &h.client
            .get(h.url("/?console=livechat"))
            .send()
            .await
            .unwrap(),
    )
    .unwrap();
    assert!(
        livechat.contains(&format!(
            "script-src 'self' 'wasm-unsafe-eval' 'sha256-{hash}';"
        )),
        "{livechat}"
    );
    assert!(
        livechat.contains("connect-src 'self' https://api.example.com;"),
        "{livechat}"
    );
    // LiveChat's sign-in asks its accounts server in a hidden frame.
    assert!(
        livechat.contains("frame-src https://accounts.example.com;"),
        "{livechat}"
    );
    assert!(
        !livechat.contains("cdn.example.net"),
        "LivePerson's SDK only where it is loaded"
    );
    let liveperson = policy(
        &h.client
            .get(h.url("/?a=1&console=liveperson"))
            .send()
            .await
            .unwrap(),
    )
    .unwrap();
    assert!(
        liveperson.contains(&format!(
            "script-src 'self' 'wasm-unsafe-eval' 'sha256-{hash}' https://cdn.example.net;"
        )),
        "{liveperson}"
    );
}

#[test]
fn a_source_that_could_smuggle_in_another_directive_stops_the_start() {
    let mut raw = visitor_sidebar_proxy::RawConfig::default();
    raw.set(
        "VS_FRAME_ANCESTORS",
        "https://my.livechatinc.com; script-src *",
    );
    let e = visitor_sidebar_proxy::Config::from_raw(&raw).unwrap_err();
    assert_eq!(e.key, "VS_FRAME_ANCESTORS");
}

#[cfg(feature = "demo")]
#[tokio::test(flavor = "multi_thread")]
async fn demo_mode_serves_its_pages_under_strict_policies_and_their_files_beside_them() {
    let demo = visitor_sidebar_proxy::start_demo("127.0.0.1:0".parse().unwrap(), None)
        .await
        .unwrap();
    let client = reqwest::Client::new();
    let get = |path: &str| client.get(format!("{}{path}", demo.url())).send();
    // The fake consoles: their own files only; they frame the widget wherever it is.
    for (page, files) in [
        ("/agent-app.html", ["/agent-app.css", "/agent-app.js"]),
        (
            "/api/demo/agent-workspace",
            [
                "/api/demo/agent-workspace.css",
                "/api/demo/agent-workspace.js",
            ],
        ),
    ] {
        let r = get(page).await.unwrap();
        assert_eq!(r.status(), 200, "{page}");
        assert!(header(&r, "content-type").unwrap().starts_with("text/html"));
        let csp = policy(&r).unwrap();
        assert!(
            csp.starts_with("default-src 'none'; script-src 'self'; style-src 'self';"),
            "{page}: {csp}"
        );
        assert!(!csp.contains("unsafe"), "{page}: {csp}");
        assert_protected(&r, page);
        let html = r.text().await.unwrap();
        assert!(
            !html.contains("<style") && !html.contains("<script>"),
            "{page}"
        );
        for file in files {
            assert!(html.contains(&file[1..]), "{page} loads {file}");
            let r = get(file).await.unwrap();
            assert_eq!(r.status(), 200, "{file}");
        }
    }
    let script = get("/agent-app.js").await.unwrap();
    assert!(header(&script, "content-type")
        .unwrap()
        .starts_with("text/javascript"));
    assert!(script
        .text()
        .await
        .unwrap()
        .contains("@@livechat/postmessenger"));
    // The demo widget page: the widget's policy for ?console=liveperson (its SDK stand-in is
    // on this origin).
    let widget = get("/api/demo/agent-workspace/widget?console=liveperson")
        .await
        .unwrap();
    let csp = policy(&widget).unwrap();
    assert!(
        csp.starts_with(
            "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self';"
        ),
        "{csp}"
    );
    assert_protected(&widget, "the widget page");
    let html = widget.text().await.unwrap();
    assert!(html.contains("/api/demo/agent-workspace/widget.js"));
    assert!(!html.contains("<style") && !html.contains("<script type=\"module\">"));
    assert_eq!(
        get("/api/demo/agent-workspace/widget.js")
            .await
            .unwrap()
            .status(),
        200
    );
}
