//! Data models for what the proxy passes through from LivePerson and LiveChat (and what
//! LivePerson's Agent Workspace SDK binds), with the tolerant decoding they share. Each
//! provider's models are behind its cargo feature.

pub mod lenient;
#[cfg(feature = "livechat")]
pub mod livechat;
#[cfg(feature = "livechat")]
pub mod livechat_v3;
#[cfg(feature = "liveperson")]
pub mod liveperson;
#[cfg(feature = "liveperson")]
pub mod liveperson_sdk;
