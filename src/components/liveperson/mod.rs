//! The LivePerson panel: fetches one visitor's current visit through the proxy and shows it.
//!
//! Layout, for an agent in the middle of a chat: the header (who, on what, from where, for how
//! long, how they came), then one section per subject, the important ones open and the rest one
//! click away. Sections with nothing in them are left out.
//!
//! Size matters (the whole widget is one wasm bundle): sections are plain functions over one
//! [`SessionRef`] and share the few non-generic helpers below; only the parts with state (the
//! session picker, the journey's order and "show all", the ticking time on site) are components.

mod activity;
mod commerce;
mod customer;
mod engagements;
mod header;
mod journey;
mod timeline;
mod visit_panel;

pub use visit_panel::VisitPanel;

use crate::api::liveperson::visit_path;
use crate::components::common::{Fact, Skeleton, StatusBar};
use crate::components::sidebar::use_settings;
use crate::format;
use crate::hooks::{use_polled, Phase};
use crate::models::liveperson::{AppSession, Visit};
use std::rc::Rc;
use visitor_sidebar_contract::check_id;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct LivePersonViewProps {
    pub visitor_id: Option<AttrValue>,
    pub sid: Option<AttrValue>,
}

/// Which visit to fetch, or what the host page got wrong.
fn request(visitor_id: Option<&str>, sid: Option<&str>) -> Result<String, String> {
    let (Some(visitor_id), Some(sid)) = (visitor_id, sid) else {
        return Err("No LivePerson visitor given. The host page must pass the visitor's visitorId and \
                    the session's sid (in the URL as ?provider=liveperson&visitorId=…&sid=…, or to show())."
            .into());
    };
    check_id(visitor_id).map_err(|e| format!("The visitorId {e}."))?;
    check_id(sid).map_err(|e| format!("The sid {e}."))?;
    Ok(visit_path(visitor_id, sid))
}

/// The current visit of one LivePerson visitor, kept fresh.
#[function_component]
pub fn LivePersonView(props: &LivePersonViewProps) -> Html {
    let settings = use_settings();
    let path = request(props.visitor_id.as_deref(), props.sid.as_deref());
    let visit = use_polled::<Visit>(
        settings.client.clone(),
        path.as_ref().ok().cloned(),
        settings.poll_interval_ms,
    );
    if let Err(problem) = path {
        return html! { <p class="vs-notice vs-notice-error" role="alert">{ problem }</p> };
    }
    let state = &visit.state;
    html! {
        <div class="vs-panel vs-liveperson">
            <StatusBar phase={state.phase.clone()} has_data={state.data.is_some()}
                       on_refresh={visit.refresh.clone()} locale={settings.locale.clone()} />
            if let Some(data) = &state.data {
                <VisitPanel visit={data.clone()} />
            } else if matches!(state.phase, Phase::Loading) {
                <Skeleton />
            }
        </div>
    }
}

/// One app session of one decoded visit. Equal only when it is the very same data (the poller
/// keeps the same `Rc` while nothing changes), so comparing props never walks a big visit.
#[derive(Clone)]
pub struct SessionRef {
    pub visit: Rc<Visit>,
    pub index: usize,
}

impl PartialEq for SessionRef {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.visit, &other.visit) && self.index == other.index
    }
}

impl SessionRef {
    pub fn get(&self) -> &AppSession {
        &self.visit.app_sessions[self.index]
    }
}

/// A labelled fact when there is a non-blank value.
fn fact(label: &'static str, value: Option<String>) -> Option<Html> {
    let value = value.filter(|v| !v.trim().is_empty())?;
    Some(html! { <Fact label={label}><span class="vs-text">{ value }</span></Fact> })
}

/// A labelled fact around markup already built (a link, a ticking time).
fn fact_html(label: &'static str, value: Html) -> Option<Html> {
    Some(html! { <Fact label={label}>{ value }</Fact> })
}

/// The facts that have a value, as one `<dl>`; `None` when none has.
fn facts(items: Vec<Option<Html>>) -> Option<Html> {
    let items: Vec<Html> = items.into_iter().flatten().collect();
    (!items.is_empty()).then(|| html! { <dl class="vs-facts">{ for items }</dl> })
}

/// The known parts joined with `sep`, or `None` when no part is known.
fn join(parts: &[Option<&str>], sep: &str) -> Option<String> {
    let parts: Vec<&str> = parts
        .iter()
        .flatten()
        .copied()
        .filter(|p| !p.trim().is_empty())
        .collect();
    (!parts.is_empty()).then(|| parts.join(sep))
}

/// An upstream code such as `DESKTOP` or `MAC_OSX` in words ("Desktop", "macOS").
fn humanise(code: &str) -> String {
    match code {
        "MAC_OSX" | "MAC_OS" | "MACOSX" | "OSX" => return "macOS".into(),
        "IOS" => return "iOS".into(),
        _ => {}
    }
    let mut out = String::with_capacity(code.len());
    for (i, word) in code.split('_').filter(|w| !w.is_empty()).enumerate() {
        if i > 0 {
            out.push(' ');
        }
        let mut chars = word.chars();
        if let Some(first) = chars.next() {
            out.extend(first.to_uppercase());
            out.push_str(&chars.as_str().to_lowercase());
        }
    }
    out
}

/// A moment for the agent: the time alone when it is today, the date and time otherwise.
fn when(ms: f64, locale: Option<&str>) -> Option<String> {
    let today = js_sys::Date::new_0().to_date_string();
    let that_day = js_sys::Date::new(&ms.into()).to_date_string();
    if today == that_day {
        format::time(ms, locale)
    } else {
        format::date_time(ms, locale)
    }
}

/// "Yes" / "No" for an upstream flag.
fn yes_no(flag: Option<bool>) -> Option<String> {
    flag.map(|f| if f { "Yes" } else { "No" }.to_owned())
}

/// A count as text ("6").
fn count(value: Option<f64>) -> Option<String> {
    value.map(format::count)
}

/// An amount as text ("11.70").
fn money(value: Option<f64>, locale: Option<&str>) -> Option<String> {
    value.map(|v| format::amount(v, locale))
}
