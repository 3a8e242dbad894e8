//! One row of the visitors list: a real button with the visitor's name, state, country,
//! current page and time on site.

use crate::format;
use crate::hooks::use_now;
use crate::models::livechat::Visitor;
use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct VisitorRowProps {
    pub visitor: Rc<Visitor>,
    pub on_open: Callback<AttrValue>,
}

/// A visitor in the list; rows without an ID cannot be opened and are not listed.
#[function_component]
pub fn VisitorRow(props: &VisitorRowProps) -> Html {
    let visitor = &props.visitor;
    let id = AttrValue::from(visitor.id.clone().unwrap_or_default());
    let on_click = {
        let (on_open, id) = (props.on_open.clone(), id.clone());
        Callback::from(move |_| on_open.emit(id.clone()))
    };
    let name = visitor.name.clone().unwrap_or_else(|| "Visitor".into());
    html! {
        <li>
            <button type="button" class="vs-visitor-row" onclick={on_click} data-visitor-id={id}>
                <span class="vs-row-name vs-text">{ name }</span>
                if let Some(state) = &visitor.state {
                    <span class="vs-tag">{ state.label().to_owned() }</span>
                }
                if let Some(country) = &visitor.country {
                    <span class="vs-row-country vs-text">{ country.clone() }</span>
                }
                if let Some(start) = visitor.visit_started_ms() {
                    <span class="vs-row-time"><span class="vs-sr-only">{ "Time on site: " }</span><Since start_ms={start} /></span>
                }
                if let Some(title) = visitor.page_title.as_ref().or(visitor.page_current.as_ref()) {
                    <span class="vs-row-page vs-text" title={title.clone()}>{ title.clone() }</span>
                }
            </button>
        </li>
    }
}

#[derive(Properties, PartialEq)]
pub struct SinceProps {
    /// When it began, in ms since the epoch.
    pub start_ms: f64,
}

/// How long ago `start_ms` was ("3 min 20 s"), ticking every second on its own: only this
/// text re-renders, not the row or the list around it.
#[function_component]
pub fn Since(props: &SinceProps) -> Html {
    let now = use_now(1_000);
    html! { { format::duration((now - props.start_ms).max(0.0)) } }
}
