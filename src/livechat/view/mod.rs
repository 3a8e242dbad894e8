//! The LiveChat panel: the visitors list, and one visitor's details with the custom-details
//! form. The list stays mounted (hidden) while a visitor is open, so going back keeps its
//! filters, search, page and scroll position; drafts of the form live here too, per visitor.
//! Also the customer of the chat open in LiveChat's Agent App ([`CustomerView`]).

mod customer;
mod details_form;
mod visitor_detail;
mod visitor_row;
mod visitors_list;

pub use customer::{CustomerDetails, CustomerView};
pub use details_form::{DetailsForm, Draft, DraftEdit, Drafts, DraftsHandle, Edit, Sending};
pub use visitor_detail::{visitor_details, VisitorDetail, VisitorDetails};
pub use visitor_row::visitor_row;
pub use visitors_list::{VisitorsList, PAGE_SIZE};

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
    // Opened by a click (take the focus, come back to the row) or by the host page (don't).
    let by_agent = use_state_eq(|| false);
    let return_to = use_state_eq(|| None::<AttrValue>);
    // Every visitor's draft of the details form, kept while the agent moves between visitors.
    let drafts = use_reducer(Drafts::default);
    {
        let (opened, by_agent) = (opened.clone(), by_agent.clone());
        use_effect_with(props.visitor_id.clone(), move |id| {
            opened.set(id.clone());
            by_agent.set(false);
        });
    }
    // Made once: every edit in the form re-renders this panel, and a new callback would
    // re-render the (hidden) list each time too.
    let on_open = {
        let (opened, by_agent) = (opened.setter(), by_agent.setter());
        let return_to = return_to.setter();
        use_callback((), move |id: AttrValue, ()| {
            return_to.set(Some(id.clone()));
            by_agent.set(true);
            opened.set(Some(id));
        })
    };
    let on_back = {
        let opened = opened.clone();
        Callback::from(move |()| opened.set(None))
    };
    html! {
        <div class="vs-panel vs-livechat">
            <div hidden={opened.is_some()}>
                <VisitorsList on_open={on_open} visible={opened.is_none()}
                              return_to={(*by_agent).then(|| (*return_to).clone()).flatten()} />
            </div>
            if let Some(id) = (*opened).clone() {
                <VisitorDetail key={id.to_string()} visitor_id={id.clone()} on_back={on_back}
                               focus={*by_agent} drafts={drafts.clone()} />
            }
        </div>
    }
}
