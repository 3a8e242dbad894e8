//! Company sign-in: a popup to the proxy's `login_url?origin=<this page's origin>&nonce=<N>`,
//! opened from the agent's click, where `N` is fresh from the browser's `crypto.getRandomValues`
//! for every popup. The proxy's callback page answers with
//! `window.opener.postMessage({type: "visitor-sidebar:sign-in", nonce: N, token, expiresAt},
//! origin)` or `{type: "visitor-sidebar:sign-in-error", nonce: N, code, message}`; only a message
//! from `message_origin`, whose source is this very popup and which carries this popup's own
//! nonce, is believed: a sign-in some other page started (another widget's popup, one an attacker
//! opened for the agent) is not this widget's. The types differ from the host's
//! `visitor-sidebar:auth`, so the callback's answer can never pass for a host message either. A
//! popup the agent closes is noticed.

use gloo_events::EventListener;
use gloo_timers::callback::Interval;
use std::cell::Cell;
use std::rc::Rc;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{MessageEvent, Window};

/// The `oidc` mode of the proxy's `/auth/config`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Company {
    pub login_url: String,
    pub message_origin: String,
}

/// How a popup ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Token(String),
    /// The sign-in failed; the callback page said why.
    Refused(String),
    /// Closed before it answered.
    Closed,
}

pub const SIGN_IN: &str = "visitor-sidebar:sign-in";
pub const SIGN_IN_ERROR: &str = "visitor-sidebar:sign-in-error";

/// A fresh nonce for one popup: 16 random bytes from `crypto.getRandomValues`, as hex. `None`
/// where the browser has no `crypto` (then no popup is opened).
pub fn fresh_nonce() -> Option<String> {
    let crypto = js_sys::Reflect::get(&js_sys::global(), &"crypto".into()).ok()?;
    let get_random_values: js_sys::Function =
        js_sys::Reflect::get(&crypto, &"getRandomValues".into())
            .ok()?
            .dyn_into()
            .ok()?;
    let bytes = js_sys::Uint8Array::new_with_length(16);
    get_random_values.call1(&crypto, &bytes).ok()?;
    Some(bytes.to_vec().iter().map(|b| format!("{b:02x}")).collect())
}

/// What a message from the popup says, if it is one of the callback page's answers to the
/// popup opened with `nonce`.
pub fn read_answer(data: &JsValue, nonce: &str) -> Option<Outcome> {
    if super::text(data, "nonce")? != nonce {
        return None;
    }
    match super::text(data, "type")?.as_str() {
        SIGN_IN => super::text(data, "token")
            .filter(|t| !t.trim().is_empty())
            .map(Outcome::Token),
        SIGN_IN_ERROR => Some(Outcome::Refused(
            super::text(data, "message")
                .filter(|m| !m.trim().is_empty())
                .unwrap_or_else(|| "The sign-in did not succeed.".to_owned()),
        )),
        _ => None,
    }
}

/// How often a closed popup is looked for.
const WATCH_MS: u32 = 400;

/// An open sign-in popup. Dropping it stops listening and closes the window.
pub struct Popup {
    window: Window,
    _listener: EventListener,
    _watch: Interval,
}

impl Drop for Popup {
    fn drop(&mut self) {
        let _ = self.window.close();
    }
}

impl Company {
    /// The popup's address: `login_url?origin=<origin>&nonce=<nonce>`.
    pub fn popup_url(&self, origin: &str, nonce: &str) -> String {
        let separator = if self.login_url.contains('?') {
            '&'
        } else {
            '?'
        };
        format!(
            "{}{separator}origin={}&nonce={}",
            self.login_url,
            String::from(js_sys::encode_uri_component(origin)),
            String::from(js_sys::encode_uri_component(nonce))
        )
    }

    /// Opens the popup; must run inside the agent's click (browsers block popups otherwise).
    /// `done` hears the outcome once.
    pub fn open(&self, done: impl Fn(Outcome) + 'static) -> Result<Popup, String> {
        let window = web_sys::window().ok_or("no window")?;
        let origin = window.location().origin().map_err(|_| "no origin")?;
        let nonce = fresh_nonce().ok_or("This browser cannot make the sign-in's random check.")?;
        let popup = window
            .open_with_url_and_target_and_features(
                &self.popup_url(&origin, &nonce),
                "visitor-sidebar-sign-in",
                "popup=yes,width=480,height=640",
            )
            .ok()
            .flatten()
            .ok_or(
                "The browser blocked the sign-in window: allow pop-ups for this page, then try again.",
            )?;
        let done = Rc::new(done);
        let finished = Rc::new(Cell::new(false));
        let listener = {
            let (expected, source, done, finished, nonce) = (
                self.message_origin.clone(),
                JsValue::from(popup.clone()),
                done.clone(),
                finished.clone(),
                nonce.clone(),
            );
            EventListener::new(&window, "message", move |event| {
                let event: &MessageEvent = event.unchecked_ref();
                // Only the proxy's callback page, in this very popup, answering this popup's
                // nonce: not another window of that origin, not a page in the popup from
                // anywhere else, not a sign-in someone else started.
                let from_popup = event.source().is_some_and(|s| JsValue::from(s) == source);
                if finished.get() || event.origin() != expected || !from_popup {
                    return;
                }
                if let Some(outcome) = read_answer(&event.data(), &nonce) {
                    finished.set(true);
                    done(outcome);
                }
            })
        };
        // A closed popup is believed on the second look, so an answer posted just before the
        // page closed itself is read first.
        let seen_closed = Cell::new(false);
        let watched = popup.clone();
        let watch = Interval::new(WATCH_MS, move || {
            if finished.get() || !watched.closed().unwrap_or(true) {
                return;
            }
            if seen_closed.replace(true) {
                finished.set(true);
                done(Outcome::Closed);
            }
        });
        Ok(Popup {
            window: popup,
            _listener: listener,
            _watch: watch,
        })
    }
}
