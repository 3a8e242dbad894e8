//! visitor-sidebar: a customer-context sidebar for chat agents, showing LivePerson visit state
//! and LiveChat visitor details fetched through a credential-holding proxy.
//!
//! Three ways in, all ending in the [`sidebar::Sidebar`] component:
//! - the iframe page (`index.html`, whose `loader.js` picks the bundle): [`start_page`] reads the
//!   URL query and `<meta>` settings;
//! - a script in the host page: [`mount`] returns a [`SidebarHandle`];
//! - `postMessage` from the parent frame (origins listed in `allowedOrigins` only).
//!
//! Each provider is one folder behind its cargo feature: [`livechat`] and [`liveperson`] (their
//! API paths, models, views and console). Everything else is shared and knows no provider: the
//! request function ([`api`]), the token ([`auth`]), the console seam ([`console`]), putting a
//! fact into the agent's reply ([`reply`]), the hooks,
//! the building blocks ([`components`]), the settings ([`options`], [`context`]) and formatting.
//! A bundle built without a provider has [`not_carried`]'s stand-in module in its place.

pub mod api;
pub mod auth;
pub mod components;
pub mod console;
pub mod context;
pub mod format;
pub mod hooks;
pub mod lenient;
pub mod mount;
pub mod options;
pub mod page;
pub mod reply;
pub mod sidebar;
pub mod user_agent;

#[cfg(feature = "livechat")]
pub mod livechat;
#[cfg(feature = "liveperson")]
pub mod liveperson;
#[cfg(not(all(feature = "livechat", feature = "liveperson")))]
pub mod not_carried;
#[cfg(not(feature = "livechat"))]
pub use not_carried::livechat;
#[cfg(not(feature = "liveperson"))]
pub use not_carried::liveperson;

pub use mount::{mount, mount_with, SidebarHandle};

#[cfg(test)]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

use wasm_bindgen::prelude::*;

/// Starts the iframe page: mounts into the element marked `data-visitor-sidebar`, configured
/// from the page's URL query and `<meta name="visitor-sidebar:…">` tags. Does nothing on
/// pages without such an element (pages that call [`mount`] themselves). The iframe page's
/// loader (`www/loader.js`) calls it as `startPage()` once the bundle is initialised.
#[wasm_bindgen(js_name = startPage)]
pub fn start_page() {
    page::start();
}
