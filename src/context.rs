//! What the sidebar's root shares with every panel through Yew contexts: the [`Settings`] (the
//! proxy client, locale, poll interval, details data-set ID, how long `New` marks stay), the
//! [`Announcer`] (its polite live region), the [`ReplyTo`] composer that Insert uses (a
//! console's view provides its own) and the [`Feedback`] line that says how Copy and Insert
//! went. The types live here, not in the root component that provides them, so that
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

/// Where Insert puts a fact: the console's message box, when there is a way into it.
#[derive(Clone, PartialEq, Default)]
pub struct ReplyTo(pub Option<Composer>);

/// The composer of the console this component is in, if any (then Insert is offered).
#[hook]
pub fn use_composer() -> Option<Composer> {
    use_context::<ReplyTo>().and_then(|r| r.0)
}

/// Tells the sidebar's status line how a Copy or Insert went.
#[derive(Clone, PartialEq)]
pub struct Feedback(pub Callback<Outcome>);

/// The feedback line of the sidebar this component is in (a no-op outside one).
#[hook]
pub fn use_feedback() -> Callback<Outcome> {
    use_context::<Feedback>()
        .map(|f| f.0)
        .unwrap_or_else(|| Callback::from(|_| ()))
}
