//! "At a glance": every fact rule for both providers, with fixtures of our own (repeated pages,
//! carts in two locales, purchases, leads, errors, service activity, customers, how they came,
//! where they are); a visitor with almost nothing; hostile values in every fact; `New` marks
//! that come and go (and wait while the sidebar is hidden); the announcements; Copy (and a
//! refusing browser) and Insert through `mount()`'s `onInsert` (and its failure path). Insert
//! through the consoles is in `agent_app.rs` and `liveperson_workspace.rs`.

#![cfg(all(target_arch = "wasm32", feature = "livechat", feature = "liveperson"))]

mod common;

use common::fetch::*;
use common::*;
use serde_json::{json, Value};
use std::cell::RefCell;
use std::rc::Rc;
use visitor_sidebar::components::common::Same;
use visitor_sidebar::lenient::decode;
use visitor_sidebar::livechat::model::Visitor;
use visitor_sidebar::livechat::view::VisitorDetails;
use visitor_sidebar::liveperson::glance::Hints;
use visitor_sidebar::liveperson::model::Visit;
use visitor_sidebar::liveperson::view::VisitPanel;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::Element;
use yew::prelude::*;

wasm_bindgen_test_configure!(run_in_browser);

const HOSTILE: &str =
    "<img src=x onerror=\"window.__pwned=1\"><script>window.__pwned=1</script>&amp;";

thread_local! {
    /// The fixtures' "now", fixed once, so the same fixture built twice is the same data.
    static BASE: f64 = js_sys::Date::now();
}

fn now_ms() -> f64 {
    BASE.with(|b| *b)
}

/// A LivePerson visit with one app session made of `session`'s fields.
fn lp_visit(session: Value) -> Rc<Visit> {
    let mut session = session;
    session["id"] = "s1".into();
    if session.get("startTime").is_none() {
        session["startTime"] = (now_ms() - 600_000.0).into();
    }
    Rc::new(
        decode(js(
            &json!({"id": "visit-1", "appSessions": [session]}).to_string()
        ))
        .unwrap(),
    )
}

fn lp_page(id: &str, title: &str, url: &str, ago_ms: f64) -> Value {
    json!({"id": id, "pageTitle": title, "url": url, "startTime": now_ms() - ago_ms,
           "pageBasic": {"url": format!("https://{url}"), "title": title}})
}

/// A session with everything the glance reads.
fn full_session() -> Value {
    json!({
        "pages": [
            lp_page("1", "Home", "shop.example.com/", 500_000.0),
            lp_page("2", "Pricing & Delivery", "shop.example.com/pricing", 400_000.0),
            lp_page("3", "Shoes", "shop.example.com/shoes", 300_000.0),
            lp_page("4", "Pricing & Delivery", "shop.example.com/pricing", 60_000.0),
        ],
        "cart": {"cartStatus": {"total": 349.9, "currency": "EUR", "numItems": 3, "products": []}},
        "leads": [{"topic": "Fleet offer", "value": 5000}],
        "visitorError": [{"message": "Card declined", "code": "E42", "resolved": false}],
        "serviceActivity": [{"topic": "Return of order 17", "status": 10}],
        "customerInfo": {"customerInfo": {"customerType": "gold", "customerStatus": "active"}},
        "searchEngine": {"searchEngine": "Bing", "keywords": "red shoes"},
        "externalReferrer": "https://www.bing.com/search?q=red+shoes",
        "geo": {"city": "Berlin", "country": "Germany"},
    })
}

/// `(data-fact, what the agent reads)` of every glance fact, in order.
fn facts(root: &Element) -> Vec<(String, String)> {
    query_all(root, ".vs-glance [data-fact]")
        .iter()
        .map(|li| {
            let shown = li.query_selector(".vs-glance-text").unwrap().unwrap();
            (
                li.get_attribute("data-fact").unwrap(),
                shown.text_content().unwrap_or_default(),
            )
        })
        .collect()
}

fn fact(root: &Element, name: &str) -> Option<String> {
    facts(root)
        .into_iter()
        .find(|(n, _)| n == name)
        .map(|(_, text)| text)
}

fn visit_panel(visit: Rc<Visit>, hints: Hints) -> impl Fn() -> Html {
    move || html! { <VisitPanel visit={visit.clone()} hints={hints.clone()} /> }
}

async fn glance_of(visit: Rc<Visit>, hints: Hints) -> Element {
    let root = render(visit_panel(visit, hints)).await;
    until("the glance", || {
        root.query_selector(".vs-glance").unwrap().is_some()
    })
    .await;
    root
}

