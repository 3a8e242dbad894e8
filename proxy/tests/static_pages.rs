//! The widget's pages served with `--static`: every page carries
//! `Content-Security-Policy: frame-ancestors` from `VS_FRAME_ANCESTORS` ('self' when unset), the
//! API does not; and demo mode's fake LiveChat Agent App page.

mod common;

use common::*;
use std::path::PathBuf;

/// A built widget of two files in a fresh directory.
fn widget_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("vs-pages-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("index.html"), "<html>widget</html>").unwrap();
    std::fs::write(dir.join("app.js"), "console.log(1)").unwrap();
    dir
}

fn policy(response: &reqwest::Response) -> Option<String> {
    response
        .headers()
        .get("content-security-policy")
        .map(|v| v.to_str().unwrap().to_owned())
}

#[tokio::test(flavor = "multi_thread")]
async fn pages_may_be_framed_by_the_proxys_own_origin_only_by_default() {
    let dir = widget_dir("default");
    let h = start(|raw, _| {
        raw.set("VS_STATIC_DIR", dir.to_string_lossy());
    })
    .await;
    for path in ["/", "/?console=livechat", "/app.js", "/some/client/route"] {
        let r = h.client.get(h.url(path)).send().await.unwrap();
        assert_eq!(r.status(), 200, "{path}");
        assert_eq!(
            policy(&r).as_deref(),
            Some("frame-ancestors 'self'"),
            "{path}"
        );
    }
    let api = h.client.get(h.url("/api/health")).send().await.unwrap();
    assert_eq!(api.status(), 200);
    assert_eq!(policy(&api), None, "JSON is not a page");
}

#[tokio::test(flavor = "multi_thread")]
async fn vs_frame_ancestors_names_the_consoles_that_may_frame_the_pages() {
    let dir = widget_dir("listed");
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
    assert_eq!(
        policy(&r).as_deref(),
        Some("frame-ancestors https://my.livechatinc.com https://*.liveperson.net")
    );
    assert_eq!(r.text().await.unwrap(), "<html>widget</html>");
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
async fn demo_mode_serves_the_fake_agent_app_page_and_its_script() {
    let demo = visitor_sidebar_proxy::start_demo("127.0.0.1:0".parse().unwrap(), None)
        .await
        .unwrap();
    let client = reqwest::Client::new();
    let page = client
        .get(format!("{}/agent-app.html", demo.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    let html = page.text().await.unwrap();
    assert!(html.contains("agent-app.js"), "the page loads its script");
    let script = client
        .get(format!("{}/agent-app.js", demo.url()))
        .send()
        .await
        .unwrap();
    assert!(script.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/javascript"));
    assert!(script
        .text()
        .await
        .unwrap()
        .contains("@@livechat/postmessenger"));
}
