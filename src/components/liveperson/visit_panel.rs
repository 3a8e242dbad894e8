//! A LivePerson visit laid out for an agent mid-chat: who and where first, then the journey and
//! the customer facts.

use crate::components::common::{fact_text, Fact, SafeLink, Section};
use crate::components::sidebar::use_settings;
use crate::format;
use crate::models::liveperson::{AppSession, Visit};
use crate::user_agent;
use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct VisitPanelProps {
    pub visit: Rc<Visit>,
}

/// Everything the visit holds; sections with nothing in them are left out.
#[function_component]
pub fn VisitPanel(props: &VisitPanelProps) -> Html {
    let settings = use_settings();
    let Some(index) = props.visit.newest_session_index() else {
        return html! { <p class="vs-empty">{ "LivePerson returned this visit without any session data." }</p> };
    };
    let session = &props.visit.app_sessions[index];
    let locale = settings.locale.as_deref();
    html! {
        <>
            { header(session) }
            { journey(session, locale) }
        </>
    }
}

fn header(session: &AppSession) -> Html {
    let name = session
        .personal()
        .and_then(|p| p.full_name())
        .unwrap_or_else(|| "Unnamed visitor".into());
    let software = session.user_agent.as_deref().map(user_agent::parse);
    let device = [
        session.device_family.as_deref(),
        session.device_os.as_deref(),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" · ");
    html! {
        <header class="vs-visitor-header">
            <h2 class="vs-visitor-name">{ name }</h2>
            <dl class="vs-facts">
                { fact_text("Device", (!device.is_empty()).then_some(device.as_str())) }
                { fact_text("Browser", software.as_ref().and_then(|s| s.browser.as_deref())) }
                { fact_text("Location", session.geo.as_ref().and_then(|g| g.place()).as_deref()) }
                { fact_text("IP", session.ip()) }
            </dl>
        </header>
    }
}

fn journey(session: &AppSession, locale: Option<&str>) -> Html {
    if session.pages.is_empty() {
        return Html::default();
    }
    let count = session.pages.len();
    html! {
        <Section title="Journey" badge={count.to_string()}>
            <ol class="vs-journey">
                { for session.pages.iter().enumerate().map(|(i, page)| {
                    let current = i + 1 == count;
                    let title = page.title().unwrap_or("Untitled page").to_owned();
                    html! {
                        <li class={classes!("vs-page", current.then_some("vs-current"))}
                            aria-current={current.then_some("page")}>
                            <span class="vs-page-title vs-text" title={title.clone()}>{ title }</span>
                            if current { <span class="vs-tag">{ "current" }</span> }
                            if let Some(address) = page.address() {
                                <SafeLink href={address.to_owned()} class="vs-page-url" />
                            }
                            <dl class="vs-facts vs-inline">
                                if let Some(ms) = page.time_on_page {
                                    <Fact label="Time on page">{ format::duration(ms) }</Fact>
                                }
                                if let Some(start) = page.start_time.and_then(|t| format::time(t, locale)) {
                                    <Fact label="Opened">{ start }</Fact>
                                }
                            </dl>
                        </li>
                    }
                }) }
            </ol>
        </Section>
    }
}
