//! Data models for what the proxy passes through from LivePerson and LiveChat, with the
//! tolerant decoding both share.

pub mod lenient;
pub mod livechat;
pub mod livechat_v3;
pub mod liveperson;