#[wasm_bindgen_test]
async fn liveperson_facts_come_in_the_order_an_agent_acts_on_them() {
    use_locale("en-GB");
    let root = glance_of(lp_visit(full_session()), Hints::default()).await;
    let names: Vec<String> = facts(&root).into_iter().map(|(n, _)| n).collect();
    assert_eq!(
        names,
        ["page", "cart", "lead", "error", "service", "who", "from", "where"]
    );
    let glance = find(&root, "section.vs-glance");
    assert_eq!(
        glance.get_attribute("aria-label").as_deref(),
        Some("At a glance")
    );
    // Right under the visitor's name.
    let name = find(&root, ".vs-visitor-name");
    assert_eq!(name.next_element_sibling(), Some(glance.clone()));
    // The current page: the one opened last, seen twice in the visit (counted by URL), with
    // how long they have been there.
    let now = fact(&root, "page").unwrap();
    assert!(now.starts_with("Pricing & Delivery ×2 · 1 min"), "{now}");
    assert_eq!(fact(&root, "cart").unwrap(), "€349.90 in cart · 3 items");
    assert_eq!(
        fact(&root, "lead").unwrap(),
        "Lead “Fleet offer” · value 5,000.00"
    );
    assert_eq!(fact(&root, "error").unwrap(), "Error: Card declined");
    assert_eq!(
        fact(&root, "service").unwrap(),
        "Open request “Return of order 17” · waiting for the customer"
    );
    assert_eq!(fact(&root, "who").unwrap(), "gold customer · active");
    assert_eq!(fact(&root, "from").unwrap(), "Searched “red shoes”");
    assert_eq!(fact(&root, "where").unwrap(), "Berlin, Germany");
    let shown: usize = facts(&root).iter().map(|(_, t)| t.chars().count()).sum();
    assert!(shown <= 400, "the glance stays short: {shown} characters");
    // Never a placeholder.
    let all = text(&glance);
    for placeholder in ["unknown", "Unknown", "undefined", "null", "NaN"] {
        assert!(!all.contains(placeholder), "{all}");
    }
}

#[wasm_bindgen_test]
async fn money_is_written_in_the_carts_currency_for_the_agents_locale() {
    use_locale("de-DE");
    let root = glance_of(lp_visit(full_session()), Hints::default()).await;
    assert_eq!(
        fact(&root, "cart").unwrap(),
        "349,90\u{a0}€ in cart · 3 items"
    );
    use_locale("en-US");
    let mut session = full_session();
    session["cart"]["cartStatus"]["currency"] = "USD".into();
    session["cart"]["cartStatus"]["total"] = 1234.5.into();
    let root = glance_of(lp_visit(session), Hints::default()).await;
    assert_eq!(fact(&root, "cart").unwrap(), "$1,234.50 in cart · 3 items");
    // No currency: the amount alone; one item.
    let mut session = full_session();
    session["cart"]["cartStatus"] = json!({"total": 11.7, "numItems": 1});
    let root = glance_of(lp_visit(session), Hints::default()).await;
    assert_eq!(fact(&root, "cart").unwrap(), "11.70 in cart · 1 item");
    use_locale("en-GB");
}

#[wasm_bindgen_test]
async fn a_cart_is_bought_by_a_purchase_of_its_total_or_one_after_it_else_the_last_purchase_shows()
{
    use_locale("en-GB");
    // The same total.
    let mut session = full_session();
    session["purchases"] = json!([{"total": 349.9, "orderId": "A1"}]);
    let root = glance_of(lp_visit(session), Hints::default()).await;
    assert_eq!(
        fact(&root, "cart").unwrap(),
        "€349.90 in cart · 3 items · bought"
    );
    assert_eq!(fact(&root, "purchase"), None, "the cart says it already");
    // A purchase event after the cart's last change.
    let mut session = full_session();
    let t = now_ms();
    session["events"] = json!([
        {"cartStatus": {"serverTimeStamp": t - 9_000.0, "total": 349.9, "numItems": 3}},
        {"purchase": {"serverTimeStamp": t - 1_000.0, "total": 300, "orderId": "A2",
                      "cart": {"currency": "EUR"}}},
    ]);
    let root = glance_of(lp_visit(session), Hints::default()).await;
    assert_eq!(
        fact(&root, "cart").unwrap(),
        "€349.90 in cart · 3 items · bought"
    );
    // A purchase before the cart changed: not this cart; the last purchase shows.
    let mut session = full_session();
    session["events"] = json!([
        {"purchase": {"serverTimeStamp": t - 9_000.0, "total": 120, "orderId": "A3",
                      "cart": {"currency": "EUR"}}},
        {"cartStatus": {"serverTimeStamp": t - 1_000.0, "total": 349.9, "numItems": 3}},
    ]);
    let root = glance_of(lp_visit(session), Hints::default()).await;
    assert_eq!(fact(&root, "cart").unwrap(), "€349.90 in cart · 3 items");
    assert_eq!(
        fact(&root, "purchase").unwrap(),
        "Last purchase €120.00 · order A3"
    );
}

