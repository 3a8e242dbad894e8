//! The sidebar's components: the root, the building blocks, and one folder per provider.
//!
//! Each provider's folder is behind its cargo feature (`livechat`, `liveperson`). In a bundle
//! built without one, its module is [`not_carried`]'s stand-in of the same name, so the root's
//! switch is the same in every bundle and asking for the missing provider shows a notice.

pub mod common;
#[cfg(feature = "livechat")]
pub mod livechat;
#[cfg(feature = "liveperson")]
pub mod liveperson;
#[cfg(not(all(feature = "livechat", feature = "liveperson")))]
pub mod not_carried;
pub mod panel;
pub mod sidebar;
pub mod sign_in;

#[cfg(not(feature = "livechat"))]
pub use not_carried::livechat;
#[cfg(not(feature = "liveperson"))]
pub use not_carried::liveperson;

pub use sidebar::{Command, Controller, Sidebar, SidebarProps};
