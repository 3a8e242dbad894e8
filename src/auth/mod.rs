//! Who the agent is, as the proxy needs to hear it. One [`Credentials`] per sidebar holds the
//! agent's access token, in memory only (never in storage, a cookie or a URL); the
//! [`ApiClient`](crate::api::ApiClient) reads it on every request and reports what the proxy
//! made of it, and [`use_auth`](crate::hooks::use_auth) fills it by whichever way this
//! embedding and the proxy's `GET /auth/config` allow:
//!
//! - [`host`]: the host page's `accessToken` / `getAccessToken()` of `mount()`, or its
//!   `{type: "visitor-sidebar:auth", token}` message;
//! - [`livechat`]: the agent's own LiveChat token from `@livechat/accounts-sdk` (`?console=livechat`);
//! - [`popup`]: company sign-in in a popup that the proxy's callback page answers.
//!
//! The widget never decodes a token: it only carries it.

pub mod host;
pub mod livechat;
pub mod popup;

use std::cell::{Cell, RefCell};
use std::fmt;
use std::rc::Rc;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::AbortSignal;

/// How the proxy refused a request with 401, from its `WWW-Authenticate` (RFC 6750).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// No credential was sent.
    Missing,
    /// `error="invalid_token"`: forged, unknown, of another audience, refused by its issuer.
    Invalid,
    /// `error="invalid_token"` whose description says the token expired.
    Expired,
}

impl Refusal {
    /// Reads the `WWW-Authenticate` header of a 401 (absent or unreadable: no `error`, so
    /// "missing", which is what the proxy sends when nothing was sent).
    pub fn from_challenge(challenge: Option<&str>) -> Refusal {
        let challenge = challenge.unwrap_or_default().to_ascii_lowercase();
        if !challenge.contains("invalid_token") {
            Refusal::Missing
        } else if challenge.contains("expired") {
            Refusal::Expired
        } else {
            Refusal::Invalid
        }
    }
}

/// Told when the proxy refuses the token of `generation`.
type OnRefused = Rc<dyn Fn(u32, Refusal)>;

#[derive(Default)]
struct Inner {
    token: RefCell<Option<Rc<str>>>,
    /// Counts the tokens set, so a late refusal of an older token is told apart.
    generation: Cell<u32>,
    /// The newest generation the proxy accepted, and the newest it refused.
    accepted: Cell<Option<u32>>,
    refused: Cell<Option<u32>>,
    /// Requests wait for a token (or for [`Credentials::release`]) while this is set: the
    /// sidebar is still finding out how the agent signs in.
    pending: Cell<bool>,
    /// Resolve functions of those waiting for the next change.
    waiters: RefCell<Vec<js_sys::Function>>,
    on_refused: RefCell<Option<OnRefused>>,
}

/// The one place a sidebar's access token lives. Cheap to clone; clones share it, and compare
/// equal, so a new token changes no prop and restarts no poll.
#[derive(Clone, Default)]
pub struct Credentials(Rc<Inner>);

impl PartialEq for Credentials {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

/// Never prints the token.
impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("token", &self.0.token.borrow().as_ref().map(|_| "…"))
            .field("generation", &self.0.generation.get())
            .field("pending", &self.0.pending.get())
            .finish()
    }
}

/// At most this many sleepers wait for a new token (one per polled panel is usual).
const MAX_WAITERS: usize = 64;

impl Credentials {
    /// A fixed token (or none), with nobody to ask for another: what a panel rendered alone uses.
    pub fn fixed(token: Option<&str>) -> Credentials {
        let credentials = Credentials::default();
        *credentials.0.token.borrow_mut() = token.map(Into::into);
        credentials
    }

    /// No token yet, and requests wait until one is set or [`release`](Self::release) says
    /// none is needed: the sidebar's start, before the proxy has said how agents sign in.
    pub fn pending() -> Credentials {
        let credentials = Credentials::default();
        credentials.0.pending.set(true);
        credentials
    }