#[wasm_bindgen_test]
async fn trouble_is_the_latest_unresolved_error_and_an_open_request_only() {
    let mut session = full_session();
    let t = now_ms();
    session["events"] = json!([
        {"visitorError": {"serverTimeStamp": t - 9_000.0, "visitorError": {"message": "Old error"}}},
        {"visitorError": {"serverTimeStamp": t - 1_000.0, "visitorError": {"code": "E500"}}},
    ]);
    session["serviceActivity"] = json!([{"topic": "Done thing", "status": 0}]);
    let root = glance_of(lp_visit(session), Hints::default()).await;
    assert_eq!(fact(&root, "error").unwrap(), "Error: E500");
    assert_eq!(
        fact(&root, "service"),
        None,
        "a complete request is no trouble"
    );
    let mut session = full_session();
    session["visitorError"] = json!([{"message": "Card declined", "resolved": true}]);
    let root = glance_of(lp_visit(session), Hints::default()).await;
    assert_eq!(fact(&root, "error"), None, "a resolved error is no trouble");
}

#[wasm_bindgen_test]
async fn who_says_authenticated_or_page_reported_where_the_workspace_knows() {
    let hints = Hints {
        time_zone: Some("Europe/Berlin".into()),
        authenticated: Some(true),
        customer_vouched: Some(true),
    };
    let root = glance_of(lp_visit(full_session()), hints).await;
    assert_eq!(
        fact(&root, "who").unwrap(),
        "gold customer · active · authenticated"
    );
    let place = fact(&root, "where").unwrap();
    assert!(
        place.starts_with("Berlin, Germany · ") && place.ends_with("their time"),
        "the local time with a known zone: {place}"
    );
    let hints = Hints {
        customer_vouched: Some(false),
        ..Hints::default()
    };
    let root = glance_of(lp_visit(full_session()), hints).await;
    assert_eq!(
        fact(&root, "who").unwrap(),
        "gold customer · active · page-reported"
    );
}

#[wasm_bindgen_test]
async fn came_from_is_the_search_else_the_campaign_else_the_referring_site() {
    let mut session = full_session();
    session["searchEngine"] = json!({"searchEngine": "", "keywords": ""});
    session["marketingCampaignInfo"] =
        json!({"marketingCampaignInfo": {"campaignId": "Spring sale", "affiliate": "Yahoo"}});
    let root = glance_of(lp_visit(session.clone()), Hints::default()).await;
    assert_eq!(fact(&root, "from").unwrap(), "Campaign Spring sale · Yahoo");
    session
        .as_object_mut()
        .unwrap()
        .remove("marketingCampaignInfo");
    let root = glance_of(lp_visit(session.clone()), Hints::default()).await;
    assert_eq!(
        fact(&root, "from").unwrap(),
        "bing.com",
        "the site, not the whole URL"
    );
    session["externalReferrer"] = "javascript:alert(1)".into();
    let root = glance_of(lp_visit(session), Hints::default()).await;
    assert_eq!(
        fact(&root, "from"),
        None,
        "only http(s) referrers name a site"
    );
}

#[wasm_bindgen_test]
async fn a_page_without_a_title_is_named_by_its_path() {
    let session = json!({"pages": [{"id": "1", "url": "shop.example.com/checkout/payment",
                                    "startTime": now_ms() - 5_000.0}]});
    let root = glance_of(lp_visit(session), Hints::default()).await;
    assert!(fact(&root, "page")
        .unwrap()
        .starts_with("/checkout/payment · "));
}

