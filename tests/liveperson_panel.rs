//! The LivePerson visit panel in the browser: the seed sample shows the facts of every section,
//! laid out for an agent (important sections open, the rest closed), and odd or hostile visits
//! (nulls, missing sections, unknown events, script in every string, 5,000 pages, several app
//! sessions) render without a panic and without a single visitor string becoming markup.

#![cfg(all(target_arch = "wasm32", feature = "liveperson"))]

mod common;

use common::*;
use serde_json::{json, Value};
use std::rc::Rc;
use visitor_sidebar::api::ApiError;
use visitor_sidebar::components::common::StatusBar;
use visitor_sidebar::hooks::Phase;
use visitor_sidebar::lenient::decode;
use visitor_sidebar::liveperson::model::Visit;
use visitor_sidebar::liveperson::view::{LivePersonView, VisitPanel};
use visitor_sidebar_contract::{ErrorCode, ErrorDetail};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlSelectElement};
use yew::prelude::*;

wasm_bindgen_test_configure!(run_in_browser);

fn seed() -> Value {
    serde_json::from_str(LIVEPERSON_VISIT).unwrap()
}

fn visit_of(json: &Value) -> Rc<Visit> {
    Rc::new(decode(js(&json.to_string())).expect("the visit decodes"))
}

async fn mount(json: &Value) -> Element {
    let visit = visit_of(json);
    render(move || html! { <VisitPanel visit={visit.clone()} /> }).await
}

/// The section whose heading is `title`.
fn section(root: &Element, title: &str) -> Option<Element> {
    query_all(root, "details.vs-section").into_iter().find(|d| {
        d.query_selector("h3")
            .unwrap()
            .and_then(|h| h.text_content())
            .as_deref()
            == Some(title)
    })
}

fn headings(root: &Element) -> Vec<String> {
    query_all(root, "details.vs-section h3")
        .iter()
        .filter_map(|h| h.text_content())
        .collect()
}

/// Opens a closed section the way a click on its summary would, waits for its body (some are
/// built only when opened), and gives the text it shows.
async fn open_and_read(root: &Element, title: &str) -> String {
    let details = section(root, title).unwrap_or_else(|| panic!("no {title:?} section"));
    details.set_attribute("open", "").unwrap();
    let body = details.query_selector(".vs-section-body").unwrap().unwrap();
    until("the section's body", || body.child_element_count() > 0).await;
    text(&details)
}

fn assert_shows(shown: &str, facts: &[&str]) {
    for fact in facts {
        assert!(shown.contains(fact), "{fact:?} missing from:\n{shown}");
    }
}

fn session(json: &mut Value) -> &mut Value {
    &mut json["appSessions"][0]
}

#[wasm_bindgen_test]
async fn the_header_shows_who_on_what_from_where_and_how_they_came() {
    let root = mount(&seed()).await;
    let header = root.query_selector("header.vs-lp-header").unwrap().unwrap();
    let shown = text(&header);
    assert_shows(
        &shown,
        &[
            "John Doe",
            "Desktop · macOS",
            "Chrome 53 on macOS 10.9.5",
            "Tel Aviv, Israel",
            "195.62.30.20",
            "On site",
            "(since 5 Oct 2016",
            "Yahoo · US coupon campaign",
        ],
    );
    // The sample's search engine, keywords and referrer are empty: no empty facts.
    assert!(!shown.contains("Search"), "{shown}");
    assert!(!shown.contains("Referrer"), "{shown}");
}

#[wasm_bindgen_test]
async fn the_time_on_site_ticks() {
    let mut json = seed();
    session(&mut json)["startTime"] = json!(js_sys::Date::now() - 5_000.0);
    let root = mount(&json).await;
    let ticking = root
        .query_selector(".vs-lp-on-site .vs-ticking")
        .unwrap()
        .unwrap();
    let first = ticking.text_content().unwrap();
    assert!(first.ends_with(" s"), "{first}");
    let watched = ticking.clone();
    until("the time on site to tick", move || {
        watched.text_content().unwrap() != first
    })
    .await;
}

