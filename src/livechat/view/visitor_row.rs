//! One row of the visitors list: a real button with the visitor's name, state, country,
//! current page and time on site (ticking).

use crate::components::common::{Clock, Ticking};
use crate::livechat::model::ListedVisitor;
use yew::prelude::*;

/// A visitor in the list (only visitors with an ID are listed). A plain function rather than a
/// component: a page re-renders at most fifty, and each component type costs bundle size.
pub fn visitor_row(visitor: &ListedVisitor, on_open: &Callback<AttrValue>) -> Html {
    let id = AttrValue::from(visitor.id.clone().unwrap_or_default());
    let on_click = {
        let (on_open, id) = (on_open.clone(), id.clone());
        Callback::from(move |_| on_open.emit(id.clone()))
    };
    let name = visitor.name.clone().unwrap_or_else(|| "Visitor".into());
    html! {
        <li key={id.as_str()}>
            <button type="button" class="vs-visitor-row" onclick={on_click} data-visitor-id={id.clone()}>
                <span class="vs-row-name vs-text">{ name }</span>
                if let Some(state) = &visitor.state {
                    <span class="vs-tag">{ state.label().to_owned() }</span>
                }
                if let Some(country) = &visitor.country {
                    <span class="vs-row-country vs-text">{ country.clone() }</span>
                }
                if let Some(start) = visitor.visit_started_ms() {
                    <span class="vs-row-time"><span class="vs-sr-only">{ "Time on site: " }</span><Ticking clock={Clock::Since(start)} /></span>
                }
                if let Some(title) = visitor.page_title.as_ref().or(visitor.page_current.as_ref()) {
                    <span class="vs-row-page vs-text" title={title.clone()}>{ title.clone() }</span>
                }
            </button>
        </li>
    }
}