#[wasm_bindgen_test]
async fn a_visitor_with_almost_nothing_gets_a_short_glance_or_none() {
    let session = json!({"geo": {"country": "Israel"}});
    let root = glance_of(lp_visit(session), Hints::default()).await;
    assert_eq!(facts(&root), [("where".to_owned(), "Israel".to_owned())]);
    // Nothing the glance reads: no glance at all, never a row of placeholders.
    let root = render(visit_panel(
        lp_visit(json!({"ipv4": "192.0.2.1"})),
        Hints::default(),
    ))
    .await;
    until("the panel", || text(&root).contains("Unnamed visitor")).await;
    assert!(root.query_selector(".vs-glance").unwrap().is_none());
    // An empty cart, blank values and a resolved error say nothing either.
    let session = json!({
        "cart": {"cartStatus": {"total": 0, "numItems": 0}},
        "customerInfo": {"customerInfo": {"customerType": " ", "customerStatus": ""}},
        "searchEngine": {"keywords": "  "}, "externalReferrer": "",
        "visitorError": [{"message": "x", "resolved": true}],
    });
    let root = render(visit_panel(lp_visit(session), Hints::default())).await;
    until("the panel", || text(&root).contains("Unnamed visitor")).await;
    assert!(root.query_selector(".vs-glance").unwrap().is_none());
}

/// Every text the glance reads set to `HOSTILE`, in three sessions (all of them would not fit
/// in the glance's 400 characters).
fn hostile_sessions() -> [Value; 3] {
    [
        json!({
            "pages": [{"id": HOSTILE, "pageTitle": HOSTILE, "url": HOSTILE, "startTime": now_ms() - 1_000.0}],
            "cart": {"cartStatus": {"total": 5, "currency": HOSTILE, "numItems": 1}},
            "purchases": [{"total": 5}],
            "visitorError": [{"message": HOSTILE}],
        }),
        json!({
            "purchases": [{"total": 9, "orderId": HOSTILE}],
            "leads": [{"topic": HOSTILE, "value": 3}],
            "serviceActivity": [{"topic": HOSTILE, "status": 1}],
        }),
        json!({
            "customerInfo": {"customerInfo": {"customerType": HOSTILE, "customerStatus": HOSTILE}},
            "searchEngine": {"keywords": HOSTILE},
            "geo": {"city": HOSTILE, "country": HOSTILE},
        }),
    ]
}

fn pwned() -> bool {
    js_sys::Reflect::get(&js_sys::global(), &"__pwned".into())
        .unwrap()
        .is_truthy()
}

#[wasm_bindgen_test]
async fn hostile_values_in_every_fact_stay_text() {
    let hints = Hints {
        time_zone: Some(HOSTILE.into()),
        ..Hints::default()
    };
    let [now, more, who] = hostile_sessions();
    let mut seen = Vec::new();
    for (session, expected) in [
        (now, &["page", "cart", "error"][..]),
        (more, &["purchase", "lead", "service"][..]),
        (who, &["who", "from", "where"][..]),
    ] {
        let root = glance_of(lp_visit(session), hints.clone()).await;
        let glance = find(&root, ".vs-glance");
        assert!(glance.query_selector("img, script").unwrap().is_none());
        let names: Vec<String> = facts(&root).into_iter().map(|(n, _)| n).collect();
        assert_eq!(names, expected);
        for (name, shown) in facts(&root) {
            // Cut to the value limit, but the visitor's own characters, as text.
            assert!(shown.contains("<img src=x"), "{name}: {shown}");
        }
        seen.extend(names);
        if let Some(place) = fact(&root, "where") {
            // An unknown time zone shows no time rather than a wrong one.
            assert!(!place.contains("their time"), "{place}");
        }
    }
    assert_eq!(seen.len(), 9, "every fact was tried");
    assert!(!pwned());
}

fn lc_visitor(fields: Value) -> Rc<Visitor> {
    let mut body = json!({"id": "S1.abc", "name": "Ann"});
    for (k, v) in fields.as_object().unwrap() {
        body[k] = v.clone();
    }
    Rc::new(decode(js(&body.to_string())).unwrap())
}

async fn lc_glance(visitor: Rc<Visitor>) -> Element {
    let root = render(move || html! { <VisitorDetails visitor={Same(visitor.clone())} /> }).await;
    until("the visitor", || text(&root).contains("Ann")).await;
    root
}

