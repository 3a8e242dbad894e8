//! The sidebar's components: the root, the building blocks, and one folder per provider.

pub mod common;
pub mod livechat;
pub mod liveperson;
pub mod panel;
pub mod sidebar;
pub mod sign_in;

pub use sidebar::{Command, Controller, Sidebar, SidebarProps};
