//! Data models for what the proxy passes through from LivePerson and LiveChat (and what
//! LivePerson's Agent Workspace SDK binds), with the tolerant decoding they share.

pub mod lenient;
pub mod livechat;
pub mod livechat_v3;
pub mod liveperson;
pub mod liveperson_sdk;