#[wasm_bindgen_test]
async fn livechat_visitor_facts() {
    let secs = |ago: f64| ((now_ms() - ago) / 1000.0).floor();
    let root = lc_glance(lc_visitor(json!({
        "page_title": "Pricing", "page_current": "https://shop.example.com/pricing",
        "page_time_ts": secs(120_000.0),
        "visit_path": [
            {"page": "https://shop.example.com/pricing", "title": "Pricing", "time_ts": secs(600_000.0)},
            {"page": "https://shop.example.com/", "title": "Home", "time_ts": secs(300_000.0)},
            {"page": "https://shop.example.com/pricing", "title": "Pricing", "time_ts": secs(120_000.0)},
        ],
        "visits": 4, "chats": 2, "referrer": "https://www.google.com/",
        "city": "Greenville", "region": "NC", "country": "United States", "timezone": "America/New_York",
    })))
    .await;
    let page = fact(&root, "page").unwrap();
    assert!(page.starts_with("Pricing ×2 · 2 min"), "{page}");
    assert_eq!(
        fact(&root, "who").unwrap(),
        "Returning · 4 visits · 2 chats"
    );
    assert_eq!(fact(&root, "from").unwrap(), "google.com");
    let place = fact(&root, "where").unwrap();
    assert!(
        place.starts_with("Greenville, NC, United States · "),
        "{place}"
    );
    // Right under the name.
    let name = find(&root, ".vs-visitor-name");
    assert!(name
        .next_element_sibling()
        .unwrap()
        .matches(".vs-glance")
        .unwrap());

    let root = lc_glance(lc_visitor(
        json!({"page_current": "https://shop.example.com/a/b?x=1", "visits": 1}),
    ))
    .await;
    assert_eq!(fact(&root, "page").unwrap(), "/a/b");
    assert_eq!(fact(&root, "who").unwrap(), "New visitor");
    assert_eq!(facts(&root).len(), 2, "nothing else is known");
}

#[wasm_bindgen_test]
async fn livechat_hostile_values_stay_text() {
    let root = lc_glance(lc_visitor(json!({
        "page_title": HOSTILE, "page_current": HOSTILE, "referrer": HOSTILE,
        "city": HOSTILE, "timezone": HOSTILE, "visits": 2,
    })))
    .await;
    assert!(find(&root, ".vs-glance")
        .query_selector("img, script")
        .unwrap()
        .is_none());
    assert!(fact(&root, "page").unwrap().contains("<img src=x"));
    assert!(fact(&root, "where").unwrap().contains("<img src=x"));
    assert_eq!(fact(&root, "from"), None);
    assert!(!pwned());
}

fn session_at(step: u32) -> Value {
    let mut session = full_session();
    if step >= 1 {
        session["pages"].as_array_mut().unwrap().push(lp_page(
            "5",
            "Checkout – Payment",
            "shop.example.com/checkout",
            1_000.0,
        ));
    }
    session
}

fn new_marks(root: &Element) -> Vec<String> {
    query_all(root, ".vs-new")
        .iter()
        .map(|mark| {
            let item = mark.closest("[data-fact], li").unwrap().unwrap();
            item.get_attribute("data-fact").unwrap_or_else(|| {
                item.query_selector(".vs-page-title")
                    .unwrap()
                    .unwrap()
                    .text_content()
                    .unwrap()
            })
        })
        .collect()
}

/// Sets `document.visibilityState` as the browser would, and tells the page.
fn set_visible(visible: bool) {
    let document = gloo_document();
    let state = if visible { "visible" } else { "hidden" };
    let descriptor = js_sys::Object::new();
    js_sys::Reflect::set(&descriptor, &"value".into(), &state.into()).unwrap();
    js_sys::Reflect::set(&descriptor, &"configurable".into(), &true.into()).unwrap();
    js_sys::Object::define_property(&document, &"visibilityState".into(), &descriptor);
    let event = web_sys::Event::new("visibilitychange").unwrap();
    document.dispatch_event(&event).unwrap();
}

/// Resolves after `ms` (to show that nothing happens in that time).
async fn wait_ms(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(promise).await.unwrap();
}

