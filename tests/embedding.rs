//! How hosts embed the sidebar: `mount()`/`show()`/`setTheme()`/`unmount()`, independent
//! sidebars on one page, the iframe page's URL query, and `postMessage` from allowed origins
//! only. The proxy is a stand-in `fetch`.

#![cfg(all(target_arch = "wasm32", feature = "livechat", feature = "liveperson"))]

mod common;

use common::fetch::{reply, FetchStub};
use common::*;
use visitor_sidebar::hooks::use_host_messages::accept;
use visitor_sidebar::options::{Provider, Theme};
use visitor_sidebar::page::options_from;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// The seed visit with the visitor renamed, so tests can tell visitors apart.
fn visit_named(first: &str) -> String {
    LIVEPERSON_VISIT.replace("\"John\"", &format!("\"{first}\""))
}

/// Answers like the proxy: visits by visitor ID (`who=` in the ID names the person), the
/// LiveChat list and count.
fn proxy() -> FetchStub {
    FetchStub::new(|call| {
        if call.url.contains("/liveperson/visitors/") {
            let name = call
                .url
                .split("/visitors/")
                .nth(1)
                .unwrap()
                .split('/')
                .next()
                .unwrap();
            reply(200, &visit_named(name), &[])
        } else if call.url.contains("count=1") {
            reply(200, "1", &[])
        } else if call.url.contains("/livechat/visitors") {
            reply(200, LIVECHAT_VISITORS, &[])
        } else {
            reply(
                404,
                r#"{"error":{"code":"not_found","message":"No such route."}}"#,
                &[],
            )
        }
    })
}

fn mount(root: &web_sys::Element, options: &str) -> common::Mounted {
    common::mount(root, js(options))
}

fn selection(provider: &str, visitor: &str, sid: &str) -> JsValue {
    js(&format!(
        r#"{{"provider":"{provider}","visitorId":"{visitor}","sid":"{sid}"}}"#
    ))
}

#[wasm_bindgen_test]
async fn mount_show_set_theme_and_unmount() {
    let stub = proxy();
    let root = fresh_root();
    let mut handle = mount(
        &root,
        r#"{"provider":"livechat","accessToken":"agent-token-1"}"#,
    );
    until("the LiveChat list", || {
        text(&root).contains("United States")
    })
    .await;
    assert_eq!(
        stub.calls_to("/api/livechat/visitors")[0]
            .authorization
            .as_deref(),
        Some("Bearer agent-token-1"),
        "the access token goes to the proxy"
    );

    handle.show(selection("liveperson", "Alice", "s1")).unwrap();
    until("visitor Alice", || text(&root).contains("Alice Doe")).await;
    assert!(
        stub.calls_to("/api/liveperson/visitors/Alice/visit?sid=s1")
            .len()
            == 1
    );

    let aside = root.query_selector("aside.vs-root").unwrap().unwrap();
    assert_eq!(aside.get_attribute("data-theme").as_deref(), Some("auto"));
    handle.set_theme("dark").unwrap();
    until("the dark theme", || {
        aside.get_attribute("data-theme").as_deref() == Some("dark")
    })
    .await;
    assert!(handle.set_theme("purple").is_err());
    assert!(handle.show(selection("myspace", "a", "b")).is_err());

    handle.unmount();
    settle().await;
    assert_eq!(
        root.child_element_count(),
        0,
        "unmount leaves nothing behind"
    );
    handle.unmount();
}

#[wasm_bindgen_test]
async fn two_sidebars_on_one_page_share_nothing() {
    let _stub = proxy();
    let (left, right) = (fresh_root(), fresh_root());
    let a = mount(
        &left,
        r#"{"provider":"liveperson","visitorId":"Alice","sid":"s1"}"#,
    );
    let b = mount(
        &right,
        r#"{"provider":"liveperson","visitorId":"Bob","sid":"s2","theme":"dark"}"#,
    );
    until("both visitors", || {
        text(&left).contains("Alice Doe") && text(&right).contains("Bob Doe")
    })
    .await;
    a.show(selection("liveperson", "Carol", "s3")).unwrap();
    until("Carol on the left", || text(&left).contains("Carol Doe")).await;
    assert!(
        text(&right).contains("Bob Doe"),
        "the right sidebar still shows Bob"
    );
    assert!(!text(&right).contains("Carol"));
    let theme = |root: &web_sys::Element| {
        root.query_selector("aside")
            .unwrap()
            .unwrap()
            .get_attribute("data-theme")
    };
    assert_eq!(theme(&left).as_deref(), Some("auto"));
    assert_eq!(theme(&right).as_deref(), Some("dark"));
    drop((a, b));
}

