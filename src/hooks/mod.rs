//! Custom hooks: polling a proxy resource, noticing what changed between polls (and which
//! items are new, for their `New` marks), obeying the
//! host page's messages, signing the agent in, and the ticking clock for "time on site".

pub mod use_auth;
pub mod use_changes;
pub mod use_host_messages;
pub mod use_news;
pub mod use_now;
pub mod use_polled;

pub use use_auth::use_auth;
pub use use_changes::use_changes;
pub use use_host_messages::use_host_messages;
pub use use_news::{item_key, item_key_at, unique_keys, use_news, News, NEW_MARK_MS};
pub use use_now::use_now;
pub use use_polled::{use_polled, Phase, Polled, UsePolledHandle};