    /// The token to send now, if any.
    pub fn token(&self) -> Option<Rc<str>> {
        self.0.token.borrow().clone()
    }

    pub fn generation(&self) -> u32 {
        self.0.generation.get()
    }

    /// Whether the proxy has accepted the token of `generation`.
    pub fn was_accepted(&self, generation: u32) -> bool {
        self.0.accepted.get() == Some(generation)
    }

    /// A new token from whoever vouches for the agent: sent from the next request on, and every
    /// request or poll waiting for it goes at once.
    pub fn set(&self, token: &str) {
        *self.0.token.borrow_mut() = Some(token.into());
        self.0
            .generation
            .set(self.0.generation.get().wrapping_add(1));
        self.release();
    }

    /// Requests stop waiting for a token: none is needed (anonymous access) or none can be had
    /// (the proxy's own refusal then says so).
    pub fn release(&self) {
        self.0.pending.set(false);
        let waiters = std::mem::take(&mut *self.0.waiters.borrow_mut());
        for resolve in waiters {
            let _ = resolve.call0(&JsValue::UNDEFINED);
        }
    }

    /// Calls `resolve` at the next [`set`](Self::set) or [`release`](Self::release).
    pub fn wake_on_change(&self, resolve: js_sys::Function) {
        let mut waiters = self.0.waiters.borrow_mut();
        if waiters.len() >= MAX_WAITERS {
            waiters.remove(0);
        }
        waiters.push(resolve);
    }

    /// Waits, while the sidebar is still finding out how the agent signs in, until a token is
    /// set or none is needed; returns at once otherwise. `false`: `signal` aborted meanwhile.
    pub async fn ready(&self, signal: Option<&AbortSignal>) -> bool {
        while self.0.pending.get() {
            if signal.is_some_and(AbortSignal::aborted) {
                return false;
            }
            let promise = js_sys::Promise::new(&mut |resolve, _| {
                if let Some(signal) = signal {
                    // An abort ends the wait too; the listener goes with the signal.
                    let options = web_sys::AddEventListenerOptions::new();
                    options.set_once(true);
                    let _ = signal.add_event_listener_with_callback_and_add_event_listener_options(
                        "abort", &resolve, &options,
                    );
                }
                self.wake_on_change(resolve);
            });
            let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
        }
        !signal.is_some_and(AbortSignal::aborted)
    }

    /// The proxy answered a request sent with the token of `generation`.
    pub(crate) fn accepted(&self, generation: u32) {
        if self.0.token.borrow().is_some() {
            self.0.accepted.set(Some(generation));
        }
    }

    /// Whether the token held now is one the proxy refused (so sending it again is pointless);
    /// `false` once a newer one has arrived.
    pub fn current_was_refused(&self) -> bool {
        self.0.refused.get() == Some(self.generation())
    }

    /// The proxy refused a request sent with the token of `generation` (401).
    pub(crate) fn refused(&self, generation: u32, refusal: Refusal) {
        if self.0.refused.get().is_none_or(|r| r < generation) {
            self.0.refused.set(Some(generation));
        }
        let listener = self.0.on_refused.borrow().clone();
        if let Some(listener) = listener {
            listener(generation, refusal);
        }
    }

    /// Who hears of refusals: the sidebar's sign-in, which asks for a new token.
    pub fn on_refused(&self, listener: Option<OnRefused>) {
        *self.0.on_refused.borrow_mut() = listener;
    }
}

/// A way of signing in `GET /auth/config` offers (unknown `type`s and incomplete entries are
/// left out: newer proxies may add some).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mode {
    /// The agent's own LiveChat token for this OAuth client, from this accounts server.
    LiveChat {
        client_id: String,
        accounts_url: String,
    },
    /// Tokens the host console mints (`mount()` options or its message).
    Host,
    /// Company sign-in: the popup at `login_url`, whose answer comes from `message_origin`.
    Company {
        login_url: String,
        message_origin: String,
    },
}

