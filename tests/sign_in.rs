//! Agents signing in, as the widget does it: the proxy's `/auth/config` read once (anonymous:
//! nobody is asked), the token sent on every request, requests waiting for it, the 401 → ask
//! once → retry flow with the data kept under "Sign-in expired", `getAccessToken` called again
//! once, `visitor-sidebar:token-expired` to the parent at its origin only, host tokens from
//! allowed origins only, 403/503 in their own words, and the company sign-in button and popup.
//! The proxy is a stand-in `fetch` that refuses unknown tokens as the real one does.

#![cfg(all(target_arch = "wasm32", feature = "livechat", feature = "liveperson"))]

mod common;

use common::fetch::{deferred, error_body, reply, Call, FetchStub};
use common::*;
use std::cell::RefCell;
use std::rc::Rc;
use visitor_sidebar::auth::popup::{read_answer, Company, Outcome};
use visitor_sidebar::auth::{AuthConfig, Mode, Refusal};
use visitor_sidebar::hooks::use_host_messages::accept_token;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const EXPIRED: &str = r#"Bearer realm="visitor-sidebar", error="invalid_token", error_description="The access token expired""#;
const INVALID: &str = r#"Bearer realm="visitor-sidebar", error="invalid_token", error_description="The access token is not valid""#;
const MISSING: &str = r#"Bearer realm="visitor-sidebar""#;
const ANONYMOUS: &str = r#"{"anonymous":true,"modes":[]}"#;

/// The proxy as the tests need it: its `/auth/config`, and the LiveChat list for the tokens it
/// accepts now (`None` in the list: no token needed); anything else is refused with 401 and the
/// challenge the real proxy sends.
struct Proxy {
    stub: FetchStub,
    accepted: Rc<RefCell<Vec<Option<String>>>>,
    /// What other requests get instead (403, 503…), when set.
    refusal: Rc<RefCell<Option<Answer>>>,
}

/// A status, a body and headers.
type Answer = (u16, String, Vec<(String, String)>);

impl Proxy {
    fn start(config: &str, accepted: &[Option<&str>]) -> Proxy {
        let config = config.to_owned();
        let accepted: Rc<RefCell<Vec<Option<String>>>> = Rc::new(RefCell::new(
            accepted.iter().map(|t| t.map(str::to_owned)).collect(),
        ));
        let refusal: Rc<RefCell<Option<Answer>>> = Rc::default();
        let (tokens, refuse) = (accepted.clone(), refusal.clone());
        let stub = FetchStub::new(move |call: &Call| {
            if call.url.ends_with("/auth/config") {
                return reply(200, &config, &[]);
            }
            if let Some((status, body, headers)) = &*refuse.borrow() {
                let headers: Vec<(&str, &str)> = headers
                    .iter()
                    .map(|(k, v)| (k.as_str(), v.as_str()))
                    .collect();
                return reply(*status, body, &headers);
            }
            let token = call
                .authorization
                .as_deref()
                .map(|a| a.trim_start_matches("Bearer ").to_owned());
            if !tokens.borrow().contains(&token) {
                let (challenge, message) = match token {
                    None => (
                        MISSING,
                        "Sign in: this API needs an Authorization: Bearer token.",
                    ),
                    Some(t) if t.starts_with("old-") => {
                        (EXPIRED, "The access token has expired; sign in again.")
                    }
                    Some(_) => (INVALID, "The access token is not valid."),
                };
                return reply(
                    401,
                    &error_body("unauthorized", message),
                    &[("WWW-Authenticate", challenge)],
                );
            }
            if call.url.contains("count=1") {
                reply(200, "1", &[])
            } else {
                reply(200, LIVECHAT_VISITORS, &[])
            }
        });
        Proxy {
            stub,
            accepted,
            refusal,
        }
    }

    /// From now on, the proxy accepts only these tokens.
    fn accept(&self, tokens: &[Option<&str>]) {
        *self.accepted.borrow_mut() = tokens.iter().map(|t| t.map(str::to_owned)).collect();
    }

    fn refuse(&self, status: u16, code: &str, message: &str, headers: &[(&str, &str)]) {
        *self.refusal.borrow_mut() = Some((
            status,
            error_body(code, message),
            headers
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        ));
    }

