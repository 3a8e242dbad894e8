//! One LiveChat visitor: who, where, what they are looking at, and how they got there.

use crate::api::livechat::visitor_path;
use crate::components::common::{fact_text, SafeLink, Section, Skeleton, StatusBar};
use crate::components::sidebar::use_settings;
use crate::hooks::{use_polled, Phase};
use crate::models::livechat::Visitor;
use crate::user_agent;
use visitor_sidebar_contract::check_id;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct VisitorDetailProps {
    pub visitor_id: AttrValue,
    /// Back to the list.
    pub on_back: Callback<()>,
}

/// One visitor, kept fresh.
#[function_component]
pub fn VisitorDetail(props: &VisitorDetailProps) -> Html {
    let settings = use_settings();
    let path = check_id(&props.visitor_id)
        .map(|()| visitor_path(&props.visitor_id))
        .map_err(|e| format!("The LiveChat visitor ID {e}."));
    let visitor = use_polled::<Visitor>(
        settings.client.clone(),
        path.as_ref().ok().cloned(),
        settings.poll_interval_ms,
    );
    let back = {
        let on_back = props.on_back.clone();
        Callback::from(move |_| on_back.emit(()))
    };
    let state = &visitor.state;
    html! {
        <section class="vs-visitor">
            <button type="button" class="vs-button vs-back" onclick={back}>{ "← All visitors" }</button>
            if let Err(problem) = &path {
                <p class="vs-notice vs-notice-error" role="alert">{ problem.clone() }</p>
            } else {
                <StatusBar phase={state.phase.clone()} has_data={state.data.is_some()}
                           on_refresh={visitor.refresh.clone()} locale={settings.locale.clone()} />
                if let Some(data) = &state.data {
                    { details(data) }
                } else if matches!(state.phase, Phase::Loading) {
                    <Skeleton />
                }
            }
        </section>
    }
}

fn details(visitor: &Visitor) -> Html {
    let software = visitor.browser.as_deref().map(user_agent::parse);
    let name = visitor.name.clone().unwrap_or_else(|| "Visitor".into());
    html! {
        <>
            <header class="vs-visitor-header">
                <h2 class="vs-visitor-name">{ name }</h2>
                <dl class="vs-facts">
                    { fact_text("State", visitor.state.as_ref().map(|s| s.label())) }
                    { fact_text("Browser", software.as_ref().and_then(|s| s.summary()).as_deref()) }
                    { fact_text("Location", visitor.place().as_deref()) }
                    { fact_text("Current page", visitor.page_title.as_deref()) }
                </dl>
                if let Some(page) = visitor.current_page() {
                    <SafeLink href={page.to_owned()} />
                }
            </header>
            if !visitor.visit_path.is_empty() {
                <Section title="Visit path" badge={visitor.visit_path.len().to_string()}>
                    <ol class="vs-journey">
                        { for visitor.visit_path.iter().map(|step| html! {
                            <li class="vs-page">
                                <span class="vs-page-title vs-text">{ step.title.clone().unwrap_or_else(|| "Untitled page".into()) }</span>
                                if let Some(page) = &step.page {
                                    <SafeLink href={page.clone()} class="vs-page-url" />
                                }
                            </li>
                        }) }
                    </ol>
                </Section>
            }
        </>
    }
}
