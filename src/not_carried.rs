//! Stand-ins for a provider this bundle was built without (see the `livechat` and `liveperson`
//! cargo features). Each module has the names and props of the real provider's views, so the
//! root's switch is the same in every bundle; each view renders a notice naming the bundle to
//! load instead of the panel.

use crate::options::Provider;
use yew::prelude::*;

/// What a view of a provider the bundle does not carry shows.
fn notice(provider: Provider) -> Html {
    let (name, bundle) = match provider {
        Provider::LiveChat => ("LiveChat", "visitor-sidebar-livechat.js"),
        Provider::LivePerson => ("LivePerson", "visitor-sidebar-liveperson.js"),
    };
    html! {
        <p class="vs-notice vs-notice-error" role="alert" data-not-carried={provider.as_str()}>
            { format!("This sidebar was built without {name}. Load it with ?provider={} \
                       (the iframe page), or load {bundle} or visitor-sidebar.js (both providers).",
                      provider.as_str()) }
        </p>
    }
}

#[cfg(not(feature = "livechat"))]
pub mod livechat {
    //! LiveChat is not in this bundle.
    use crate::options::{Provider, Theme};
    use yew::prelude::*;

    #[derive(Properties, PartialEq)]
    pub struct LiveChatViewProps {
        pub visitor_id: Option<AttrValue>,
    }

    #[function_component]
    pub fn LiveChatView(_props: &LiveChatViewProps) -> Html {
        super::notice(Provider::LiveChat)
    }

    #[derive(Properties, PartialEq)]
    pub struct AgentAppProps {
        pub on_theme: Callback<Theme>,
    }

    #[function_component]
    pub fn AgentAppView(_props: &AgentAppProps) -> Html {
        super::notice(Provider::LiveChat)
    }
}

#[cfg(not(feature = "liveperson"))]
pub mod liveperson {
    //! LivePerson is not in this bundle.
    use crate::options::{Provider, WorkspaceOptions};
    use yew::prelude::*;

    #[derive(Properties, PartialEq)]
    pub struct LivePersonViewProps {
        pub visitor_id: Option<AttrValue>,
        pub sid: Option<AttrValue>,
    }

    #[function_component]
    pub fn LivePersonView(_props: &LivePersonViewProps) -> Html {
        super::notice(Provider::LivePerson)
    }

    #[derive(Properties, PartialEq, Default)]
    pub struct WorkspaceProps {
        #[prop_or_default]
        pub options: WorkspaceOptions,
    }

    #[function_component]
    pub fn WorkspaceView(_props: &WorkspaceProps) -> Html {
        super::notice(Provider::LivePerson)
    }
}