#[wasm_bindgen_test]
async fn a_new_page_is_marked_new_the_glance_follows_and_it_is_announced_once() {
    use_mark_ms(400);
    let (root, set) = render_driven(lp_visit(session_at(0)), |visit| {
        html! {
            <ContextProvider<visitor_sidebar::context::Announcer> context={announcer()}>
                <VisitPanel visit={visit.clone()} />
            </ContextProvider<visitor_sidebar::context::Announcer>>
        }
    })
    .await;
    until("the glance", || fact(&root, "page").is_some()).await;
    assert!(
        new_marks(&root).is_empty(),
        "the first answer is not a change"
    );

    // The same data again (a new `Rc`, as a changed body that decodes the same): nothing.
    let log = MutationLog::watch(&root);
    set(lp_visit(session_at(0)));
    settle().await;
    assert_eq!(
        log.stop(),
        Vec::<String>::new(),
        "an unchanged answer changes no node"
    );

    set(lp_visit(session_at(1)));
    until("the new page's marks", || !new_marks(&root).is_empty()).await;
    let mut marked = new_marks(&root);
    marked.sort();
    assert_eq!(
        marked,
        ["Checkout – Payment", "page"],
        "the page row and the glance's Now"
    );
    assert!(fact(&root, "page")
        .unwrap()
        .starts_with("Checkout – Payment"));
    until("the announcement", || {
        said().contains("Now on Checkout – Payment")
    })
    .await;
    assert_eq!(said().matches("Now on").count(), 1, "{}", said());
    // Nothing else changed, so nothing else is said.
    assert!(!said().contains("Cart"), "{}", said());

    // The marks stay for the mark time, then go.
    until("the marks expire", || new_marks(&root).is_empty()).await;
    use_mark_ms(visitor_sidebar::hooks::NEW_MARK_MS);
}

thread_local! {
    static SAID: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
}

fn announcer() -> visitor_sidebar::context::Announcer {
    visitor_sidebar::context::Announcer(Callback::from(|text: String| {
        SAID.with(|s| s.borrow_mut().push(text))
    }))
}

fn said() -> String {
    SAID.with(|s| s.borrow().join(" | "))
}

#[wasm_bindgen_test]
async fn a_mark_made_while_the_sidebar_is_hidden_waits_until_it_has_been_seen() {
    use_mark_ms(300);
    let (root, set) = render_driven(lp_visit(session_at(0)), |visit| {
        html! { <VisitPanel visit={visit.clone()} /> }
    })
    .await;
    until("the glance", || fact(&root, "page").is_some()).await;
    set_visible(false);
    set(lp_visit(session_at(1)));
    until("the marks", || !new_marks(&root).is_empty()).await;
    // Hidden for twice the mark time: the marks are still there.
    wait_ms(700).await;
    assert!(!new_marks(&root).is_empty(), "hidden time does not count");
    set_visible(true);
    let shown_at = js_sys::Date::now();
    until("the marks expire once seen", || new_marks(&root).is_empty()).await;
    assert!(
        js_sys::Date::now() - shown_at >= 250.0,
        "they stayed the mark time once visible"
    );
    use_mark_ms(visitor_sidebar::hooks::NEW_MARK_MS);
}

#[wasm_bindgen_test]
async fn another_visitor_is_not_a_change() {
    use_mark_ms(10_000);
    let (root, set) = render_driven(lp_visit(session_at(0)), |visit| {
        html! { <VisitPanel visit={visit.clone()} /> }
    })
    .await;
    until("the glance", || fact(&root, "page").is_some()).await;
    let mut other: Visit = (*lp_visit(session_at(1))).clone();
    other.id = Some("visit-2".into());
    set(Rc::new(other));
    until("the other visit", || {
        fact(&root, "page").is_some_and(|p| p.starts_with("Checkout"))
    })
    .await;
    assert!(new_marks(&root).is_empty());
    use_mark_ms(visitor_sidebar::hooks::NEW_MARK_MS);
}

/// Replaces `navigator.clipboard` with one whose `writeText` records (or refuses, with
/// `refuse`), and `document.execCommand` with one that refuses, until dropped.
struct FakeClipboard {
    written: Rc<RefCell<Vec<String>>>,
    _write: Closure<dyn FnMut(String) -> js_sys::Promise>,
}

impl FakeClipboard {
    fn install(refuse: bool) -> FakeClipboard {
        let written: Rc<RefCell<Vec<String>>> = Rc::default();
        let log = written.clone();
        let write = Closure::<dyn FnMut(String) -> js_sys::Promise>::new(move |text: String| {
            if refuse {
                js_sys::Promise::reject(&JsValue::from_str("NotAllowedError"))
            } else {
                log.borrow_mut().push(text);
                js_sys::Promise::resolve(&JsValue::UNDEFINED)
            }
        });
        let clipboard = js_sys::Object::new();
        js_sys::Reflect::set(&clipboard, &"writeText".into(), write.as_ref()).unwrap();
        define(
            &web_sys::window().unwrap().navigator(),
            "clipboard",
            &clipboard,
        );
        let refusing = js_sys::Function::new_no_args("return false;");
        define(&gloo_document(), "execCommand", &refusing);
        FakeClipboard {
            written,
            _write: write,
        }
    }
}

