//! The LiveChat panel: the visitors list, and one visitor's details. The list stays mounted
//! (hidden) while a visitor is open, so going back keeps its filters and scroll position.

mod visitor_detail;
mod visitors_list;

pub use visitor_detail::VisitorDetail;
pub use visitors_list::VisitorsList;

use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct LiveChatViewProps {
    /// The visitor the host asked for; the list when absent.
    pub visitor_id: Option<AttrValue>,
}

/// The list, or the visitor the host or the agent chose.
#[function_component]
pub fn LiveChatView(props: &LiveChatViewProps) -> Html {
    let opened = use_state_eq(|| props.visitor_id.clone());
    {
        let opened = opened.clone();
        use_effect_with(props.visitor_id.clone(), move |id| opened.set(id.clone()));
    }
    let on_open = {
        let opened = opened.clone();
        Callback::from(move |id: AttrValue| opened.set(Some(id)))
    };
    let on_back = {
        let opened = opened.clone();
        Callback::from(move |()| opened.set(None))
    };
    html! {
        <div class="vs-panel vs-livechat">
            <div hidden={opened.is_some()}>
                <VisitorsList on_open={on_open} />
            </div>
            if let Some(id) = (*opened).clone() {
                <VisitorDetail visitor_id={id} on_back={on_back} />
            }
        </div>
    }
}
