//! What changed between two polls is marked `New` and announced politely to screen readers,
//! once; the first answer, and a switch to another visitor, mark and announce nothing.

#![cfg(all(target_arch = "wasm32", feature = "livechat", feature = "liveperson"))]

mod common;

use common::fetch::{reply, FetchStub};
use common::*;
use std::cell::Cell;
use std::rc::Rc;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn live_region(root: &web_sys::Element) -> String {
    root.query_selector("[aria-live=polite]")
        .unwrap()
        .expect("the sidebar has a polite live region")
        .text_content()
        .unwrap_or_default()
}

fn marked(root: &web_sys::Element) -> usize {
    query_all(root, ".vs-new").len()
}

/// The seed visit, with one more page and a bigger cart from `step` 1 on.
fn visit_at(step: u32) -> String {
    if step == 0 {
        return LIVEPERSON_VISIT.to_owned();
    }
    let mut json: serde_json::Value = serde_json::from_str(LIVEPERSON_VISIT).unwrap();
    let session = &mut json["appSessions"][0];
    let mut page = session["pages"][0].clone();
    page["pageTitle"] = "Checkout".into();
    page["id"] = "2".into();
    page["startTime"] = 1_475_675_400_000u64.into();
    session["pages"].as_array_mut().unwrap().push(page);
    session["cart"]["cartStatus"]["numItems"] = 7.into();
    session["cart"]["cartStatus"]["total"] = 19.5.into();
    json.to_string()
}

#[wasm_bindgen_test]
async fn a_new_page_and_a_cart_change_are_marked_and_announced() {
    let step = Rc::new(Cell::new(0));
    let s = step.clone();
    let _stub = FetchStub::new(move |_| reply(200, &visit_at(s.get()), &[]));
    let root = fresh_root();
    let _sidebar = common::mount(
        &root,
        js(
            r#"{"provider":"liveperson","visitorId":"Alice","sid":"s1","pollIntervalMs":500,"locale":"en-US"}"#,
        ),
    );
    until("the visit", || text(&root).contains("Test Page")).await;
    assert_eq!(marked(&root), 0, "the first answer is not a change");
    assert_eq!(live_region(&root), "");

    step.set(1);
    until("the change", || marked(&root) > 0).await;
    let said = live_region(&root);
    assert!(said.contains("Now on Checkout"), "{said}");
    assert!(said.contains("Cart 19.50 in cart · 7 items"), "{said}");
    // The new page's row, and the glance's page and cart; the cart is no longer the one bought,
    // so the last purchase shows (new) beside it.
    let marks: Vec<String> = query_all(&root, ".vs-new")
        .iter()
        .map(|m| {
            m.closest("li")
                .unwrap()
                .unwrap()
                .get_attribute("data-fact")
                .unwrap_or_else(|| "row".into())
        })
        .collect();
    assert_eq!(marks, ["page", "cart", "purchase", "row"], "{marks:?}");
}

#[wasm_bindgen_test]
async fn a_livechat_state_change_is_announced_but_switching_visitors_is_not() {
    let chatting = Rc::new(Cell::new(false));
    let c = chatting.clone();
    let _stub = FetchStub::new(move |call| {
        let mut list: serde_json::Value = serde_json::from_str(LIVECHAT_VISITORS).unwrap();
        let mut visitor = list[0].take();
        if call.url.contains("/visitors/Other") {
            visitor["id"] = "Other".into();
            visitor["name"] = "Other person".into();
        } else if !c.get() {
            visitor["state"] = "queued".into();
        }
        reply(200, &visitor.to_string(), &[])
    });
    let root = fresh_root();
    let handle = common::mount(
        &root,
        js(
            r#"{"provider":"livechat","visitorId":"S148dea44981.d9443253fef2","pollIntervalMs":500}"#,
        ),
    );
    until("the visitor", || text(&root).contains("queued")).await;
    chatting.set(true);
    until("the change", || {
        live_region(&root).contains("State: chatting")
    })
    .await;
    assert!(marked(&root) > 0, "the new state is marked");

    handle
        .show(js(r#"{"provider":"livechat","visitorId":"Other"}"#))
        .unwrap();
    until("the other visitor", || text(&root).contains("Other person")).await;
    assert_eq!(marked(&root), 0, "a new visitor is not a change");
}
