//! The widget inside LivePerson's Agent Workspace, in the browser: what the Agent Workspace SDK
//! binds (in the shapes LivePerson documents, in the three engagement-attribute dialects) shows
//! in the LivePerson panel's sections at once; the Visit Information API's visit, asked for
//! with the IDs at the configured paths, fills in and wins; a 404 keeps the SDK's data and names
//! the IDs tried; a new conversation shows nothing of the previous one; unmounting unbinds
//! every path; hostile values stay text. The SDK is the e2e stand-in (`e2e/www/`), evaluated in
//! the test page; the proxy is a fetch stand-in.

#![cfg(all(target_arch = "wasm32", feature = "liveperson"))]

mod common;

use common::fetch::FakeProxy;
use common::*;
use serde_json::{json, Value};
use std::rc::Rc;
use visitor_sidebar::lenient::decode;
use visitor_sidebar::liveperson::model::Visit;
use visitor_sidebar::liveperson::sdk::bound::{covers, id_text, read, Bound};
use visitor_sidebar::liveperson::sdk::{
    bound_paths, id_paths, merge, Action, IdPaths, Link, WorkspaceState, WorkspaceView, BOUND_PATHS,
};
use visitor_sidebar::liveperson::view::VisitPanel;
use visitor_sidebar::options::WorkspaceOptions;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;
use web_sys::Element;
use yew::prelude::*;

wasm_bindgen_test_configure!(run_in_browser);

const STANDIN: &str = include_str!("../e2e/www/lp-agent-sdk-standin.js");
const SEED_VISITOR: &str = "jnPABZYjQcOS2Uk5fp_HnA";
/// A number, as LivePerson's `chatInfo.rtSessionId` is.
const RT_SESSION: u64 = 4_294_967_524;

/// The public model as LivePerson's "Public Model Structure" page shows it, filled in.
fn model() -> Value {
    json!({
        "visitorInfo": {
            "visitorId": SEED_VISITOR, "visitorName": "Dana", "device": "DESKTOP",
            "browser": "Chrome 120", "operatingSystem": "WINDOWS", "country": "United States",
            "countryCode": "US", "state": "Washington", "city": "Seattle", "isp": "Example ISP",
            "organization": "Example Org", "IpAddress": "203.0.113.7",
            "visitStartTime": "1700000000000", "chattingVisitorState": "CHATTING",
            "visitorTimezone": "America/Los_Angeles"
        },
        "chatInfo": {
            "rtSessionId": RT_SESSION, "accountId": "12345678", "chatStartTime": 1700000100000u64,
            "chatSkill": "Sales", "chatStartUrl": "https://shop.example.com/cart"
        },
        "SDE": {
            "customerDetails": [{
                "status": "cancelled", "type": "vip", "balance": "-400.99", "customerId": "138766AC",
                "lastPaymentDate": "2014-10-15", "registrationDate": "2013-05-23", "userName": "dana1"
            }],
            "personalInfo": [{
                "firstname": "Dana", "lastname": "Scully", "age": 34, "birthday": "1980-04-15",
                "contactInfo": [{"email": "dana@example.com", "phone": "+1 212-788-8877"}],
                "gender": "FEMALE", "company": "FBI", "language": "en-US"
            }],
            "marketingSource": [{"originatingChannel": "1", "affiliate": "Yahoo", "campaignId": "US coupon campaign"}],
            "leadGeneration": [{"leadId": "xyz123", "topic": "luxury car test drive", "value": "22.22"}],
            "transaction": [{
                "total": "11.7", "orderId": "DRV1534XC", "numItems": 3,
                "products": [{"name": "antivirus pro plan", "category": "software", "sku": "xyz001", "price": "7.8", "quantity": 3}]
            }],
            "viewedProducts": [{"name": "red high heel shoe", "category": "women shoes", "sku": "xyz567", "price": "77.8"}],
            "shoppingCart": [
                {"cartTotal": "5", "numItems": 1, "products": [{"name": "old cart line", "price": "5", "quantity": 1}]},
                {"cartTotal": "11.7", "numItems": 6, "products": [{"name": "prod1", "category": "category", "sku": "sku", "price": "7.8", "quantity": 1}]}
            ],
            "serviceActivity": [{"category": "finance", "id": "service12", "status": "0", "topic": "order checkbook"}],
            "error": [{"contextId": "c1", "message": "Expiration date missing", "code": "er100004", "level": 1, "resolved": false}]
        },
        "visitorJourney": {
            "pages": [{
                "id": "1", "pageTitle": "Cart", "url": "shop.example.com/cart", "startTime": 1700000050000u64,
                "timeOnPage": 21482,
                "pageBasic": {"url": "https://shop.example.com/cart", "title": "Cart", "startTime": 1700000050000u64}
            }],
            "searchEngine": {"searchProvider": "Google", "searchKeywords": "luxury cars"}
        },
        "surveyQuestions": {
            "preChat": {
                "email": {"value": "dana@example.com", "displayName": "Your email"},
                "name": {"value": "Dana", "displayName": "Your name"},
                "customizedQuestions": [{"name": "q1", "displayName": "Order number?", "value": "DRV1534XC"}]
            },
            "postChat": [],
            "agentSurvey": [{"name": "a1", "displayName": "Resolved?", "value": "yes"}]
        },
        "customVariables": [{"@scope": "session", "@source": "rule engine", "name": "plan", "displayName": "Plan", "value": "Gold"}]
    })
}

