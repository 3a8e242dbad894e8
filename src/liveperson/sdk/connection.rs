//! Talking to LivePerson's Agent Workspace Widget SDK (`lpTag.agentSDK`, from
//! `client-SDK.min.js`), as LivePerson documents it
//! (developers.liveperson.com/agent-workspace-widget-sdk-methods.html):
//!
//! - `init(options)` once, before anything else: the handshake with the Agent Workspace;
//! - `bind(path, onUpdate, onNotify)`: `onUpdate({key, newValue})` with the value there is at
//!   once (if any) and after every change, always the whole value; `onNotify(err)` when the bind
//!   completed (no `err`) or failed;
//! - `unbind(path, onUpdate, onNotify)`: with the very callback given to `bind`;
//! - `get(path, onSuccess, onError)`: the current value (`null` when there is none).
//!
//! A [`Connection`] binds the paths and keeps its callbacks alive until it is dropped, which
//! unbinds every one of them first (the SDK would otherwise call a freed callback).

use super::state::Action;
use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use yew::Callback;

#[wasm_bindgen]
extern "C" {
    /// `lpTag.agentSDK`.
    #[derive(Clone)]
    pub type AgentSdk;

    #[wasm_bindgen(method, catch)]
    fn init(this: &AgentSdk, options: &JsValue) -> Result<(), JsValue>;

    #[wasm_bindgen(method, catch)]
    fn bind(
        this: &AgentSdk,
        path: &str,
        on_update: &JsValue,
        on_notify: &JsValue,
    ) -> Result<(), JsValue>;

    #[wasm_bindgen(method, catch)]
    fn unbind(
        this: &AgentSdk,
        path: &str,
        on_update: &JsValue,
        on_notify: &JsValue,
    ) -> Result<(), JsValue>;

    #[wasm_bindgen(method, catch)]
    fn get(
        this: &AgentSdk,
        path: &str,
        on_success: &JsValue,
        on_error: &JsValue,
    ) -> Result<(), JsValue>;

    #[wasm_bindgen(method, catch)]
    fn command(
        this: &AgentSdk,
        name: &JsValue,
        data: &JsValue,
        callback: &JsValue,
    ) -> Result<(), JsValue>;
}

impl AgentSdk {
    /// `command(cmdNames.write, {text}, callback)`: writes `text` into the agent's message box
    /// ("Write ChatLine"); the promise settles when the callback reports (an error rejects).
    pub fn write(&self, text: &str) -> js_sys::Promise {
        let name = property(self, "cmdNames")
            .and_then(|names| property(&names, "write"))
            .unwrap_or_else(|| JsValue::from_str("Write ChatLine"));
        let data = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&data, &"text".into(), &text.into());
        let sdk = self.clone();
        js_sys::Promise::new(&mut |resolve, reject| {
            let failed = reject.clone();
            let callback = Closure::once_into_js(move |error: JsValue| {
                if error.is_null() || error.is_undefined() || error == JsValue::FALSE {
                    let _ = resolve.call0(&JsValue::NULL);
                } else {
                    let _ = reject.call1(&JsValue::NULL, &JsValue::from_str(&error_text(&error)));
                }
            });
            if let Err(e) = sdk.command(&name, &data, &callback) {
                let _ = failed.call1(&JsValue::NULL, &JsValue::from_str(&error_text(&e)));
            }
        })
    }
}

fn property(target: &JsValue, name: &str) -> Option<JsValue> {
    js_sys::Reflect::get(target, &JsValue::from_str(name))
        .ok()
        .filter(|v| !v.is_null() && !v.is_undefined())
}

/// `window.lpTag.agentSDK`, when a script defined it (with `bind`, the method everything here
/// needs).
pub fn find() -> Option<AgentSdk> {
    let window: JsValue = web_sys::window()?.into();
    let sdk = property(&property(&window, "lpTag")?, "agentSDK")?;
    property(&sdk, "bind")
        .filter(JsValue::is_function)
        .map(|_| sdk.unchecked_into())
}

/// An error the SDK reports, as a short sentence (it may be a string, an `Error` or any value).
pub fn error_text(error: &JsValue) -> String {
    let text = error
        .as_string()
        .or_else(|| property(error, "message").and_then(|m| m.as_string()))
        .or_else(|| js_sys::JSON::stringify(error).ok().map(String::from))
        .unwrap_or_else(|| "an unknown error".into());
    text.chars().take(300).collect()
}

