//! Live updates: switching visitors cancels the old requests and never shows the old answer;
//! polling pauses while the page is hidden; errors keep the last good data as "stale" and
//! recover by themselves; unchanged polls send `If-None-Match` and touch no DOM node.

#![cfg(all(target_arch = "wasm32", feature = "livechat", feature = "liveperson"))]

mod common;

use common::fetch::{deferred, network_error, reply, FetchStub};
use common::*;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use visitor_sidebar::hooks::use_polled::{backoff_ms, MAX_BACKOFF_MS};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn visit_named(first: &str) -> String {
    LIVEPERSON_VISIT.replace("\"John\"", &format!("\"{first}\""))
}

fn mount(root: &web_sys::Element, options: &str) -> common::Mounted {
    common::mount(root, js(options))
}

#[wasm_bindgen_test]
async fn a_slow_answer_for_the_previous_visitor_never_shows_under_the_new_one() {
    let (slow_alice, release_alice) = deferred();
    let slow_alice = RefCell::new(Some(slow_alice));
    let stub = FetchStub::new(move |call| {
        if call.url.contains("/visitors/Alice/") {
            slow_alice
                .borrow_mut()
                .take()
                .unwrap_or_else(|| reply(200, &visit_named("Alice"), &[]))
        } else {
            reply(200, &visit_named("Bob"), &[])
        }
    });
    let root = fresh_root();
    let handle = mount(
        &root,
        r#"{"provider":"liveperson","visitorId":"Alice","sid":"s1","pollIntervalMs":60000}"#,
    );
    until("Alice's request", || {
        stub.calls_to("/visitors/Alice/").len() == 1
    })
    .await;

    handle
        .show(js(
            r#"{"provider":"liveperson","visitorId":"Bob","sid":"s2"}"#,
        ))
        .unwrap();
    until("Bob", || text(&root).contains("Bob Doe")).await;
    assert!(
        stub.calls_to("/visitors/Alice/")[0].signal.aborted(),
        "Alice's request was aborted"
    );

    // Alice's answer arrives late anyway (a server that ignores the abort).
    let late = common::fetch::response(200, &visit_named("Alice"), &[]);
    release_alice
        .borrow_mut()
        .take()
        .unwrap()
        .call1(&JsValue::NULL, &late)
        .unwrap();
    for _ in 0..5 {
        next_task().await;
        settle().await;
    }
    assert!(text(&root).contains("Bob Doe"));
    assert!(
        !text(&root).contains("Alice"),
        "the late answer for Alice was dropped"
    );
}

fn set_hidden(hidden: bool) {
    let document = gloo_document();
    let descriptor = js_sys::Object::new();
    let getter = js_sys::Function::new_no_args(if hidden {
        "return true"
    } else {
        "return false"
    });
    js_sys::Reflect::set(&descriptor, &"get".into(), &getter).unwrap();
    js_sys::Reflect::set(&descriptor, &"configurable".into(), &JsValue::TRUE).unwrap();
    js_sys::Object::define_property(&document, &"hidden".into(), &descriptor);
    document
        .dispatch_event(&web_sys::Event::new("visibilitychange").unwrap())
        .unwrap();
}

#[wasm_bindgen_test]
async fn polling_waits_while_the_page_is_hidden_and_refreshes_at_once_when_shown() {
    let stub = FetchStub::new(|_| reply(200, &visit_named("Alice"), &[]));
    set_hidden(true);
    let root = fresh_root();
    // A one-minute interval: any request here can only come from the page becoming visible.
    let _handle = mount(
        &root,
        r#"{"provider":"liveperson","visitorId":"Alice","sid":"s1","pollIntervalMs":60000}"#,
    );
    for _ in 0..20 {
        next_task().await;
        settle().await;
    }
    // Only the proxy's public sign-in settings are read (once, at start).
    assert_eq!(
        stub.calls_to("/visitors/").len(),
        0,
        "no visitor data is fetched for a hidden page"
    );
    set_hidden(false);
    until("the refresh on becoming visible", || {
        text(&root).contains("Alice Doe")
    })
    .await;
    assert_eq!(stub.calls_to("/visitors/").len(), 1);
    // Leave the document as other tests expect it.
    js_sys::Reflect::delete_property(&gloo_document(), &"hidden".into()).unwrap();
}

#[wasm_bindgen_test]
fn backoff_grows_with_jitter_up_to_a_minute_and_honours_retry_after() {
    assert_eq!(backoff_ms(3_000, 1, None, 0.0), 3_000);
    assert_eq!(backoff_ms(3_000, 1, None, 1.0), 6_000);
    assert_eq!(backoff_ms(3_000, 2, None, 0.0), 6_000);
    assert_eq!(backoff_ms(3_000, 3, None, 0.5), 18_000);
    assert_eq!(backoff_ms(3_000, 30, None, 1.0), MAX_BACKOFF_MS);
    assert_eq!(backoff_ms(3_000, 30, None, 0.0), MAX_BACKOFF_MS / 2);
    assert_eq!(
        backoff_ms(3_000, 1, Some(20), 0.0),
        20_000,
        "Retry-After wins when longer"
    );
}

