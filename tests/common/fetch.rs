//! Stand-ins for `window.fetch`, so browser tests control the proxy's answers (status, body,
//! headers, and when they arrive) and can check what the widget sent.
//!
//! - [`FetchStub`]: a responder closure returns each answer as a promise ([`reply`],
//!   [`deferred`], [`network_error`]); every request is recorded as a [`Call`].
//! - [`FakeProxy`]: routes that return `(status, JSON body)`, with answers to posts held back
//!   on demand to show a pending state.
//!
//! Dropping either puts the browser's own fetch back.

use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Request, Response, ResponseInit};

/// One request the widget made.
#[derive(Debug, Clone)]
pub struct Call {
    pub method: String,
    /// Path and query, percent-decoded: `/api/livechat/visitors?group[]=102`.
    pub url: String,
    /// The body of a POST (none for GETs).
    pub body: Option<String>,
    pub if_none_match: Option<String>,
    pub authorization: Option<String>,
    pub signal: web_sys::AbortSignal,
}

impl Call {
    /// The body parsed as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(self.body.as_deref().unwrap_or("null")).expect("a JSON body")
    }
}

/// A `Response` with a JSON content type and the given headers.
pub fn response(status: u16, body: &str, headers: &[(&str, &str)]) -> JsValue {
    let init = ResponseInit::new();
    init.set_status(status);
    let h = web_sys::Headers::new().unwrap();
    h.set("Content-Type", "application/json").unwrap();
    for (k, v) in headers {
        h.set(k, v).unwrap();
    }
    init.set_headers(&h);
    let body = (status != 304).then_some(body);
    Response::new_with_opt_str_and_init(body, &init)
        .unwrap()
        .into()
}

/// A prepared answer.
pub fn reply(status: u16, body: &str, headers: &[(&str, &str)]) -> js_sys::Promise {
    js_sys::Promise::resolve(&response(status, body, headers))
}

/// A network failure, as fetch reports it.
pub fn network_error() -> js_sys::Promise {
    js_sys::Promise::reject(&js_sys::TypeError::new("Failed to fetch").into())
}

/// An answer the test releases later: `(promise, release)`.
pub fn deferred() -> (js_sys::Promise, Rc<RefCell<Option<js_sys::Function>>>) {
    let slot: Rc<RefCell<Option<js_sys::Function>>> = Rc::default();
    let keep = slot.clone();
    let promise = js_sys::Promise::new(&mut |resolve, _| *keep.borrow_mut() = Some(resolve));
    (promise, slot)
}

/// A proxy error body.
pub fn error_body(code: &str, message: &str) -> String {
    serde_json::json!({"error": {"code": code, "message": message}}).to_string()
}

async fn read_call(request: Request) -> Call {
    let method = request.method();
    let href = request.url();
    let url = web_sys::Url::new(&href).expect("absolute request URL");
    let url =
        String::from(js_sys::decode_uri(&format!("{}{}", url.pathname(), url.search())).unwrap());
    let body = if method == "GET" {
        None
    } else {
        match request.text() {
            Ok(text) => JsFuture::from(text).await.ok().and_then(|t| t.as_string()),
            Err(_) => None,
        }
    };
    Call {
        method,
        url,
        body,
        if_none_match: request.headers().get("If-None-Match").unwrap(),
        authorization: request.headers().get("Authorization").unwrap(),
        signal: request.signal(),
    }
}

type Responder = Rc<RefCell<dyn FnMut(&Call) -> js_sys::Promise>>;

/// Replaces `window.fetch` until dropped.
pub struct FetchStub {
    pub calls: Rc<RefCell<Vec<Call>>>,
    original: JsValue,
    _closure: Closure<dyn FnMut(JsValue, JsValue) -> js_sys::Promise>,
}

