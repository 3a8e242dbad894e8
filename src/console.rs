//! The seam to the agent consoles that embed the iframe page as a fixed URL and tell it whose
//! chat is open only through their own SDKs: which console (`?console=livechat`, LiveChat's
//! Agent App; `?console=liveperson`, LivePerson's Agent Workspace), and loading a console's SDK
//! script only in that mode. The consoles themselves are their provider's
//! (`livechat::agent_app`, `liveperson::sdk`); this module knows neither.

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// The console the iframe page runs in (`?console=`), when it is one whose SDK names the chat.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Console {
    /// LiveChat's Agent App (`@livechat/agent-app-sdk`).
    LiveChat,
    /// LivePerson's Agent Workspace (`lpTag.agentSDK`).
    LivePerson,
}

impl Console {
    pub fn parse(s: &str) -> Option<Console> {
        match s.trim().to_ascii_lowercase().as_str() {
            "livechat" => Some(Console::LiveChat),
            "liveperson" => Some(Console::LivePerson),
            _ => None,
        }
    }
}

/// Adds `<script src="url">` to the page (once per URL) and resolves when it has run, or fails
/// with a sentence when it cannot be loaded (a wrong URL, a blocked host, no network).
pub async fn load_script(url: &str) -> Result<(), String> {
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("no document")?;
    let selector = format!("script[data-vs-sdk=\"{}\"]", url.replace('"', "%22"));
    let existing = document.query_selector(&selector).ok().flatten();
    let script: web_sys::HtmlScriptElement = match existing {
        Some(el) => el.unchecked_into(),
        None => {
            let el: web_sys::HtmlScriptElement = document
                .create_element("script")
                .map_err(|_| "cannot create a script element")?
                .unchecked_into();
            el.set_src(url);
            let _ = el.set_attribute("data-vs-sdk", url);
            el
        }
    };
    if script.get_attribute("data-vs-loaded").is_some() {
        return Ok(());
    }
    let done = js_sys::Promise::new(&mut |resolve, reject| {
        let target = script.clone();
        let on_load = Closure::once_into_js(move || {
            let _ = target.set_attribute("data-vs-loaded", "");
            let _ = resolve.call0(&JsValue::UNDEFINED);
        });
        let failed = script.clone();
        let on_error = Closure::once_into_js(move || {
            // Gone, so that a later call tries again rather than waiting on a dead element.
            failed.remove();
            let _ = reject.call0(&JsValue::UNDEFINED);
        });
        let _ = script.add_event_listener_with_callback("load", on_load.unchecked_ref());
        let _ = script.add_event_listener_with_callback("error", on_error.unchecked_ref());
    });
    if script.parent_node().is_none() {
        let parent = document
            .head()
            .map(web_sys::Node::from)
            .or_else(|| document.body().map(web_sys::Node::from))
            .ok_or("the page has no head or body")?;
        parent
            .append_child(&script)
            .map_err(|_| "cannot add the script to the page")?;
    }
    wasm_bindgen_futures::JsFuture::from(done)
        .await
        .map(|_| ())
        .map_err(|_| format!("The console's SDK could not be loaded from {url}."))
}
