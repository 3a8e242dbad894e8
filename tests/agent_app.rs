//! Inside LiveChat's Agent App (`?console=livechat`), with a stand-in for the SDK's
//! `globalThis.LiveChat` (the real one needs a console to handshake with; the end-to-end tests
//! use it) and for the proxy: the customer shows at once from the event and then fills in from
//! the proxy, a switch never shows the previous customer, the theme follows, the notices when
//! there is no Agent App or no SDK, cleanup on unmount, drafts across chats, hostile profiles.

#![cfg(all(target_arch = "wasm32", feature = "livechat"))]

mod common;

use common::fetch::*;
use common::*;
use serde_json::{json, Value};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// The stand-in SDK: `createDetailsWidget()` resolves a widget whose `on`/`off` keep listeners,
/// whose `putMessage(text)` records the text (`putAnswer` "error" refuses it), and whose
/// `getCustomerProfile()`/`getTheme()` give the latest event, as the SDK's mixins do
/// (`mode` "timeout" rejects as the SDK's handshake timeout does, "fail" with another error).
const FAKE_SDK: &str = r#"
  const listeners = {};
  const fake = {
    profile: null, theme: null, created: 0, put: [], putAnswer: "ok",
    emit(name, data) {
      if (name === "customer_profile") fake.profile = data;
      if (name === "change_theme") fake.theme = data && data.theme;
      for (const fn of (listeners[name] || []).slice()) fn(data);
    },
    count(name) { return (listeners[name] || []).length; },
  };
  const widget = {
    on(name, fn) { (listeners[name] = listeners[name] || []).push(fn); },
    off(name, fn) { const l = listeners[name] || []; const i = l.indexOf(fn); if (i >= 0) l.splice(i, 1); },
    getCustomerProfile() { return fake.profile; },
    getTheme() { return fake.theme; },
    // The SDK's call of the console's handle method: answered, refused, or never answered.
    putMessage(text) {
      fake.put.push(text);
      if (fake.putAnswer === "error") return Promise.reject(new Error("The chat is archived."));
      if (fake.putAnswer === "never") return new Promise(() => {});
      return Promise.resolve();
    },
  };
  globalThis.LiveChat = {
    createDetailsWidget() {
      fake.created += 1;
      if (mode === "timeout") { const e = new Error("Timeout."); e.code = "TIMEOUT"; return Promise.reject(e); }
      if (mode === "fail") return Promise.reject(new Error("The test refused the handshake."));
      return Promise.resolve(widget);
    },
  };
  return fake;
"#;

struct FakeSdk(JsValue);

impl FakeSdk {
    fn install(mode: &str) -> FakeSdk {
        let make = js_sys::Function::new_with_args("mode", FAKE_SDK);
        FakeSdk(make.call1(&JsValue::NULL, &mode.into()).unwrap())
    }

    fn call(&self, method: &str, args: &[JsValue]) -> JsValue {
        let f: js_sys::Function = js_sys::Reflect::get(&self.0, &method.into())
            .unwrap()
            .unchecked_into();
        f.apply(&self.0, &args.iter().collect()).unwrap()
    }

    /// The Agent App sends `name` with this data.
    fn emit(&self, name: &str, data: &Value) {
        self.call("emit", &[name.into(), js(&data.to_string())]);
    }

    fn listeners(&self, name: &str) -> f64 {
        self.call("count", &[name.into()]).as_f64().unwrap()
    }

    fn set(&self, field: &str, value: &Value) {
        js_sys::Reflect::set(&self.0, &field.into(), &js(&value.to_string())).unwrap();
    }
}

/// Takes `globalThis.LiveChat` off the page.
fn remove_sdk() {
    let global: js_sys::Object = js_sys::global();
    let _ = js_sys::Reflect::delete_property(&global, &"LiveChat".into());
}

impl FakeSdk {
    /// What `putMessage` was given.
    fn put(&self) -> Vec<String> {
        let put = js_sys::Reflect::get(&self.0, &"put".into()).unwrap();
        js_sys::Array::from(&put)
            .iter()
            .filter_map(|t| t.as_string())
            .collect()
    }
}

impl Drop for FakeSdk {
    fn drop(&mut self) {
        remove_sdk();
    }
}

