//! LiveChat agents in LiveChat's Agent App (`?console=livechat`): the signed-in agent's own
//! LiveChat access token, from LiveChat's `@livechat/accounts-sdk` ("Sign in with LiveChat",
//! pinned in `tools/package.json`; its browser build is copied beside `index.html` and loaded
//! only in this mode). The flow LiveChat documents for apps: `response_type=token` for the app's
//! `client_id`, answered by the accounts server with a `postMessage` the SDK accepts from that
//! server's origin only, then `verify()` of the `state` it generated.
//!
//! First silently, in the SDK's hidden iframe (the agent is signed in to LiveChat already, so no
//! prompt), which needs no click; when the browser keeps the accounts server's cookies from a
//! frame, that fails, and the agent's click on "Sign in with LiveChat" opens the SDK's popup
//! instead (it closes by itself when no consent is needed).

use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// Where the SDK's browser build is, relative to the iframe page (Trunk copies it there).
pub const SDK_URL: &str = "accounts-sdk.min.js";

/// The SDK's browser build names Node's `util` as an external global (`require$$0$2`, from the
/// `qs` → `object-inspect` chain) and throws at load without it; browsers bundles map that module
/// to an empty `inspect`, which is what this provides, only if nothing else did.
const UTIL_GLOBAL: &str = "require$$0$2";

/// One sign-in client: the loaded SDK set up for the app's `client_id` and the accounts server.
pub struct LiveChatSignIn {
    sdk: JsValue,
}

fn prop(target: &JsValue, name: &str) -> JsValue {
    js_sys::Reflect::get(target, &name.into()).unwrap_or(JsValue::UNDEFINED)
}

fn set(target: &js_sys::Object, name: &str, value: &JsValue) {
    let _ = js_sys::Reflect::set(target, &name.into(), value);
}

/// Calls `target.name(...args)`.
fn call(target: &JsValue, name: &str, args: &[&JsValue]) -> Result<JsValue, JsValue> {
    let function: js_sys::Function = prop(target, name)
        .dyn_into()
        .map_err(|_| JsValue::from_str(&format!("the SDK has no {name}()")))?;
    let args: js_sys::Array = args.iter().map(|a| (*a).clone()).collect();
    function.apply(target, &args)
}

/// What the SDK's error says (an OAuth or identity exception, `"timeout"`, an `Error`).
fn described(error: &JsValue) -> String {
    if let Some(text) = error.as_string() {
        return text;
    }
    [
        "description",
        "message",
        "oauth_exception",
        "identity_exception",
    ]
    .iter()
    .find_map(|k| prop(error, k).as_string())
    .unwrap_or_else(|| "no reason given".to_owned())
}

impl LiveChatSignIn {
    /// Loads the SDK (once per page) and sets it up for `client_id` at `accounts_url`.
    pub async fn load(client_id: &str, accounts_url: &str) -> Result<LiveChatSignIn, String> {
        let global: JsValue = js_sys::global().into();
        if prop(&global, UTIL_GLOBAL).is_undefined() {
            let util = js_sys::Object::new();
            set(&util, "inspect", &js_sys::Object::new());
            set(global.unchecked_ref(), UTIL_GLOBAL, &util);
        }
        crate::console::load_script(SDK_URL)
            .await
            .map_err(|_| "LiveChat's sign-in library could not be loaded.".to_owned())?;
        let class: js_sys::Function = prop(&global, "AccountsSDK")
            .dyn_into()
            .map_err(|_| "LiveChat's sign-in library did not start.".to_owned())?;
        let location = web_sys::window().ok_or("no window")?.location();
        let options = js_sys::Object::new();
        set(&options, "client_id", &client_id.into());
        set(&options, "server_url", &accounts_url.into());
        set(&options, "response_type", &"token".into());
        // The page without its query: the SDK would keep a query in a cookie until the answer.
        let redirect = format!(
            "{}{}",
            location.origin().unwrap_or_default(),
            location.pathname().unwrap_or_default()
        );
        set(&options, "redirect_uri", &redirect.into());
        let sdk =
            js_sys::Reflect::construct(&class, &js_sys::Array::of1(&options)).map_err(|e| {
                format!(
                    "LiveChat's sign-in library refused its settings: {}",
                    described(&e)
                )
            })?;
        Ok(LiveChatSignIn { sdk })
    }

    /// Asks the accounts server in the SDK's hidden iframe; needs no click.
    pub async fn silent(&self) -> Result<String, String> {
        let flow = call(&self.sdk, "iframe", &[]).map_err(|e| described(&e))?;
        let promise = call(&flow, "authorize", &[]).map_err(|e| described(&e))?;
        self.finish(promise).await
    }

    /// Opens the SDK's popup; call it inside the agent's click. The returned future ends when
    /// the accounts server answers.
    pub fn popup(&self) -> impl std::future::Future<Output = Result<String, String>> + '_ {
        let started = call(&self.sdk, "popup", &[])
            .and_then(|flow| call(&flow, "authorize", &[]))
            .map_err(|e| described(&e));
        async move { self.finish(started?).await }
    }

    /// The token from the SDK's answer, once `verify()` found the `state` it sent.
    async fn finish(&self, promise: JsValue) -> Result<String, String> {
        let promise: js_sys::Promise = promise
            .dyn_into()
            .map_err(|_| "LiveChat's sign-in library gave no answer.".to_owned())?;
        let data = JsFuture::from(promise)
            .await
            .map_err(|e| format!("LiveChat did not sign you in: {}.", described(&e)))?;
        let transaction = call(&self.sdk, "verify", &[&data]).unwrap_or(JsValue::NULL);
        if transaction.is_null() || transaction.is_undefined() {
            return Err(
                "LiveChat's answer did not match the sign-in the sidebar asked for.".into(),
            );
        }
        prop(&data, "access_token")
            .as_string()
            .filter(|t| !t.trim().is_empty())
            .ok_or_else(|| "LiveChat's answer carried no access token.".to_owned())
    }
}
