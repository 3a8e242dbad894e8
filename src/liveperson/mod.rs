//! LivePerson, all in this folder: the proxy's endpoint ([`api`]), the Visit Information API's
//! visit ([`model`]), its facts for "At a glance" ([`glance`]), the panel's views ([`view`]), and the Agent Workspace
//! (`?console=liveperson`, [`sdk`]), whose widget SDK names the open conversation and binds what
//! it knows of the visitor.
//!
//! Behind the `liveperson` cargo feature. The root shows LivePerson through [`panel`] and
//! [`workspace_body`] alone; a bundle without the feature has `not_carried`'s functions of the
//! same names, which show a notice.

pub mod api;
pub mod glance;
pub mod model;
pub mod sdk;
pub mod view;

pub use sdk::{WorkspaceProps, WorkspaceView};
pub use view::{LivePersonView, LivePersonViewProps};

use crate::options::WorkspaceOptions;
use yew::prelude::*;

/// The LivePerson panel: one visitor's current visit.
pub fn panel(visitor_id: Option<AttrValue>, sid: Option<AttrValue>) -> Html {
    html! { <LivePersonView {visitor_id} {sid} /> }
}

/// The body inside LivePerson's Agent Workspace.
pub fn workspace_body(options: &WorkspaceOptions) -> Html {
    html! { <WorkspaceView options={options.clone()} /> }
}