    /// The `Authorization` header of each request for visitor data, in order.
    fn visitor_auth(&self) -> Vec<Option<String>> {
        self.stub
            .calls_to("/livechat/visitors")
            .into_iter()
            .map(|c| c.authorization)
            .collect()
    }

    fn config_reads(&self) -> usize {
        self.stub.calls_to("/auth/config").len()
    }
}

fn options(json: &str) -> JsValue {
    js(json)
}

/// A host's `getAccessToken`: answers each call with the next of `answers` (a promise the test
/// may hold back), recording the `expired` flag it was called with.
struct HostCallback {
    function: js_sys::Function,
    calls: Rc<RefCell<Vec<bool>>>,
    _closure: Closure<dyn FnMut(JsValue) -> JsValue>,
}

fn host_callback(answers: Vec<js_sys::Promise>) -> HostCallback {
    let calls: Rc<RefCell<Vec<bool>>> = Rc::default();
    let answers = RefCell::new(answers.into_iter());
    let log = calls.clone();
    let closure = Closure::<dyn FnMut(JsValue) -> JsValue>::new(move |argument: JsValue| {
        let expired = js_sys::Reflect::get(&argument, &"expired".into())
            .ok()
            .and_then(|v| v.as_bool())
            .unwrap_or(false);
        log.borrow_mut().push(expired);
        answers
            .borrow_mut()
            .next()
            .map(JsValue::from)
            .unwrap_or_else(|| js_sys::Promise::reject(&"no more tokens".into()).into())
    });
    HostCallback {
        function: closure.as_ref().unchecked_ref::<js_sys::Function>().clone(),
        calls,
        _closure: closure,
    }
}

fn token(t: &str) -> js_sys::Promise {
    js_sys::Promise::resolve(&JsValue::from_str(t))
}

fn with_callback(json: &str, callback: &HostCallback) -> JsValue {
    let value = js(json);
    js_sys::Reflect::set(&value, &"getAccessToken".into(), &callback.function).unwrap();
    value
}

fn refresh(root: &web_sys::Element) {
    click(&find(root, ".vs-refresh"));
}

fn sign_in_button(root: &web_sys::Element) -> Option<web_sys::Element> {
    root.query_selector("button.vs-sign-in-button").unwrap()
}

/// The LiveChat list mounted with the host's `getAccessToken` `callback`, once it shows.
async fn list_signed_in_by(callback: &HostCallback) -> (web_sys::Element, common::Mounted) {
    let root = fresh_root();
    let handle = mount(
        &root,
        with_callback(
            r#"{"provider":"livechat","pollIntervalMs":60000}"#,
            callback,
        ),
    );
    until("the LiveChat list", || {
        text(&root).contains("United States")
    })
    .await;
    (root, handle)
}

