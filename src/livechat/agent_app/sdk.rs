//! The thin binding to LiveChat's `@livechat/agent-app-sdk` (its UMD build sets
//! `globalThis.LiveChat`): load the script once, `createDetailsWidget()` once per SDK on the page,
//! and the details widget's `on`/`off`, `getCustomerProfile()`, `getTheme()` and `putMessage()`. The SDK's
//! postMessage protocol (the handshake, `plugin_inited`, the `livechat:` events) is the SDK's own
//! business; nothing of it is re-implemented here.

use crate::console::load_script;
use std::cell::RefCell;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// Where the SDK's UMD build is, relative to the page: Trunk copies
/// `tools/node_modules/@livechat/agent-app-sdk/dist/agentapp.umd.min.js` into `dist/`.
pub const SDK_URL: &str = "agentapp.umd.min.js";

#[wasm_bindgen]
extern "C" {
    /// A details widget, as `createDetailsWidget()` resolves it.
    #[derive(Debug, Clone)]
    pub type DetailsWidget;

    #[wasm_bindgen(method, catch)]
    fn on(this: &DetailsWidget, event: &str, handler: &js_sys::Function) -> Result<(), JsValue>;

    #[wasm_bindgen(method, catch)]
    fn off(this: &DetailsWidget, event: &str, handler: &js_sys::Function) -> Result<(), JsValue>;

    #[wasm_bindgen(method, catch, js_name = getCustomerProfile)]
    fn get_customer_profile(this: &DetailsWidget) -> Result<JsValue, JsValue>;

    #[wasm_bindgen(method, catch, js_name = getTheme)]
    fn get_theme(this: &DetailsWidget) -> Result<JsValue, JsValue>;

    #[wasm_bindgen(method, catch, js_name = putMessage)]
    fn put_message_raw(this: &DetailsWidget, text: &str) -> Result<JsValue, JsValue>;
}

/// Why there is no details widget.
#[derive(Debug, Clone, PartialEq)]
pub enum Unavailable {
    /// The SDK script could not be loaded, or does not define `LiveChat.createDetailsWidget`.
    NoSdk(String),
    /// No Agent App answered within the SDK's handshake timeout (about 3 s after load): the
    /// page is not inside LiveChat's Agent App.
    NoHandshake,
    /// The SDK failed otherwise (its message, never a stack trace).
    Failed(String),
}

thread_local! {
    /// The one `createDetailsWidget()` call per SDK: a second call would wait for a second
    /// handshake that the Agent App never sends, so a sidebar mounted again shares the first.
    static CONNECTION: RefCell<Option<(js_sys::Function, js_sys::Promise)>> =
        const { RefCell::new(None) };
}

/// `globalThis.LiveChat` and its `createDetailsWidget`, when the SDK is on the page.
fn sdk() -> Option<(JsValue, js_sys::Function)> {
    let livechat = js_sys::Reflect::get(&js_sys::global(), &"LiveChat".into()).ok()?;
    let create = js_sys::Reflect::get(&livechat, &"createDetailsWidget".into()).ok()?;
    Some((livechat, create.dyn_into().ok()?))
}

/// The text of a rejection: an `Error`'s message, or the value itself when it is a string.
fn message_of(error: &JsValue) -> String {
    match error.dyn_ref::<js_sys::Error>() {
        Some(e) => String::from(e.message()),
        None => error
            .as_string()
            .unwrap_or_else(|| "an unexpected value".into()),
    }
}

/// Connects to the Agent App: loads the SDK (unless the page has it already), then resolves
/// `createDetailsWidget()`, which answers the Agent App's handshake and sends `plugin_inited`.
pub async fn connect() -> Result<DetailsWidget, Unavailable> {
    let (livechat, create) = match sdk() {
        Some(found) => found,
        None => {
            load_script(SDK_URL).await.map_err(Unavailable::NoSdk)?;
            sdk().ok_or_else(|| {
                Unavailable::NoSdk(format!(
                    "{SDK_URL} loaded but defines no LiveChat.createDetailsWidget."
                ))
            })?
        }
    };
    let promise = CONNECTION.with(|slot| {
        let mut slot = slot.borrow_mut();
        match &*slot {
            Some((made_by, promise)) if *made_by == create => Ok(promise.clone()),
            _ => {
                let made = create
                    .call0(&livechat)
                    .map_err(|e| Unavailable::Failed(message_of(&e)))?;
                let promise = js_sys::Promise::resolve(&made);
                *slot = Some((create.clone(), promise.clone()));
                Ok(promise)
            }
        }
    })?;
    match JsFuture::from(promise).await {
        Ok(widget) if widget.is_object() => Ok(widget.unchecked_into()),
        Ok(_) => Err(Unavailable::Failed(
            "createDetailsWidget() gave no widget.".into(),
        )),
        // The SDK's handshake timeout rejects with an Error whose code is "TIMEOUT".
        Err(error) => {
            let code = js_sys::Reflect::get(&error, &"code".into()).ok();
            if code.and_then(|c| c.as_string()).as_deref() == Some("TIMEOUT") {
                Err(Unavailable::NoHandshake)
            } else {
                Err(Unavailable::Failed(message_of(&error)))
            }
        }
    }
}

impl DetailsWidget {
    /// `getCustomerProfile()`: the latest `customer_profile` the SDK has seen (it records them
    /// from the start, before anyone listens), if any.
    pub fn customer_profile(&self) -> Option<JsValue> {
        self.get_customer_profile()
            .ok()
            .filter(|p| !p.is_null() && !p.is_undefined())
    }

    /// `getTheme()`: the latest `change_theme`, else the page's `?theme=`.
    pub fn theme(&self) -> Option<String> {
        self.get_theme().ok().and_then(|t| t.as_string())
    }

    /// `putMessage(text)`: appends `text` to the agent's message box (sent only when the agent
    /// presses Send); the promise settles when the Agent App answers the call.
    pub fn put_message(&self, text: &str) -> js_sys::Promise {
        match self.put_message_raw(text) {
            Ok(answer) => js_sys::Promise::resolve(&answer),
            Err(thrown) => js_sys::Promise::reject(&thrown),
        }
    }

    /// Calls `handler` with each `event`'s data until the returned [`Subscription`] is dropped.
    pub fn subscribe(
        &self,
        event: &'static str,
        handler: impl FnMut(JsValue) + 'static,
    ) -> Subscription {
        let handler = Closure::<dyn FnMut(JsValue)>::new(handler);
        let _ = self.on(event, handler.as_ref().unchecked_ref());
        Subscription {
            widget: self.clone(),
            event,
            handler,
        }
    }
}

/// A handler registered with the widget's `on`; dropping it calls `off`.
pub struct Subscription {
    widget: DetailsWidget,
    event: &'static str,
    handler: Closure<dyn FnMut(JsValue)>,
}

impl Drop for Subscription {
    fn drop(&mut self) {
        let _ = self
            .widget
            .off(self.event, self.handler.as_ref().unchecked_ref());
    }
}
