//! What the host page tells the sidebar: where the proxy is, how to authenticate to it, which
//! visitor to show and how to look. It comes from `mount(element, options)` or, for the iframe
//! page, from the URL query and the page's `<meta>` tags.

use crate::console::Console;
use serde::Deserialize;
use wasm_bindgen::{JsCast, JsValue};

/// Default time between polls.
pub const DEFAULT_POLL_MS: u32 = 3_000;
/// Polls are never closer than this, whatever the host asks.
pub const MIN_POLL_MS: u32 = 500;

/// Which vendor's data to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Provider {
    #[default]
    LiveChat,
    LivePerson,
}

impl Provider {
    pub fn parse(s: &str) -> Option<Provider> {
        match s.trim().to_ascii_lowercase().as_str() {
            "livechat" => Some(Provider::LiveChat),
            "liveperson" => Some(Provider::LivePerson),
            _ => None,
        }
    }

    /// The name [`Provider::parse`] reads (and the URL's `?provider=` carries).
    pub fn as_str(self) -> &'static str {
        match self {
            Provider::LiveChat => "livechat",
            Provider::LivePerson => "liveperson",
        }
    }
}

/// Colour scheme: follow the system, or force one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Theme {
    #[default]
    Auto,
    Light,
    Dark,
}

impl Theme {
    pub fn parse(s: &str) -> Option<Theme> {
        match s.trim().to_ascii_lowercase().as_str() {
            "auto" | "" => Some(Theme::Auto),
            "light" => Some(Theme::Light),
            "dark" => Some(Theme::Dark),
            _ => None,
        }
    }

    /// The value of the root's `data-theme` attribute (`auto` lets the CSS follow the system).
    pub fn as_str(self) -> &'static str {
        match self {
            Theme::Auto => "auto",
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }
}

/// Which visitor to show. A LiveChat selection without a visitor shows the visitors list.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Selection {
    pub provider: Provider,
    pub visitor_id: Option<String>,
    pub sid: Option<String>,
}

impl Selection {
    /// From the loose values a host passes: `provider` if given, else LivePerson when a `sid`
    /// is present, else LiveChat. Blank strings count as absent.
    pub fn from_parts(
        provider: Option<&str>,
        visitor_id: Option<String>,
        sid: Option<String>,
    ) -> Result<Selection, String> {
        let visitor_id = visitor_id.filter(|s| !s.trim().is_empty());
        let sid = sid.filter(|s| !s.trim().is_empty());
        let provider = match provider.filter(|p| !p.trim().is_empty()) {
            Some(p) => Provider::parse(p).ok_or_else(|| {
                format!("Unknown provider \"{p}\": use \"liveperson\" or \"livechat\".")
            })?,
            None if sid.is_some() => Provider::LivePerson,
            None => Provider::LiveChat,
        };
        Ok(Selection {
            provider,
            visitor_id,
            sid,
        })
    }
}

/// Everything configurable, with defaults filled in.
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    /// Base URL of the proxy's API, without a trailing slash (default `/api`).
    pub proxy_url: String,
    /// Sent as `Authorization: Bearer` when set.
    pub access_token: Option<String>,
    /// The host's `getAccessToken()`: called at start and once after the proxy refuses a token;
    /// returns the token or a promise of it.
    pub get_access_token: Option<js_sys::Function>,
    /// The host's `onInsert(text)`: puts a fact's sentence into the agent's reply (its return
    /// value, or the promise's, confirms it).
    pub on_insert: Option<js_sys::Function>,
    pub poll_interval_ms: u32,
    /// A BCP 47 tag for dates and numbers; the browser's when absent.
    pub locale: Option<String>,
    pub theme: Theme,
    /// Default data-set ID of the LiveChat custom-details form.
    pub details_set_id: String,
    /// Origins whose `postMessage` commands are obeyed. Empty: none.
    pub allowed_origins: Vec<String>,
    pub selection: Selection,
    /// The agent console whose SDK names the open chat (`?console=`), if any; the selection
    /// then comes from it.
    pub console: Option<Console>,
    /// Inside LivePerson's Agent Workspace: where its SDK is, and which bound paths hold the
    /// IDs the Visit Information API takes.
    pub workspace: WorkspaceOptions,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            proxy_url: "/api".into(),
            access_token: None,
            get_access_token: None,
            on_insert: None,
            poll_interval_ms: DEFAULT_POLL_MS,
            locale: None,
            theme: Theme::Auto,
            details_set_id: "visitor-sidebar".into(),
            allowed_origins: Vec::new(),
            selection: Selection::default(),
            console: None,
            workspace: WorkspaceOptions::default(),
        }
    }
}

