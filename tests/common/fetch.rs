//! A stand-in for `window.fetch`, so browser tests control the proxy's answers (status, body,
//! headers, and when they arrive) and can check what the widget sent.

use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Request, Response, ResponseInit};

/// One request the widget made.
#[derive(Debug, Clone)]
pub struct Call {
    pub method: String,
    pub url: String,
    pub if_none_match: Option<String>,
    pub authorization: Option<String>,
    pub signal: web_sys::AbortSignal,
}

/// A prepared answer.
pub fn reply(status: u16, body: &str, headers: &[(&str, &str)]) -> js_sys::Promise {
    js_sys::Promise::resolve(&response(status, body, headers))
}

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

type Responder = Box<dyn FnMut(&Call) -> js_sys::Promise>;

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
        let mut responder: Responder = Box::new(responder);
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
                let call = Call {
                    method: request.method(),
                    url: request.url(),
                    if_none_match: request.headers().get("If-None-Match").unwrap(),
                    authorization: request.headers().get("Authorization").unwrap(),
                    signal: request.signal(),
                };
                let answer = responder(&call);
                log.borrow_mut().push(call);
                answer
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

    /// The requests made so far whose URL contains `part`.
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
