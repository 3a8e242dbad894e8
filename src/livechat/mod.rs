//! LiveChat, all in this folder: the proxy's endpoints ([`api`]), the REST API v2 visitor
//! ([`model`]) and the Agent Chat API v3 customer ([`v3`]), their facts for "At a glance"
//! ([`glance`]), the panel's views ([`view`]: the
//! visitors list, one visitor's details with the custom-details form, the v3 customer), and the
//! Agent App (`?console=livechat`, [`agent_app`]), whose SDK names the open chat's customer.
//!
//! Behind the `livechat` cargo feature. The root shows LiveChat through [`panel`] and
//! [`agent_app_body`] alone; a bundle without the feature has `not_carried`'s functions of the
//! same names, which show a notice.

pub mod agent_app;
pub mod api;
pub mod glance;
pub mod model;
pub mod v3;
pub mod view;

pub use agent_app::{AgentAppProps, AgentAppView};
pub use view::{LiveChatView, LiveChatViewProps};

use crate::options::Theme;
use yew::prelude::*;

/// The LiveChat panel: the visitor the host asked for, or the list.
pub fn panel(visitor_id: Option<AttrValue>) -> Html {
    html! { <LiveChatView {visitor_id} /> }
}

/// The body inside LiveChat's Agent App; `on_theme` follows the Agent App's theme.
pub fn agent_app_body(on_theme: Callback<Theme>) -> Html {
    html! { <AgentAppView {on_theme} /> }
}
