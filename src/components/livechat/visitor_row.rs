//! One row of the visitors list: a real button with the visitor's name, state, country,
//! current page and time on site; and the ticking clocks (time on site, the visitor's local
//! time).

use crate::context::use_settings;
use crate::format;
use crate::hooks::use_now;
use crate::models::livechat::Visitor;
use yew::prelude::*;

/// A visitor in the list (only visitors with an ID are listed). A plain function rather than a
/// component: a page re-renders at most fifty, and each component type costs bundle size.
pub fn visitor_row(visitor: &Visitor, on_open: &Callback<AttrValue>) -> Html {
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

/// What a [`Ticking`] shows.
#[derive(Debug, Clone, PartialEq)]
pub enum Clock {
    /// How long ago this was (ms since the epoch): "3 min 20 s", every second.
    Since(f64),
    /// The time now in this IANA zone (the visitor's), with the zone's name; the name alone
    /// when the browser does not know the zone.
    InZone(AttrValue),
}

#[derive(Properties, PartialEq)]
pub struct TickingProps {
    pub clock: Clock,
}

/// A clock that re-renders only its own text, not the row or the page around it.
#[function_component]
pub fn Ticking(props: &TickingProps) -> Html {
    let settings = use_settings();
    let every = match props.clock {
        Clock::Since(_) => 1_000,
        Clock::InZone(_) => 15_000,
    };
    let now = use_now(every);
    let text = match &props.clock {
        Clock::Since(start) => format::duration((now - start).max(0.0)),
        Clock::InZone(zone) => format::time_in_zone(now, zone, settings.locale.as_deref())
            .map(|t| format!("{t} ({zone})"))
            .unwrap_or_else(|| zone.to_string()),
    };
    // `data-ticking`: changes by itself, not because of a poll (the no-mutation checks skip it).
    html! { <span class="vs-text" data-ticking="">{ text }</span> }
}
