//! Tolerant decoding of the Visit Information API's answer: the seed sample verbatim decodes
//! whole, and mutated copies (nulls, wrong types, numbers as strings, unknown fields and event
//! kinds, malformed pages and events) keep everything that can be read.

#![cfg(all(target_arch = "wasm32", feature = "liveperson"))]

mod common;

use common::*;
use serde_json::{json, Value};
use visitor_sidebar::lenient::decode;
use visitor_sidebar::liveperson::model::{Event, Visit};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn seed() -> Value {
    serde_json::from_str(LIVEPERSON_VISIT).unwrap()
}

fn decoded(json: &Value) -> Visit {
    decode(js(&json.to_string())).expect("the visit decodes")
}

#[wasm_bindgen_test]
fn the_seed_sample_decodes_every_documented_part() {
    let visit: Visit = decode(js(LIVEPERSON_VISIT)).unwrap();
    assert_eq!(
        visit.id.as_deref(),
        Some("jnPABZYjQcOS2Uk5fp_HnA.c524460e4432e9f93cf700af590f16ef181f20e6")
    );
    let s = &visit.app_sessions[0];
    assert_eq!(s.engagements.len(), 2);
    let e = s.engagements[0].engagement.as_ref().unwrap();
    assert_eq!(e.state, Some(1.0));
    assert_eq!(
        e.zone_id.as_deref(),
        Some("493911912"),
        "a numeric ID becomes text"
    );
    assert_eq!(e.campaign_control.as_deref(), Some("TEST"));
    assert_eq!(
        e.campaign_entity.as_ref().unwrap().id.as_deref(),
        Some("554983412")
    );
    let entity = e.engagement_entity.as_ref().unwrap();
    assert_eq!((entity.channel, entity.kind), (Some(1.0), Some(6.0)));
    assert_eq!(e.goal_entity.as_ref().unwrap().kind, Some(5.0));
    assert_eq!(
        s.engagements[1].impression_accepted[0].activity_time,
        Some(1_475_675_334_770.0)
    );
    let p = s.personal().unwrap();
    assert_eq!(p.contacts[0].phone.as_deref(), Some("+1 212-788-8877"));
    assert_eq!(
        p.customer_age.as_ref().unwrap().customer_year_of_birth,
        Some(1980.0)
    );
    assert_eq!(p.language, None);
    let c = s.customer().unwrap();
    assert_eq!(c.customer_status.as_deref(), Some("cancelled"));
    assert_eq!(c.last_payment_date.as_ref().unwrap().month, Some(10.0));
    assert_eq!(c.login_status, None);
    assert_eq!(s.cart_status().unwrap().num_items, Some(6.0));
    assert_eq!(s.cart.as_ref().unwrap().last_total_change, Some(11.7));
    assert_eq!(s.purchases[0].order_id.as_deref(), Some("DRV1534XC"));
    assert_eq!(
        s.purchases[0].cart.as_ref().unwrap().products[0].quantity,
        Some(3.0)
    );
    assert_eq!(s.leads[0].value, Some(22.22));
    assert_eq!(s.service_activity[0].status, Some(0.0));
    assert_eq!(
        s.viewed_product[0].product.as_ref().unwrap().price,
        Some(77.8)
    );
    assert_eq!(s.marketing().unwrap().affiliate.as_deref(), Some("Yahoo"));
    let search = s.search_engine.as_ref().unwrap();
    assert_eq!(
        (search.search_engine.as_deref(), search.keywords.as_deref()),
        (None, None),
        "blank is unknown"
    );
    assert_eq!(s.visitor_error[0].code.as_deref(), Some("er100004"));
    assert_eq!(s.geo.as_ref().unwrap().org.as_deref(), Some("LivePerson"));
    assert_eq!(s.ip(), Some("195.62.30.20"));
    assert_eq!(s.device_os.as_deref(), Some("MAC_OSX"));
    assert_eq!(s.device_family.as_deref(), Some("DESKTOP"));
    assert_eq!(s.mobile_device_info.as_ref().unwrap().detected, Some(true));
    assert_eq!(s.external_referrer, None);
    assert_eq!(s.start_time, Some(1_475_675_316_327.0));
    assert_eq!(s.pages[0].address(), Some("http://testFile.com"));
    assert_eq!(s.pages[0].time_on_page, Some(21_482.0));
    let kinds: Vec<&str> = s
        .events
        .iter()
        .map(|e| match e {
            Event::MarketingCampaignInfo(_) => "marketing",
            Event::Lead(_) => "lead",
            Event::CartStatus(_) => "cart",
            Event::Purchase(_) => "purchase",
            Event::ViewedProduct(_) => "viewed",
            Event::CustomerInfo(_) => "customer",
            Event::PersonalInfo(_) => "personal",
            Event::ServiceActivity(_) => "service",
            Event::VisitorError(_) => "error",
            Event::SearchContent(_) => "search",
        })
        .collect();
    assert_eq!(
        kinds,
        [
            "marketing",
            "lead",
            "cart",
            "purchase",
            "viewed",
            "customer",
            "personal",
            "service",
            "error"
        ]
    );
    assert!(s
        .events
        .iter()
        .all(|e| e.server_time() == Some(1_475_675_316_326.0)));
}

