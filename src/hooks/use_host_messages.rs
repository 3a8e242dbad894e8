//! `use_host_messages`: obeys `window.postMessage({type: "visitor-sidebar:show", provider,
//! visitorId, sid})` from the embedding page, but only from the origins the deployment listed in
//! `allowedOrigins`. Messages from anywhere else, or of any other shape, are ignored.

use crate::options::Selection;
use gloo_events::EventListener;
use serde::Deserialize;
use wasm_bindgen::JsCast;
use web_sys::MessageEvent;
use yew::prelude::*;

/// The message type the sidebar answers to.
pub const SHOW: &str = "visitor-sidebar:show";

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ShowMessage {
    #[serde(rename = "type")]
    kind: String,
    provider: Option<String>,
    visitor_id: Option<String>,
    sid: Option<String>,
}

/// The selection a message asks for, if it comes from an allowed origin and is well formed.
pub fn accept(origin: &str, data: &wasm_bindgen::JsValue, allowed: &[String]) -> Option<Selection> {
    // "*" is not honoured on purpose: any page could then steer an agent's sidebar.
    if !allowed.iter().any(|o| o.trim_end_matches('/') == origin) {
        return None;
    }
    let message: ShowMessage = crate::models::lenient::decode(data.clone()).ok()?;
    if message.kind != SHOW {
        return None;
    }
    Selection::from_parts(message.provider.as_deref(), message.visitor_id, message.sid).ok()
}

/// Listens for host messages while mounted; `on_show` gets each accepted selection.
///
/// ```ignore
/// use_host_messages(options.allowed_origins.clone(), Callback::from(move |next| selection.set(next)));
/// ```
#[hook]
pub fn use_host_messages(allowed: Vec<String>, on_show: Callback<Selection>) {
    use_effect_with(allowed, move |allowed| {
        let listener = match web_sys::window() {
            Some(window) if !allowed.is_empty() => {
                let allowed = allowed.clone();
                Some(EventListener::new(&window, "message", move |event| {
                    let event: &MessageEvent = event.unchecked_ref();
                    if let Some(selection) = accept(&event.origin(), &event.data(), &allowed) {
                        on_show.emit(selection);
                    }
                }))
            }
            _ => None,
        };
        // Dropping the listener removes it.
        move || drop(listener)
    });
}