#[wasm_bindgen_test]
async fn an_anonymous_proxy_asks_nobody_to_sign_in_and_is_asked_once() {
    let proxy = Proxy::start(ANONYMOUS, &[None]);
    let root = fresh_root();
    let _handle = mount(&root, options(r#"{"provider":"livechat"}"#));
    until("the LiveChat list", || {
        text(&root).contains("United States")
    })
    .await;
    refresh(&root);
    until("a second poll", || proxy.visitor_auth().len() >= 3).await;
    assert_eq!(
        proxy.config_reads(),
        1,
        "the sign-in settings are read once"
    );
    assert!(
        proxy.visitor_auth().iter().all(Option::is_none),
        "no Authorization is sent"
    );
    assert!(sign_in_button(&root).is_none());
    assert!(!text(&root).contains("Sign in"), "{}", text(&root));
}

#[wasm_bindgen_test]
async fn requests_wait_for_the_hosts_token_and_carry_it() {
    let proxy = Proxy::start(ANONYMOUS, &[Some("t-1")]);
    let (first, release) = deferred();
    let callback = host_callback(vec![first]);
    let root = fresh_root();
    let _handle = mount(
        &root,
        with_callback(r#"{"provider":"livechat"}"#, &callback),
    );
    until("the host is asked", || callback.calls.borrow().len() == 1).await;
    for _ in 0..10 {
        next_task().await;
    }
    assert!(
        proxy.stub.count() == 0,
        "nothing is sent before the token, not even /auth/config (the host gives tokens)"
    );
    assert!(text(&root).contains("Waiting for the console to sign you in"));
    let resolve = release.borrow_mut().take().unwrap();
    resolve.call1(&JsValue::UNDEFINED, &"t-1".into()).unwrap();
    until("the LiveChat list", || {
        text(&root).contains("United States")
    })
    .await;
    assert_eq!(proxy.visitor_auth()[0].as_deref(), Some("Bearer t-1"));
    assert_eq!(*callback.calls.borrow(), vec![false]);
    assert_eq!(proxy.config_reads(), 0);
}

#[wasm_bindgen_test]
async fn an_expired_token_keeps_the_data_asks_the_callback_once_and_retries_with_the_new_one() {
    let proxy = Proxy::start(ANONYMOUS, &[Some("old-1")]);
    let (second, release) = deferred();
    let callback = host_callback(vec![token("old-1"), second]);
    let (root, _handle) = list_signed_in_by(&callback).await;

    // The proxy stops accepting the token; the next poll is refused as expired.
    proxy.accept(&[Some("new-2")]);
    refresh(&root);
    until("Sign-in expired", || {
        text(&root).contains("Sign-in expired")
    })
    .await;
    assert!(
        text(&root).contains("United States"),
        "the data stays on screen: {}",
        text(&root)
    );
    until("the host asked again", || {
        callback.calls.borrow().len() == 2
    })
    .await;
    assert_eq!(
        *callback.calls.borrow(),
        vec![false, true],
        "asked again once, told it expired"
    );
    let refused = proxy.visitor_auth().len();
    for _ in 0..10 {
        next_task().await;
        settle().await;
    }
    assert_eq!(
        proxy.visitor_auth().len(),
        refused,
        "the refused token is not sent again while the new one is awaited"
    );

    let resolve = release.borrow_mut().take().unwrap();
    resolve.call1(&JsValue::UNDEFINED, &"new-2".into()).unwrap();
    until("the retry with the new token", || {
        proxy.visitor_auth().last().cloned().flatten().as_deref() == Some("Bearer new-2")
    })
    .await;
    until("the notice goes", || {
        !text(&root).contains("Sign-in expired")
    })
    .await;
    assert!(text(&root).contains("United States"));
    assert_eq!(callback.calls.borrow().len(), 2);
}

#[wasm_bindgen_test]
async fn a_new_token_that_comes_before_the_refused_poll_has_settled_is_used_at_once() {
    let proxy = Proxy::start(ANONYMOUS, &[Some("old-1")]);
    // The host answers at once (a cached or quickly minted token): the new token is set while
    // the refused answer is still being read.
    let callback = host_callback(vec![token("old-1"), token("new-2")]);
    let (root, _handle) = list_signed_in_by(&callback).await;
    proxy.accept(&[Some("new-2")]);
    refresh(&root);
    until("the retry with the new token", || {
        proxy.visitor_auth().last().cloned().flatten().as_deref() == Some("Bearer new-2")
    })
    .await;
    until("no notice", || !text(&root).contains("Sign-in expired")).await;
}

#[wasm_bindgen_test]
async fn a_new_token_refused_too_is_not_asked_about_again() {
    let proxy = Proxy::start(ANONYMOUS, &[]);
    let callback = host_callback(vec![token("bad-1"), token("bad-2"), token("bad-3")]);
    let root = fresh_root();
    let _handle = mount(
        &root,
        with_callback(r#"{"provider":"livechat","pollIntervalMs":500}"#, &callback),
    );
    until("the sidebar gives up", || {
        text(&root).contains("not accepted either")
    })
    .await;
    let sent = proxy.visitor_auth().len();
    // Long enough for several polls at 500 ms, counted in event-loop turns, not time.
    for _ in 0..50 {
        next_task().await;
        settle().await;
    }
    assert_eq!(
        *callback.calls.borrow(),
        vec![false, true],
        "the start, then once more"
    );
    assert_eq!(
        proxy.visitor_auth().len(),
        sent,
        "no request with a refused token"
    );
    assert!(!text(&root).contains("United States"));
}

/// Replaces `window.postMessage` (the test page is its own parent) with a recorder.
struct PostedToParent {
    posted: Rc<RefCell<Vec<(JsValue, String)>>>,
    original: JsValue,
    _closure: Closure<dyn FnMut(JsValue, JsValue)>,
}

impl PostedToParent {
    fn record() -> PostedToParent {
        let window: JsValue = web_sys::window().unwrap().into();
        let original = js_sys::Reflect::get(&window, &"postMessage".into()).unwrap();
        let posted: Rc<RefCell<Vec<(JsValue, String)>>> = Rc::default();
        let log = posted.clone();
        let closure = Closure::<dyn FnMut(JsValue, JsValue)>::new(move |data, target: JsValue| {
            log.borrow_mut()
                .push((data, target.as_string().unwrap_or_default()));
        });
        js_sys::Reflect::set(&window, &"postMessage".into(), closure.as_ref()).unwrap();
        PostedToParent {
            posted,
            original,
            _closure: closure,
        }
    }

    fn token_expired_targets(&self) -> Vec<String> {
        self.posted
            .borrow()
            .iter()
            .filter(|(data, _)| {
                js_sys::Reflect::get(data, &"type".into())
                    .ok()
                    .and_then(|t| t.as_string())
                    .as_deref()
                    == Some("visitor-sidebar:token-expired")
            })
            .map(|(_, target)| target.clone())
            .collect()
    }
}

impl Drop for PostedToParent {
    fn drop(&mut self) {
        let window: JsValue = web_sys::window().unwrap().into();
        js_sys::Reflect::set(&window, &"postMessage".into(), &self.original).unwrap();
    }
}

/// A message from the embedding page (the test page is its own parent).
fn host_message(data: &str, origin: &str) {
    let window = web_sys::window().unwrap();
    let init = web_sys::MessageEventInit::new();
    init.set_data(&js(data));
    init.set_origin(origin);
    init.set_source(Some(&window));
    let event = web_sys::MessageEvent::new_with_event_init_dict("message", &init).unwrap();
    web_sys::window().unwrap().dispatch_event(&event).unwrap();
}

#[wasm_bindgen_test]
async fn the_parent_is_asked_at_its_origin_only_and_its_token_is_taken_from_allowed_origins_only() {
    let posted = PostedToParent::record();
    let proxy = Proxy::start(
        r#"{"anonymous":false,"modes":[{"type":"host"}]}"#,
        &[Some("host-1")],
    );
    let root = fresh_root();
    let _handle = mount(
        &root,
        options(
            r#"{"provider":"livechat","pollIntervalMs":60000,
                "allowedOrigins":["https://console.example.com","https://other.example.com"]}"#,
        ),
    );
    until("the parent is asked", || {
        !posted.token_expired_targets().is_empty()
    })
    .await;
    assert_eq!(
        posted.token_expired_targets(),
        vec!["https://console.example.com", "https://other.example.com"],
        "aimed at each allowed origin, never \"*\""
    );
    until("the waiting notice", || {
        text(&root).contains("Waiting for the console to sign you in")
    })
    .await;

    // A token from anywhere else is not taken.
    host_message(
        r#"{"type":"visitor-sidebar:auth","token":"host-1"}"#,
        "https://evil.example.com",
    );
    for _ in 0..10 {
        next_task().await;
        settle().await;
    }
    assert!(
        proxy.visitor_auth().is_empty(),
        "{:?}",
        proxy.visitor_auth()
    );

    host_message(
        r#"{"type":"visitor-sidebar:auth","token":"host-1"}"#,
        "https://console.example.com",
    );
    until("the LiveChat list", || {
        text(&root).contains("United States")
    })
    .await;
    assert!(proxy
        .visitor_auth()
        .iter()
        .all(|a| a.as_deref() == Some("Bearer host-1")));

    // Expired: the parent that gave the token is asked again, at its origin alone.
    posted.posted.borrow_mut().clear();
    proxy.accept(&[Some("host-2")]);
    refresh(&root);
    until("the parent is asked again", || {
        !posted.token_expired_targets().is_empty()
    })
    .await;
    assert_eq!(
        posted.token_expired_targets(),
        vec!["https://console.example.com"]
    );
    until("Sign-in expired", || {
        text(&root).contains("Sign-in expired")
    })
    .await;
    assert!(text(&root).contains("United States"), "the data stays");

    host_message(
        r#"{"type":"visitor-sidebar:auth","token":"host-2"}"#,
        "https://console.example.com",
    );
    until("the retry with the new token", || {
        proxy.visitor_auth().last().cloned().flatten().as_deref() == Some("Bearer host-2")
    })
    .await;
    until("the notice goes", || {
        !text(&root).contains("Sign-in expired")
    })
    .await;
}

#[wasm_bindgen_test]
fn host_tokens_are_read_from_allowed_origins_and_well_formed_messages_only() {
    let allowed = vec!["https://console.example.com".to_owned()];
    let auth = js(r#"{"type":"visitor-sidebar:auth","token":" t-1 "}"#);
    assert_eq!(
        accept_token("https://console.example.com", &auth, &allowed).as_deref(),
        Some("t-1")
    );
    assert!(accept_token("https://evil.example.com", &auth, &allowed).is_none());
    assert!(accept_token("https://console.example.com", &auth, &["*".into()]).is_none());
    assert!(accept_token("https://console.example.com", &auth, &[]).is_none());
    for bad in [
        r#"{"type":"visitor-sidebar:auth","token":""}"#,
        r#"{"type":"visitor-sidebar:auth","token":42}"#,
        r#"{"type":"visitor-sidebar:auth"}"#,
        r#"{"type":"visitor-sidebar:show","token":"t-1"}"#,
    ] {
        assert!(
            accept_token("https://console.example.com", &js(bad), &allowed).is_none(),
            "{bad}"
        );
    }
}

#[wasm_bindgen_test]
async fn forbidden_and_an_unavailable_sign_in_service_have_their_own_words_and_ask_nobody() {
    let proxy = Proxy::start(ANONYMOUS, &[Some("t-1")]);
    let callback = host_callback(vec![token("t-1"), token("t-2")]);
    let (root, _handle) = list_signed_in_by(&callback).await;

    proxy.refuse(
        503,
        "auth_unavailable",
        "LiveChat's accounts server could not be asked.",
        &[("Retry-After", "5")],
    );
    refresh(&root);
    until("the outage", || {
        text(&root).contains("The sign-in service is not answering")
    })
    .await;
    assert!(
        text(&root).contains("Stale"),
        "kept as stale: {}",
        text(&root)
    );

    proxy.refuse(
        403,
        "forbidden",
        "This LiveChat token belongs to another organization.",
        &[],
    );
    refresh(&root);
    until("the refusal", || {
        text(&root).contains("Your sign-in is valid, but not for this sidebar's account.")
    })
    .await;
    assert!(text(&root).contains("United States"), "the data stays");
    assert_eq!(
        callback.calls.borrow().len(),
        1,
        "neither asks for another token"
    );
}

const COMPANY: &str = r#"{"anonymous":false,"modes":[
    {"type":"unknown-future-mode","x":1},
    {"type":"oidc","login_url":"LOGIN","message_origin":"ORIGIN"}]}"#;

fn company_config() -> String {
    let origin = web_sys::window().unwrap().location().origin().unwrap();
    COMPANY
        .replace("LOGIN", &format!("{origin}/no-such-login-page"))
        .replace("ORIGIN", &origin)
}

/// Stands in for `window.open` (the test page's own headers would cut a real popup off from
/// it): records the address, and gives a window-like object whose `closed` the test sets. The
/// popup's real answer is tested end to end (`e2e/tests/sign_in.rs`).
struct FakeOpen {
    original: JsValue,
}

impl FakeOpen {
    fn install() -> FakeOpen {
        FakeOpen::with(
            "window.__vsOpened = url; \
             return window.__vsPopup = { closed: false, close() { this.closed = true; } };",
        )
    }

    /// `window.open` replaced by a function of `(url, name, features)` with this body, until
    /// dropped.
    fn with(body: &str) -> FakeOpen {
        let window: JsValue = web_sys::window().unwrap().into();
        let original = js_sys::Reflect::get(&window, &"open".into()).unwrap();
        let fake = js_sys::Function::new_with_args("url, name, features", body);
        js_sys::Reflect::set(&window, &"open".into(), &fake).unwrap();
        FakeOpen { original }
    }

    fn global(name: &str) -> JsValue {
        let window: JsValue = web_sys::window().unwrap().into();
        js_sys::Reflect::get(&window, &name.into()).unwrap()
    }

    fn url(&self) -> Option<String> {
        FakeOpen::global("__vsOpened").as_string()
    }

    fn close_popup(&self) {
        js_sys::Reflect::set(
            &FakeOpen::global("__vsPopup"),
            &"closed".into(),
            &true.into(),
        )
        .unwrap();
    }
}

impl Drop for FakeOpen {
    fn drop(&mut self) {
        let window: JsValue = web_sys::window().unwrap().into();
        js_sys::Reflect::set(&window, &"open".into(), &self.original).unwrap();
    }
}

#[wasm_bindgen_test]
async fn company_sign_in_shows_a_button_and_no_data_then_believes_only_its_popup() {
    let proxy = Proxy::start(&company_config(), &[Some("company-1")]);
    let root = fresh_root();
    let _handle = mount(&root, options(r#"{"provider":"livechat"}"#));
    until("the Sign in button", || sign_in_button(&root).is_some()).await;
    let button = sign_in_button(&root).unwrap();
    assert_eq!(button.tag_name(), "BUTTON");
    assert_eq!(button.get_attribute("type").as_deref(), Some("button"));
    assert_eq!(text(&button), "Sign in");
    assert!(text(&root).contains("Visitor details are shown to signed-in agents only."));
    assert!(proxy.visitor_auth().is_empty(), "no visitor request");
    assert!(root.query_selector(".vs-skeleton").unwrap().is_none());

    let opened = FakeOpen::install();
    click(&button);
    until("Finish signing in", || {
        text(&root).contains("Finish signing in in the window that opened.")
    })
    .await;
    let origin = web_sys::window().unwrap().location().origin().unwrap();
    let url = opened.url().unwrap();
    let prefix = format!(
        "{origin}/no-such-login-page?origin={}&nonce=",
        String::from(js_sys::encode_uri_component(&origin))
    );
    assert!(
        url.starts_with(&prefix),
        "the popup names this page's origin: {url}"
    );
    let nonce = &url[prefix.len()..];
    assert!(
        nonce.len() == 32 && nonce.bytes().all(|b| b.is_ascii_hexdigit()),
        "and a fresh nonce: {nonce}"
    );

    // From the right origin, with the right nonce, but not from the popup (this page itself):
    // ignored.
    web_sys::window()
        .unwrap()
        .post_message(
            &js(&format!(
                r#"{{"type":"visitor-sidebar:sign-in","nonce":"{nonce}","token":"company-1","expiresAt":1}}"#
            )),
            &origin,
        )
        .unwrap();
    for _ in 0..10 {
        next_task().await;
        settle().await;
    }
    assert!(
        proxy.visitor_auth().is_empty(),
        "a message not from the popup is ignored"
    );
    assert!(text(&root).contains("Finish signing in"));

    // Closing the popup is noticed.
    opened.close_popup();
    until("the closed popup", || {
        text(&root).contains("The sign-in window was closed before you signed in.")
    })
    .await;
    assert!(sign_in_button(&root).is_some(), "the agent can try again");
}

/// Stands in for `window.open` with a real window: an `about:blank` frame of this page's
/// origin, whose `contentWindow` is the "popup" the widget gets, so messages it posts have it as
/// their `event.source` as a real popup's would.
struct FramedPopup {
    _open: FakeOpen,
}

impl FramedPopup {
    fn install() -> FramedPopup {
        FramedPopup {
            _open: FakeOpen::with(
                "const frame = document.createElement('iframe'); document.body.appendChild(frame); \
                 window.__vsOpened = url; window.__vsFrame = frame; return frame.contentWindow;",
            ),
        }
    }

    fn url(&self) -> Option<String> {
        FakeOpen::global("__vsOpened").as_string()
    }

    /// Posts `data` to this page from inside the popup (a function of the frame's own realm, so
    /// the frame is the message's source), aimed at `origin`.
    fn post(&self, data: &str, origin: &str) {
        js_sys::Function::new_with_args(
            "data, origin",
            "window.__vsFrame.contentWindow.Function('data', 'origin', 'parent.postMessage(JSON.parse(data), origin)')(data, origin);",
        )
        .call2(&JsValue::NULL, &data.into(), &origin.into())
        .unwrap();
    }
}

impl Drop for FramedPopup {
    fn drop(&mut self) {
        if let Ok(frame) = FakeOpen::global("__vsFrame").dyn_into::<web_sys::Element>() {
            frame.remove();
        }
    }
}

#[wasm_bindgen_test]
async fn the_company_sign_in_believes_only_the_answer_with_its_own_popups_nonce() {
    let proxy = Proxy::start(&company_config(), &[Some("company-1")]);
    let root = fresh_root();
    let _handle = mount(&root, options(r#"{"provider":"livechat"}"#));
    until("the Sign in button", || sign_in_button(&root).is_some()).await;
    let popup = FramedPopup::install();
    click(&sign_in_button(&root).unwrap());
    until("Finish signing in", || {
        text(&root).contains("Finish signing in in the window that opened.")
    })
    .await;
    let url = popup.url().unwrap();
    let nonce = url.split("&nonce=").nth(1).unwrap().to_owned();
    let origin = web_sys::window().unwrap().location().origin().unwrap();

    // From the popup, of the right origin, but a sign-in someone else started (another nonce),
    // one without a nonce, and the host's message type: none is believed.
    for forged in [
        r#"{"type":"visitor-sidebar:sign-in","nonce":"00000000000000000000000000000000","token":"company-1","expiresAt":1}"#.to_owned(),
        r#"{"type":"visitor-sidebar:sign-in","token":"company-1","expiresAt":1}"#.to_owned(),
        format!(r#"{{"type":"visitor-sidebar:auth","nonce":"{nonce}","token":"company-1"}}"#),
        format!(r#"{{"type":"visitor-sidebar:sign-in-error","nonce":"{nonce}x","message":"Forged."}}"#),
    ] {
        popup.post(&forged, &origin);
        for _ in 0..10 {
            next_task().await;
            settle().await;
        }
        assert!(proxy.visitor_auth().is_empty(), "believed {forged}");
        assert!(text(&root).contains("Finish signing in"), "after {forged}");
    }

    // Its own popup's answer is.
    popup.post(
        &format!(
            r#"{{"type":"visitor-sidebar:sign-in","nonce":"{nonce}","token":"company-1","expiresAt":1}}"#
        ),
        &origin,
    );
    until("the LiveChat list", || {
        text(&root).contains("United States")
    })
    .await;
    assert!(proxy
        .visitor_auth()
        .iter()
        .all(|a| a.as_deref() == Some("Bearer company-1")));
}

#[wasm_bindgen_test]
async fn a_blocked_popup_is_explained() {
    let _proxy = Proxy::start(&company_config(), &[]);
    let window: JsValue = web_sys::window().unwrap().into();
    let original = js_sys::Reflect::get(&window, &"open".into()).unwrap();
    let blocked = js_sys::Function::new_no_args("return null;");
    js_sys::Reflect::set(&window, &"open".into(), &blocked).unwrap();
    let root = fresh_root();
    let _handle = mount(&root, options(r#"{"provider":"livechat"}"#));
    until("the Sign in button", || sign_in_button(&root).is_some()).await;
    click(&sign_in_button(&root).unwrap());
    settle().await;
    js_sys::Reflect::set(&window, &"open".into(), &original).unwrap();
    until("the explanation", || {
        text(&root).contains("The browser blocked the sign-in window")
    })
    .await;
}

#[wasm_bindgen_test]
fn the_proxys_settings_are_read_leniently() {
    let config = AuthConfig::from_js(&js(r#"{"anonymous":false,"modes":[
        {"type":"livechat","client_id":"c-1"},
        {"type":"livechat","client_id":"c-2","accounts_url":"https://accounts.example.com/path"},
        {"type":"host"},
        {"type":"oidc","login_url":"javascript:alert(1)","message_origin":"https://a.example"},
        {"type":"oidc","login_url":"https://a.example/api/auth/login","message_origin":"https://a.example/x"},
        {"type":"oidc","login_url":"https://a.example/api/auth/login","message_origin":"https://a.example"},
        {"type":"saml"}, 7]}"#))
    .expect("the proxy's settings");
    assert!(!config.anonymous);
    assert_eq!(
        config.modes,
        vec![
            Mode::LiveChat {
                client_id: "c-1".into(),
                accounts_url: "https://accounts.livechat.com".into()
            },
            Mode::Host,
            Mode::Company {
                login_url: "https://a.example/api/auth/login".into(),
                message_origin: "https://a.example".into()
            },
        ],
        "no path in an origin, no script URL, unknown types left out"
    );
    assert_eq!(AuthConfig::from_js(&js(r#"{"visitors":[]}"#)), None);
    assert_eq!(AuthConfig::from_js(&js("null")), None);
    assert_eq!(
        AuthConfig::from_js(&js(r#"{"anonymous":true,"modes":"none"}"#)),
        Some(AuthConfig {
            anonymous: true,
            modes: vec![]
        })
    );

    assert_eq!(Refusal::from_challenge(Some(EXPIRED)), Refusal::Expired);
    assert_eq!(Refusal::from_challenge(Some(INVALID)), Refusal::Invalid);
    assert_eq!(Refusal::from_challenge(Some(MISSING)), Refusal::Missing);
    assert_eq!(Refusal::from_challenge(None), Refusal::Missing);

    let company = Company {
        login_url: "https://a.example/api/auth/login".into(),
        message_origin: "https://a.example".into(),
    };
    assert_eq!(
        company.popup_url("https://console.example.com:8443", "n0nce"),
        "https://a.example/api/auth/login?origin=https%3A%2F%2Fconsole.example.com%3A8443&nonce=n0nce"
    );
    const N: &str = "5f0c2b9e8a7d41c3b6e2f19a0d4c7e85";
    assert_eq!(
        read_answer(
            &js(&format!(
                r#"{{"type":"visitor-sidebar:sign-in","nonce":"{N}","token":"t","expiresAt":1}}"#
            )),
            N
        ),
        Some(Outcome::Token("t".into()))
    );
    assert_eq!(
        read_answer(
            &js(&format!(
                r#"{{"type":"visitor-sidebar:sign-in-error","nonce":"{N}","code":"unauthorized","message":"The provider said no."}}"#
            )),
            N
        ),
        Some(Outcome::Refused("The provider said no.".into()))
    );
    for other in [
        format!(r#"{{"type":"visitor-sidebar:sign-in","nonce":"{N}"}}"#),
        r#"{"type":"visitor-sidebar:sign-in","nonce":"other","token":"t"}"#.to_owned(),
        r#"{"type":"visitor-sidebar:sign-in","token":"t"}"#.to_owned(),
        format!(r#"{{"type":"visitor-sidebar:auth","nonce":"{N}","token":"t"}}"#),
        format!(r#"{{"type":"other","nonce":"{N}","token":"t"}}"#),
    ] {
        assert_eq!(read_answer(&js(&other), N), None, "{other}");
    }
    let (a, b) = (
        visitor_sidebar::auth::popup::fresh_nonce().unwrap(),
        visitor_sidebar::auth::popup::fresh_nonce().unwrap(),
    );
    assert!(a.len() == 32 && a != b, "fresh every time: {a} {b}");
}

#[wasm_bindgen_test]
fn get_access_token_must_be_a_function() {
    let root = fresh_root();
    let error = visitor_sidebar::mount(
        root.clone(),
        js(r#"{"provider":"livechat","getAccessToken":"token"}"#),
    )
    .err()
    .expect("refused");
    let message = js_sys::Error::from(JsValue::from(error)).message();
    assert!(String::from(message).contains("getAccessToken must be a function"));
}