#[wasm_bindgen_test]
async fn referrer_search_and_keywords_show_when_known() {
    let mut json = seed();
    let s = session(&mut json);
    s["externalReferrer"] = json!("https://www.google.com/search?q=shoes");
    s["searchEngine"] = json!({"searchEngine": "Google", "keywords": "red shoes"});
    let root = mount(&json).await;
    let header = root.query_selector("header.vs-lp-header").unwrap().unwrap();
    assert_shows(&text(&header), &["Google · “red shoes”", "Referrer"]);
    let link = header.query_selector("a.vs-link").unwrap().unwrap();
    assert_eq!(
        link.get_attribute("href").as_deref(),
        Some("https://www.google.com/search?q=shoes")
    );
}

#[wasm_bindgen_test]
async fn the_sections_come_in_order_with_the_important_ones_open() {
    let root = mount(&seed()).await;
    assert_eq!(
        headings(&root),
        [
            "Journey",
            "Customer",
            "Cart & purchases",
            "Leads & service",
            "Visitor errors",
            "Engagements",
            "Timeline",
            "About this visit"
        ]
    );
    for (title, open) in [
        ("Journey", true),
        ("Customer", true),
        ("Cart & purchases", true),
        ("Leads & service", true),
        ("Visitor errors", true),
        ("Engagements", false),
        ("Timeline", false),
        ("About this visit", false),
    ] {
        assert_eq!(
            section(&root, title).unwrap().has_attribute("open"),
            open,
            "{title}"
        );
    }
}

#[wasm_bindgen_test]
async fn the_journey_shows_the_page_with_a_safe_link_and_marks_it_current() {
    let root = mount(&seed()).await;
    let journey = section(&root, "Journey").unwrap();
    assert_shows(
        &text(&journey),
        &[
            "Test Page",
            "current",
            "Time on page",
            "21 s",
            "Opened",
            "5 Oct 2016",
        ],
    );
    let current = query_all(&journey, "li[aria-current]");
    assert_eq!(current.len(), 1);
    assert!(text(&current[0]).contains("Test Page"));
    let link = journey.query_selector("a.vs-link").unwrap().unwrap();
    assert_eq!(
        link.get_attribute("href").as_deref(),
        Some("http://testfile.com/")
    );
    assert_eq!(link.get_attribute("target").as_deref(), Some("_blank"));
    assert_eq!(
        link.get_attribute("rel").as_deref(),
        Some("noopener noreferrer")
    );
}

#[wasm_bindgen_test]
async fn the_journey_order_toggles_and_the_latest_page_is_current() {
    let mut json = seed();
    let s = session(&mut json);
    let page = s["pages"][0].clone();
    let mut pages = Vec::new();
    // Listed out of order on purpose: the order comes from the start times.
    for (title, start) in [("Second", 2_000.0), ("Third", 3_000.0), ("First", 1_000.0)] {
        let mut p = page.clone();
        p["pageTitle"] = json!(title);
        p["pageBasic"]["title"] = json!(title);
        p["startTime"] = json!(1_475_675_316_326.0 + start);
        pages.push(p);
    }
    s["pages"] = json!(pages);
    let root = mount(&json).await;
    let titles = |root: &Element| -> Vec<String> {
        query_all(root, ".vs-journey .vs-page-title")
            .iter()
            .filter_map(|t| t.text_content())
            .collect()
    };
    assert_eq!(titles(&root), ["Third", "Second", "First"]);
    let current = query_all(&root, ".vs-journey li[aria-current]");
    assert_eq!(current.len(), 1);
    assert!(text(&current[0]).contains("Third"));

    let button = root.query_selector("button.vs-lp-order").unwrap().unwrap();
    assert_eq!(text(&button), "Newest first");
    assert_eq!(
        button.get_attribute("aria-pressed").as_deref(),
        Some("true")
    );
    click(&button);
    let watched = root.clone();
    until("oldest first", move || {
        titles(&watched) == ["First", "Second", "Third"]
    })
    .await;
    assert_eq!(
        button.get_attribute("aria-pressed").as_deref(),
        Some("false")
    );
}

