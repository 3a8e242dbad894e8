//! One LiveChat visitor: the seed sample shown whole, hostile visitor text kept as text, odd
//! values tolerated, and the loading and error states of the fetched view.

#![cfg(all(target_arch = "wasm32", feature = "livechat"))]

mod common;

use common::fetch::*;
use common::*;
use serde_json::json;
use std::rc::Rc;
use visitor_sidebar::format;
use visitor_sidebar::lenient::decode;
use visitor_sidebar::livechat::model::{Visitor, VisitorList};
use visitor_sidebar::livechat::view::{VisitorDetail, VisitorDetails};
use wasm_bindgen_test::*;
use yew::prelude::*;

wasm_bindgen_test_configure!(run_in_browser);

const SEED_ID: &str = "S148dea44981.d9443253fef2";

fn seed() -> Rc<Visitor> {
    let list: VisitorList = decode(js(LIVECHAT_VISITORS)).unwrap();
    Rc::new(list.0[0].clone())
}

async fn show(visitor: Rc<Visitor>) -> web_sys::Element {
    render(move || html! { <VisitorDetails visitor={visitor.clone()} /> }).await
}

/// The `<dd>` beside the `<dt>` labelled `label`.
fn fact(root: &web_sys::Element, label: &str) -> String {
    query_all(root, ".vs-fact")
        .into_iter()
        .find(|f| text(&find(f, "dt")) == label)
        .map(|f| text(&find(&f, "dd")))
        .unwrap_or_else(|| panic!("no fact {label:?} in:\n{}", text(root)))
}

#[wasm_bindgen_test]
async fn the_seed_visitor_is_shown_whole() {
    let root = show(seed()).await;
    let heading = text(&find(&root, "h2.vs-visitor-name"));
    assert!(heading.contains("Visitor") && heading.contains("chatting"));

    assert_eq!(
        fact(&root, "Current page"),
        "LiveChat – Chat Window API (JS)"
    );
    assert_eq!(fact(&root, "Browser"), "Chrome 56");
    assert!(fact(&root, "System").starts_with("Windows"));
    assert_eq!(
        fact(&root, "Location"),
        "Greenville, North Carolina, United States"
    );
    let local = fact(&root, "Local time");
    assert!(local.ends_with("(America/New_York)"), "{local}");
    let expected_now =
        format::time_in_zone(js_sys::Date::now(), "America/New_York", Some("en-GB")).unwrap();
    assert_eq!(
        local.split(':').next(),
        expected_now.split(':').next(),
        "the visitor's local hour"
    );
    assert_eq!(fact(&root, "Language"), "en");
    assert_eq!(fact(&root, "IP / host"), "8.8.8.8 (very-hosty.sl.us)");
    assert_eq!(fact(&root, "Visits"), "3");
    assert_eq!(fact(&root, "Page views"), "16");
    assert_eq!(fact(&root, "Chats"), "1");
    assert_eq!(
        fact(&root, "Greetings"),
        "1 accepted · 1 refused · 2 in all"
    );
    let at = |s: f64| format::date_time(s * 1000.0, Some("en-GB")).unwrap();
    assert_eq!(fact(&root, "Last visit"), at(1_487_244_981.0));
    assert_eq!(fact(&root, "Chat started"), at(1_487_246_066.0));
    assert_eq!(fact(&root, "Group"), "102");
    assert!(fact(&root, "Time on site").contains(" d"), "years ago");

    let current = find(&root, ".vs-visitor-header a.vs-link");
    assert_eq!(
        current.get_attribute("href").as_deref(),
        Some("https://developers.livechatinc.com/beta-docs/js-api/#on-chat-window-minimized")
    );
    assert_eq!(current.get_attribute("target").as_deref(), Some("_blank"));
    assert_eq!(
        current.get_attribute("rel").as_deref(),
        Some("noopener noreferrer")
    );
    assert_eq!(
        find(
            &root,
            ".vs-fact a.vs-link[href='https://www.livechatinc.com/']"
        )
        .get_attribute("rel")
        .as_deref(),
        Some("noopener noreferrer"),
        "the referrer"
    );

    // The visit path as a timeline, oldest first.
    let steps = query_all(&root, ".vs-timeline > li");
    assert_eq!(steps.len(), 2);
    let first = text(&steps[0]);
    assert!(first.contains("LiveChat Developers - REST API & Integrations"));
    assert!(first.contains("Invitation: Time on site: 30 sec"));
    assert!(first.contains(&format::time(1_487_244_981_000.0, Some("en-GB")).unwrap()));
    assert_eq!(
        find(&steps[1], "a").get_attribute("href").as_deref(),
        Some("https://developers.livechatinc.com/beta-docs/")
    );
    assert!(
        !text(&steps[1]).contains("Invitation"),
        "an empty invitation says nothing"
    );
    assert_eq!(
        steps[1].get_attribute("aria-current").as_deref(),
        Some("page")
    );

    // Custom variables, the survey and the operators as tables and lists of text.
    let tables = query_all(&root, "table.vs-kv");
    assert_eq!(tables.len(), 2);
    assert!(text(&tables[0]).contains("empty_cart") && text(&tables[0]).contains("true"));
    let survey = text(&tables[1]);
    assert!(survey.contains("E-mail:") && survey.contains("visitor@example.com"));
    let operators = text(&find(&root, ".vs-operators"));
    assert!(operators.contains("John Doe (john.doe@mycompany.com)"));
}