fn define(target: &JsValue, name: &str, value: &JsValue) {
    let descriptor = js_sys::Object::new();
    js_sys::Reflect::set(&descriptor, &"value".into(), value).unwrap();
    js_sys::Reflect::set(&descriptor, &"configurable".into(), &true.into()).unwrap();
    js_sys::Object::define_property(
        target.unchecked_ref::<js_sys::Object>(),
        &name.into(),
        &descriptor,
    );
}

impl Drop for FakeClipboard {
    fn drop(&mut self) {
        let navigator: JsValue = web_sys::window().unwrap().navigator().into();
        let navigator: &js_sys::Object = navigator.unchecked_ref();
        js_sys::Reflect::delete_property(navigator, &"clipboard".into()).unwrap();
        let document: js_sys::Object = gloo_document().unchecked_into();
        js_sys::Reflect::delete_property(&document, &"execCommand".into()).unwrap();
    }
}

fn feedback(root: &Element) -> String {
    root.query_selector(".vs-feedback")
        .unwrap()
        .map(|f| f.text_content().unwrap_or_default())
        .unwrap_or_default()
}

fn button(root: &Element, fact: &str, action: &str) -> Element {
    find(
        root,
        &format!(".vs-glance [data-fact={fact}] .vs-glance-{action}"),
    )
}