#[wasm_bindgen_test]
async fn the_customer_shows_personal_and_customer_info_with_contact_links() {
    let root = mount(&seed()).await;
    let customer = section(&root, "Customer").unwrap();
    assert_shows(
        &text(&customer),
        &[
            "John Doe",
            "34 (born 15 Apr 1980)",
            "myname@example.com",
            "+1 212-788-8877",
            "Male",
            "company",
            "cancelled",
            "vip",
            "Balance",
            "-400.99",
            "138766AC",
            "Last payment",
            "15 Oct 2014",
            "Registered",
            "23 May 2013",
        ],
    );
    let hrefs: Vec<String> = query_all(&customer, "a.vs-link")
        .iter()
        .filter_map(|a| a.get_attribute("href"))
        .collect();
    assert_eq!(hrefs, ["mailto:myname@example.com", "tel:+1212-788-8877"]);
}

#[wasm_bindgen_test]
async fn the_cart_purchases_and_viewed_products_show_quantities_and_prices() {
    let root = mount(&seed()).await;
    let commerce = section(&root, "Cart & purchases").unwrap();
    assert_shows(
        &text(&commerce),
        &[
            "1 bought",
            "Cart",
            "Items",
            "6",
            "Total",
            "11.70",
            "prod1",
            "category · SKU sku",
            "1 × 7.80",
            "Purchases",
            "Order DRV1534XC",
            "antivirus pro plan",
            "software · SKU xyz001",
            "3 × 7.80",
            "Viewed products",
            "red high heel shoe",
            "women shoes · SKU xyz567",
            "77.80",
        ],
    );
}

#[wasm_bindgen_test]
async fn leads_service_and_errors_show_and_errors_say_so_in_words() {
    let root = mount(&seed()).await;
    assert_shows(
        &text(&section(&root, "Leads & service").unwrap()),
        &[
            "Leads",
            "luxury car test drive 2015",
            "22.22",
            "xyz123",
            "Service activity",
            "order checkbook",
            "finance",
            "service12",
        ],
    );
    let errors = section(&root, "Visitor errors").unwrap();
    assert!(errors
        .get_attribute("class")
        .unwrap()
        .contains("vs-lp-errors"));
    let items = query_all(&errors, "li.vs-lp-error");
    assert_eq!(items.len(), 1);
    let shown = text(&items[0]);
    assert!(shown.starts_with("Error"), "{shown}");
    assert_shows(&shown, &["Expiration date missing", "er100004"]);
}

#[wasm_bindgen_test]
async fn engagements_are_one_click_away_with_campaign_channel_and_accepted_impressions() {
    let root = mount(&seed()).await;
    let shown = open_and_read(&root, "Engagements").await;
    assert_shows(
        &shown,
        &[
            "2 · 1 accepted",
            "Engagement 555008112",
            "Engagement 555008212",
            "accepted",
            "State",
            "554983412 · TEST",
            "channel 1 · type 6",
            "Zone",
            "493911912",
            "Accepted 5 Oct 2016",
            "on page 1899669462",
        ],
    );
    // LivePerson's "no skill" placeholder is not shown as a skill.
    assert!(!shown.contains("*!@NULL*!@"), "{shown}");
}

#[wasm_bindgen_test]
async fn the_timeline_has_every_event_one_line_each_in_server_time_order() {
    let mut json = seed();
    // Move the error first in time and the lead last, so sorting shows.
    let events = session(&mut json)["events"].as_array_mut().unwrap();
    events[8]["visitorError"]["serverTimeStamp"] = json!(1_475_675_316_000.0);
    events[1]["lead"]["serverTimeStamp"] = json!(1_475_675_317_000.0);
    let root = mount(&json).await;
    let shown = open_and_read(&root, "Timeline").await;
    assert_shows(
        &shown,
        &["Cart: 6 items, total 11.70", "Purchase: order DRV1534XC"],
    );
    let lines: Vec<String> = query_all(&root, ".vs-lp-timeline li")
        .iter()
        .map(|li| {
            li.query_selector(".vs-lp-event-kind")
                .unwrap()
                .unwrap()
                .text_content()
                .unwrap()
        })
        .collect();
    assert_eq!(
        lines,
        [
            "Error",
            "Marketing",
            "Cart",
            "Purchase",
            "Viewed",
            "Customer info",
            "Personal info",
            "Service",
            "Lead"
        ]
    );
}

