//! Stand-ins for a provider this bundle was built without (see the `livechat` and `liveperson`
//! cargo features): each module has the functions the root calls to show that provider, so the
//! root is the same in every bundle; each shows a notice naming the bundle to load instead of
//! the panel. Plain functions, not components: a bundle carries nothing else of the provider.

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

    pub fn panel(_visitor_id: Option<AttrValue>) -> Html {
        super::notice(Provider::LiveChat)
    }

    pub fn agent_app_body(_on_theme: Callback<Theme>) -> Html {
        super::notice(Provider::LiveChat)
    }
}

#[cfg(not(feature = "liveperson"))]
pub mod liveperson {
    //! LivePerson is not in this bundle.
    use crate::options::{Provider, WorkspaceOptions};
    use yew::prelude::*;

    pub fn panel(_visitor_id: Option<AttrValue>, _sid: Option<AttrValue>) -> Html {
        super::notice(Provider::LivePerson)
    }

    pub fn workspace_body(_options: &WorkspaceOptions) -> Html {
        super::notice(Provider::LivePerson)
    }
}
