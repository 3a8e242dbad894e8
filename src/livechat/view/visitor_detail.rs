//! One LiveChat visitor: who, where, what they are looking at, how they got there, what they
//! told the site, and the custom-details form.

use super::details_form::{DetailsForm, DraftsHandle};
use crate::components::common::{
    fact_text, new_mark, Clock, Fact, SafeLink, Same, Section, Ticking,
};
use crate::components::glance::{measured, Glance};
use crate::components::panel::use_panel;
use crate::context::use_settings;
use crate::format;
use crate::hooks::{item_key, item_key_at, unique_keys, use_changes, use_news, News};
use crate::livechat::api::visitor_path;
use crate::livechat::glance::visitor_facts;
use crate::livechat::model::{epoch_ms, KeyValue, VisitPathEntry, Visitor, VisitorState};
use crate::user_agent;
use std::rc::Rc;
use visitor_sidebar_contract::check_id;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct VisitorDetailProps {
    pub visitor_id: AttrValue,
    /// Back to the list.
    pub on_back: Callback<()>,
    /// Take the focus when shown (opened by the agent, not by the host page).
    #[prop_or_default]
    pub focus: bool,
    /// Where the details form keeps what the agent typed (the LiveChat panel's drafts).
    #[prop_or_default]
    pub drafts: Option<DraftsHandle>,
}

/// One visitor, kept fresh.
#[function_component]
pub fn VisitorDetail(props: &VisitorDetailProps) -> Html {
    let back_ref = use_node_ref();
    let path = check_id(&props.visitor_id)
        .map(|()| visitor_path(&props.visitor_id))
        .map_err(|e| format!("The LiveChat visitor ID {e}."));
    let visitor = use_panel::<Visitor>(path.as_ref().ok().cloned());
    {
        let back_ref = back_ref.clone();
        use_effect_with(
            (props.visitor_id.clone(), props.focus),
            move |(_, focus)| {
                if *focus {
                    if let Some(back) = back_ref.cast::<web_sys::HtmlElement>() {
                        let _ = back.focus();
                    }
                }
            },
        );
    }
    let back = {
        let on_back = props.on_back.clone();
        Callback::from(move |_| on_back.emit(()))
    };
    html! {
        <section class="vs-visitor">
            <button type="button" class="vs-button vs-back" onclick={back} ref={back_ref}>{ "← All visitors" }</button>
            if let Err(problem) = &path {
                <p class="vs-notice vs-notice-error" role="alert">{ problem.clone() }</p>
            } else {
                { visitor.view(|visitor| html! { <VisitorDetails visitor={visitor.clone()} /> }) }
                // Outside the data: the form (and what the agent typed) stays whatever the
                // polling does, including an error or a visitor who has left.
                <DetailsForm visitor_id={props.visitor_id.clone()} drafts={props.drafts.clone()} />
            }
        </section>
    }
}

#[derive(Properties, PartialEq)]
pub struct VisitorDetailsProps {
    pub visitor: Same<Visitor>,
    /// "At a glance" under the name (off where another view shows the glance already).
    #[prop_or(true)]
    pub glance: bool,
}

/// What tells a step of the visit path apart, for its `New` mark and its key (not its place:
/// the path drops its oldest steps).
fn step_key(step: &VisitPathEntry) -> u64 {
    item_key_at(
        &["step", step.page.as_deref().unwrap_or_default()],
        step.time_ts,
    )
}

fn state_key(v: &Visitor) -> u64 {
    item_key(&[
        "state",
        v.state
            .as_ref()
            .map(VisitorState::label)
            .unwrap_or_default(),
    ])
}

/// [`visitor_details`] as a component, with the glance. Between polls it marks what is new (a
/// step of the visit path, a new state) and announces a new state to screen readers.
#[function_component]
pub fn VisitorDetails(props: &VisitorDetailsProps) -> Html {
    let settings = use_settings();
    let v = &props.visitor;
    let subject: AttrValue = v.id.clone().unwrap_or_default().into();
    let state = v
        .state
        .as_ref()
        .map(|s| s.label().to_owned())
        .unwrap_or_default();
    use_changes(subject.clone(), vec![("State", state)]);
    // The steps' keys, then the state's (a few dozen: computed at each render, which comes with
    // a new answer or new marks).
    let mut keys = unique_keys(v.visit_path.iter().map(step_key).collect());
    keys.push(state_key(v));
    let keys = Rc::new(keys);
    let news = use_news(subject.clone(), keys.clone());
    let facts = Rc::new(if props.glance {
        measured(|| visitor_facts(v))
    } else {
        Vec::new()
    });
    let glance = html! { <Glance {subject} {facts} /> };
    visitor_details(v, settings.locale.as_deref(), glance, &news, &keys)
}