/// The sidebar mounted for a LivePerson visitor whose visit has `session`, with `on_insert`
/// as `mount()`'s `onInsert` when given.
fn mount_lp(session: Value, on_insert: Option<JsValue>) -> (Element, common::Mounted, FetchStub) {
    let mut session = session;
    session["id"] = "s1".into();
    session["startTime"] = now_ms().into();
    let body = json!({"id": "visit-1", "appSessions": [session]}).to_string();
    let stub = FetchStub::new(move |call| {
        if call.url.ends_with("/auth/config") {
            reply(200, r#"{"modes":["anonymous"]}"#, &[])
        } else {
            reply(200, &body, &[])
        }
    });
    let root = fresh_root();
    let options = js(r#"{"provider":"liveperson","visitorId":"V1","sid":"S1","locale":"en-GB"}"#);
    if let Some(on_insert) = on_insert {
        js_sys::Reflect::set(&options, &"onInsert".into(), &on_insert).unwrap();
    }
    (root.clone(), common::mount(&root, options), stub)
}

#[wasm_bindgen_test]
async fn copy_puts_the_facts_sentence_on_the_clipboard_and_says_so() {
    let clipboard = FakeClipboard::install(false);
    let (root, _handle, _stub) = mount_lp(full_session(), None);
    until("the glance", || fact(&root, "page").is_some()).await;
    // A top-level page without onInsert: Copy, and no Insert.
    assert!(root.query_selector(".vs-glance-insert").unwrap().is_none());
    let copy = button(&root, "page", "copy");
    assert!(copy
        .get_attribute("aria-label")
        .unwrap()
        .starts_with("Copy Now: Pricing & Delivery"));
    click(&copy);
    until("copied", || feedback(&root) == "Copied.").await;
    assert_eq!(
        *clipboard.written.borrow(),
        ["I can see you're on the page “Pricing & Delivery”."]
    );
}

#[wasm_bindgen_test]
async fn a_refused_clipboard_gets_a_clear_message() {
    let _clipboard = FakeClipboard::install(true);
    let (root, _handle, _stub) = mount_lp(full_session(), None);
    until("the glance", || fact(&root, "where").is_some()).await;
    click(&button(&root, "where", "copy"));
    until("the refusal", || {
        feedback(&root).contains("did not let the sidebar use the clipboard")
    })
    .await;
    assert_eq!(
        find(&root, ".vs-feedback").get_attribute("role").as_deref(),
        Some("alert")
    );
}

#[wasm_bindgen_test]
async fn without_the_clipboard_api_copy_selects_the_sentence_inside_the_sidebar() {
    let _clipboard = FakeClipboard::install(true);
    // `execCommand("copy")` as browsers run it: on the selection, here recorded.
    let exec = js_sys::Function::new_with_args(
        "command",
        r#"const area = document.activeElement;
           window.__execCopy = { command, value: area && area.value,
                                 inSidebar: !!(area && area.closest(".vs-root")) };
           return true;"#,
    );
    define(&gloo_document(), "execCommand", &exec);
    let (root, _handle, _stub) = mount_lp(full_session(), None);
    until("the glance", || fact(&root, "where").is_some()).await;
    let copy = button(&root, "where", "copy");
    copy.unchecked_ref::<web_sys::HtmlElement>()
        .focus()
        .unwrap();
    click(&copy);
    until("copied", || feedback(&root) == "Copied.").await;
    let seen = js_sys::Reflect::get(&web_sys::window().unwrap(), &"__execCopy".into()).unwrap();
    let seen: Value =
        serde_json::from_str(&String::from(js_sys::JSON::stringify(&seen).unwrap())).unwrap();
    // Inside the sidebar, where its scoped stylesheet keeps the text area out of sight.
    assert_eq!(
        seen,
        json!({"command": "copy", "value": "I can see you're in Berlin, Germany.", "inSidebar": true})
    );
    assert!(
        root.query_selector(".vs-copy-area").unwrap().is_none(),
        "the text area is gone"
    );
    assert_eq!(
        gloo_document().active_element(),
        Some(copy),
        "the focus is back on the button"
    );
}

/// An `onInsert` that records what it got in `window.__inserts` and answers `how`: "ok",
/// "throw", "reject" or "never".
fn on_insert(how: &str) -> JsValue {
    let setup = format!(
        r#"window.__inserts = [];
           window.__onInsert = function (text) {{
             window.__inserts.push(text);
             if ("{how}" === "throw") throw new Error("the console has no open chat");
             if ("{how}" === "reject") return Promise.reject(new Error("rejected by the console"));
             if ("{how}" === "never") return new Promise(function () {{}});
             return true;
           }};"#
    );
    js_sys::Function::new_no_args(&setup)
        .call0(&JsValue::NULL)
        .unwrap();
    js_sys::Reflect::get(&js_sys::global(), &"__onInsert".into()).unwrap()
}

fn inserts() -> Vec<String> {
    let list = js_sys::Reflect::get(&js_sys::global(), &"__inserts".into()).unwrap();
    js_sys::Array::from(&list)
        .iter()
        .filter_map(|t| t.as_string())
        .collect()
}

#[wasm_bindgen_test]
async fn insert_goes_through_on_insert_and_hostile_text_arrives_as_the_visitor_wrote_it() {
    let [now, _, _] = hostile_sessions();
    let (root, _handle, _stub) = mount_lp(now, Some(on_insert("ok")));
    until("the glance", || fact(&root, "error").is_some()).await;
    let insert = button(&root, "error", "insert");
    assert!(insert
        .get_attribute("aria-label")
        .unwrap()
        .starts_with("Insert Trouble into the reply"));
    click(&insert);
    until("inserted", || {
        feedback(&root).starts_with("Added to your reply")
    })
    .await;
    let sent = inserts();
    assert_eq!(sent.len(), 1);
    // Plain text for the host to handle as text: the visitor's characters, cut to the limit.
    assert!(
        sent[0].starts_with("I can see you ran into an error: “<img src=x onerror="),
        "{}",
        sent[0]
    );
    assert!(!pwned());
}

#[wasm_bindgen_test]
async fn a_failed_insert_says_so_and_leaves_the_text_on_the_clipboard() {
    let clipboard = FakeClipboard::install(false);
    for (how, why) in [
        ("throw", "the console has no open chat"),
        ("reject", "rejected by the console"),
    ] {
        let (root, _handle, _stub) = mount_lp(full_session(), Some(on_insert(how)));
        until("the glance", || fact(&root, "cart").is_some()).await;
        click(&button(&root, "cart", "insert"));
        until("the failure", || {
            feedback(&root).starts_with("Insert failed")
        })
        .await;
        let said = feedback(&root);
        assert!(said.contains(why), "{said}");
        assert!(said.contains("on the clipboard"), "{said}");
        assert_eq!(
            clipboard.written.borrow().last().map(String::as_str),
            Some("I can see €349.90 in your cart (3 items).")
        );
    }
}

#[wasm_bindgen_test]
async fn an_insert_nobody_answers_fails_after_three_seconds() {
    let _clipboard = FakeClipboard::install(false);
    let (root, _handle, _stub) = mount_lp(full_session(), Some(on_insert("never")));
    until("the glance", || fact(&root, "where").is_some()).await;
    let started = js_sys::Date::now();
    click(&button(&root, "where", "insert"));
    until("the failure", || {
        feedback(&root).starts_with("Insert failed")
    })
    .await;
    assert!(
        feedback(&root).contains("no answer in 3 s"),
        "{}",
        feedback(&root)
    );
    assert!(js_sys::Date::now() - started >= 2_900.0);
}