#[wasm_bindgen_test]
async fn a_failing_upstream_keeps_the_last_data_as_stale_and_recovers_by_itself() {
    let failing = Rc::new(Cell::new(false));
    let switch = failing.clone();
    let stub = FetchStub::new(move |_| {
        if switch.get() {
            reply(
                502,
                r#"{"error":{"code":"upstream_error","message":"LivePerson answered 503."}}"#,
                &[],
            )
        } else {
            reply(200, &visit_named("Alice"), &[("ETag", "\"v1\"")])
        }
    });
    let root = fresh_root();
    let _handle = mount(
        &root,
        r#"{"provider":"liveperson","visitorId":"Alice","sid":"s1","pollIntervalMs":500}"#,
    );
    until("Alice", || text(&root).contains("Alice Doe")).await;

    failing.set(true);
    until("the stale notice", || text(&root).contains("Stale since")).await;
    let shown = text(&root);
    assert!(shown.contains("LivePerson answered 503."), "{shown}");
    assert!(shown.contains("Alice Doe"), "the last good data stays");

    let failures_before = stub.count();
    failing.set(false);
    until("recovery", || !text(&root).contains("Stale")).await;
    assert!(stub.count() > failures_before);
    assert!(text(&root).contains("Alice Doe"));
}

#[wasm_bindgen_test]
async fn an_unreachable_proxy_shows_stale_and_rate_limits_are_explained() {
    let mode = Rc::new(Cell::new(0));
    let m = mode.clone();
    let _stub = FetchStub::new(move |_| match m.get() {
        0 => reply(200, &visit_named("Alice"), &[]),
        1 => network_error(),
        _ => reply(
            429,
            r#"{"error":{"code":"upstream_rate_limited","message":"LivePerson asks to slow down."}}"#,
            &[("Retry-After", "1")],
        ),
    });
    let root = fresh_root();
    let _handle = mount(
        &root,
        r#"{"provider":"liveperson","visitorId":"Alice","sid":"s1","pollIntervalMs":500}"#,
    );
    until("Alice", || text(&root).contains("Alice Doe")).await;
    mode.set(1);
    until("unreachable", || text(&root).contains("cannot be reached")).await;
    mode.set(2);
    until("rate limited", || text(&root).contains("Too many requests")).await;
    assert!(text(&root).contains("Stale since"));
}

#[wasm_bindgen_test]
async fn the_refresh_button_fetches_at_once() {
    let stub = FetchStub::new(|_| reply(200, &visit_named("Alice"), &[]));
    let root = fresh_root();
    let _handle = mount(
        &root,
        r#"{"provider":"liveperson","visitorId":"Alice","sid":"s1","pollIntervalMs":60000}"#,
    );
    until("Alice", || text(&root).contains("Alice Doe")).await;
    let button: web_sys::HtmlElement = root
        .query_selector(".vs-refresh")
        .unwrap()
        .unwrap()
        .unchecked_into();
    button.click();
    until("a second request", || {
        stub.calls_to("/visitors/").len() == 2
    })
    .await;
}

/// Mounts Alice's visit polling every 500 ms against `stub`, waits for it, then returns the DOM
/// mutations seen during the next two polls.
async fn mutations_over_two_polls(stub: &FetchStub) -> Vec<String> {
    let root = fresh_root();
    let _handle = mount(
        &root,
        r#"{"provider":"liveperson","visitorId":"Alice","sid":"s1","pollIntervalMs":500}"#,
    );
    until("Alice", || text(&root).contains("Alice Doe")).await;
    settle().await;
    let mutations = MutationLog::watch(&root);
    let polls = stub.count();
    until("two more polls", || stub.count() >= polls + 2).await;
    settle().await;
    mutations.stop()
}

#[wasm_bindgen_test]
async fn an_unchanged_poll_sends_the_etag_and_mutates_nothing() {
    let stub = FetchStub::new(|call| {
        if call.if_none_match.as_deref() == Some("\"v1\"") {
            reply(304, "", &[("ETag", "\"v1\"")])
        } else {
            reply(200, &visit_named("Alice"), &[("ETag", "\"v1\"")])
        }
    });
    let seen = mutations_over_two_polls(&stub).await;
    assert_eq!(
        stub.calls.borrow().last().unwrap().if_none_match.as_deref(),
        Some("\"v1\""),
        "polls revalidate with the ETag"
    );
    assert!(seen.is_empty(), "unchanged polls mutated the DOM: {seen:?}");
}

#[wasm_bindgen_test]
async fn an_identical_200_also_mutates_nothing() {
    // A proxy or cache that does not do ETags: same body every time.
    let stub = FetchStub::new(|_| reply(200, &visit_named("Alice"), &[]));
    let seen = mutations_over_two_polls(&stub).await;
    assert!(seen.is_empty(), "identical polls mutated the DOM: {seen:?}");
}
