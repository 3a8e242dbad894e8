//! A LivePerson visit laid out for an agent mid-chat: the header, then the sections in the order
//! an agent needs them. With several app sessions, the newest is shown and the others can be
//! picked.

use super::{
    activity, commerce, customer, engagements, header, journey::Journey, timeline::Timeline,
    ItemKeys, SessionRef,
};
use crate::components::common::Same;
use crate::components::glance::{measured, Glance};
use crate::context::use_settings;
use crate::format::when;
use crate::hooks::use_news;
use crate::liveperson::glance::{self, Hints};
use crate::liveperson::model::{order_by, Visit};
use std::rc::Rc;
use wasm_bindgen::JsCast;
use web_sys::HtmlSelectElement;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct VisitPanelProps {
    /// Compared by identity, so a render never walks a long visit to find nothing changed.
    pub visit: Same<Visit>,
    /// Shown right after the header: what the Agent Workspace tells about the chat itself.
    #[prop_or_default]
    pub extra: Html,
    /// Who this is, when the host knows better than the visit's ID (the Agent Workspace's
    /// conversation): another subject is a first answer, never a change.
    #[prop_or_default]
    pub subject: Option<AttrValue>,
    /// What the Agent Workspace adds to the glance.
    #[prop_or_default]
    pub hints: Hints,
}

/// Everything the visit holds; sections with nothing in them are left out.
#[function_component]
pub fn VisitPanel(props: &VisitPanelProps) -> Html {
    // Every hook before the early return below: Yew tells hooks apart by the order they are
    // called in, and a visit can gain or lose its sessions between two polls.
    let settings = use_settings();
    let chosen = use_state(|| None::<usize>);
    let visit = &props.visit;
    let newest = visit.newest_session_index();
    let session = newest.map(|newest| SessionRef {
        visit: visit.clone(),
        index: chosen
            .filter(|&i| i < visit.app_sessions.len())
            .unwrap_or(newest),
    });
    let visit_id = props
        .subject
        .clone()
        .or_else(|| visit.id.clone().map(AttrValue::from))
        .unwrap_or_default();
    // A visit without sessions is its own subject, so sessions (re)appearing are a first
    // answer, not a change.
    let subject: AttrValue = match &session {
        Some(session) => format!("{visit_id}#{}", session.index),
        None => format!("{visit_id}#none"),
    }
    .into();
    // The pages and events this answer has, to mark the ones the last answer did not.
    let keys = use_memo(session.clone(), |session| {
        session
            .as_ref()
            .map(|s| ItemKeys::of(s.get()))
            .unwrap_or_default()
    });
    let news = use_news(subject.clone(), keys.all.clone());
    let facts = use_memo(
        (
            session.clone(),
            props.hints.clone(),
            settings.locale.clone(),
        ),
        |(session, hints, locale)| {
            Rc::new(
                session
                    .as_ref()
                    .map(|s| measured(|| glance::facts(s.get(), hints, locale.as_deref())))
                    .unwrap_or_default(),
            )
        },
    );
    let (Some(newest), Some(session)) = (newest, session) else {
        return html! { <p class="vs-empty">{ "LivePerson returned this visit without any session data." }</p> };
    };
    let index = session.index;
    let locale = settings.locale.as_deref();
    let picker = (visit.app_sessions.len() > 1).then(|| {
        let onchange = {
            let chosen = chosen.clone();
            Callback::from(move |e: Event| {
                if let Some(select) = e
                    .target()
                    .and_then(|t| t.dyn_into::<HtmlSelectElement>().ok())
                {
                    chosen.set(select.value().parse().ok());
                }
            })
        };
        // Newest first, as the agent most likely wants the latest.
        let keys: Vec<f64> = visit
            .app_sessions
            .iter()
            .map(|s| -s.start_time.unwrap_or(f64::MIN))
            .collect();
        let order = order_by(&keys);
        html! {
            <label class="vs-field vs-lp-sessions">
                <span>{ format!("App session ({} in this visit)", visit.app_sessions.len()) }</span>
                <select {onchange}>
                    { for order.into_iter().map(|i| {
                        let started = visit.app_sessions[i].start_time.and_then(|t| when(t, locale));
                        let mut label = match started {
                            Some(s) => format!("Started {s}"),
                            None => format!("Session {}", i + 1),
                        };
                        if i == newest {
                            label.push_str(" (newest)");
                        }
                        html! { <option value={i.to_string()} selected={i == index}>{ label }</option> }
                    }) }
                </select>
            </label>
        }
    });
    let glance = html! { <Glance subject={subject} facts={(*facts).clone()} /> };
    html! {
        <>
            { picker }
            { header::header(&session, locale, glance) }
            { props.extra.clone() }
            <Journey session={session.clone()} locale={settings.locale.clone()} news={news.clone()}
                     keys={keys.pages.clone()} />
            { customer::customer(session.get(), locale) }
            { commerce::commerce(session.get(), locale) }
            { activity::leads_and_service(session.get(), locale) }
            { activity::visitor_errors(session.get()) }
            { engagements::engagements(session.get(), locale) }
            <Timeline session={session.clone()} locale={settings.locale.clone()} {news}
                      keys={keys.events.clone()} />
            { header::about(&session, locale) }
        </>
    }
}
