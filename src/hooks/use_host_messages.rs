//! `use_host_messages`: obeys `window.postMessage({type: "visitor-sidebar:show", provider,
//! visitorId, sid})` and takes `{type: "visitor-sidebar:auth", token}` (the agent's token, minted
//! by the host console) from the embedding page, but only from the origins the deployment listed
//! in `allowedOrigins`, and only from the embedding page itself (`event.source ===
//! window.parent`; for a sidebar mounted in the host page, its own window): a popup or another
//! frame of an allowed origin is not the host. Messages from anywhere else, or of any other shape,
//! are ignored.

use crate::options::Selection;
use gloo_events::EventListener;
use serde::Deserialize;
use wasm_bindgen::JsCast;
use web_sys::MessageEvent;
use yew::prelude::*;

/// The message type the sidebar answers to.
pub const SHOW: &str = "visitor-sidebar:show";
/// The host's token for the agent.
pub const AUTH: &str = "visitor-sidebar:auth";

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ShowMessage {
    #[serde(rename = "type")]
    kind: String,
    provider: Option<String>,
    visitor_id: Option<String>,
    sid: Option<String>,
}

fn allowed_origin(origin: &str, allowed: &[String]) -> bool {
    // "*" is not honoured on purpose: any page could then steer an agent's sidebar.
    allowed.iter().any(|o| o.trim_end_matches('/') == origin)
}

/// The token a `visitor-sidebar:auth` message gives, if it comes from an allowed origin.
pub fn accept_token(
    origin: &str,
    data: &wasm_bindgen::JsValue,
    allowed: &[String],
) -> Option<String> {
    if !allowed_origin(origin, allowed) {
        return None;
    }
    if crate::auth::text(data, "type")? != AUTH {
        return None;
    }
    let token = crate::auth::text(data, "token")?;
    let token = token.trim();
    (!token.is_empty()).then(|| token.to_owned())
}

/// The selection a message asks for, if it comes from an allowed origin and is well formed.
pub fn accept(origin: &str, data: &wasm_bindgen::JsValue, allowed: &[String]) -> Option<Selection> {
    if !allowed_origin(origin, allowed) {
        return None;
    }
    let message: ShowMessage = crate::lenient::decode(data.clone()).ok()?;
    if message.kind != SHOW {
        return None;
    }
    Selection::from_parts(message.provider.as_deref(), message.visitor_id, message.sid).ok()
}

/// Whether a message was posted by the embedding page: `window.parent` (which is the window itself
/// for a top-level page, where a sidebar is `mount()`ed by the host page).
pub fn from_parent(event: &MessageEvent, window: &web_sys::Window) -> bool {
    let parent = window
        .parent()
        .ok()
        .flatten()
        .map(wasm_bindgen::JsValue::from);
    let source = event.source().map(wasm_bindgen::JsValue::from);
    matches!((source, parent), (Some(source), Some(parent)) if source == parent)
}

/// Listens for host messages while mounted; `on_show` gets each accepted selection, `on_auth`
/// each accepted token with the origin it came from.
///
/// ```ignore
/// use_host_messages(options.allowed_origins.clone(), Callback::from(move |next| selection.set(next)), on_auth);
/// ```
#[hook]
pub fn use_host_messages(
    allowed: Vec<String>,
    on_show: Callback<Selection>,
    on_auth: Callback<(String, String)>,
) {
    use_effect_with(allowed, move |allowed| {
        let listener = match web_sys::window() {
            Some(window) if !allowed.is_empty() => {
                let allowed = allowed.clone();
                let own = window.clone();
                Some(EventListener::new(&window, "message", move |event| {
                    let event: &MessageEvent = event.unchecked_ref();
                    if !from_parent(event, &own) {
                        return;
                    }
                    let (origin, data) = (event.origin(), event.data());
                    if let Some(selection) = accept(&origin, &data, &allowed) {
                        on_show.emit(selection);
                    } else if let Some(token) = accept_token(&origin, &data, &allowed) {
                        on_auth.emit((token, origin));
                    }
                }))
            }
            _ => None,
        };
        // Dropping the listener removes it.
        move || drop(listener)
    });
}