#[wasm_bindgen_test]
async fn visitor_controlled_text_stays_text() {
    let hostile = r#"<img src=x onerror="window.__pwned=1">"#;
    let visitor: Visitor = decode(js(&json!({
        "id": "S1.evil",
        "name": hostile,
        "city": "<b>Town</b>",
        "page_title": "<script>window.__pwned=1</script>",
        "page_current": "javascript:window.__pwned=1",
        "referrer": "data:text/html,<script>alert(1)</script>",
        "custom_variables": [{"key": "<i>k</i>", "value": hostile}],
        "prechat_survey": [{"key": "Site:", "value": "javascript:alert(1)"}],
        "visit_path": [{"page": "JaVaScRiPt:alert(1)", "title": hostile, "invitation": "<u>hi</u>"}],
        "operators": [{"display_name": "<svg onload=alert(1)>"}],
    }).to_string())).unwrap();
    let root = show(Rc::new(visitor)).await;
    assert!(query_all(&root, "img, script, b, i, u, svg").is_empty());
    assert!(
        query_all(&root, "a").is_empty(),
        "no unsafe address became a link"
    );
    let shown = text(&root);
    for literal in [
        hostile,
        "<b>Town</b>",
        "<i>k</i>",
        "javascript:alert(1)",
        "<u>hi</u>",
    ] {
        assert!(
            shown.contains(literal),
            "{literal:?} missing from:\n{shown}"
        );
    }
    assert!(js_sys::Reflect::get(&js_sys::global(), &"__pwned".into())
        .unwrap()
        .is_undefined());
}

#[wasm_bindgen_test]
async fn odd_and_missing_values_do_not_hide_the_rest() {
    let list: VisitorList = decode(js(&json!([
        "not a visitor",
        {
            "id": 42,
            "name": "Odd One",
            "state": "daydreaming",
            "visits": "7",
            "page_views": {"nested": true},
            "custom_variables": "not a list",
            "prechat_survey": null,
            "operators": [null, {"display_name": "Ann"}],
            "visit_path": [{"title": "Home", "time_ts": "not a time"}, 5],
            "timezone": "Not/AZone",
            "latitude": "north",
            "queue_start_time": 46843480,
        }
    ])
    .to_string()))
    .unwrap();
    assert_eq!(list.0.len(), 1, "the malformed entry alone is dropped");
    let root = show(Rc::new(list.0[0].clone())).await;
    let shown = text(&root);
    assert!(
        shown.contains("Odd One") && shown.contains("daydreaming"),
        "{shown}"
    );
    assert_eq!(fact(&root, "Visits"), "7");
    assert_eq!(
        fact(&root, "Local time"),
        "Not/AZone",
        "an unknown zone as text"
    );
    assert!(!shown.contains("Page views") && !shown.contains("Queue"));
    assert_eq!(query_all(&root, ".vs-timeline > li").len(), 1);
    assert!(text(&find(&root, ".vs-operators")).contains("Ann"));
}

#[wasm_bindgen_test]
async fn the_fetched_visitor_loads_then_shows_and_errors_are_said() {
    let proxy = FakeProxy::start(|call| {
        if call.url.ends_with(SEED_ID) {
            let list: serde_json::Value = serde_json::from_str(LIVECHAT_VISITORS).unwrap();
            (200, list[0].to_string())
        } else {
            (
                404,
                error_body(
                    "not_found",
                    "This visitor is not on the website now (or not tracked by LiveChat).",
                ),
            )
        }
    });
    proxy.hold(false);
    let root = render(|| {
        html! { <VisitorDetail visitor_id={SEED_ID} on_back={Callback::noop()} /> }
    })
    .await;
    until("the seed visitor", || text(&root).contains("Greenville")).await;
    assert!(proxy.got(&format!("/api/livechat/visitors/{SEED_ID}")));
    assert!(!query_all(&root, "form").is_empty(), "the details form");

    let gone = render(|| {
        html! { <VisitorDetail visitor_id="S9.gone" on_back={Callback::noop()} /> }
    })
    .await;
    until("the error", || {
        text(&gone).contains("This visitor is not on the website now")
    })
    .await;
    assert!(
        !query_all(&gone, "form").is_empty(),
        "the form stays, with whatever was typed"
    );

    let bad = render(|| {
        html! { <VisitorDetail visitor_id="bad id/../x" on_back={Callback::noop()} /> }
    })
    .await;
    assert!(text(&bad).contains("The LiveChat visitor ID"));
}

#[function_component]
fn HostSwitch() -> Html {
    let id = use_state(|| AttrValue::from("S10.alpha"));
    let next = {
        let id = id.clone();
        Callback::from(move |_| id.set("S11.beta".into()))
    };
    html! {
        <>
            <button type="button" class="host-switch" onclick={next}>{ "next chat" }</button>
            <visitor_sidebar::livechat::view::LiveChatView visitor_id={Some((*id).clone())} />
        </>
    }
}

#[wasm_bindgen_test]
async fn the_host_switching_visitors_never_shows_the_previous_one() {
    let visitors = json!([
        {"id": "S10.alpha", "name": "Alpha", "city": "Lyon"},
        {"id": "S11.beta", "name": "Beta", "city": "Osaka"},
    ]);
    let _proxy = FakeProxy::start(move |call| match call.url.as_str() {
        "/api/livechat/visitors/S10.alpha" => (200, visitors[0].to_string()),
        "/api/livechat/visitors/S11.beta" => (200, visitors[1].to_string()),
        "/api/livechat/visitors?count=1" => (200, "2".into()),
        _ => (200, visitors.to_string()),
    });
    let root = render(|| html! { <HostSwitch /> }).await;
    let heading = |root: &web_sys::Element| {
        query_all(root, "h2.vs-visitor-name")
            .first()
            .map(text)
            .unwrap_or_default()
    };
    until("Alpha", || heading(&root).contains("Alpha")).await;
    click(&find(&root, "button.host-switch"));
    until("Beta", || heading(&root).contains("Beta")).await;
    assert!(!text(&root).contains("Lyon"), "nothing of Alpha is left");
}