/// The options object as JavaScript passes it to `mount()`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RawOptions {
    pub proxy_url: Option<String>,
    pub access_token: Option<String>,
    /// A function, kept as JavaScript gave it (checked in `into_options`).
    #[serde(with = "serde_wasm_bindgen::preserve")]
    pub get_access_token: JsValue,
    /// A function, kept as JavaScript gave it (checked in `into_options`).
    #[serde(with = "serde_wasm_bindgen::preserve")]
    pub on_insert: JsValue,
    pub provider: Option<String>,
    pub visitor_id: Option<String>,
    pub sid: Option<String>,
    pub poll_interval_ms: Option<f64>,
    pub locale: Option<String>,
    pub theme: Option<String>,
    pub details_set_id: Option<String>,
    pub allowed_origins: Option<Vec<String>>,
    pub console: Option<String>,
    pub liveperson_sdk_url: Option<String>,
    pub liveperson_visitor_id_path: Option<String>,
    pub liveperson_session_id_path: Option<String>,
}

/// A host callback: absent, or a function (else `problem`).
fn function(value: JsValue, problem: &str) -> Result<Option<js_sys::Function>, String> {
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    value
        .dyn_into::<js_sys::Function>()
        .map(Some)
        .map_err(|_| problem.to_owned())
}

impl RawOptions {
    /// Reads a JavaScript options object; `undefined` or `null` gives the defaults.
    pub fn from_js(value: &JsValue) -> Result<RawOptions, String> {
        if value.is_undefined() || value.is_null() {
            return Ok(RawOptions::default());
        }
        crate::lenient::decode(value.clone()).map_err(|e| format!("Bad options: {e}"))
    }

    /// Checks every value and fills in the defaults.
    pub fn into_options(self) -> Result<Options, String> {
        let defaults = Options::default();
        let theme = match self.theme.as_deref() {
            Some(t) => Theme::parse(t).ok_or_else(|| {
                format!("Unknown theme \"{t}\": use \"light\", \"dark\" or \"auto\".")
            })?,
            None => Theme::Auto,
        };
        let console = match self.console.as_deref().map(str::trim) {
            Some("") | None => None,
            Some(c) => Some(Console::parse(c).ok_or_else(|| {
                format!("Unknown console \"{c}\": use \"livechat\" or \"liveperson\".")
            })?),
        };
        let get_access_token = function(
            self.get_access_token,
            "getAccessToken must be a function returning the token (or a promise of it).",
        )?;
        let on_insert = function(
            self.on_insert,
            "onInsert must be a function taking the text to put into the agent's reply.",
        )?;
        let poll_interval_ms = match self.poll_interval_ms {
            Some(ms) if ms.is_finite() && ms >= 0.0 => (ms as u32).max(MIN_POLL_MS),
            Some(_) => {
                return Err("pollIntervalMs must be a positive number of milliseconds.".into())
            }
            None => DEFAULT_POLL_MS,
        };
        let proxy_url = self
            .proxy_url
            .map(|u| u.trim().trim_end_matches('/').to_owned())
            .filter(|u| !u.is_empty())
            .unwrap_or(defaults.proxy_url);
        Ok(Options {
            proxy_url,
            access_token: self.access_token.filter(|t| !t.trim().is_empty()),
            get_access_token,
            on_insert,
            poll_interval_ms,
            locale: self.locale.filter(|l| !l.trim().is_empty()),
            theme,
            details_set_id: self
                .details_set_id
                .filter(|s| !s.trim().is_empty())
                .unwrap_or(defaults.details_set_id),
            allowed_origins: self.allowed_origins.unwrap_or_default(),
            selection: Selection::from_parts(self.provider.as_deref(), self.visitor_id, self.sid)?,
            console,
            workspace: WorkspaceOptions::new(
                self.liveperson_sdk_url,
                self.liveperson_visitor_id_path,
                self.liveperson_session_id_path,
            )?,
        })
    }
}