fn mount_in_agent_app(root: &web_sys::Element) -> Mounted {
    common::mount(root, js(r#"{"console": "livechat", "locale": "en-GB"}"#))
}

/// A sidebar mounted as the Agent App's widget, once it says it is connected.
async fn connected_in_agent_app() -> (web_sys::Element, Mounted) {
    let root = fresh_root();
    let sidebar = mount_in_agent_app(&root);
    connected(&root).await;
    (root, sidebar)
}

async fn connected(root: &web_sys::Element) {
    until("connected to the Agent App", || {
        text(root).contains("Open a chat to see who you are talking to")
    })
    .await;
}

/// A profile as the SDK's typings give it, with the docs' `customVariables`.
fn profile(id: &str, name: &str, city: &str) -> Value {
    json!({
        "id": id, "name": name, "email": format!("{}@example.com", name.to_lowercase().replace(' ', ".")),
        "geolocation": {"country": "Poland", "country_code": "PL", "region": "Dolnoslaskie",
                        "city": city, "timezone": "Europe/Warsaw"},
        "chat": {"id": format!("CHAT-{id}"), "groupID": "2",
                 "preChatSurvey": [{"question": "Order number?", "answer": format!("order-of-{id}")}]},
        "customVariables": {"plan": format!("plan-of-{id}")},
        "source": "chats"
    })
}

/// `get_customer`'s answer (v3.6 shape) for a customer who is v2 visitor `lc2`.
fn customer(id: &str, name: &str, lc2: Option<&str>) -> String {
    let mut c = json!({
        "id": id, "type": "customer", "name": name, "created_at": "2017-10-11T15:19:21.010200Z",
        "state": "chatting", "present": true,
        "session_fields": [{"cart_value": format!("cart-of-{id}")}],
        "visit": {
            "started_at": "2017-10-12T15:19:21.010200Z", "referrer": "https://www.google.com/",
            "ip": "192.0.2.7",
            "user_agent": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
            "geolocation": {"city": format!("Town of {id}"), "country": "Poland"},
            "last_pages": [
                {"opened_at": "2017-10-12T15:19:21.010200Z", "url": "https://shop.example.com/", "title": "Shop home"},
                {"opened_at": "2017-10-12T15:21:01.000000Z", "url": "https://shop.example.com/cart", "title": format!("Cart of {id}")}
            ]
        },
        "statistics": {"chats_count": 3, "threads_count": 9, "visits_count": 5, "page_views_count": 1337,
                       "greetings_shown_count": 69, "greetings_accepted_count": 42},
        "chat_ids": [format!("CHAT-{id}")]
    });
    if let Some(lc2) = lc2 {
        c["__priv_lc2_customer_id"] = json!(lc2);
    }
    c.to_string()
}

/// The seed v2 visitor renamed as `id`.
fn v2_visitor(id: &str) -> String {
    let mut list: Value = serde_json::from_str(LIVECHAT_VISITORS).unwrap();
    let mut v = list[0].take();
    v["id"] = json!(id);
    v.to_string()
}

/// The proxy's answers held back until the test lets each go: `release(path part, body)`.
#[derive(Default, Clone)]
struct Held(Rc<RefCell<Vec<(String, js_sys::Function)>>>);

impl Held {
    fn hold(&self, url: &str) -> js_sys::Promise {
        let (promise, slot) = deferred();
        let resolve = slot.borrow_mut().take().unwrap();
        self.0.borrow_mut().push((url.to_owned(), resolve));
        promise
    }

    /// Answers every held request whose URL contains `part`; how many there were.
    fn release(&self, part: &str, status: u16, body: &str) -> usize {
        let mut held = self.0.borrow_mut();
        let (go, stay): (Vec<_>, Vec<_>) = held.drain(..).partition(|(url, _)| url.contains(part));
        *held = stay;
        for (_, resolve) in &go {
            resolve
                .call1(&JsValue::UNDEFINED, &response(status, body, &[]))
                .unwrap();
        }
        go.len()
    }

    fn waiting(&self, part: &str) -> bool {
        self.0.borrow().iter().any(|(url, _)| url.contains(part))
    }
}

/// Records, at each batch of DOM mutations under `root`, the text when `bad` holds for it.
struct Watch {
    observer: web_sys::MutationObserver,
    seen: Rc<RefCell<Vec<String>>>,
    _callback: Closure<dyn FnMut(js_sys::Array)>,
}

impl Watch {
    fn start(root: &web_sys::Element, bad: impl Fn(&str) -> bool + 'static) -> Watch {
        let seen: Rc<RefCell<Vec<String>>> = Rc::default();
        let (log, watched) = (seen.clone(), root.clone());
        let callback = Closure::<dyn FnMut(js_sys::Array)>::new(move |_records| {
            let now = text(&watched);
            if bad(&now) {
                log.borrow_mut().push(now);
            }
        });
        let observer = web_sys::MutationObserver::new(callback.as_ref().unchecked_ref()).unwrap();
        let init = web_sys::MutationObserverInit::new();
        init.set_subtree(true);
        init.set_child_list(true);
        init.set_character_data(true);
        observer.observe_with_options(root, &init).unwrap();
        Watch {
            observer,
            seen,
            _callback: callback,
        }
    }

    /// What was recorded so far, leaving the record empty.
    fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.seen.borrow_mut())
    }

    fn stop(self) -> Vec<String> {
        self.observer.disconnect();
        self.seen.borrow().clone()
    }
}

