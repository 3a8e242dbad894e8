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

use crate::hooks::{item_key_at, unique_keys, News};
use crate::liveperson::model::{Event, Page};
use std::rc::Rc;

use crate::components::common::{Fact, Same};
use crate::components::panel::use_panel;
use crate::format;
use crate::liveperson::api::visit_path;
use crate::liveperson::model::{AppSession, Visit};
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
    let path = request(props.visitor_id.as_deref(), props.sid.as_deref());
    let visit = use_panel::<Visit>(path.as_ref().ok().cloned());
    if let Err(problem) = path {
        return html! { <p class="vs-notice vs-notice-error" role="alert">{ problem }</p> };
    }
    html! {
        <div class="vs-panel vs-liveperson">
            { visit.view(|visit| html! { <VisitPanel visit={visit.clone()} /> }) }
        </div>
    }
}

/// One app session of one decoded visit. Equal only when it is the very same data (the poller
/// keeps the same `Rc` while nothing changes), so comparing props never walks a big visit.
#[derive(Clone, PartialEq)]
pub struct SessionRef {
    pub visit: Same<Visit>,
    pub index: usize,
}

impl SessionRef {
    pub fn get(&self) -> &AppSession {
        &self.visit.app_sessions[self.index]
    }
}

/// What the session's long lists (the journey's pages, the timeline's events) are drawn from.
#[derive(Properties, PartialEq)]
pub struct SessionListProps {
    pub session: SessionRef,
    #[prop_or_default]
    pub locale: Option<AttrValue>,
    /// The items the last answer did not have.
    #[prop_or_default]
    pub news: News,
    /// Each item's key (`ItemKeys::pages`, `ItemKeys::events`).
    #[prop_or_default]
    pub keys: Same<Vec<u64>>,
}

/// What tells a page apart from the others of the visit, for its `New` mark and its key.
fn page_key(page: &Page) -> u64 {
    item_key_at(
        &[
            "page",
            page.id.as_deref().unwrap_or_default(),
            page.address().unwrap_or_default(),
        ],
        page.opened(),
    )
}

/// What tells an event apart: its kind and when the server recorded it (its place in the list
/// shifts when the API drops the oldest).
fn event_key(event: &Event) -> u64 {
    item_key_at(&["event", event.kind()], event.server_time())
}

/// The keys of a session's pages and events (unique), in their lists' order: the rows' keys and
/// what `use_news` compares between answers.
#[derive(Clone, PartialEq, Default)]
pub struct ItemKeys {
    pub pages: Same<Vec<u64>>,
    pub events: Same<Vec<u64>>,
    /// Both, for `use_news`.
    pub all: Rc<Vec<u64>>,
}

impl ItemKeys {
    pub fn of(s: &AppSession) -> ItemKeys {
        let pages = unique_keys(s.pages.iter().map(page_key).collect());
        let events = unique_keys(s.events.iter().map(event_key).collect());
        let all = pages.iter().chain(&events).copied().collect();
        ItemKeys {
            pages: Same(Rc::new(pages)),
            events: Same(Rc::new(events)),
            all: Rc::new(all),
        }
    }
}

/// A labelled fact, shown only when the value is known and not blank. Sections describe their
/// facts as data and [`rows`] renders them all, which keeps the bundle smaller than markup per
/// fact.
type Row = (&'static str, Option<String>);

fn known(rows: &[Row]) -> bool {
    rows.iter()
        .any(|(_, v)| v.as_deref().is_some_and(|v| !v.trim().is_empty()))
}

/// The known facts as `<div class="vs-fact">` entries of a `<dl>`.
fn rows(rows: Vec<Row>) -> Html {
    rows.into_iter()
        .filter_map(|(label, value)| {
            let value = value.filter(|v| !v.trim().is_empty())?;
            Some(html! { <Fact label={label}><span class="vs-text">{ value }</span></Fact> })
        })
        .collect()
}

/// The known facts as one `<dl>`; `None` when none is known.
fn facts(items: Vec<Row>) -> Option<Html> {
    known(&items).then(|| html! { <dl class="vs-facts">{ rows(items) }</dl> })
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
        // ASCII case only: Unicode case tables would add some 25 KB to the bundle, and the
        // codes are ASCII.
        for (j, c) in word.chars().enumerate() {
            out.push(if j == 0 {
                c.to_ascii_uppercase()
            } else {
                c.to_ascii_lowercase()
            });
        }
    }
    out
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
