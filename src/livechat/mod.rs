//! LiveChat, all in this folder: the proxy's endpoints ([`api`]), the REST API v2 visitor
//! ([`model`]) and the Agent Chat API v3 customer ([`v3`]), their facts for "At a glance"
//! ([`glance`]), the panel's views ([`view`]: the
//! visitors list, one visitor's details with the custom-details form, the v3 customer), and the
//! Agent App (`?console=livechat`, [`agent_app`]), whose SDK names the open chat's customer.
//!
//! Behind the `livechat` cargo feature; a bundle without it has `not_carried`'s stand-ins of
//! [`LiveChatView`] and [`AgentAppView`] instead.

pub mod agent_app;
pub mod api;
pub mod glance;
pub mod model;
pub mod v3;
pub mod view;

pub use agent_app::{AgentAppProps, AgentAppView};
pub use view::{LiveChatView, LiveChatViewProps};