#[wasm_bindgen_test]
async fn a_handle_the_page_lets_go_of_leaves_the_sidebar_mounted() {
    let _stub = proxy();
    let root = fresh_root();
    // What a page's `mount(el, options)` without keeping the result comes to once the garbage
    // collector finalizes the handle: wasm-bindgen frees it, as `free()` would.
    let handle = visitor_sidebar::mount(
        root.clone(),
        js(r#"{"provider":"livechat","pollIntervalMs":3600000}"#),
    )
    .unwrap();
    until("the LiveChat list", || {
        text(&root).contains("United States")
    })
    .await;
    drop(handle);
    settle().await;
    assert!(
        text(&root).contains("United States"),
        "the sidebar is still there: {}",
        text(&root)
    );
    // No handle is left to unmount it: it sleeps for its hour in an element off the page.
    root.remove();
}

#[wasm_bindgen_test]
fn the_iframe_page_reads_its_query_and_meta_tags() {
    let document = gloo_document();
    let head = document.head().unwrap();
    let meta = document.create_element("meta").unwrap();
    meta.set_attribute("name", "visitor-sidebar:proxy-url")
        .unwrap();
    meta.set_attribute("content", "https://proxy.example.com/api/")
        .unwrap();
    head.append_child(&meta).unwrap();

    let options = options_from(
        &document,
        "?provider=liveperson&visitorId=V1&sid=S1&theme=dark&locale=de-DE&proxyUrl=https://evil.example&accessToken=x",
    )
    .into_options()
    .unwrap();
    meta.remove();
    assert_eq!(options.selection.provider, Provider::LivePerson);
    assert_eq!(options.selection.visitor_id.as_deref(), Some("V1"));
    assert_eq!(options.selection.sid.as_deref(), Some("S1"));
    assert_eq!(options.theme, Theme::Dark);
    assert_eq!(options.locale.as_deref(), Some("de-DE"));
    assert_eq!(
        options.proxy_url, "https://proxy.example.com/api",
        "from the page, not the URL"
    );
    assert_eq!(options.access_token, None, "never from the URL");

    let list = options_from(&document, "?provider=livechat")
        .into_options()
        .unwrap();
    assert_eq!(list.selection.provider, Provider::LiveChat);
    assert_eq!(list.selection.visitor_id, None);
    assert_eq!(list.proxy_url, "/api");

    let err = options_from(&document, "?provider=zendesk")
        .into_options()
        .unwrap_err();
    assert!(err.contains("Unknown provider"), "{err}");
}

#[wasm_bindgen_test]
async fn without_a_visitor_the_liveperson_panel_says_what_the_host_must_pass() {
    let _stub = proxy();
    let root = fresh_root();
    let _handle = mount(&root, r#"{"provider":"liveperson"}"#);
    until("the hint", || {
        text(&root).contains("must pass the visitor's visitorId and the session's sid")
    })
    .await;
}

#[wasm_bindgen_test]
fn host_messages_are_obeyed_only_from_allowed_origins() {
    let allowed = vec!["https://console.example.com".to_owned()];
    let show = js(
        r#"{"type":"visitor-sidebar:show","provider":"liveperson","visitorId":"V1","sid":"S1"}"#,
    );
    let picked = accept("https://console.example.com", &show, &allowed).unwrap();
    assert_eq!(picked.visitor_id.as_deref(), Some("V1"));
    assert!(accept("https://evil.example.com", &show, &allowed).is_none());
    assert!(accept("https://console.example.com.evil.example", &show, &allowed).is_none());
    assert!(accept("null", &show, &allowed).is_none());
    assert!(
        accept("https://console.example.com", &show, &[]).is_none(),
        "no list: nobody"
    );
    assert!(accept("https://console.example.com", &show, &["*".to_owned()]).is_none());
    let other =
        js(r#"{"type":"something-else","provider":"liveperson","visitorId":"V1","sid":"S1"}"#);
    assert!(accept("https://console.example.com", &other, &allowed).is_none());
    assert!(accept(
        "https://console.example.com",
        &JsValue::from_str("show"),
        &allowed
    )
    .is_none());
}

/// A message from the embedding page (the test page is its own parent).
fn post_message(data: &JsValue, origin: &str) {
    let window = web_sys::window().unwrap();
    post_message_from(data, origin, Some(&window));
}

/// A message as if posted by `source` (`None`: no window at all).
fn post_message_from(data: &JsValue, origin: &str, source: Option<&js_sys::Object>) {
    let init = web_sys::MessageEventInit::new();
    init.set_data(data);
    init.set_origin(origin);
    init.set_source(source);
    let event = web_sys::MessageEvent::new_with_event_init_dict("message", &init).unwrap();
    web_sys::window().unwrap().dispatch_event(&event).unwrap();
}

#[wasm_bindgen_test]
async fn a_mounted_sidebar_switches_on_an_allowed_message_and_ignores_others() {
    let stub = proxy();
    let root = fresh_root();
    let _handle = mount(
        &root,
        r#"{"provider":"liveperson","visitorId":"Alice","sid":"s1","allowedOrigins":["https://console.example.com"]}"#,
    );
    until("Alice", || text(&root).contains("Alice Doe")).await;

    post_message(
        &js(
            r#"{"type":"visitor-sidebar:show","provider":"liveperson","visitorId":"Mallory","sid":"s9"}"#,
        ),
        "https://evil.example.com",
    );
    settle().await;
    // The allowed origin, but not the embedding page (a popup or another frame of it).
    post_message_from(
        &js(
            r#"{"type":"visitor-sidebar:show","provider":"liveperson","visitorId":"Eve","sid":"s8"}"#,
        ),
        "https://console.example.com",
        None,
    );
    settle().await;
    post_message(
        &js(
            r#"{"type":"visitor-sidebar:show","provider":"liveperson","visitorId":"Bob","sid":"s2"}"#,
        ),
        "https://console.example.com",
    );
    until("Bob", || text(&root).contains("Bob Doe")).await;
    assert!(
        stub.calls_to("Mallory").is_empty(),
        "the forged message was ignored"
    );
    assert!(
        stub.calls_to("Eve").is_empty(),
        "a message not from the parent was ignored"
    );
}
