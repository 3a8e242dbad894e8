//! The iframe page's start-up: settings from the URL query (what LivePerson's Agent Workspace
//! and LiveChat's Agent App put there) and from `<meta>` tags (what the company deploying it
//! sets). The proxy address, the allowed origins and the LivePerson SDK's address come from the
//! page, never from the URL, so a crafted link cannot point the sidebar, or the agent's token,
//! elsewhere, nor make it load a script.

use crate::options::RawOptions;
use wasm_bindgen::JsCast;
use web_sys::{Document, UrlSearchParams};

fn meta(document: &Document, name: &str) -> Option<String> {
    document
        .query_selector(&format!("meta[name=\"visitor-sidebar:{name}\"]"))
        .ok()
        .flatten()
        .and_then(|m| m.get_attribute("content"))
        .filter(|c| !c.trim().is_empty())
}

/// The options an iframe page at `search` (e.g. `?provider=liveperson&visitorId=…`) asks for.
pub fn options_from(document: &Document, search: &str) -> RawOptions {
    let query = UrlSearchParams::new_with_str(search).ok();
    let param = |name: &str| query.as_ref().and_then(|q| q.get(name));
    RawOptions {
        proxy_url: meta(document, "proxy-url"),
        access_token: None,
        get_access_token: wasm_bindgen::JsValue::UNDEFINED,
        on_insert: wasm_bindgen::JsValue::UNDEFINED,
        provider: param("provider"),
        visitor_id: param("visitorId"),
        sid: param("sid"),
        poll_interval_ms: param("pollIntervalMs").and_then(|v| v.parse().ok()),
        locale: param("locale"),
        theme: param("theme"),
        details_set_id: meta(document, "details-set-id"),
        console: param("console"),
        liveperson_sdk_url: meta(document, "liveperson-sdk-url"),
        liveperson_visitor_id_path: meta(document, "liveperson-visitor-id-path"),
        liveperson_session_id_path: meta(document, "liveperson-session-id-path"),
        allowed_origins: meta(document, "allowed-origins").map(|o| {
            o.split([',', ' '])
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect()
        }),
    }
}

pub(crate) fn start() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let Some(document) = window.document() else {
        return;
    };
    let Some(root) = document
        .query_selector("[data-visitor-sidebar]")
        .ok()
        .flatten()
    else {
        return;
    };
    // Once per page: `trunk serve`'s build starts it from `main`, and a page may also call
    // `startPage()` after `init()` (as the release loader does).
    if root.has_attribute("data-vs-started") {
        return;
    }
    let _ = root.set_attribute("data-vs-started", "");
    let search = window.location().search().unwrap_or_default();
    match options_from(&document, &search).into_options() {
        Ok(options) => {
            // The page lives as long as the sidebar: it stays mounted for good.
            crate::mount::mount_with(root, options);
        }
        Err(problem) => {
            let p = document.create_element("p").ok();
            if let Some(p) = p.and_then(|p| p.dyn_into::<web_sys::HtmlElement>().ok()) {
                p.set_class_name("vs-notice vs-notice-error");
                p.set_attribute("role", "alert").ok();
                // Text, not HTML: the problem may quote the URL.
                p.set_inner_text(&problem);
                root.append_child(&p).ok();
            }
        }
    }
}
