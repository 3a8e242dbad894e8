//! What the sidebar's root shares with every panel through Yew contexts: the [`Settings`] (the
//! proxy client, locale, poll interval, details data-set ID, how long `New` marks stay, the
//! composer Insert uses and the line that says how Copy and Insert went) and the [`Announcer`]
//! (its polite live region). A console's view provides the settings again, with its own
//! composer: one context type, so one provider component in the bundle. The types live here, not in the root component that provides them, so that
//! panels and hooks depend on this module and never on the root that renders them.

use crate::api::ApiClient;
use crate::reply::{Composer, Outcome};
use yew::prelude::*;

/// What every panel needs to know, provided once at the root.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    pub client: ApiClient,
    pub locale: Option<AttrValue>,
    pub poll_interval_ms: u32,
    pub details_set_id: AttrValue,
    /// How long a `New` mark stays, in ms the sidebar was visible (`hooks::NEW_MARK_MS`).
    pub new_mark_ms: u32,
    /// Where Insert puts a fact: the console's message box, when there is a way into it.
    pub reply_to: Option<Composer>,
    /// Tells the sidebar's status line how a Copy or Insert went.
    pub feedback: Callback<Outcome>,
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
