//! Tokens the host console mints for its signed-in agent: asked of `mount()`'s
//! `getAccessToken()` callback, or of the parent frame with a `visitor-sidebar:token-expired`
//! message (it answers with `{type: "visitor-sidebar:auth", token}`, which
//! [`use_host_messages`](crate::hooks::use_host_messages) accepts from allowed origins only).

use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// What the sidebar posts to the parent frame when it needs a (new) token.
pub const TOKEN_EXPIRED: &str = "visitor-sidebar:token-expired";

/// Calls the host's `getAccessToken({expired})` and awaits its answer (a string, or a promise
/// of one). `expired`: the proxy refused the last token, so a cached one will not do.
pub async fn call(get_access_token: &js_sys::Function, expired: bool) -> Result<String, String> {
    let argument = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&argument, &"expired".into(), &expired.into());
    let answer = get_access_token
        .call1(&JsValue::UNDEFINED, &argument)
        .map_err(|e| described(&e))?;
    let value = match answer.dyn_into::<js_sys::Promise>() {
        Ok(promise) => JsFuture::from(promise).await.map_err(|e| described(&e))?,
        Err(value) => value,
    };
    value
        .as_string()
        .filter(|t| !t.trim().is_empty())
        .map(|t| t.trim().to_owned())
        .ok_or_else(|| "getAccessToken() gave no token.".to_owned())
}

/// The text of what a host callback threw, never the value itself beyond its message.
fn described(error: &JsValue) -> String {
    let message = js_sys::Reflect::get(error, &"message".into())
        .ok()
        .and_then(|m| m.as_string())
        .or_else(|| error.as_string())
        .unwrap_or_else(|| "it failed".to_owned());
    format!("getAccessToken() failed: {message}")
}

/// Posts `{type: "visitor-sidebar:token-expired"}` to the parent frame, aimed at each of
/// `origins` (never `"*"`: only a parent at one of them receives it).
pub fn ask_parent(origins: &[String]) {
    let Some(parent) = web_sys::window().and_then(|w| w.parent().ok().flatten()) else {
        return;
    };
    let message = super::message(TOKEN_EXPIRED);
    for origin in origins {
        let origin = origin.trim().trim_end_matches('/');
        if origin.is_empty() || origin == "*" {
            continue;
        }
        let _ = parent.post_message(&message, origin);
    }
}