impl FetchStub {
    pub fn new(responder: impl FnMut(&Call) -> js_sys::Promise + 'static) -> FetchStub {
        let window: JsValue = web_sys::window().unwrap().into();
        let original = js_sys::Reflect::get(&window, &"fetch".into()).unwrap();
        let calls: Rc<RefCell<Vec<Call>>> = Rc::default();
        let responder: Responder = Rc::new(RefCell::new(responder));
        let log = calls.clone();
        let closure = Closure::<dyn FnMut(JsValue, JsValue) -> js_sys::Promise>::new(
            move |input: JsValue, init: JsValue| {
                let request = match input.dyn_into::<Request>() {
                    Ok(request) => request,
                    Err(input) => Request::new_with_str_and_init(
                        &input.as_string().unwrap_or_default(),
                        init.unchecked_ref(),
                    )
                    .unwrap(),
                };
                let (responder, log) = (responder.clone(), log.clone());
                wasm_bindgen_futures::future_to_promise(async move {
                    let call = read_call(request).await;
                    let answer = (responder.borrow_mut())(&call);
                    log.borrow_mut().push(call);
                    JsFuture::from(answer).await
                })
            },
        );
        js_sys::Reflect::set(&window, &"fetch".into(), closure.as_ref()).unwrap();
        FetchStub {
            calls,
            original,
            _closure: closure,
        }
    }

    pub fn count(&self) -> usize {
        self.calls.borrow().len()
    }

    /// The requests made so far whose path or query contains `part`.
    pub fn calls_to(&self, part: &str) -> Vec<Call> {
        self.calls
            .borrow()
            .iter()
            .filter(|c| c.url.contains(part))
            .cloned()
            .collect()
    }
}

impl Drop for FetchStub {
    fn drop(&mut self) {
        let window: JsValue = web_sys::window().unwrap().into();
        js_sys::Reflect::set(&window, &"fetch".into(), &self.original).unwrap();
    }
}

type Router = Box<dyn Fn(&Call) -> (u16, String)>;

struct Routes {
    router: Router,
    hold: bool,
    /// Answers held back: the promise's resolve function and the response it will get.
    held: Vec<(js_sys::Function, JsValue)>,
}

/// The proxy as routes: each request is answered with a status and a JSON body.
pub struct FakeProxy {
    stub: FetchStub,
    routes: Rc<RefCell<Routes>>,
}

impl FakeProxy {
    /// Replaces `window.fetch`; `route` answers each request with a status and a JSON body.
    pub fn start(route: impl Fn(&Call) -> (u16, String) + 'static) -> FakeProxy {
        let routes = Rc::new(RefCell::new(Routes {
            router: Box::new(route),
            hold: false,
            held: Vec::new(),
        }));
        let shared = routes.clone();
        let stub = FetchStub::new(move |call| {
            let mut routes = shared.borrow_mut();
            let (status, body) = (routes.router)(call);
            let answer = response(status, &body, &[]);
            if routes.hold && call.method != "GET" {
                let (promise, release) = deferred();
                let resolve = release.borrow_mut().take().unwrap();
                routes.held.push((resolve, answer));
                promise
            } else {
                js_sys::Promise::resolve(&answer)
            }
        });
        FakeProxy { stub, routes }
    }

    /// Answers from now on with `route`.
    pub fn route(&self, route: impl Fn(&Call) -> (u16, String) + 'static) {
        self.routes.borrow_mut().router = Box::new(route);
    }

    /// Holds back the answers to non-GET requests until [`release`](Self::release).
    pub fn hold(&self, hold: bool) {
        self.routes.borrow_mut().hold = hold;
    }

    /// Lets the held answers go.
    pub fn release(&self) {
        let held = std::mem::take(&mut self.routes.borrow_mut().held);
        for (resolve, answer) in held {
            let _ = resolve.call1(&JsValue::UNDEFINED, &answer);
        }
    }

    pub fn held(&self) -> usize {
        self.routes.borrow().held.len()
    }

    pub fn calls(&self) -> Vec<Call> {
        self.stub.calls.borrow().clone()
    }

    /// The requests other than GETs (the posts).
    pub fn posts(&self) -> Vec<Call> {
        self.calls()
            .into_iter()
            .filter(|c| c.method != "GET")
            .collect()
    }

    /// Has a GET for exactly this path and query been sent?
    pub fn got(&self, url: &str) -> bool {
        self.stub
            .calls
            .borrow()
            .iter()
            .any(|c| c.method == "GET" && c.url == url)
    }
}

impl Drop for FakeProxy {
    fn drop(&mut self) {
        self.release();
    }
}