#[wasm_bindgen_test]
async fn about_this_visit_holds_the_technical_rest() {
    let root = mount(&seed()).await;
    assert_shows(
        &open_and_read(&root, "About this visit").await,
        &[
            "jnPABZYjQcOS2Uk5fp_HnA.c524460e4432e9f93cf700af590f16ef181f20e6",
            "MAC_OSX",
            "DESKTOP",
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_9_5)",
            "IL",
            "LivePerson",
            "Originating channel",
        ],
    );
}

#[wasm_bindgen_test]
async fn empty_and_missing_sections_are_hidden() {
    let mut json = seed();
    let s = session(&mut json).as_object_mut().unwrap();
    for key in [
        "cart",
        "purchases",
        "viewedProduct",
        "leads",
        "serviceActivity",
        "engagements",
        "events",
        "customerInfo",
    ] {
        s.remove(key);
    }
    s.insert("visitorError".into(), json!([]));
    s.insert("personalInfo".into(), json!({"personalInfo": null}));
    let root = mount(&json).await;
    assert_eq!(headings(&root), ["Journey", "About this visit"]);
    assert!(text(&root).contains("Unnamed visitor"));
}

/// Every value in the tree replaced by null, keeping its shape.
fn nulled(value: &Value) -> Value {
    match value {
        Value::Object(map) => {
            Value::Object(map.iter().map(|(k, v)| (k.clone(), nulled(v))).collect())
        }
        Value::Array(items) => Value::Array(items.iter().map(nulled).collect()),
        _ => Value::Null,
    }
}

#[wasm_bindgen_test]
async fn a_visit_full_of_nulls_renders() {
    let mut json = nulled(&seed());
    // Keep one field so there is a session to show.
    session(&mut json)["ipv4"] = json!("10.0.0.1");
    let root = mount(&json).await;
    assert_shows(
        &text(&root),
        &["Unnamed visitor", "10.0.0.1", "Untitled page"],
    );

    // Whole sections null, and null in arrays.
    let mut json = seed();
    let s = session(&mut json).as_object_mut().unwrap();
    for (_, v) in s.iter_mut() {
        if v.is_array() {
            v.as_array_mut().unwrap().push(Value::Null);
        } else if v.is_object() {
            *v = Value::Null;
        }
    }
    let root = mount(&json).await;
    assert_shows(
        &text(&root),
        &["Unnamed visitor", "Test Page", "order checkbook"],
    );
}

const HOSTILE: &str =
    "<img src=x onerror=\"window.__pwned=1\"><script>window.__pwned=1</script><b>bold</b>";

#[wasm_bindgen_test]
async fn hostile_strings_are_shown_as_text_and_unsafe_addresses_are_not_links() {
    let mut json = seed();
    let s = session(&mut json);
    s["pages"][0]["pageTitle"] = json!(HOSTILE);
    s["pages"][0]["pageBasic"]["url"] = json!("javascript:window.__pwned=1");
    s["pages"][0]["referrer"] = json!("data:text/html,<script>alert(1)</script>");
    s["externalReferrer"] = json!("JaVaScRiPt:window.__pwned=1");
    s["personalInfo"]["personalInfo"]["name"] = json!(HOSTILE);
    s["personalInfo"]["personalInfo"]["contacts"][0]["email"] = json!("\"><script>x</script>");
    s["cart"]["cartStatus"]["products"][0]["product"]["name"] = json!(HOSTILE);
    s["customerInfo"]["customerInfo"]["customerId"] = json!(HOSTILE);
    s["visitorError"][0]["message"] = json!(HOSTILE);
    s["userAgent"] = json!(HOSTILE);
    s["geo"]["city"] = json!(HOSTILE);
    s["marketingCampaignInfo"]["marketingCampaignInfo"]["affiliate"] = json!(HOSTILE);
    let events = s["events"].as_array_mut().unwrap();
    events[1]["lead"]["lead"]["topic"] = json!(HOSTILE);
    let root = mount(&json).await;
    for details in query_all(&root, "details") {
        details.set_attribute("open", "").unwrap();
    }
    assert!(
        query_all(&root, "img, script, b").is_empty(),
        "visitor markup became elements"
    );
    let shown = text(&root);
    assert!(
        shown.contains(HOSTILE),
        "the hostile text is shown as text:\n{shown}"
    );
    for a in query_all(&root, "a") {
        let href = a.get_attribute("href").unwrap();
        assert!(
            ["http:", "https:", "mailto:", "tel:"]
                .iter()
                .any(|s| href.starts_with(s)),
            "{href}"
        );
        assert_eq!(
            a.get_attribute("rel").as_deref(),
            Some("noopener noreferrer")
        );
    }
    let journey = section(&root, "Journey").unwrap();
    assert!(
        query_all(&journey, "a").is_empty(),
        "javascript: and data: are not links"
    );
    assert!(text(&journey).contains("javascript:window.__pwned=1"));
    assert!(js_sys::Reflect::get(&js_sys::global(), &"__pwned".into())
        .unwrap()
        .is_undefined());
}