/// The value at a dotted path of a JSON model.
fn at<'a>(model: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(model, |v, s| v.get(s))
}

/// What the SDK gives when every documented path is bound on `model`.
fn bound_of(model: &Value) -> Bound {
    let mut bound = Bound::default();
    for path in bound_paths(&WorkspaceOptions::default()) {
        if let Some(value) = at(model, &path) {
            bound.set(&path, js(&value.to_string()));
        }
    }
    bound
}

fn seed_visit() -> Visit {
    decode(js(LIVEPERSON_VISIT)).unwrap()
}

async fn panel_of(model: &Value) -> Element {
    let visit = Rc::new(merge(read(&bound_of(model)).session, None));
    let root = render(move || html! { <VisitPanel visit={visit.clone()} /> }).await;
    for details in query_all(&root, "details") {
        details.set_attribute("open", "").unwrap();
    }
    settle().await;
    root
}

fn assert_shows(shown: &str, facts: &[&str]) {
    for fact in facts {
        assert!(shown.contains(fact), "{fact:?} missing from:\n{shown}");
    }
}

#[wasm_bindgen_test]
async fn the_sdks_documented_data_shows_in_the_panels_sections() {
    let root = panel_of(&model()).await;
    let header = text(&find(&root, ".vs-lp-header"));
    assert_shows(
        &header,
        &[
            "Dana Scully",
            "Desktop · Windows",
            "Seattle, Washington, United States",
            "203.0.113.7",
            "On site",
            "Google · “luxury cars”",
            "Yahoo · US coupon campaign",
        ],
    );
    assert_shows(
        &text(&find(&root, ".vs-lp-customer")),
        &[
            "34 (born 15 Apr 1980)",
            "dana@example.com",
            "+1 212-788-8877",
            "Female",
            "FBI",
            "-400.99",
            "138766AC",
            "15 Oct 2014",
            "23 May 2013",
            "dana1",
        ],
    );
    let commerce = text(&find(&root, ".vs-lp-commerce"));
    assert_shows(
        &commerce,
        &[
            "prod1",
            "1 × 7.80",
            "11.70",
            "Order DRV1534XC",
            "antivirus pro plan",
            "3 × 7.80",
            "red high heel shoe",
        ],
    );
    assert!(
        !commerce.contains("old cart line"),
        "the cart is the latest update"
    );
    assert_shows(
        &text(&find(&root, ".vs-lp-leads")),
        &[
            "luxury car test drive",
            "22.22",
            "order checkbook",
            "service12",
        ],
    );
    assert_shows(
        &text(&find(&root, ".vs-lp-errors")),
        &["Expiration date missing", "er100004"],
    );
    assert_shows(&text(&find(&root, ".vs-lp-journey")), &["Cart", "21 s"]);
}

#[wasm_bindgen_test]
fn what_an_identity_provider_vouched_for_wins_over_the_visitors_own_attributes() {
    let mut m = model();
    // The Web Tag's dialect, in the JWT's claims.
    m["claimsAndAuthType"] = json!({
        "acr": "loa1",
        "claims": {"sub": "s", "iss": "i", "lp_sdes": [
            {"type": "ctmrinfo", "info": {"cstatus": "active", "ctype": "gold", "customerId": "C-9",
                                           "lastPaymentDate": {"day": 1, "month": 2, "year": 2020}}},
            {"type": "personal", "personal": {"firstname": "Walter", "lastname": "Skinner",
                                              "age": {"age": 50, "year": 1970, "month": 3, "day": 4},
                                              "contacts": [{"email": "ws@example.com"}]}}
        ]}
    });
    let data = read(&bound_of(&m));
    let customer = data.session.customer().unwrap();
    assert_eq!(customer.customer_status.as_deref(), Some("active"));
    assert_eq!(customer.customer_type.as_deref(), Some("gold"));
    let paid = customer.last_payment_date.as_ref().unwrap();
    assert_eq!(
        (paid.year, paid.month, paid.day),
        (Some(2020.0), Some(2.0), Some(1.0))
    );
    let person = data.session.personal().unwrap();
    assert_eq!(person.full_name().as_deref(), Some("Walter Skinner"));
    let age = person.customer_age.as_ref().unwrap();
    assert_eq!(age.customer_age_in_years, Some(50.0));
    assert_eq!(age.customer_year_of_birth, Some(1970.0));
    assert_eq!(person.contacts[0].email.as_deref(), Some("ws@example.com"));
    assert_eq!(data.chat.authenticated, Some(true));

    // Without claims, the deprecated `authenticatedData` (documented as objects) comes next.
    let mut m = model();
    m["authenticatedData"] = json!({
        "customerDetails": {"status": "vouched", "customerId": "A-1"},
        "personalInfo": {"name": "Fox Mulder"}
    });
    let data = read(&bound_of(&m));
    assert_eq!(
        data.session.customer().unwrap().customer_status.as_deref(),
        Some("vouched")
    );
    assert_eq!(
        data.session.personal().unwrap().full_name().as_deref(),
        Some("Fox Mulder")
    );
    assert_eq!(data.chat.authenticated, None);
}

