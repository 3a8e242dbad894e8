//! A stand-in for the proxy inside the test page: `window.fetch` replaced by a closure that
//! records every request (method, URL, body) and answers from the test's routes. Answers can
//! be held back until the test releases them, to see a pending state. Dropping it puts the
//! browser's own fetch back.

#![allow(dead_code)]

use js_sys::{Array, Function, Object, Promise, Reflect};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// One request the widget sent.
#[derive(Debug, Clone)]
pub struct Call {
    pub method: String,
    /// Path and query, percent-decoded: `/api/livechat/visitors?group[]=102`.
    pub url: String,
    pub body: Option<String>,
}

impl Call {
    /// The body parsed as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(self.body.as_deref().unwrap_or("null")).expect("a JSON body")
    }
}

type Router = Box<dyn Fn(&Call) -> (u16, String)>;

#[derive(Default)]
struct Inner {
    calls: Vec<Call>,
    router: Option<Router>,
    hold: bool,
    held: Vec<Function>,
}

pub struct FakeProxy {
    inner: Rc<RefCell<Inner>>,
    original: JsValue,
    _fetch: Closure<dyn FnMut(JsValue) -> Promise>,
}

fn get(target: &JsValue, key: &str) -> JsValue {
    Reflect::get(target, &key.into()).unwrap_or(JsValue::UNDEFINED)
}

fn call0(target: &JsValue, method: &str) -> JsValue {
    get(target, method)
        .unchecked_into::<Function>()
        .call0(target)
        .expect("method call")
}

fn response(status: u16, body: &str) -> JsValue {
    let init = Object::new();
    Reflect::set(&init, &"status".into(), &status.into()).unwrap();
    let headers = Object::new();
    Reflect::set(&headers, &"Content-Type".into(), &"application/json".into()).unwrap();
    Reflect::set(&init, &"headers".into(), &headers).unwrap();
    let ctor: Function = get(&js_sys::global(), "Response").unchecked_into();
    let body: JsValue = if status == 304 {
        JsValue::NULL
    } else {
        body.into()
    };
    Reflect::construct(&ctor, &Array::of2(&body, &init)).expect("new Response")
}

impl FakeProxy {
    /// Replaces `window.fetch`; `route` answers each request with a status and a JSON body.
    pub fn start(route: impl Fn(&Call) -> (u16, String) + 'static) -> FakeProxy {
        let inner = Rc::new(RefCell::new(Inner {
            router: Some(Box::new(route)),
            ..Inner::default()
        }));
        let shared = inner.clone();
        let fetch = Closure::<dyn FnMut(JsValue) -> Promise>::new(move |request: JsValue| {
            let inner = shared.clone();
            wasm_bindgen_futures::future_to_promise(async move {
                let method = get(&request, "method").as_string().unwrap_or_default();
                let href = get(&request, "url").as_string().unwrap_or_default();
                let url = web_sys::Url::new(&href).expect("absolute request URL");
                let url = String::from(
                    js_sys::decode_uri(&format!("{}{}", url.pathname(), url.search())).unwrap(),
                );
                let body = if method == "GET" {
                    None
                } else {
                    JsFuture::from(call0(&request, "text").unchecked_into::<Promise>())
                        .await
                        .ok()
                        .and_then(|t| t.as_string())
                };
                let call = Call { method, url, body };
                let hold = {
                    let mut inner = inner.borrow_mut();
                    inner.calls.push(call.clone());
                    inner.hold && call.method != "GET"
                };
                if hold {
                    let gate =
                        Promise::new(&mut |resolve, _| inner.borrow_mut().held.push(resolve));
                    let _ = JsFuture::from(gate).await;
                }
                let (status, body) = {
                    let inner = inner.borrow();
                    (inner.router.as_ref().unwrap())(&call)
                };
                Ok(response(status, &body))
            })
        });
        let window = web_sys::window().unwrap();
        let original = get(&window, "fetch");
        Reflect::set(&window, &"fetch".into(), fetch.as_ref()).unwrap();
        FakeProxy {
            inner,
            original,
            _fetch: fetch,
        }
    }

    /// Answers from now on with `route`.
    pub fn route(&self, route: impl Fn(&Call) -> (u16, String) + 'static) {
        self.inner.borrow_mut().router = Some(Box::new(route));
    }

    /// Holds back the answers to non-GET requests until [`release`](Self::release).
    pub fn hold(&self, hold: bool) {
        self.inner.borrow_mut().hold = hold;
    }

    /// Lets the held answers go.
    pub fn release(&self) {
        let held = std::mem::take(&mut self.inner.borrow_mut().held);
        for resolve in held {
            let _ = resolve.call0(&JsValue::UNDEFINED);
        }
    }

    pub fn held(&self) -> usize {
        self.inner.borrow().held.len()
    }

    pub fn calls(&self) -> Vec<Call> {
        self.inner.borrow().calls.clone()
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
        self.inner
            .borrow()
            .calls
            .iter()
            .any(|c| c.method == "GET" && c.url == url)
    }
}

impl Drop for FakeProxy {
    fn drop(&mut self) {
        self.release();
        if let Some(window) = web_sys::window() {
            let _ = Reflect::set(&window, &"fetch".into(), &self.original);
        }
    }
}

/// A proxy error body.
pub fn error_body(code: &str, message: &str) -> String {
    serde_json::json!({"error": {"code": code, "message": message}}).to_string()
}

/// Fires a bubbling event of type `kind` at `target`.
pub fn fire(target: &web_sys::Element, kind: &str) {
    let init = Object::new();
    Reflect::set(&init, &"bubbles".into(), &true.into()).unwrap();
    let ctor: Function = get(&js_sys::global(), "Event").unchecked_into();
    let event = Reflect::construct(&ctor, &Array::of2(&kind.into(), &init)).unwrap();
    target.dispatch_event(event.unchecked_ref()).unwrap();
}

/// Types into an input as a user does: sets the value and fires `input`.
pub fn type_into(input: &web_sys::Element, value: &str) {
    Reflect::set(input, &"value".into(), &value.into()).unwrap();
    fire(input, "input");
}

/// Picks an option of a `<select>` and fires `change`.
pub fn choose(select: &web_sys::Element, value: &str) {
    Reflect::set(select, &"value".into(), &value.into()).unwrap();
    fire(select, "change");
}

/// Clicks an element.
pub fn click(element: &web_sys::Element) {
    element.unchecked_ref::<web_sys::HtmlElement>().click();
}

/// The first element matching `css`, or a panic naming it.
pub fn find(root: &web_sys::Element, css: &str) -> web_sys::Element {
    root.query_selector(css)
        .unwrap()
        .unwrap_or_else(|| panic!("no element matches {css}"))
}

/// The current value of an input.
pub fn value_of(input: &web_sys::Element) -> String {
    get(input, "value").as_string().unwrap_or_default()
}