fn many_pages(n: usize) -> Value {
    let mut json = seed();
    let s = session(&mut json);
    let page = s["pages"][0].clone();
    let pages: Vec<Value> = (0..n)
        .map(|i| {
            let mut p = page.clone();
            p["pageTitle"] = json!(format!("Page {i}"));
            p["id"] = json!(i.to_string());
            p["url"] = json!(format!("https://shop.example.com/p/{i}"));
            p["pageBasic"]["url"] = json!(format!("https://shop.example.com/p/{i}"));
            p["startTime"] = json!(1_475_675_316_326.0 + i as f64 * 1000.0);
            p
        })
        .collect();
    s["pages"] = json!(pages);
    json
}

#[wasm_bindgen_test]
async fn a_five_thousand_page_visit_shows_the_latest_pages_then_all_on_demand() {
    let json = many_pages(5_000);
    let started = js_sys::Date::now();
    let visit = visit_of(&json);
    let decoded = js_sys::Date::now();
    let root = render(move || html! { <VisitPanel visit={visit.clone()} /> }).await;
    let first = js_sys::Date::now();
    let journey = section(&root, "Journey").unwrap();
    let pages = query_all(&journey, "li.vs-page");
    assert_eq!(pages.len(), 50);
    assert!(text(&pages[0]).contains("Page 4999"));
    assert!(text(&pages[0]).contains("current"));
    assert_shows(
        &text(&journey),
        &["5000", "Showing the latest 50 of 5000 pages."],
    );

    let button = query_all(&journey, "button")
        .into_iter()
        .find(|b| text(b).contains("Show all"))
        .unwrap();
    let clicked = js_sys::Date::now();
    click(&button);
    let watched = journey.clone();
    until("all 5,000 pages", move || {
        query_all(&watched, "li.vs-page").len() == 5_000
    })
    .await;
    let all = js_sys::Date::now();
    console_log!(
        "5,000 pages: decode {} ms, first render (50 pages) {} ms, show all {} ms",
        decoded - started,
        first - decoded,
        all - clicked
    );
    assert!(text(&journey).contains("Page 0"));
}

/// `json` with `n` leads for events (`Lead 0`…, a millisecond apart).
fn with_leads(mut json: Value, n: usize) -> Value {
    let lead = session(&mut json)["events"][1].clone();
    let leads: Vec<Value> = (0..n)
        .map(|i| {
            let mut e = lead.clone();
            e["lead"]["serverTimeStamp"] = json!(1_475_675_316_326.0 + i as f64);
            e["lead"]["lead"]["topic"] = json!(format!("Lead {i}"));
            e
        })
        .collect();
    session(&mut json)["events"] = Value::Array(leads);
    json
}

/// The seed visit with `pages` pages (`Page 0`…, opened a second apart) and `events` leads.
fn long_visit(pages: usize, events: usize) -> Value {
    with_leads(many_pages(pages), events)
}

