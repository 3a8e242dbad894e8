//! Inside LiveChat's Agent App (`?console=livechat`): the details widget learns the open chat's
//! customer from `@livechat/agent-app-sdk`. (Being built: issue 11.)

use crate::options::Theme;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct AgentAppProps {
    /// Told the Agent App's theme (`change_theme`), so the sidebar follows it.
    pub on_theme: Callback<Theme>,
}

/// The sidebar's body in LiveChat's Agent App.
#[function_component]
pub fn AgentAppView(_props: &AgentAppProps) -> Html {
    html! { <p class="vs-notice" role="status">{ "Connecting to LiveChat's Agent App…" }</p> }
}