/// What the proxy accepts (`GET {proxyUrl}/auth/config`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AuthConfig {
    /// Nobody needs to sign in.
    pub anonymous: bool,
    pub modes: Vec<Mode>,
}

/// Where LiveChat's accounts server is when the proxy does not say.
pub const LIVECHAT_ACCOUNTS_URL: &str = "https://accounts.livechat.com";

/// `value[key]` if it is a string. These few documents are read by hand, not with serde: a
/// derive per message costs more bundle than the whole sign-in logic.
pub(crate) fn text(value: &JsValue, key: &str) -> Option<String> {
    js_sys::Reflect::get(value, &key.into()).ok()?.as_string()
}

/// `text` if it parses as an absolute `http(s)` URL, as the browser reads it.
fn http_url(text: &str) -> Option<web_sys::Url> {
    let url = web_sys::Url::new(text.trim()).ok()?;
    matches!(url.protocol().as_str(), "http:" | "https:").then_some(url)
}

/// `text` if it is exactly an origin (`scheme://host[:port]`, nothing after).
fn exact_origin(text: &str) -> Option<String> {
    let url = http_url(text)?;
    let origin = url.origin();
    (origin == text.trim().trim_end_matches('/')).then_some(origin)
}

/// One entry of `modes`, if the widget can use it.
fn mode(m: &JsValue) -> Option<Mode> {
    match text(m, "type")?.as_str() {
        "livechat" => Some(Mode::LiveChat {
            client_id: text(m, "client_id").filter(|c| !c.trim().is_empty())?,
            // The SDK compares message origins with it, so it must be an origin.
            accounts_url: match text(m, "accounts_url") {
                Some(url) => exact_origin(&url)?,
                None => LIVECHAT_ACCOUNTS_URL.to_owned(),
            },
        }),
        "host" => Some(Mode::Host),
        "oidc" => Some(Mode::Company {
            login_url: http_url(&text(m, "login_url")?)?.href(),
            message_origin: exact_origin(&text(m, "message_origin")?)?,
        }),
        _ => None,
    }
}

impl AuthConfig {
    /// Reads the proxy's answer leniently: a mode the widget cannot use is left out, not an
    /// error. `None`: not the proxy's sign-in settings at all (no `anonymous` flag: an older
    /// proxy's or a development server's page).
    pub fn from_js(value: &JsValue) -> Option<AuthConfig> {
        let anonymous = js_sys::Reflect::get(value, &"anonymous".into())
            .ok()?
            .as_bool()?;
        let modes = js_sys::Reflect::get(value, &"modes".into())
            .ok()
            .and_then(|m| m.dyn_into::<js_sys::Array>().ok())
            .map(|modes| modes.iter().filter_map(|m| mode(&m)).collect())
            .unwrap_or_default();
        Some(AuthConfig { anonymous, modes })
    }

    pub fn livechat(&self) -> Option<(&str, &str)> {
        self.modes.iter().find_map(|m| match m {
            Mode::LiveChat {
                client_id,
                accounts_url,
            } => Some((client_id.as_str(), accounts_url.as_str())),
            _ => None,
        })
    }

    pub fn host(&self) -> bool {
        self.modes.contains(&Mode::Host)
    }

    pub fn company(&self) -> Option<popup::Company> {
        self.modes.iter().find_map(|m| match m {
            Mode::Company {
                login_url,
                message_origin,
            } => Some(popup::Company {
                login_url: login_url.clone(),
                message_origin: message_origin.clone(),
            }),
            _ => None,
        })
    }
}

/// Builds `{type, …}` message objects for `postMessage` without a JSON encoder.
pub(crate) fn message(kind: &str) -> js_sys::Object {
    let object = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&object, &"type".into(), &kind.into());
    object
}