/// Everything the API tells about one visitor, the glance under the name, what is new marked;
/// parts with nothing in them are left out.
pub fn visitor_details(
    v: &Visitor,
    locale: Option<&str>,
    glance: Html,
    news: &News,
    keys: &[u64],
) -> Html {
    let operators = (!v.operators.is_empty()).then(|| {
        html! {
            <ul class="vs-operators">
                { for v.operators.iter().map(|o| {
                    let name = o.display_name.clone().or_else(|| o.id.clone()).unwrap_or_default();
                    html! {
                        <li>
                            <span class="vs-text">{ name }</span>
                            if let (Some(id), Some(_)) = (&o.id, &o.display_name) {
                                <span class="vs-muted vs-text">{ format!(" ({id})") }</span>
                            }
                        </li>
                    }
                }) }
            </ul>
        }
    });
    html! {
        <>
            { header(v, glance, news) }
            { section("Activity", None, Some(activity(v, locale))) }
            { section("Visit path", Some(v.visit_path.len()), (!v.visit_path.is_empty()).then(|| visit_path(v, locale, news, keys))) }
            { section("Custom variables", Some(v.custom_variables.len()), key_values(&v.custom_variables, "Variable")) }
            { section("Pre-chat survey", Some(v.prechat_survey.len()), key_values(&v.prechat_survey, "Question")) }
            { section("Operators", Some(v.operators.len()), operators) }
        </>
    }
}

/// A [`Section`] with a count badge, or nothing when there is no body.
pub(crate) fn section(title: &'static str, count: Option<usize>, body: Option<Html>) -> Html {
    match body {
        Some(body) => html! {
            <Section title={title} badge={count.map(|n| AttrValue::from(n.to_string()))}>{ body }</Section>
        },
        None => Html::default(),
    }
}

/// A labelled visitor-supplied address: a safe link, or text.
pub(crate) fn fact_link(label: &'static str, href: Option<&str>) -> Html {
    match href {
        Some(href) => {
            html! { <Fact label={label}><SafeLink href={href.to_owned()} class="vs-page-url" /></Fact> }
        }
        None => Html::default(),
    }
}

/// A labelled ticking clock.
pub(crate) fn fact_clock(label: &'static str, clock: Option<Clock>) -> Html {
    match clock {
        Some(clock) => html! { <Fact label={label}><Ticking {clock} /></Fact> },
        None => Html::default(),
    }
}

fn header(v: &Visitor, glance: Html, news: &News) -> Html {
    let software = v.browser.as_deref().map(user_agent::parse);
    let name = v.name.clone().unwrap_or_else(|| "Visitor".into());
    let ip_host = match (&v.ip, &v.host) {
        (Some(ip), Some(host)) => Some(format!("{ip} ({host})")),
        (ip, host) => ip.clone().or_else(|| host.clone()),
    };
    html! {
        <header class="vs-visitor-header">
            <h2 class="vs-visitor-name vs-text">
                { name }
                if let Some(state) = &v.state {
                    <span class={classes!("vs-tag", matches!(state, VisitorState::Chatting).then_some("vs-tag-live"))}>
                        { state.label().to_owned() }
                    </span>
                    { new_mark(news.is_new(state_key(v))) }
                }
            </h2>
            { glance }
            <dl class="vs-facts">
                { fact_text("Current page", v.page_title.as_deref()) }
                { fact_link("Address", v.current_page()) }
                { fact_text("Browser", software.as_ref().and_then(|s| s.browser.as_deref())) }
                { fact_text("System", software.as_ref().and_then(|s| s.os.as_deref())) }
                { fact_text("Location", v.place().as_deref()) }
                { fact_clock("Local time", v.timezone.clone().map(|z| Clock::InZone(z.into()))) }
                { fact_text("Language", v.language.as_deref()) }
                { fact_text("IP / host", ip_host.as_deref()) }
            </dl>
        </header>
    }
}