// --- LivePerson's Agent Workspace ----------------------------------------------------------
// Plain settings, checked here with the rest (so mount() refuses a bad one at once); what the
// Agent Workspace does with them is in `liveperson::sdk`.

/// Where LivePerson serves the SDK (its developer documentation, "Agent Workspace Widget SDK":
/// "Reference the Client SDK").
pub const DEFAULT_SDK_URL: &str = "https://lpcdn.lpsnmedia.net/webagent/client-SDK.min.js";
/// The public model's visitor ID ("The ID of the visitor").
pub const DEFAULT_VISITOR_ID_PATH: &str = "visitorInfo.visitorId";
/// The public model's one session ID ("The real time session ID (chat ID)").
pub const DEFAULT_SESSION_ID_PATH: &str = "chatInfo.rtSessionId";
/// What the iframe page's `<meta name="visitor-sidebar:liveperson-…">` tags (or `mount()`'s
/// options) set for the Agent Workspace.
#[derive(Debug, Clone, PartialEq)]
pub struct WorkspaceOptions {
    /// `liveperson-sdk-url`: where `client-SDK.min.js` is (a deployment may host it itself).
    pub sdk_url: String,
    /// `liveperson-visitor-id-path`: the dotted path of the bound data holding the visitor ID
    /// the Visit Information API takes.
    pub visitor_id_path: String,
    /// `liveperson-session-id-path`: the same for its `sid`.
    pub session_id_path: String,
}

impl Default for WorkspaceOptions {
    fn default() -> Self {
        WorkspaceOptions {
            sdk_url: DEFAULT_SDK_URL.into(),
            visitor_id_path: DEFAULT_VISITOR_ID_PATH.into(),
            session_id_path: DEFAULT_SESSION_ID_PATH.into(),
        }
    }
}

/// Checks a dotted path of the public model (`visitorInfo.visitorId`): segments of letters,
/// digits, `_`, `-`, `@` and `$`, none empty.
pub fn check_path(setting: &str, path: &str) -> Result<(), String> {
    let fine = path.len() <= 200
        && path.split('.').all(|segment| {
            !segment.is_empty()
                && segment
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '@' | '$'))
        });
    fine.then_some(()).ok_or_else(|| {
        format!("The {setting} \"{path}\" is not a dotted path such as \"visitorInfo.visitorId\".")
    })
}

impl WorkspaceOptions {
    /// The settings given (blank ones take the defaults), checked.
    pub fn new(
        sdk_url: Option<String>,
        visitor_id_path: Option<String>,
        session_id_path: Option<String>,
    ) -> Result<WorkspaceOptions, String> {
        let given = |v: Option<String>| v.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
        let defaults = WorkspaceOptions::default();
        let options = WorkspaceOptions {
            sdk_url: given(sdk_url).unwrap_or(defaults.sdk_url),
            visitor_id_path: given(visitor_id_path).unwrap_or(defaults.visitor_id_path),
            session_id_path: given(session_id_path).unwrap_or(defaults.session_id_path),
        };
        check_path("liveperson-visitor-id-path", &options.visitor_id_path)?;
        check_path("liveperson-session-id-path", &options.session_id_path)?;
        Ok(options)
    }
}