#[wasm_bindgen_test]
async fn a_poll_with_one_more_page_and_event_adds_their_rows_and_keeps_the_others() {
    let (root, set) = render_driven(visit_of(&long_visit(120, 300)), |visit: &Rc<Visit>| {
        html! { <VisitPanel visit={visit.clone()} /> }
    })
    .await;
    let pages = || query_all(&section(&root, "Journey").unwrap(), "li.vs-page");
    let lines = || query_all(&root, ".vs-lp-timeline li.vs-lp-event");
    open_and_read(&root, "Timeline").await;
    let (pages_before, lines_before) = (pages(), lines());
    assert_eq!((pages_before.len(), lines_before.len()), (50, 200));

    set(visit_of(&long_visit(121, 301)));
    until("the new page and event", || {
        text(&pages()[0]).contains("Page 120") && text(&lines()[199]).contains("Lead 300")
    })
    .await;
    let (pages_after, lines_after) = (pages(), lines());
    assert_eq!((pages_after.len(), lines_after.len()), (50, 200));
    // Newest first: the new page on top, the 49 shown before under it, the same elements.
    assert!(
        pages_after[1..] == pages_before[..49],
        "the pages already shown keep their rows"
    );
    // Oldest first: the earliest line gives way, the others stay, the new one comes last.
    assert!(
        lines_after[..199] == lines_before[1..],
        "the events already shown keep their lines"
    );
    assert!(text(&section(&root, "Journey").unwrap()).contains("Show all 121 pages"));
}

#[wasm_bindgen_test]
async fn with_several_app_sessions_the_newest_is_shown_and_others_can_be_picked() {
    let mut json = seed();
    let mut older = json["appSessions"][0].clone();
    older["startTime"] = json!(1_475_600_000_000.0);
    older["personalInfo"]["personalInfo"]["name"] = json!("Older");
    older["pages"][0]["pageTitle"] = json!("Older page");
    json["appSessions"].as_array_mut().unwrap().insert(0, older);
    let root = mount(&json).await;
    let header = || text(&root.query_selector("header").unwrap().unwrap());
    assert!(header().contains("John Doe"));
    let select: HtmlSelectElement = root
        .query_selector(".vs-lp-sessions select")
        .unwrap()
        .unwrap()
        .unchecked_into();
    assert_eq!(select.length(), 2);
    assert!(text(&select.item(0).unwrap()).contains("(newest)"));
    assert!(text(&root).contains("App session (2 in this visit)"));
    select.set_value("0");
    select
        .dispatch_event(&web_sys::Event::new("change").unwrap())
        .unwrap();
    let watched = root.clone();
    until("the older session", move || {
        text(&watched.query_selector("header").unwrap().unwrap()).contains("Older Doe")
            && text(&watched).contains("Older page")
    })
    .await;
    assert!(!text(&root).contains("John Doe"));
}

#[wasm_bindgen_test]
async fn a_visit_that_gains_and_loses_its_sessions_renders_each_time() {
    // The same mounted panel, fed a visit without sessions, then with two, then without again
    // (Yew's debug build panics if the panel calls a different number of hooks).
    let mut empty = seed();
    empty["appSessions"] = json!([]);
    let mut full = seed();
    let mut older = full["appSessions"][0].clone();
    older["startTime"] = json!(1_475_600_000_000.0);
    full["appSessions"].as_array_mut().unwrap().insert(0, older);
    let none = "LivePerson returned this visit without any session data.";

    let (root, show) = render_driven(visit_of(&empty), |visit: &Rc<Visit>| {
        html! { <VisitPanel visit={visit.clone()} /> }
    })
    .await;
    assert_eq!(text(&root), none);

    show(visit_of(&full));
    until("the sessions", || text(&root).contains("John Doe")).await;
    let shown = text(&root);
    assert_shows(
        &shown,
        &["App session (2 in this visit)", "Journey", "Test Page"],
    );
    assert!(!shown.contains(none), "{shown}");
    assert!(
        query_all(&root, ".vs-changed").is_empty(),
        "sessions appearing are not a change"
    );

    show(visit_of(&empty));
    until("no sessions again", || text(&root) == none).await;
    assert!(root.query_selector("header").unwrap().is_none());

    show(visit_of(&full));
    until("the sessions again", || text(&root).contains("John Doe")).await;
    assert!(query_all(&root, ".vs-changed").is_empty());
}

