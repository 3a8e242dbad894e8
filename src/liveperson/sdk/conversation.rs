//! What the Agent Workspace tells about the chat itself, which the Visit Information API does
//! not: skill, state, when and where it started, the visitor's browser and local time, whether
//! they are authenticated; the survey answers and the custom variables. Visitor-supplied, so
//! text only, and the start page a link only through `safe_link`.

use crate::components::common::{safe_link, Clock, Fact, Section, Ticking};
use crate::format::when;
use crate::liveperson::sdk::bound::ChatFacts;
use yew::prelude::*;

/// `CHATTING`, `ENDED` in words.
fn state_words(state: &str) -> String {
    match state {
        "CHATTING" => "Chatting".into(),
        "ENDED" => "Ended".into(),
        other => other.to_owned(),
    }
}

fn fact(label: &str, value: Option<String>) -> Html {
    match value {
        Some(value) => html! {
            <Fact label={label.to_owned()}><span class="vs-text">{ value }</span></Fact>
        },
        None => Html::default(),
    }
}

/// Question-and-answer pairs as facts, under a sub-heading.
fn answers(title: &'static str, list: &[(String, String)]) -> Html {
    if list.is_empty() {
        return Html::default();
    }
    html! {
        <>
            <h4 class="vs-lp-sub">{ title }</h4>
            <dl class="vs-facts">
                { for list.iter().map(|(q, a)| fact(q, Some(a.clone()))) }
            </dl>
        </>
    }
}

/// The "Conversation" section, and "Surveys & variables" when there are any.
pub fn conversation(chat: &ChatFacts, locale: Option<&str>) -> Html {
    let authenticated = chat
        .authenticated
        .map(|a| if a { "Yes" } else { "No" }.to_owned());
    let has_chat = chat.skill.is_some()
        || chat.state.is_some()
        || chat.started.is_some()
        || chat.start_url.is_some()
        || chat.browser.is_some()
        || chat.time_zone.is_some()
        || authenticated.is_some();
    let lists = [
        ("Pre-chat survey", &chat.pre_chat),
        ("Post-chat survey", &chat.post_chat),
        ("Agent survey", &chat.agent_survey),
        ("Custom variables", &chat.custom_variables),
    ];
    let count: usize = lists.iter().map(|(_, l)| l.len()).sum();
    html! {
        <>
            if has_chat {
                <Section title="Conversation" class="vs-lp-chat">
                    <dl class="vs-facts">
                        { fact("Skill", chat.skill.clone()) }
                        { fact("State", chat.state.as_deref().map(state_words)) }
                        { fact("Chat started", chat.started.and_then(|t| when(t, locale))) }
                        if let Some(url) = chat.start_url.clone() {
                            <Fact label="Started on">{ safe_link(url.into(), None, Classes::new()) }</Fact>
                        }
                        { fact("Browser", chat.browser.clone()) }
                        if let Some(zone) = chat.time_zone.clone() {
                            <Fact label="Visitor's time"><Ticking clock={Clock::InZone(zone.into())} /></Fact>
                        }
                        { fact("Authenticated", authenticated) }
                    </dl>
                </Section>
            }
            if count > 0 {
                <Section title="Surveys & variables" class="vs-lp-answers"
                         badge={AttrValue::from(crate::format::count(count as f64))}>
                    { for lists.iter().map(|(title, list)| answers(title, list)) }
                </Section>
            }
        </>
    }
}