#[wasm_bindgen_test]
fn the_documented_lpv4_is_the_ip_when_ipv4_is_absent() {
    let mut json = seed();
    let s = json["appSessions"][0].as_object_mut().unwrap();
    s.remove("ipv4");
    s.insert("lpv4".into(), json!("198.51.100.7"));
    assert_eq!(decoded(&json).app_sessions[0].ip(), Some("198.51.100.7"));
}

#[wasm_bindgen_test]
fn numbers_sent_as_strings_are_read() {
    let mut json = seed();
    let s = &mut json["appSessions"][0];
    s["startTime"] = json!("1475675316327");
    s["cart"]["cartStatus"]["total"] = json!("11.70");
    s["cart"]["cartStatus"]["numItems"] = json!("6");
    s["cart"]["cartStatus"]["products"][0]["quantity"] = json!(" 2 ");
    s["pages"][0]["timeOnPage"] = json!("21482");
    s["customerInfo"]["customerInfo"]["balance"] = json!("-400.99");
    s["leads"][0]["value"] = json!("22.22");
    s["engagements"][0]["engagement"]["state"] = json!("1");
    s["events"][2]["cartStatus"]["serverTimeStamp"] = json!("1475675316999");
    s["mobileDeviceInfo"]["mobile"] = json!("true");
    let visit = decoded(&json);
    let s = &visit.app_sessions[0];
    assert_eq!(s.start_time, Some(1_475_675_316_327.0));
    let cart = s.cart_status().unwrap();
    assert_eq!((cart.total, cart.num_items), (Some(11.7), Some(6.0)));
    assert_eq!(cart.products[0].quantity, Some(2.0));
    assert_eq!(s.pages[0].time_on_page, Some(21_482.0));
    assert_eq!(s.customer().unwrap().balance, Some(-400.99));
    assert_eq!(s.leads[0].value, Some(22.22));
    assert_eq!(
        s.engagements[0].engagement.as_ref().unwrap().state,
        Some(1.0)
    );
    assert_eq!(s.events[2].server_time(), Some(1_475_675_316_999.0));
    assert_eq!(s.mobile_device_info.as_ref().unwrap().mobile, Some(true));
}

#[wasm_bindgen_test]
fn wrong_types_become_unknown_without_losing_the_rest() {
    let mut json = seed();
    let s = &mut json["appSessions"][0];
    s["geo"]["city"] = json!({"nested": "object"});
    s["cart"]["cartStatus"]["total"] = json!("eleven");
    s["personalInfo"]["personalInfo"]["contacts"] = json!("not a list");
    s["pages"][0]["timeOnPage"] = json!([1, 2]);
    s["customerInfo"] = json!(42);
    let visit = decoded(&json);
    let s = &visit.app_sessions[0];
    let geo = s.geo.as_ref().unwrap();
    assert_eq!(
        (geo.city.as_deref(), geo.country.as_deref()),
        (None, Some("Israel"))
    );
    assert_eq!(s.cart_status().unwrap().total, None);
    assert_eq!(s.cart_status().unwrap().num_items, Some(6.0));
    assert!(s.personal().unwrap().contacts.is_empty());
    assert_eq!(s.personal().unwrap().name.as_deref(), Some("John"));
    assert_eq!(s.pages[0].time_on_page, None);
    assert_eq!(s.pages[0].title(), Some("Test Page"));
    assert!(s.customer().is_none());
    assert_eq!(s.purchases.len(), 1);
}

