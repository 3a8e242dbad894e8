//! The building blocks every provider's views share: safe links, facts, sections and the
//! ticking clock ([`common`]), "At a glance" ([`glance`]), the one shell of every polled panel
//! ([`panel`]), and the sign-in strip ([`sign_in`]). Nothing here knows a provider.

pub mod common;
pub mod glance;
pub mod panel;
pub mod sign_in;