#[wasm_bindgen_test]
async fn the_customer_shows_at_once_from_the_event_then_fills_in_from_the_proxy() {
    let sdk = FakeSdk::install("ok");
    let held = Held::default();
    let holder = held.clone();
    let proxy = FetchStub::new(move |call| {
        if call.url.contains("/api/livechat/customers/") {
            holder.hold(&call.url)
        } else if call.url.contains("/api/livechat/visitors/S1.ann") {
            reply(200, &v2_visitor("S1.ann"), &[])
        } else {
            reply(404, &error_body("not_found", "No such route."), &[])
        }
    });
    let (root, _sidebar) = connected_in_agent_app().await;

    sdk.emit(
        "customer_profile",
        &profile("c-ann", "Ann Example", "Wroclaw"),
    );
    until("the event's facts", || text(&root).contains("Ann Example")).await;
    let shown = text(&root);
    for fact in [
        "ann.example@example.com",
        "Wroclaw, Dolnoslaskie, Poland",
        "(Europe/Warsaw)",
        "CHAT-c-ann",
        "Order number?",
        "order-of-c-ann",
        "plan-of-c-ann",
        "c-ann",
    ] {
        assert!(shown.contains(fact), "{fact} at once, in:\n{shown}");
    }
    // Shown with no answer from the proxy: its request is held back.
    until("the customer's request", || {
        held.waiting("/api/livechat/customers/c-ann")
    })
    .await;
    assert!(!text(&root).contains("1337"), "nothing from the proxy yet");

    assert_eq!(
        held.release(
            "/customers/c-ann",
            200,
            &customer("c-ann", "Ann Example", Some("S1.ann"))
        ),
        1
    );
    until("the proxy's facts", || {
        text(&root).contains("Cart of c-ann")
    })
    .await;
    let shown = text(&root);
    for fact in [
        "chatting",
        "on the site",
        "192.0.2.7",
        "Chrome 120",
        "Shop home",
        "1337",
        "42 accepted of 69 shown",
        "cart-of-c-ann",
        "S1.ann",
    ] {
        assert!(shown.contains(fact), "{fact} from the proxy, in:\n{shown}");
    }
    let current = find(&root, "li.vs-current");
    assert!(
        text(&current).contains("Cart of c-ann"),
        "the page opened last is current"
    );
    // The v2 visitor behind the customer: its details and the custom-details form.
    until("the v2 visitor and the form", || {
        !query_all(&root, ".vs-linked-visitor .vs-visitor-name").is_empty()
            && !query_all(&root, ".vs-details-form form").is_empty()
    })
    .await;
    assert!(proxy.calls_to("/api/livechat/visitors/S1.ann").len() == 1);
}

