//! Data models for what the proxy passes through from LivePerson and LiveChat, with the
//! tolerant decoding both share. Each provider's models are behind its cargo feature.

pub mod lenient;
#[cfg(feature = "livechat")]
pub mod livechat;
#[cfg(feature = "liveperson")]
pub mod liveperson;
