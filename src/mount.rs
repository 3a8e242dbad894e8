//! `mount()`: a script in the host page mounts a sidebar into an element and steers it through
//! the [`SidebarHandle`] it gets back (`show`, `setTheme`, `unmount`).

use crate::options::{Options, RawOptions, Selection, Theme};
use crate::sidebar::{Command, Controller, Sidebar, SidebarProps};
use wasm_bindgen::prelude::*;

/// A mounted sidebar, as JavaScript holds it: a way to steer it, not its owner. The sidebar
/// stays until [`unmount`](Self::unmount), whether or not the page keeps the handle.
#[wasm_bindgen]
pub struct SidebarHandle {
    app: Option<yew::AppHandle<Sidebar>>,
    controller: Controller,
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawSelection {
    provider: Option<String>,
    visitor_id: Option<String>,
    sid: Option<String>,
}

#[wasm_bindgen]
impl SidebarHandle {
    /// Shows another visitor: `show({provider, visitorId, sid})`. Requests for the previous one
    /// are cancelled.
    pub fn show(&self, selection: JsValue) -> Result<(), JsError> {
        let raw: RawSelection = crate::lenient::decode(selection).map_err(|e| {
            JsError::new(&format!("show() expects {{provider, visitorId, sid}}: {e}"))
        })?;
        let selection = Selection::from_parts(raw.provider.as_deref(), raw.visitor_id, raw.sid)
            .map_err(|e| JsError::new(&e))?;
        self.controller.send(Command::Show(selection));
        Ok(())
    }

    /// `"light"`, `"dark"` or `"auto"` (follow the system).
    #[wasm_bindgen(js_name = setTheme)]
    pub fn set_theme(&self, theme: &str) -> Result<(), JsError> {
        let theme = Theme::parse(theme)
            .ok_or_else(|| JsError::new("setTheme() expects \"light\", \"dark\" or \"auto\""))?;
        self.controller.send(Command::SetTheme(theme));
        Ok(())
    }

    /// Removes the sidebar and stops all its requests and timers. Safe to call twice.
    pub fn unmount(&mut self) {
        if let Some(app) = self.app.take() {
            app.destroy();
        }
    }
}

// No `Drop` that unmounts: wasm-bindgen frees a handle JavaScript no longer references when
// the garbage collector finalizes it, so a page that called `mount()` without keeping the
// handle lost its sidebar at the next collection (seen in CI as a notice that never showed).

/// Mounts a sidebar into `element`. Options (all optional): `proxyUrl` (default `/api`),
/// `accessToken`, `getAccessToken` (an async function giving the agent's token, asked at start
/// and once after the proxy refuses one), `onInsert` (a function putting a fact's sentence into
/// the agent's reply; may return a promise), `provider`, `visitorId`, `sid`, `pollIntervalMs`,
/// `locale`, `theme`, `detailsSetId`, `allowedOrigins`, `console`; in LivePerson's Agent
/// Workspace (`console: "liveperson"`) `livepersonSdkUrl`, `livepersonVisitorIdPath`,
/// `livepersonSessionIdPath`.
#[wasm_bindgen]
pub fn mount(element: web_sys::Element, options: JsValue) -> Result<SidebarHandle, JsError> {
    let options = RawOptions::from_js(&options)
        .and_then(RawOptions::into_options)
        .map_err(|e| JsError::new(&e))?;
    Ok(mount_with(element, options))
}

/// [`mount`] for Rust callers (and tests) that already hold checked [`Options`].
pub fn mount_with(element: web_sys::Element, options: Options) -> SidebarHandle {
    let controller = Controller::default();
    let props = SidebarProps {
        options,
        controller: controller.clone(),
    };
    let app = yew::Renderer::<Sidebar>::with_root_and_props(element, props).render();
    SidebarHandle {
        app: Some(app),
        controller,
    }
}
