//! LivePerson, all in this folder: the proxy's endpoint ([`api`]), the Visit Information API's
//! visit ([`model`]), its facts for "At a glance" ([`glance`]), the panel's views ([`view`]), and the Agent Workspace
//! (`?console=liveperson`, [`sdk`]), whose widget SDK names the open conversation and binds what
//! it knows of the visitor.
//!
//! Behind the `liveperson` cargo feature; a bundle without it has `not_carried`'s stand-ins of
//! [`LivePersonView`] and [`WorkspaceView`] instead.

pub mod api;
pub mod glance;
pub mod model;
pub mod sdk;
pub mod view;

pub use sdk::{WorkspaceProps, WorkspaceView};
pub use view::{LivePersonView, LivePersonViewProps};