#[wasm_bindgen_test]
fn the_chat_facts_surveys_and_custom_variables_are_read() {
    let chat = read(&bound_of(&model())).chat;
    assert_eq!(chat.skill.as_deref(), Some("Sales"));
    assert_eq!(chat.state.as_deref(), Some("CHATTING"));
    assert_eq!(chat.started, Some(1_700_000_100_000.0));
    assert_eq!(
        chat.start_url.as_deref(),
        Some("https://shop.example.com/cart")
    );
    assert_eq!(chat.time_zone.as_deref(), Some("America/Los_Angeles"));
    assert_eq!(
        chat.pre_chat,
        [
            ("Your name".to_owned(), "Dana".to_owned()),
            ("Your email".to_owned(), "dana@example.com".to_owned()),
            ("Order number?".to_owned(), "DRV1534XC".to_owned()),
        ]
    );
    assert_eq!(chat.agent_survey, [("Resolved?".into(), "yes".into())]);
    assert_eq!(chat.custom_variables, [("Plan".into(), "Gold".into())]);
}

#[wasm_bindgen_test]
fn odd_values_are_skipped_alone_and_a_name_comes_from_the_chat_when_no_attribute_gives_one() {
    let m = json!({
        "visitorInfo": {"visitorName": "Visitor 7", "IpAddress": {"x": 1}, "city": 42},
        "SDE": {
            "customerDetails": "oops",
            "personalInfo": [7, null, {"contactInfo": "none"}],
            "shoppingCart": [{"cartTotal": "abc", "numItems": "2", "products": [3, {"product": {"name": "wrapped"}, "quantity": "2"}]}],
            "transaction": {"orderId": ["x"], "total": true},
            "leadGeneration": [[1], {"topic": null}]
        },
        "visitorJourney": {"pages": "none"},
        "customVariables": [{"name": "no value"}, 5]
    });
    let data = read(&bound_of(&m));
    let s = &data.session;
    assert_eq!(
        s.personal().unwrap().full_name().as_deref(),
        Some("Visitor 7")
    );
    assert_eq!(s.ipv4, None);
    assert_eq!(s.geo.as_ref().unwrap().city.as_deref(), Some("42"));
    assert!(s.customer().is_none());
    let cart = s.cart_status().unwrap();
    assert_eq!((cart.total, cart.num_items), (None, Some(2.0)));
    assert_eq!(cart.products.len(), 1);
    assert_eq!(
        cart.products[0].product.as_ref().unwrap().name.as_deref(),
        Some("wrapped")
    );
    assert_eq!(s.purchases.len(), 1);
    assert_eq!(s.purchases[0].order_id, None);
    assert_eq!(s.leads.len(), 1);
    assert!(s.pages.is_empty());
    assert!(data.chat.custom_variables.is_empty());
}

