//! Inside LivePerson's Agent Workspace (`?console=liveperson`): the widget learns the open
//! conversation from `lpTag.agentSDK`. (Being built: issue 12.)

use yew::prelude::*;

/// The sidebar's body in LivePerson's Agent Workspace.
#[function_component]
pub fn WorkspaceView() -> Html {
    html! { <p class="vs-notice" role="status">{ "Connecting to LivePerson's Agent Workspace…" }</p> }
}
