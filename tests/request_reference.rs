//! The proxy's request ID in the widget: an error answer's `X-Request-Id` is read into the
//! `ApiError` (the proxy's error body or another server's), only when it is plausible text, and
//! the status bar's error and stale notices end with "Reference: <id>." so that an agent can
//! quote it to whoever reads the proxy's logs.

#![cfg(target_arch = "wasm32")]

mod common;

use common::fetch::{reply, FetchStub};
use common::*;
use std::cell::Cell;
use std::rc::Rc;
use visitor_sidebar::api::{ApiClient, ApiError, Fetched};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const ID: &str = "0f8fad5b-d9cb-469f-a165-70867728950e";

async fn get_error(status: u16, body: &'static str, headers: &'static [(&str, &str)]) -> ApiError {
    let _stub = FetchStub::new(move |_| reply(status, body, headers));
    match ApiClient::new("/api", None)
        .get::<serde_json::Value>("/liveperson/visitors/a/visit?sid=b", None, None)
        .await
    {
        Err(e) => e,
        Ok(Fetched::Data { .. }) | Ok(Fetched::NotModified) => panic!("an error was expected"),
    }
}

#[wasm_bindgen_test]
async fn the_request_id_of_an_error_answer_is_kept() {
    let body =
        r#"{"error":{"code":"upstream_timeout","message":"LivePerson did not answer in time."}}"#;
    let e = get_error(504, body, &[("X-Request-Id", ID)]).await;
    assert!(matches!(e, ApiError::Proxy { status: 504, .. }), "{e:?}");
    assert_eq!(e.reference(), Some(ID));

    // A gateway's page, not the proxy's body: the ID is kept all the same.
    let e = get_error(
        502,
        "<html>Bad gateway</html>",
        &[("X-Request-Id", "gw-42")],
    )
    .await;
    assert!(matches!(e, ApiError::Http { status: 502, .. }), "{e:?}");
    assert_eq!(e.reference(), Some("gw-42"));

    let e = get_error(504, body, &[]).await;
    assert_eq!(e.reference(), None);
    // Not plausible as an ID (spaces; too long): not shown to the agent.
    let e = get_error(504, body, &[("X-Request-Id", "not an id")]).await;
    assert_eq!(e.reference(), None);
    let long: &'static str = Box::leak("x".repeat(129).into_boxed_str());
    let headers: &'static [(&str, &str)] =
        Box::leak(vec![("X-Request-Id", long)].into_boxed_slice());
    let e = get_error(504, body, headers).await;
    assert_eq!(e.reference(), None);
}

#[wasm_bindgen_test]
async fn error_and_stale_notices_end_with_the_reference() {
    let mode = Rc::new(Cell::new(0));
    let m = mode.clone();
    let _stub = FetchStub::new(move |_| match m.get() {
        0 => reply(
            504,
            r#"{"error":{"code":"upstream_timeout","message":"LivePerson did not answer in time."}}"#,
            &[("X-Request-Id", "first-request-1")],
        ),
        1 => reply(200, LIVEPERSON_VISIT, &[]),
        _ => reply(
            502,
            r#"{"error":{"code":"upstream_error","message":"LivePerson answered 503."}}"#,
            &[("X-Request-Id", "later-request-2")],
        ),
    });
    let root = fresh_root();
    let _sidebar = common::mount(
        &root,
        js(r#"{"provider":"liveperson","visitorId":"Alice","sid":"s1","pollIntervalMs":500}"#),
    );
    until("the error notice", || text(&root).contains("Error:")).await;
    let notice = find(&root, ".vs-notice-error").text_content().unwrap();
    assert!(notice.ends_with("Reference: first-request-1."), "{notice}");

    mode.set(1);
    until("the visit", || text(&root).contains("John Doe")).await;
    assert!(
        !text(&root).contains("Reference:"),
        "no notice, no reference"
    );

    mode.set(2);
    until("the stale notice", || text(&root).contains("Stale since")).await;
    let notice = find(&root, ".vs-notice-stale").text_content().unwrap();
    assert!(
        notice.ends_with("retrying automatically. Reference: later-request-2."),
        "{notice}"
    );
}
