//! What the sidebar's root shares with every panel through Yew contexts: the [`Settings`] (the
//! proxy client, locale, poll interval, details data-set ID) and the [`Announcer`] (its polite
//! live region). The types live here, not in the root component that provides them, so that
//! panels and hooks depend on this module and never on the root that renders them.

use crate::api::ApiClient;
use yew::prelude::*;

/// What every panel needs to know, provided once at the root.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    pub client: ApiClient,
    pub locale: Option<AttrValue>,
    pub poll_interval_ms: u32,
    pub details_set_id: AttrValue,
}

/// Reads the [`Settings`] from context; panels are only ever rendered under the sidebar's root
/// (or, in tests, under a provider of their own).
#[hook]
pub fn use_settings() -> Settings {
    use_context::<Settings>().expect("panels are rendered inside <Sidebar>")
}

/// Speaks a sentence to screen readers through the sidebar's polite live region.
#[derive(Clone, PartialEq)]
pub struct Announcer(pub Callback<String>);

/// The announcer of the sidebar this component is in (a no-op outside one, as in tests that
/// render a panel alone).
#[hook]
pub fn use_announcer() -> Callback<String> {
    use_context::<Announcer>()
        .map(|a| a.0)
        .unwrap_or_else(|| Callback::from(|_| ()))
}
