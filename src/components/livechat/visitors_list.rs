//! The LiveChat visitors list: the count, state and group filters, a search box, and one row
//! per visitor.

use crate::api::livechat::{count_path, visitors_path, StateFilter};
use crate::components::common::{Skeleton, StatusBar};
use crate::components::sidebar::use_settings;
use crate::format;
use crate::hooks::{use_polled, Phase};
use crate::models::livechat::{Visitor, VisitorCount, VisitorList};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct VisitorsListProps {
    /// Called with the visitor's ID when the agent opens one.
    pub on_open: Callback<AttrValue>,
}

/// Every visitor on the tracked pages.
#[function_component]
pub fn VisitorsList(props: &VisitorsListProps) -> Html {
    let settings = use_settings();
    let state_filter = use_state_eq(StateFilter::default);
    let list = use_polled::<VisitorList>(
        settings.client.clone(),
        Some(visitors_path(*state_filter, None)),
        settings.poll_interval_ms,
    );
    let count = use_polled::<VisitorCount>(
        settings.client.clone(),
        Some(count_path(*state_filter, None)),
        settings.poll_interval_ms,
    );
    let state = &list.state;
    let count_text = count
        .state
        .data
        .as_ref()
        .map(|c| format!("{} visitors", format::count(c.0)));
    let on_filter = {
        let state_filter = state_filter.clone();
        Callback::from(move |e: Event| {
            let select: web_sys::HtmlSelectElement = e.target_unchecked_into();
            state_filter.set(match select.value().as_str() {
                "chatting" => StateFilter::Chatting,
                "queued" => StateFilter::Queued,
                _ => StateFilter::All,
            });
        })
    };
    html! {
        <section class="vs-visitors" aria-labelledby="vs-visitors-title">
            <div class="vs-list-head">
                <h2 id="vs-visitors-title" class="vs-title">{ "Visitors" }</h2>
                if let Some(text) = count_text {
                    <span class="vs-count">{ text }</span>
                }
            </div>
            <label class="vs-field">
                <span>{ "State" }</span>
                <select onchange={on_filter}>
                    <option value="all" selected={*state_filter == StateFilter::All}>{ "All" }</option>
                    <option value="chatting" selected={*state_filter == StateFilter::Chatting}>{ "Chatting" }</option>
                    <option value="queued" selected={*state_filter == StateFilter::Queued}>{ "Queued" }</option>
                </select>
            </label>
            <StatusBar phase={state.phase.clone()} has_data={state.data.is_some()}
                       on_refresh={list.refresh.clone()} locale={settings.locale.clone()} />
            if let Some(data) = &state.data {
                <ul class="vs-visitor-rows">
                    { for data.0.iter().filter_map(|v| row(v, &props.on_open)) }
                </ul>
            } else if matches!(state.phase, Phase::Loading) {
                <Skeleton />
            }
        </section>
    }
}

fn row(visitor: &Visitor, on_open: &Callback<AttrValue>) -> Option<Html> {
    let id = AttrValue::from(visitor.id.clone()?);
    let on_click = {
        let (on_open, id) = (on_open.clone(), id.clone());
        Callback::from(move |_| on_open.emit(id.clone()))
    };
    let name = visitor.name.clone().unwrap_or_else(|| "Visitor".into());
    let state = visitor.state.as_ref().map(|s| s.label().to_owned());
    Some(html! {
        <li key={id.to_string()}>
            <button type="button" class="vs-visitor-row" onclick={on_click}>
                <span class="vs-row-name vs-text">{ name }</span>
                if let Some(state) = state {
                    <span class="vs-tag">{ state }</span>
                }
                if let Some(country) = &visitor.country {
                    <span class="vs-row-country vs-text">{ country.clone() }</span>
                }
                if let Some(title) = &visitor.page_title {
                    <span class="vs-row-page vs-text" title={title.clone()}>{ title.clone() }</span>
                }
            </button>
        </li>
    })
}