#[wasm_bindgen_test]
async fn without_visitor_or_sid_the_panel_says_what_the_host_must_pass() {
    let root = render(
        || html! { <LivePersonView visitor_id={None::<AttrValue>} sid={None::<AttrValue>} /> },
    )
    .await;
    let shown = text(&root);
    assert_shows(&shown, &["visitorId", "sid", "host page must pass"]);
    let root = render(|| html! { <LivePersonView visitor_id={Some(AttrValue::from("abc"))} sid={None::<AttrValue>} /> }).await;
    assert!(text(&root).contains("host page must pass"));
}

#[wasm_bindgen_test]
async fn while_loading_a_skeleton_is_shown() {
    let root = render(|| html! {
        <LivePersonView visitor_id={Some(AttrValue::from("jnPABZYjQcOS2Uk5fp_HnA"))}
                        sid={Some(AttrValue::from("c524460e4432e9f93cf700af590f16ef181f20e6"))} />
    })
    .await;
    assert!(root
        .query_selector(".vs-skeleton[aria-busy=true]")
        .unwrap()
        .is_some());
}

fn proxy_error(status: u16, code: &str, upstream: u16, internal: i64) -> ApiError {
    let code: ErrorCode = serde_json::from_value(code.into()).unwrap();
    let mut error = ErrorDetail::new(code, "from the proxy");
    error.upstream_status = Some(upstream);
    error.upstream_code = Some(internal);
    ApiError::Proxy {
        status,
        error,
        retry_after: None,
        reference: None,
    }
}

#[wasm_bindgen_test]
async fn liveperson_errors_and_staleness_read_distinctly() {
    let cases = [
        (
            proxy_error(404, "liveperson_session_expired", 404, 39),
            "this API keeps sessions for 6 hours",
        ),
        (
            proxy_error(502, "liveperson_no_permission", 401, 10),
            "the proxy's LivePerson key lacks permission",
        ),
    ];
    for (error, words) in cases {
        let phase = Phase::Failed(error);
        let root = render(move || {
            html! {
                <StatusBar phase={phase.clone()} has_data={false} on_refresh={Callback::noop()} />
            }
        })
        .await;
        let shown = text(&root);
        assert!(
            shown.to_lowercase().contains(&words.to_lowercase()),
            "{shown}"
        );
        assert!(
            shown.contains("from the proxy"),
            "the proxy's message is carried: {shown}"
        );
    }
    // Stale: the last good data stays under a "since HH:MM" notice.
    let since = 1_475_675_316_327.0;
    let visit = visit_of(&seed());
    let root = render(move || html! {
        <>
            <StatusBar phase={Phase::Stale { since, error: ApiError::Unreachable("down".into()) }}
                       has_data={true} on_refresh={Callback::noop()} locale={Some(AttrValue::from("en-GB"))} />
            <VisitPanel visit={visit.clone()} />
        </>
    })
    .await;
    let shown = text(&root);
    let hhmm = visitor_sidebar::format::time(since, Some("en-GB")).unwrap();
    assert_shows(
        &shown,
        &["Stale", &format!("since {hhmm}"), "John Doe", "Test Page"],
    );
}

#[wasm_bindgen_test]
async fn a_long_timeline_is_built_when_opened_and_shows_the_latest_200_first() {
    let root = mount(&with_leads(seed(), 500)).await;
    assert!(
        query_all(&root, ".vs-lp-timeline li").is_empty(),
        "a closed timeline builds no lines"
    );
    let shown = open_and_read(&root, "Timeline").await;
    assert!(
        shown.contains("Showing the latest 200 of 500 events"),
        "{shown}"
    );
    assert_eq!(query_all(&root, ".vs-lp-timeline li").len(), 200);
    assert!(shown.contains("Lead 499") && !shown.contains("Lead 299 "));
    let more = query_all(&root, ".vs-lp-timeline button")
        .into_iter()
        .find(|b| {
            b.text_content()
                .unwrap_or_default()
                .contains("Show all 500 events")
        })
        .expect("a show-all button");
    click(&more);
    until("all 500 events", || {
        query_all(&root, ".vs-lp-timeline li").len() == 500
    })
    .await;
}