#[wasm_bindgen_test]
fn unknown_fields_and_event_kinds_are_skipped_and_malformed_items_dropped_alone() {
    let mut json = seed();
    let s = &mut json["appSessions"][0];
    s["somethingNew"] = json!({"a": [1, 2, 3]});
    s["pages"][0]["brandNewField"] = json!(true);
    let page = s["pages"][0].clone();
    s["pages"] = json!(["not a page", null, 7, page, {"pageTitle": "Bare"}]);
    let events = s["events"].as_array_mut().unwrap();
    events.insert(0, json!({"futureKind": {"serverTimeStamp": 1}}));
    events.insert(3, json!({"lead": "not a lead"}));
    events.insert(5, json!(null));
    events.insert(6, json!("text"));
    events.push(json!({"cartStatus": {"serverTimeStamp": 2}, "purchase": {"serverTimeStamp": 3}}));
    events
        .push(json!({"searchContent": {"serverTimeStamp": 5, "keywords": ["red", 42, {"x": 1}]}}));
    let visit = decoded(&json);
    let s = &visit.app_sessions[0];
    assert_eq!(s.pages.len(), 2, "the two object pages are kept");
    assert_eq!(s.pages[0].title(), Some("Test Page"));
    assert_eq!(s.pages[1].title(), Some("Bare"));
    assert_eq!(
        s.events.len(),
        10,
        "the nine sample events and the search are kept"
    );
    match s.events.last().unwrap() {
        Event::SearchContent(e) => {
            let words: Vec<&str> = e.keywords.iter().map(|k| k.0.as_str()).collect();
            assert_eq!(words, ["red", "42"]);
        }
        other => panic!("{other:?}"),
    }
}

#[wasm_bindgen_test]
fn a_visit_without_sessions_or_with_a_broken_session_still_decodes() {
    assert!(decoded(&json!({})).app_sessions.is_empty());
    assert!(decoded(&json!({"appSessions": null}))
        .app_sessions
        .is_empty());
    let visit = decoded(&json!({"id": 12, "appSessions": [null, "x", {"ipv4": "10.0.0.1"}]}));
    assert_eq!(visit.id.as_deref(), Some("12"));
    assert_eq!(visit.app_sessions.len(), 1);
    assert_eq!(visit.app_sessions[0].ip(), Some("10.0.0.1"));
}

#[wasm_bindgen_test]
fn the_newest_session_and_the_current_page_come_from_the_times() {
    let mut json = seed();
    let mut older = json["appSessions"][0].clone();
    older["startTime"] = json!(1_000);
    json["appSessions"].as_array_mut().unwrap().push(older);
    let mut undated = json["appSessions"][0].clone();
    undated.as_object_mut().unwrap().remove("startTime");
    json["appSessions"].as_array_mut().unwrap().push(undated);
    let visit = decoded(&json);
    assert_eq!(visit.newest_session_index(), Some(0));

    let mut json = seed();
    let page = json["appSessions"][0]["pages"][0].clone();
    let mut later = page.clone();
    later["startTime"] = json!(1_475_675_400_000.0);
    let mut untimed = page.clone();
    untimed.as_object_mut().unwrap().remove("startTime");
    untimed["pageBasic"]["startTime"] = json!(null);
    json["appSessions"][0]["pages"] = json!([later, page, untimed]);
    let s = &decoded(&json).app_sessions[0];
    assert_eq!(s.current_page_index(), Some(0));
    assert_eq!(s.pages_in_order(), [2, 1, 0]);
}