type Callback1 = Closure<dyn FnMut(JsValue)>;

/// One bound path and the callbacks the SDK holds for it.
struct Binding {
    path: String,
    on_update: Callback1,
    on_notify: Callback1,
    on_got: Callback1,
    on_get_failed: Callback1,
    /// The rounds of `get` asked for this path and not answered yet, oldest first (the SDK
    /// answers each `get` once, in order).
    asked: Rc<RefCell<VecDeque<u32>>>,
}

/// The SDK, initialised, with every path bound.
pub struct Connection {
    /// The SDK itself, for its commands.
    pub sdk: AgentSdk,
    bindings: Vec<Binding>,
}

impl Connection {
    /// Calls `init({})` and binds each path; the callbacks report to `report`.
    pub fn open(
        sdk: AgentSdk,
        paths: &[String],
        report: Callback<Action>,
    ) -> Result<Connection, String> {
        sdk.init(&js_sys::Object::new()).map_err(|e| {
            format!(
                "LivePerson's Agent Workspace SDK failed to start: {}",
                error_text(&e)
            )
        })?;
        let mut connection = Connection {
            sdk,
            bindings: Vec::with_capacity(paths.len()),
        };
        for path in paths {
            let binding = Binding::new(path, &report);
            // A refusal here is as good as one through onNotify.
            if let Err(e) =
                connection
                    .sdk
                    .bind(path, binding.on_update.as_ref(), binding.on_notify.as_ref())
            {
                report.emit(Action::Done {
                    error: Some(error_text(&e)),
                });
            }
            connection.bindings.push(binding);
        }
        Ok(connection)
    }

    /// How many paths are bound.
    pub fn len(&self) -> usize {
        self.bindings.len()
    }

    /// Asks again for every path but `except` (what the new conversation sent already), as round
    /// `generation`.
    pub fn refresh(&self, generation: u32, except: &[String]) {
        for binding in self.bindings.iter().filter(|b| !except.contains(&b.path)) {
            binding.asked.borrow_mut().push_back(generation);
            let asked = self.sdk.get(
                &binding.path,
                binding.on_got.as_ref(),
                binding.on_get_failed.as_ref(),
            );
            if asked.is_err() {
                binding.asked.borrow_mut().pop_back();
            }
        }
    }
}

impl Binding {
    fn new(path: &str, report: &Callback<Action>) -> Binding {
        let asked: Rc<RefCell<VecDeque<u32>>> = Rc::default();
        let on_update = {
            let (path, report) = (path.to_owned(), report.clone());
            Closure::new(move |data: JsValue| {
                // The key the SDK names, when it is this path or one under it (a parent path can
                // be reported child by child); else the path bound.
                let key = property(&data, "key")
                    .and_then(|k| k.as_string())
                    .filter(|k| super::bound::covers(&path, k))
                    .unwrap_or_else(|| path.clone());
                let value = property(&data, "newValue").unwrap_or(JsValue::NULL);
                report.emit(Action::Update { key, value });
            })
        };
        let on_notify = {
            let report = report.clone();
            Closure::new(move |error: JsValue| {
                let error = (!error.is_null() && !error.is_undefined() && error != JsValue::FALSE)
                    .then(|| error_text(&error));
                report.emit(Action::Done { error });
            })
        };
        let answer = |failed: bool| {
            let (path, report, asked) = (path.to_owned(), report.clone(), asked.clone());
            Closure::new(move |value: JsValue| {
                let Some(generation) = asked.borrow_mut().pop_front() else {
                    return;
                };
                // A path with no data yet is an error for `get`: nothing to show.
                let value = if failed { JsValue::NULL } else { value };
                report.emit(Action::Got {
                    key: path.clone(),
                    value,
                    generation,
                });
            })
        };
        Binding {
            path: path.to_owned(),
            on_update,
            on_notify,
            on_got: answer(false),
            on_get_failed: answer(true),
            asked,
        }
    }
}

impl Drop for Connection {
    fn drop(&mut self) {
        for binding in &self.bindings {
            // Its onNotify is optional; none is given, as this connection is going away.
            let _ = self.sdk.unbind(
                &binding.path,
                binding.on_update.as_ref(),
                &JsValue::UNDEFINED,
            );
        }
    }
}