#[wasm_bindgen_test]
fn paths_resolve_through_objects_arrays_and_named_entries_and_own_properties_only() {
    let mut bound = Bound::default();
    bound.set(
        "visitorInfo",
        js(r#"{"visitorId": "v1", "nested": {"a": [10, 20]}}"#),
    );
    bound.set(
        "customVariables",
        js(r#"[{"name": "sid", "value": 123}, {"name": "vid", "value": "lp-v"}]"#),
    );
    bound.set("chatInfo.rtSessionId", js("4294967524"));
    let id = |path: &str| bound.resolve(path).as_ref().and_then(id_text);
    assert_eq!(id("visitorInfo.visitorId").as_deref(), Some("v1"));
    assert_eq!(id("visitorInfo.nested.a.1").as_deref(), Some("20"));
    assert_eq!(id("customVariables.sid").as_deref(), Some("123"));
    assert_eq!(id("customVariables.vid").as_deref(), Some("lp-v"));
    assert_eq!(id("chatInfo.rtSessionId").as_deref(), Some("4294967524"));
    for nothing in [
        "visitorInfo.constructor",
        "visitorInfo.__proto__",
        "visitorInfo.nested.a.length",
        "visitorInfoX",
        "chatInfo",
        "customVariables.none",
    ] {
        assert_eq!(id(nothing), None, "{nothing}");
    }
    assert!(covers("visitorInfo", "visitorInfo.visitorId"));
    assert!(!covers("visitorInfo", "visitorInfoX.visitorId"));
    assert_eq!(id_text(&JsValue::from_f64(1.5)).as_deref(), Some("1.5"));
    assert_eq!(id_text(&JsValue::from_str("  ")), None);
    assert_eq!(id_text(&JsValue::TRUE), None);
    // Null removes what was bound.
    bound.set("visitorInfo", JsValue::NULL);
    assert!(bound.resolve("visitorInfo.visitorId").is_none());
}

#[wasm_bindgen_test]
fn the_apis_visit_wins_and_the_sdk_fills_only_its_gaps() {
    let mut api = seed_visit();
    let newest = api.newest_session_index().unwrap();
    api.app_sessions[newest].personal_info = None;
    api.app_sessions[newest].leads.clear();
    let sdk = read(&bound_of(&model())).session;
    let merged = merge(sdk.clone(), Some(&api));
    let s = &merged.app_sessions[newest];
    assert_eq!(
        s.personal().unwrap().full_name().as_deref(),
        Some("Dana Scully"),
        "a gap filled from the SDK"
    );
    assert_eq!(s.leads[0].topic.as_deref(), Some("luxury car test drive"));
    assert_eq!(
        s.pages[0].title(),
        Some("Test Page"),
        "the API's pages, not the SDK's"
    );
    assert_eq!(
        s.customer().unwrap().customer_status.as_deref(),
        Some("cancelled")
    );
    assert_eq!(s.geo.as_ref().unwrap().city.as_deref(), Some("Tel Aviv"));
    assert_eq!(merged.id, api.id);
    // Without the API, the SDK's data is the one session.
    let alone = merge(sdk.clone(), None);
    assert_eq!(alone.app_sessions, [sdk]);
}

fn reduce(state: Rc<WorkspaceState>, action: Action) -> Rc<WorkspaceState> {
    yew::Reducible::reduce(state, action)
}

fn update(state: Rc<WorkspaceState>, key: &str, json: &str) -> Rc<WorkspaceState> {
    reduce(
        state,
        Action::Update {
            key: key.into(),
            value: js(json),
        },
    )
}

#[wasm_bindgen_test]
fn a_new_conversation_drops_everything_bound_for_the_previous_one() {
    let paths = id_paths(&WorkspaceOptions::default());
    let mut state = Rc::new(WorkspaceState::new(paths));
    state = reduce(state, Action::Bound(17));
    state = update(state, "visitorInfo", r#"{"visitorId": "A"}"#);
    state = update(state, "SDE.personalInfo", r#"[{"name": "Alice"}]"#);
    state = update(state, "chatInfo", r#"{"rtSessionId": 1}"#);
    assert_eq!(state.ids(), (Some("A".into()), Some("1".into())));
    assert_eq!(
        state.generation, 0,
        "IDs arriving are not a new conversation"
    );

    // The new conversation's name comes before its IDs (the SDK promises no order)...
    state = update(state, "SDE.personalInfo", r#"[{"name": "Bob"}]"#);
    // ...then its visitor ID: everything else goes, to be asked for again.
    state = update(state, "visitorInfo", r#"{"visitorId": "B"}"#);
    assert_eq!(state.generation, 1);
    assert_eq!(state.bound.keys().collect::<Vec<_>>(), ["visitorInfo"]);
    assert_eq!(state.ids(), (Some("B".into()), None));

    // Answers to the first round's `get`: an older round is ignored, the current one applies,
    // and a path updated since the switch keeps its newer value.
    let got = |state: Rc<WorkspaceState>, key: &str, json: &str, generation: u32| {
        reduce(
            state,
            Action::Got {
                key: key.into(),
                value: js(json),
                generation,
            },
        )
    };
    state = got(state, "SDE.personalInfo", r#"[{"name": "Alice"}]"#, 0);
    assert!(state.bound.get("SDE.personalInfo").is_none());
    state = update(state, "chatInfo", r#"{"rtSessionId": 2}"#);
    state = got(state, "chatInfo", r#"{"rtSessionId": 1}"#, 1);
    state = got(state, "SDE.personalInfo", r#"[{"name": "Bob"}]"#, 1);
    assert_eq!(state.ids(), (Some("B".into()), Some("2".into())));
    assert_eq!(state.generation, 1);
    let person = read(&state.bound).session.personal().unwrap().clone();
    assert_eq!(person.name.as_deref(), Some("Bob"));
}

#[wasm_bindgen_test]
fn the_link_fails_on_a_timeout_or_when_every_bind_is_refused_but_not_once_connected() {
    let paths = id_paths(&WorkspaceOptions::default());
    let fresh = || Rc::new(WorkspaceState::new(paths.clone()));
    let refused = |state| {
        reduce(
            state,
            Action::Done {
                error: Some("no".into()),
            },
        )
    };
    let timed_out = reduce(fresh(), Action::TimedOut("late".into()));
    assert_eq!(timed_out.link, Link::Failed("late".into()));

    let mut state = reduce(fresh(), Action::Bound(2));
    state = refused(state);
    assert_eq!(state.link, Link::Connecting);
    state = refused(state);
    assert!(matches!(&state.link, Link::Failed(why) if why.contains("refused every request")));

    // A refusal before the view knows how many paths it bound counts too.
    let state = reduce(refused(refused(fresh())), Action::Bound(2));
    assert!(matches!(state.link, Link::Failed(_)));

    // Once the Agent Workspace answered, neither refusals nor the timer fail it.
    let mut state = reduce(fresh(), Action::Bound(2));
    state = reduce(state, Action::Done { error: None });
    state = refused(refused(state));
    let state = reduce(state, Action::TimedOut("late".into()));
    assert_eq!(state.link, Link::Connected);
}

// ---- The view, with the SDK stand-in -------------------------------------------------------

fn hook() -> JsValue {
    js_sys::Reflect::get(&js_sys::global(), &"__lpStandin".into()).unwrap()
}

/// Calls `window.__lpStandin[method](...args)`.
fn standin(method: &str, args: &[JsValue]) -> JsValue {
    let target = hook();
    let f: js_sys::Function = js_sys::Reflect::get(&target, &method.into())
        .unwrap()
        .dyn_into()
        .unwrap();
    f.apply(&target, &args.iter().collect::<js_sys::Array>())
        .unwrap()
}

/// Installs the stand-in SDK (once per page) and empties it.
fn fresh_standin() {
    if hook().is_undefined() {
        js_sys::Function::new_no_args(STANDIN)
            .call0(&JsValue::UNDEFINED)
            .unwrap();
    }
    standin("reset", &[]);
}

fn bindings() -> Vec<String> {
    js_sys::Array::from(&standin("bindings", &[]))
        .iter()
        .filter_map(|k| k.as_string())
        .collect()
}

fn load(model: &Value) {
    standin("load", &[js(&model.to_string())]);
}

fn push(path: &str, value: &Value) {
    standin("push", &[path.into(), js(&value.to_string())]);
}

fn visit_url(visitor: &str, sid: &str) -> String {
    format!("/api/liveperson/visitors/{visitor}/visit?sid={sid}")
}

/// The proxy: the seed visit for the seed visitor with `RT_SESSION`; LivePerson's 404 (invalid
/// visitor, as the proxy reports it) for anything else.
fn proxy() -> FakeProxy {
    let known = visit_url(SEED_VISITOR, &RT_SESSION.to_string());
    FakeProxy::start(move |call| {
        if call.url == known {
            (200, LIVEPERSON_VISIT.to_owned())
        } else {
            (
                404,
                json!({"error": {"code": "liveperson_invalid_visitor",
                                 "message": "LivePerson does not know this visitor.",
                                 "upstream_status": 404, "upstream_code": 37}})
                .to_string(),
            )
        }
    })
}

/// Mounts the view as the sidebar would, under the settings context.
fn mount_view(options: WorkspaceOptions) -> (Element, yew::AppHandle<Host>) {
    let root = fresh_root();
    let app = yew::Renderer::<Host>::with_root_and_props(
        root.clone(),
        HostProps {
            content: Content(Rc::new(move || {
                html! { <WorkspaceView options={options.clone()} /> }
            })),
        },
    )
    .render();
    (root, app)
}

async fn until_shows(root: &Element, what: &str) {
    let r = root.clone();
    until(what, move || text(&r).contains(what)).await;
}

fn without_ids(mut m: Value) -> Value {
    m["visitorInfo"]
        .as_object_mut()
        .unwrap()
        .remove("visitorId");
    m
}

#[wasm_bindgen_test]
async fn the_view_shows_bound_data_at_once_then_the_visit_and_unbinds_everything_on_unmount() {
    fresh_standin();
    let proxy = proxy();
    let (root, app) = mount_view(WorkspaceOptions::default());
    until_shows(&root, "it has given nothing about this conversation yet").await;
    let mut bound = bindings();
    bound.sort();
    let mut expected: Vec<String> = BOUND_PATHS.iter().map(|p| (*p).to_owned()).collect();
    expected.sort();
    assert_eq!(bound, expected, "init, then one bind per documented path");

    // The SDK's data, without a visitor ID yet: shown at once, nothing asked of the proxy.
    load(&without_ids(model()));
    // Each bound path answers on its own; all of them in a few turns of the event loop.
    for fact in [
        "Dana Scully",
        "Conversation",
        "Sales",
        "Chatting",
        "Surveys & variables",
        "Order number?",
        "Gold",
        "luxury car test drive",
        "FBI",
        "138766AC",
        "no visitor ID at visitorInfo.visitorId",
    ] {
        until_shows(&root, fact).await;
    }
    assert!(proxy.calls().is_empty(), "no IDs, no request");
    let start = find(&root, ".vs-lp-chat a.vs-link");
    assert_eq!(
        start.get_attribute("href").as_deref(),
        Some("https://shop.example.com/cart")
    );

    // The visitor ID arrives: the visit is asked for, and its fuller data wins.
    push("visitorInfo.visitorId", &json!(SEED_VISITOR));
    until_shows(&root, "John Doe").await;
    assert!(proxy.got(&visit_url(SEED_VISITOR, "4294967524")));
    let shown = text(&root);
    assert_shows(&shown, &["Test Page", "Order DRV1534XC", "Sales", "Gold"]);
    assert!(!shown.contains("Dana Scully"), "the API's name wins");
    assert!(!shown.contains("no visitor ID"));

    app.destroy();
    until("every path unbound", || bindings().is_empty()).await;
    let calls = js_sys::Array::from(&standin("calls", &[]));
    let unbound = calls
        .iter()
        .filter(|c| js_sys::Array::from(c).get(0).as_string().as_deref() == Some("unbind"))
        .count();
    assert_eq!(unbound, BOUND_PATHS.len());
}

#[wasm_bindgen_test]
async fn a_404_keeps_the_sdks_data_and_names_the_ids_tried() {
    fresh_standin();
    let _proxy = proxy();
    let (root, app) = mount_view(WorkspaceOptions::default());
    let mut m = model();
    m["visitorInfo"]["visitorId"] = json!("unknown-visitor");
    load(&m);
    until_shows(
        &root,
        "has no visit for visitor ID unknown-visitor and session ID 4294967524 \
         (from visitorInfo.visitorId and chatInfo.rtSessionId)",
    )
    .await;
    let shown = text(&root);
    assert_shows(&shown, &["Dana Scully", "prod1", "Sales"]);
    assert!(
        query_all(&root, "[role=alert]").is_empty(),
        "a notice, not an error:\n{shown}"
    );
    app.destroy();
}

#[wasm_bindgen_test]
async fn a_new_conversation_shows_nothing_of_the_previous_one() {
    fresh_standin();
    let _proxy = proxy();
    let (root, app) = mount_view(WorkspaceOptions::default());
    load(&model());
    until_shows(&root, "John Doe").await;
    until_shows(&root, "Gold").await;

    // The next conversation's attributes come before its IDs.
    push(
        "SDE.personalInfo",
        &json!([{"firstname": "Fox", "lastname": "Mulder"}]),
    );
    let next = json!({
        "visitorInfo": {"visitorId": "other-visitor", "visitorName": "Fox"},
        "chatInfo": {"rtSessionId": 77, "chatSkill": "Support"},
        "SDE": {"personalInfo": [{"firstname": "Fox", "lastname": "Mulder"}]}
    });
    load(&next);
    until_shows(&root, "Fox Mulder").await;
    until_shows(&root, "Support").await;
    until_shows(&root, "visitor ID other-visitor and session ID 77").await;
    let shown = text(&root);
    for old in ["John Doe", "Dana", "Gold", "Sales", "Test Page", "prod1"] {
        assert!(
            !shown.contains(old),
            "{old:?} of the previous conversation:\n{shown}"
        );
    }
    app.destroy();
}

#[wasm_bindgen_test]
async fn the_ids_come_from_the_configured_paths() {
    fresh_standin();
    let proxy = proxy();
    let options = WorkspaceOptions::new(
        None,
        Some("customVariables.lpVisitorId".into()),
        Some("customVariables.lpSessionId".into()),
    )
    .unwrap();
    let (root, app) = mount_view(options);
    let mut m = model();
    m["customVariables"] = json!([
        {"name": "lpVisitorId", "value": SEED_VISITOR},
        {"name": "lpSessionId", "value": RT_SESSION.to_string()}
    ]);
    m["visitorInfo"]["visitorId"] = json!("not-this-one");
    m["chatInfo"]["rtSessionId"] = json!(1);
    load(&m);
    until_shows(&root, "John Doe").await;
    assert!(proxy.got(&visit_url(SEED_VISITOR, "4294967524")));
    assert!(!proxy.calls().iter().any(|c| c.url.contains("not-this-one")));
    app.destroy();

    // An ID path no bound path covers is bound itself.
    let options =
        WorkspaceOptions::new(None, Some("engagementInfo.engagementId".into()), None).unwrap();
    assert!(bound_paths(&options).contains(&"engagementInfo.engagementId".to_owned()));
    assert_eq!(bound_paths(&options).len(), BOUND_PATHS.len() + 1);
}

const HOSTILE: &str =
    "<img src=x onerror=\"window.__pwned=1\"><script>window.__pwned=1</script><b>bold</b>";

#[wasm_bindgen_test]
async fn hostile_sdk_values_are_text_and_unsafe_addresses_are_not_links() {
    fresh_standin();
    let _proxy = proxy();
    let (root, app) = mount_view(WorkspaceOptions::default());
    let mut m = without_ids(model());
    m["visitorInfo"]["visitorName"] = json!(HOSTILE);
    m["visitorInfo"]["browser"] = json!(HOSTILE);
    m["visitorInfo"]["visitorTimezone"] = json!(HOSTILE);
    m["chatInfo"]["chatSkill"] = json!(HOSTILE);
    m["chatInfo"]["chatStartUrl"] = json!("javascript:window.__pwned=1");
    m["SDE"]["personalInfo"][0]["firstname"] = json!(HOSTILE);
    m["SDE"]["personalInfo"][0]["contactInfo"][0]["email"] = json!("\"><script>x</script>");
    m["SDE"]["customerDetails"][0]["customerId"] = json!(HOSTILE);
    m["SDE"]["shoppingCart"][1]["products"][0]["name"] = json!(HOSTILE);
    m["SDE"]["leadGeneration"][0]["topic"] = json!(HOSTILE);
    m["SDE"]["error"][0]["message"] = json!(HOSTILE);
    m["visitorJourney"]["pages"][0]["pageBasic"]["url"] =
        json!("data:text/html,<script>x</script>");
    m["surveyQuestions"]["preChat"]["customizedQuestions"][0]["displayName"] = json!(HOSTILE);
    m["customVariables"][0]["value"] = json!(HOSTILE);
    load(&m);
    until_shows(&root, "Surveys & variables").await;
    // Every section open, including one rendered after the first look (the bound values arrive
    // one path at a time), until the last hostile value is in view.
    let r = root.clone();
    until("every section open", move || {
        for details in query_all(&r, "details") {
            details.set_attribute("open", "").unwrap();
        }
        text(&r).contains("javascript:window.__pwned=1")
    })
    .await;
    settle().await;
    assert!(
        query_all(&root, "img, script, b").is_empty(),
        "visitor markup became elements"
    );
    let shown = text(&root);
    assert!(
        shown.matches(HOSTILE).count() >= 8,
        "shown as text:\n{shown}"
    );
    for a in query_all(&root, "a") {
        let href = a.get_attribute("href").unwrap();
        assert!(
            ["http:", "https:", "mailto:", "tel:"]
                .iter()
                .any(|s| href.starts_with(s)),
            "{href}"
        );
    }
    assert!(
        shown.contains("javascript:window.__pwned=1"),
        "the unsafe address is shown as text:\n{shown}"
    );
    assert!(js_sys::Reflect::get(&js_sys::global(), &"__pwned".into())
        .unwrap()
        .is_undefined());
    app.destroy();
}

#[wasm_bindgen_test]
async fn a_script_url_that_is_not_http_is_refused_with_a_notice() {
    // No usable SDK on the page (`lpTag.agentSDK` without its methods), so the setting is used.
    let window = js_sys::global();
    let saved = js_sys::Reflect::get(&window, &"lpTag".into()).unwrap();
    js_sys::Reflect::set(&window, &"lpTag".into(), &js(r#"{"agentSDK": {}}"#)).unwrap();
    let options = WorkspaceOptions::new(Some("javascript:alert(1)".into()), None, None).unwrap();
    let (root, app) = mount_view(options);
    until_shows(&root, "is not an http or https address").await;
    assert_eq!(query_all(&root, "[role=alert]").len(), 1);
    assert!(query_all(&root, "script[data-vs-sdk]").is_empty());
    app.destroy();
    js_sys::Reflect::set(&window, &"lpTag".into(), &saved).unwrap();
}

#[wasm_bindgen_test]
fn the_page_settings_come_from_meta_tags_never_from_the_url() {
    use visitor_sidebar::page::options_from;
    let document = gloo_document();
    let head = document.head().unwrap();
    let add = |name: &str, content: &str| {
        let meta = document.create_element("meta").unwrap();
        meta.set_attribute("name", &format!("visitor-sidebar:{name}"))
            .unwrap();
        meta.set_attribute("content", content).unwrap();
        head.append_child(&meta).unwrap();
        meta
    };
    let query = "?console=liveperson&liveperson-sdk-url=https://evil.example/x.js\
                 &livepersonSdkUrl=https://evil.example/x.js&sdkUrl=https://evil.example/x.js";
    let options = options_from(&document, query).into_options().unwrap();
    assert_eq!(options.workspace, WorkspaceOptions::default());
    assert_eq!(
        options.workspace.sdk_url,
        "https://lpcdn.lpsnmedia.net/webagent/client-SDK.min.js"
    );

    let metas = [
        add("liveperson-sdk-url", "/vendor/client-SDK.min.js"),
        add("liveperson-visitor-id-path", "chatInfo.sharkVisitorId"),
        add("liveperson-session-id-path", "customVariables.sid"),
    ];
    let options = options_from(&document, query).into_options().unwrap();
    assert_eq!(
        options.workspace,
        WorkspaceOptions {
            sdk_url: "/vendor/client-SDK.min.js".into(),
            visitor_id_path: "chatInfo.sharkVisitorId".into(),
            session_id_path: "customVariables.sid".into(),
        }
    );
    assert_eq!(
        id_paths(&options.workspace),
        IdPaths {
            visitor: "chatInfo.sharkVisitorId".into(),
            session: "customVariables.sid".into(),
        }
    );
    metas[1]
        .set_attribute("content", "visitorInfo..visitorId")
        .unwrap();
    let problem = options_from(&document, query).into_options().unwrap_err();
    assert!(problem.contains("liveperson-visitor-id-path"), "{problem}");
    for meta in metas {
        meta.remove();
    }
}

fn commands() -> Vec<Value> {
    let list: String = js_sys::JSON::stringify(&standin("commands", &[]))
        .unwrap()
        .into();
    serde_json::from_str::<Vec<Value>>(&list).unwrap()
}

fn feedback(root: &Element) -> String {
    root.query_selector(".vs-feedback")
        .unwrap()
        .map(|f| f.text_content().unwrap_or_default())
        .unwrap_or_default()
}

/// The whole sidebar in the Agent Workspace (its status line says how an insert went), with a
/// proxy that knows no visit: the glance is the SDK's alone.
fn mount_sidebar() -> (Element, Mounted, FakeProxy) {
    let proxy = FakeProxy::start(move |call| {
        if call.url.ends_with("/auth/config") {
            (200, r#"{"anonymous": true, "modes": []}"#.to_owned())
        } else {
            (404, "{}".to_owned())
        }
    });
    let root = fresh_root();
    let sidebar = common::mount(&root, js(r#"{"console": "liveperson", "locale": "en-GB"}"#));
    (root, sidebar, proxy)
}

#[wasm_bindgen_test]
async fn insert_writes_the_sentence_through_the_write_command_html_escaped_in_chat() {
    fresh_standin();
    let (root, _sidebar, _proxy) = mount_sidebar();
    let mut m = model();
    m["visitorInfo"]["city"] = json!(HOSTILE);
    load(&m);
    let r = root.clone();
    until("the glance", move || {
        r.query_selector(".vs-glance [data-fact=where]")
            .unwrap()
            .is_some()
    })
    .await;
    click(&find(
        &root,
        ".vs-glance [data-fact=where] .vs-glance-insert",
    ));
    let r = root.clone();
    until("inserted", move || {
        feedback(&r).starts_with("Added to your reply")
    })
    .await;
    let sent = commands();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0]["cmdName"], "Write ChatLine");
    let text = sent[0]["data"]["text"].as_str().unwrap();
    // Real-time chat renders the line as HTML: the visitor's markup arrives as text.
    assert!(!text.contains('<') && !text.contains('>'), "{text}");
    assert!(
        text.starts_with(
            "I can see you&#39;re in &lt;img src=x onerror=&quot;window.__pwned=1&quot;&gt;"
        ),
        "{text}"
    );

    // A messaging conversation shows plain text: no entities there.
    let mut m = model();
    m["chatInfo"]["isMessaging"] = json!(true);
    // Seen once chatInfo (which says messaging) has arrived: the SDK updates each path on
    // its own, in no promised order.
    m["chatInfo"]["chatSkill"] = json!("Messaging desk");
    load(&m);
    let r = root.clone();
    until("the messaging conversation", move || {
        r.text_content()
            .unwrap_or_default()
            .contains("Messaging desk")
    })
    .await;
    click(&find(
        &root,
        ".vs-glance [data-fact=page] .vs-glance-insert",
    ));
    let r = root.clone();
    until("the second insert", move || {
        commands().len() == 2 && feedback(&r).starts_with("Added")
    })
    .await;
    assert_eq!(
        commands()[1]["data"]["text"],
        "I can see you're on the page “Cart”."
    );

    // The Agent Workspace refuses the command: said, and the text goes to the clipboard.
    standin("answerCommands", &["error".into()]);
    click(&find(
        &root,
        ".vs-glance [data-fact=page] .vs-glance-insert",
    ));
    let r = root.clone();
    until("the failure", move || {
        feedback(&r).starts_with("Insert failed")
    })
    .await;
    assert!(
        feedback(&root).contains(
            "LivePerson's Agent Workspace did not take the text (The conversation is closed.)"
        ),
        "{}",
        feedback(&root)
    );
}