#[wasm_bindgen_test]
async fn a_switch_never_shows_the_previous_customer_and_drops_its_late_answer() {
    let sdk = FakeSdk::install("ok");
    let held = Held::default();
    let holder = held.clone();
    let proxy = FetchStub::new(move |call| {
        if call.url.contains("/auth/config") {
            // The sidebar asks once how agents sign in; this proxy lets anyone read.
            reply(200, r#"{"anonymous": true, "modes": []}"#, &[])
        } else {
            holder.hold(&call.url)
        }
    });
    let (root, _sidebar) = connected_in_agent_app().await;
    // Anything of Ann's: her event's facts and the proxy's.
    let ann = |t: &str| t.contains("Ann") || t.contains("c-ann") || t.contains("Wroclaw");

    // Ann, with everything the proxy knows of her on screen.
    sdk.emit(
        "customer_profile",
        &profile("c-ann", "Ann Example", "Wroclaw"),
    );
    until("Ann's request", || held.waiting("/customers/c-ann")).await;
    held.release(
        "/customers/c-ann",
        200,
        &customer("c-ann", "Ann Example", None),
    );
    until("Ann's visit", || text(&root).contains("Town of c-ann")).await;

    // From Bob's event on, no state of the page may show anything of Ann's.
    let watch = Watch::start(&root, move |t| t.contains("Bob Builder") && ann(t));
    // The watch sees such a state when there is one (a probe, taken away at once).
    let probe = gloo_document().create_element("p").unwrap();
    probe.set_text_content(Some("Bob Builder"));
    root.append_child(&probe).unwrap();
    settle().await;
    probe.remove();
    settle().await;
    assert_eq!(watch.take().len(), 1, "the watch caught the probe");
    sdk.emit(
        "customer_profile",
        &profile("c-bob", "Bob Builder", "Gdansk"),
    );
    until("Bob", || text(&root).contains("Bob Builder")).await;
    assert!(!ann(&text(&root)), "{}", text(&root));
    until("Bob's request", || held.waiting("/customers/c-bob")).await;

    // Back to Ann, whose answer is held; then to Bob again before it comes: it is cancelled,
    // and when it does come it is dropped.
    sdk.emit(
        "customer_profile",
        &profile("c-ann", "Ann Example", "Wroclaw"),
    );
    until("Ann's second request", || held.waiting("/customers/c-ann")).await;
    sdk.emit(
        "customer_profile",
        &profile("c-bob", "Bob Builder", "Gdansk"),
    );
    until("Bob again", || text(&root).contains("Bob Builder")).await;
    let late = proxy.calls_to("/customers/c-ann");
    assert!(
        late.last().unwrap().signal.aborted(),
        "Ann's request was cancelled"
    );
    held.release(
        "/customers/c-ann",
        200,
        &customer("c-ann", "Ann Example", None),
    );
    held.release(
        "/customers/c-bob",
        200,
        &customer("c-bob", "Bob Builder", None),
    );
    until("Bob's visit", || text(&root).contains("Town of c-bob")).await;
    settle().await;
    let seen = watch.stop();
    assert!(seen.is_empty(), "Ann showed under Bob: {seen:?}");
    assert!(!ann(&text(&root)));
}

#[wasm_bindgen_test]
async fn the_sidebar_follows_the_agent_apps_theme() {
    let sdk = FakeSdk::install("ok");
    // The theme the SDK saw before the sidebar listened (getTheme()).
    sdk.set("theme", &json!("dark"));
    let _proxy = FetchStub::new(|_| reply(404, &error_body("not_found", "No."), &[]));
    let (root, _sidebar) = connected_in_agent_app().await;
    let aside = find(&root, "aside.vs-root");
    let theme = || aside.get_attribute("data-theme").unwrap_or_default();
    until("dark from getTheme()", || theme() == "dark").await;

    sdk.emit("change_theme", &json!({"theme": "light"}));
    until("light", || theme() == "light").await;
    sdk.emit("change_theme", &json!({"theme": "sepia"}));
    sdk.emit("change_theme", &json!(null));
    settle().await;
    assert_eq!(theme(), "light", "unknown themes are ignored");
    sdk.emit("change_theme", &json!({"theme": "dark"}));
    until("dark again", || theme() == "dark").await;
}

#[wasm_bindgen_test]
async fn without_an_agent_app_a_notice_says_how_to_open_it() {
    let sdk = FakeSdk::install("timeout");
    let root = fresh_root();
    let _sidebar = mount_in_agent_app(&root);
    until("the notice", || text(&root).contains("did not answer")).await;
    let notice = find(&root, ".vs-agent-app-missing");
    assert_eq!(notice.get_attribute("role").as_deref(), Some("alert"));
    let words = text(&notice);
    assert!(
        words.contains("open it from a chat in LiveChat's Agent App")
            && words.contains("Developer Console")
            && words.contains("?console=livechat"),
        "{words}"
    );
    assert!(!words.contains("Timeout."), "no raw error: {words}");
    drop(sdk);

    let _sdk = FakeSdk::install("fail");
    let other = fresh_root();
    let _second = mount_in_agent_app(&other);
    until("the failure", || {
        text(&other)
            .contains("could not connect to LiveChat's Agent App: The test refused the handshake.")
    })
    .await;
}

#[wasm_bindgen_test]
async fn a_deployment_without_the_sdk_file_says_so() {
    // No LiveChat global: the sidebar loads agentapp.umd.min.js, which this test server lacks.
    remove_sdk();
    let root = fresh_root();
    let _sidebar = mount_in_agent_app(&root);
    until("the missing SDK", || text(&root).contains("SDK is missing")).await;
    assert!(text(&root).contains("agentapp.umd.min.js"));
}

#[wasm_bindgen_test]
async fn unmounting_unsubscribes_and_a_remount_shares_the_connection() {
    let sdk = FakeSdk::install("ok");
    let _proxy = FetchStub::new(|_| reply(404, &error_body("not_found", "No."), &[]));
    let root = fresh_root();
    let mut sidebar = mount_in_agent_app(&root);
    connected(&root).await;
    assert_eq!(sdk.listeners("customer_profile"), 1.0);
    assert_eq!(sdk.listeners("change_theme"), 1.0);
    sidebar.unmount();
    settle().await;
    assert_eq!(sdk.listeners("customer_profile"), 0.0);
    assert_eq!(sdk.listeners("change_theme"), 0.0);
    sdk.emit(
        "customer_profile",
        &profile("c-ann", "Ann Example", "Wroclaw"),
    );

    // Mounted again: the same widget (the Agent App handshakes once), and its latest profile.
    let again = fresh_root();
    let _sidebar = mount_in_agent_app(&again);
    until("Ann from getCustomerProfile()", || {
        text(&again).contains("Ann Example")
    })
    .await;
    let created = js_sys::Reflect::get(&sdk.0, &"created".into()).unwrap();
    assert_eq!(
        created.as_f64(),
        Some(1.0),
        "createDetailsWidget() ran once"
    );
}

#[wasm_bindgen_test]
async fn an_unreadable_profile_clears_the_previous_customer() {
    let sdk = FakeSdk::install("ok");
    let _proxy = FetchStub::new(|_| reply(404, &error_body("not_found", "No."), &[]));
    let (root, _sidebar) = connected_in_agent_app().await;
    sdk.emit(
        "customer_profile",
        &profile("c-ann", "Ann Example", "Wroclaw"),
    );
    until("Ann", || text(&root).contains("Ann Example")).await;
    sdk.emit("customer_profile", &json!("not a profile"));
    until("the notice", || text(&root).contains("cannot read")).await;
    assert!(!text(&root).contains("Ann"), "{}", text(&root));

    // A profile without an ID: what it says, and why nothing more.
    sdk.emit(
        "customer_profile",
        &json!({"name": "Nameless Nell", "chat": {}}),
    );
    until("Nell", || text(&root).contains("Nameless Nell")).await;
    assert!(text(&root).contains("without an ID"));
}

#[wasm_bindgen_test]
async fn drafts_of_the_details_form_survive_switching_chats_and_back() {
    let sdk = FakeSdk::install("ok");
    let _proxy = FetchStub::new(|call| {
        let url = &call.url;
        if let Some(id) = url.strip_prefix("/api/livechat/customers/") {
            let lc2 = format!("S1.{id}");
            reply(200, &customer(id, id, Some(&lc2)), &[])
        } else if let Some(id) = url.strip_prefix("/api/livechat/visitors/") {
            reply(200, &v2_visitor(id), &[])
        } else {
            reply(404, &error_body("not_found", "No."), &[])
        }
    });
    let (root, _sidebar) = connected_in_agent_app().await;
    let name_input = |root: &web_sys::Element| {
        query_all(root, ".vs-details-form input")
            .into_iter()
            .find(|i| i.id().ends_with("fields-0--name"))
    };
    sdk.emit(
        "customer_profile",
        &profile("ann", "Ann Example", "Wroclaw"),
    );
    until("Ann's form", || name_input(&root).is_some()).await;
    type_into(&name_input(&root).unwrap(), "Plan of Ann");

    sdk.emit("customer_profile", &profile("bob", "Bob Builder", "Gdansk"));
    until("Bob's form", || {
        text(&root).contains("Bob Builder") && name_input(&root).is_some()
    })
    .await;
    assert_eq!(value_of(&name_input(&root).unwrap()), "", "Bob's own draft");

    sdk.emit(
        "customer_profile",
        &profile("ann", "Ann Example", "Wroclaw"),
    );
    until("Ann's form again", || {
        text(&root).contains("Ann Example") && name_input(&root).is_some()
    })
    .await;
    assert_eq!(value_of(&name_input(&root).unwrap()), "Plan of Ann");
}

#[wasm_bindgen_test]
async fn a_hostile_profile_and_customer_stay_text() {
    let sdk = FakeSdk::install("ok");
    let payload = r#"<img src=x onerror="window.__xss=1">"#;
    let link = "javascript:window.__xss=1";
    let _proxy = FetchStub::new(move |call| {
        if call.url.contains("/customers/") {
            let body = json!({
                "id": "c-evil", "name": payload, "email": payload, "avatar": link,
                "state": payload, "session_fields": [{payload: payload}],
                "visit": {"referrer": link, "ip": payload, "user_agent": payload,
                          "last_pages": [{"url": link, "title": payload}]}
            });
            reply(200, &body.to_string(), &[])
        } else {
            reply(404, &error_body("not_found", "No."), &[])
        }
    });
    let (root, _sidebar) = connected_in_agent_app().await;
    sdk.emit(
        "customer_profile",
        &json!({"id": "c-evil", "name": payload, "email": link,
                "geolocation": {"city": payload, "timezone": payload},
                "chat": {"id": payload, "groupID": payload, "preChatSurvey": [{"question": payload, "answer": payload}]},
                "customVariables": {payload: payload}, "source": payload}),
    );
    until("the proxy's hostile customer", || {
        text(&root).contains("Open the image")
    })
    .await;
    assert!(text(&root).matches(payload).count() >= 8, "{}", text(&root));
    assert!(query_all(&root, "img, script, iframe, svg").is_empty());
    for a in query_all(&root, "a[href]") {
        let href = a.get_attribute("href").unwrap();
        assert!(
            href.starts_with("https:") || href.starts_with("http:") || href.starts_with("mailto:"),
            "{href}"
        );
    }
    let sentinel = js_sys::Reflect::get(&js_sys::global(), &"__xss".into()).unwrap();
    assert!(sentinel.is_undefined(), "{sentinel:?}");
}

fn feedback(root: &web_sys::Element) -> String {
    root.query_selector(".vs-feedback")
        .unwrap()
        .map(|f| f.text_content().unwrap_or_default())
        .unwrap_or_default()
}

#[wasm_bindgen_test]
async fn insert_puts_the_sentence_into_the_agents_message_box_through_put_message() {
    let sdk = FakeSdk::install("ok");
    let _proxy = FetchStub::new(move |call| {
        if call.url.contains("/auth/config") {
            reply(200, r#"{"anonymous": true, "modes": []}"#, &[])
        } else {
            reply(200, &customer("c-ann", "Ann Example", None), &[])
        }
    });
    let (root, _sidebar) = connected_in_agent_app().await;
    // A hostile place: the Agent App's message box takes plain text, so it goes as written.
    let mut hostile = profile("c-ann", "Ann Example", "<img src=x onerror=alert(1)>");
    hostile["geolocation"]["country"] = json!("Poland");
    sdk.emit("customer_profile", &hostile);
    until("the glance", || {
        root.query_selector(".vs-glance [data-fact=page]")
            .unwrap()
            .is_some()
    })
    .await;
    let insert = find(&root, ".vs-glance [data-fact=where] .vs-glance-insert");
    click(&insert);
    until("inserted", || {
        feedback(&root).contains("LiveChat's Agent App")
    })
    .await;
    assert_eq!(
        sdk.put(),
        ["I can see you're in <img src=x onerror=alert(1)>, Dolnoslaskie, Poland."]
    );
    assert!(feedback(&root).starts_with("Added to your reply"));
    assert!(root.query_selector(".vs-glance img").unwrap().is_none());

    // The Agent App refuses: said, and the text is offered on the clipboard instead.
    sdk.set("putAnswer", &json!("error"));
    click(&find(
        &root,
        ".vs-glance [data-fact=page] .vs-glance-insert",
    ));
    until("the failure", || {
        feedback(&root).starts_with("Insert failed")
    })
    .await;
    let said = feedback(&root);
    assert!(
        said.contains("LiveChat's Agent App did not take the text (The chat is archived.)"),
        "{said}"
    );
    assert_eq!(sdk.put().len(), 2);
    assert_eq!(
        sdk.put()[1],
        "I can see you're on the page “Cart of c-ann”."
    );
}