fn activity(v: &Visitor, locale: Option<&str>) -> Html {
    let n = |x: Option<f64>| x.map(format::count);
    let greetings = match (v.greetings_accepted, v.greetings_refused, v.greetings_all) {
        (None, None, None) => None,
        (a, r, all) => Some(format!(
            "{} accepted · {} refused · {} in all",
            format::count(a.unwrap_or(0.0)),
            format::count(r.unwrap_or(0.0)),
            format::count(all.unwrap_or(0.0)),
        )),
    };
    let at = |secs: Option<f64>| {
        secs.and_then(epoch_ms)
            .and_then(|ms| format::date_time(ms, locale))
    };
    let chat_start = v
        .chat_start_time_ts
        .or(v.chat.as_ref().and_then(|c| c.started_timestamp))
        .and_then(epoch_ms);
    let queued = v.queue_start_time.and_then(epoch_ms);
    let waited = match (queued, chat_start) {
        (Some(q), Some(c)) if c >= q => Some(format::duration(c - q)),
        _ => None,
    };
    html! {
        <dl class="vs-facts">
            { fact_clock("Time on site", v.visit_started_ms().map(Clock::Since)) }
            { fact_text("Visits", n(v.visits).as_deref()) }
            { fact_text("Page views", n(v.page_views).as_deref()) }
            { fact_text("Chats", n(v.chats).as_deref()) }
            { fact_text("Greetings", greetings.as_deref()) }
            { fact_text("Last visit", at(v.last_visit_ts).as_deref()) }
            { fact_text("Chat started", chat_start.and_then(|ms| format::date_time(ms, locale)).as_deref()) }
            if matches!(v.state, Some(VisitorState::Queued)) {
                { fact_clock("In queue for", queued.map(Clock::Since)) }
            } else {
                { fact_text("Queue time", waited.as_deref()) }
            }
            { fact_text("Group", n(v.group).as_deref()) }
            { fact_link("Referrer", v.referrer.as_deref()) }
        </dl>
    }
}

/// The path; `keys` are its steps' (then the state's).
fn visit_path(v: &Visitor, locale: Option<&str>, news: &News, keys: &[u64]) -> Html {
    let count = v.visit_path.len();
    html! {
        <ol class="vs-journey vs-timeline">
            { for v.visit_path.iter().enumerate().map(|(i, step)| {
                let current = i + 1 == count;
                let title = step.title.clone().or_else(|| step.page.clone()).unwrap_or_else(|| "Untitled page".into());
                let time = step.time_ts.and_then(epoch_ms).and_then(|ms| format::time(ms, locale));
                let key = keys.get(i).copied().unwrap_or_default();
                // Keyed: a new step is one inserted row, the others stay as they are.
                html! {
                    <li key={key.to_string()} class={classes!("vs-page", current.then_some("vs-current"))}
                        aria-current={current.then_some("page")}>
                        if let Some(time) = time {
                            <span class="vs-step-time">{ time }</span>
                        }
                        <span class="vs-page-title vs-text" title={title.clone()}>{ title }</span>
                        if let Some(page) = &step.page {
                            <SafeLink href={page.clone()} class="vs-page-url" />
                        }
                        if let Some(invitation) = &step.invitation {
                            <span class="vs-invitation vs-text">{ format!("Invitation: {invitation}") }</span>
                        }
                        { new_mark(news.is_new(key)) }
                    </li>
                }
            }) }
        </ol>
    }
}

/// Visitor-supplied pairs (custom variables, survey answers) as a two-column table, as text.
fn key_values(pairs: &[KeyValue], key_heading: &'static str) -> Option<Html> {
    (!pairs.is_empty()).then(|| html! {
        <table class="vs-kv">
            <thead><tr><th scope="col">{ key_heading }</th><th scope="col">{ "Value" }</th></tr></thead>
            <tbody>
                { for pairs.iter().map(|kv| html! {
                    <tr>
                        <th scope="row" class="vs-text">{ kv.key.clone().unwrap_or_default() }</th>
                        <td class="vs-text">{ kv.value.clone().unwrap_or_default() }</td>
                    </tr>
                }) }
            </tbody>
        </table>
    })
}
