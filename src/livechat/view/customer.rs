//! The customer of the chat open in LiveChat's Agent App: what the `customer_profile` event
//! says (shown at once), then what the Agent Chat API v3's `get_customer` adds through the proxy
//! (the visit, its pages, the counters, the session's custom fields), and, when the customer is
//! also a REST API v2 visitor (`__priv_lc2_customer_id`), that visitor's live details and the
//! custom-details form.
//!
//! Render it keyed by the customer ID: another customer is then a new subtree, which never shows
//! the previous one's data, and whose polling starts afresh.

use super::details_form::{DetailsForm, DraftsHandle};
use super::visitor_detail::{fact_clock, fact_link, section, VisitorDetails};
use crate::components::common::{
    fact_text, new_mark, safe_link, Clock, Fact, SafeLink, Same, Section,
};
use crate::components::glance::{measured, Glance};
use crate::components::panel::use_panel;
use crate::context::use_settings;
use crate::format;
use crate::hooks::{item_key, unique_keys, use_changes, use_news, News};
use crate::livechat::api::{customer_path, visitor_path};
use crate::livechat::glance::customer_facts;
use crate::livechat::model::Visitor;
use crate::livechat::v3::{rfc3339_ms, Customer, LastPage, Pairs, Profile, Visit};
use crate::user_agent;
use std::rc::Rc;
use visitor_sidebar_contract::check_id;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct CustomerViewProps {
    /// What the Agent App's `customer_profile` event said.
    pub profile: Same<Profile>,
    /// Where the details form keeps what the agent typed, per v2 visitor.
    #[prop_or_default]
    pub drafts: Option<DraftsHandle>,
}

/// One customer: the event's facts at once, the proxy's as they come.
#[function_component]
pub fn CustomerView(props: &CustomerViewProps) -> Html {
    let profile = &props.profile;
    let path = match profile.id.as_deref() {
        Some(id) => check_id(id)
            .map(|()| customer_path(id))
            .map_err(|e| format!("The customer ID {e}.")),
        None => Err(
            "LiveChat's Agent App sent this customer without an ID, so only what it sent is shown."
                .to_owned(),
        ),
    };
    let customer = use_panel::<Customer>(path.as_ref().ok().cloned());
    let settings = use_settings();
    let facts = Rc::new(measured(|| {
        customer_facts(
            profile,
            customer.data().map(|c| &**c),
            settings.locale.as_deref(),
        )
    }));
    let glance = html! {
        <Glance subject={AttrValue::from(profile.id.clone().unwrap_or_default())} {facts} />
    };
    let data = customer.data().map(|c| &**c);
    let linked = data
        .and_then(|c| c.lc2_customer_id.clone())
        .filter(|id| check_id(id).is_ok());
    html! {
        <section class="vs-customer" aria-label="Customer of the open chat">
            { header(profile, data, glance) }
            { section("Pre-chat survey", Some(survey_len(profile)), survey(profile)) }
            { section("Custom variables", Some(profile.custom_variables.0.len()), pairs_table(&profile.custom_variables, "Variable")) }
            if let Err(problem) = &path {
                <p class="vs-notice vs-notice-error" role="alert">{ problem.clone() }</p>
            } else {
                { customer.view(|c| html! { <CustomerDetails customer={c.clone()} /> }) }
            }
            if let Some(visitor_id) = linked {
                <LinkedVisitor key={visitor_id.clone()} visitor_id={visitor_id.clone()} drafts={props.drafts.clone()} />
            }
        </section>
    }
}

fn survey_len(p: &Profile) -> usize {
    p.chat.as_ref().map_or(0, |c| c.pre_chat_survey.len())
}

/// Who: from the event at once, with the proxy's avatar, state and phone once it has them; the
/// glance right under the name.
fn header(p: &Profile, c: Option<&Customer>, glance: Html) -> Html {
    let name = p
        .name
        .clone()
        .or_else(|| c.and_then(|c| c.name.clone()))
        .unwrap_or_else(|| "Customer".into());
    let email = p.email.clone().or_else(|| c.and_then(|c| c.email.clone()));
    let geo = p
        .geolocation
        .as_ref()
        .or_else(|| c.and_then(Customer::visit)?.geolocation.as_ref());
    // A link, not an <img>: loading a customer-set address from the agent's console would tell
    // whoever runs it the agent's address and when the chat was opened.
    let avatar = c.and_then(|c| c.avatar.as_deref());
    let chat = p.chat.as_ref();
    let verified = c
        .and_then(|c| c.email_verified)
        .map(|v| if v { "yes" } else { "no" });
    let source = p.source.as_deref().map(|s| match s {
        "chats" => "Chats",
        "archives" => "Archives",
        "customers" => "Customers",
        other => other,
    });
    html! {
        <header class="vs-visitor-header vs-customer-header">
            <h2 class="vs-visitor-name vs-text">
                { name }
                if let Some(state) = c.and_then(|c| c.state.clone()) {
                    <span class="vs-tag">{ state }</span>
                }
                if let Some(present) = c.and_then(|c| c.present) {
                    <span class={classes!("vs-tag", present.then_some("vs-tag-live"))}>
                        { if present { "on the site" } else { "not on the site" } }
                    </span>
                }
            </h2>
            { glance }
            <dl class="vs-facts">
                if let Some(email) = email {
                    <Fact label="Email">
                        { safe_link(format!("mailto:{email}").into(), Some(email.into()), classes!()) }
                    </Fact>
                }
                { fact_text("Email verified", verified) }
                { fact_text("Phone", c.and_then(|c| c.phone_number.as_deref())) }
                if let Some(avatar) = avatar {
                    <Fact label="Avatar">{ safe_link(avatar.to_owned().into(), Some("Open the image".into()), classes!()) }</Fact>
                }
                { fact_text("Location", geo.and_then(|g| g.place()).as_deref()) }
                { fact_clock("Local time", geo.and_then(|g| g.timezone.clone()).map(|z| Clock::InZone(z.into()))) }
                { fact_text("Chat", chat.and_then(|c| c.chat())) }
                { fact_text("Thread", chat.and_then(|c| c.thread())) }
                { fact_text("Group", chat.and_then(|c| c.group_id.as_deref())) }
                { fact_text("Opened from", source) }
                { fact_text("Customer ID", p.id.as_deref()) }
            </dl>
        </header>
    }
}

/// The pre-chat survey that came with the chat.
fn survey(p: &Profile) -> Option<Html> {
    let answers = &p.chat.as_ref()?.pre_chat_survey;
    (!answers.is_empty()).then(|| {
        html! {
            <table class="vs-kv">
                <thead><tr><th scope="col">{ "Question" }</th><th scope="col">{ "Answer" }</th></tr></thead>
                <tbody>
                    { for answers.iter().map(|a| html! {
                        <tr>
                            <th scope="row" class="vs-text">{ a.question.clone().unwrap_or_default() }</th>
                            <td class="vs-text">{ a.answer.clone().unwrap_or_default() }</td>
                        </tr>
                    }) }
                </tbody>
            </table>
        }
    })
}

/// Customer-supplied pairs as a two-column table, as text.
fn pairs_table(pairs: &Pairs, key_heading: &'static str) -> Option<Html> {
    (!pairs.0.is_empty()).then(|| {
        html! {
            <table class="vs-kv">
                <thead><tr><th scope="col">{ key_heading }</th><th scope="col">{ "Value" }</th></tr></thead>
                <tbody>
                    { for pairs.0.iter().map(|(key, value)| html! {
                        <tr>
                            <th scope="row" class="vs-text">{ key.clone() }</th>
                            <td class="vs-text">{ value.clone() }</td>
                        </tr>
                    }) }
                </tbody>
            </table>
        }
    })
}

#[derive(Properties, PartialEq)]
pub struct CustomerDetailsProps {
    pub customer: Same<Customer>,
}

/// What tells a page of the visit apart, for its `New` mark and its key (`last_pages` is a
/// window that moves, so not its place in the list).
fn page_key(page: &LastPage) -> u64 {
    item_key(&[
        "page",
        page.opened_at.as_deref().unwrap_or_default(),
        page.url.as_deref().unwrap_or_default(),
    ])
}

/// What `get_customer` adds to the event. Between polls it marks the pages that are new and
/// announces a new state to screen readers (the glance above announces a new page).
#[function_component]
pub fn CustomerDetails(props: &CustomerDetailsProps) -> Html {
    let settings = use_settings();
    let locale = settings.locale.as_deref();
    let c = &props.customer;
    let visit = c.visit();
    let current = visit.and_then(current_page);
    let subject: AttrValue = c.id.clone().unwrap_or_default().into();
    use_changes(
        subject.clone(),
        vec![("State", c.state.clone().unwrap_or_default())],
    );
    let pages = visit.map(|v| v.last_pages.as_slice()).unwrap_or_default();
    let keys = Rc::new(unique_keys(pages.iter().map(page_key).collect()));
    let news = use_news(subject, keys.clone());
    let pages = pages.len();
    html! {
        <>
            { section("Last visit", None, visit.map(|v| visit_facts(v, c.present, locale))) }
            { section("Pages", Some(pages), visit.filter(|_| pages > 0).map(|v| last_pages(v, current, locale, &news, &keys))) }
            { section("History", None, Some(history(c, locale))) }
            { section("Session fields", Some(c.session_fields.0.len()), pairs_table(&c.session_fields, "Field")) }
        </>
    }
}

/// A time the API wrote in RFC 3339, for the agent.
fn at(text: Option<&str>, locale: Option<&str>) -> Option<String> {
    format::date_time(rfc3339_ms(text?)?, locale)
}

fn visit_facts(v: &Visit, present: Option<bool>, locale: Option<&str>) -> Html {
    let software = v.user_agent.as_deref().map(user_agent::parse);
    let started = v.started_at.as_deref().and_then(rfc3339_ms);
    // Still on the site: how long so far.
    let on_site = started.filter(|_| v.ended_at.is_none() && present != Some(false));
    html! {
        <dl class="vs-facts">
            { fact_text("Started", at(v.started_at.as_deref(), locale).as_deref()) }
            { fact_text("Ended", at(v.ended_at.as_deref(), locale).as_deref()) }
            { fact_clock("Time on site", on_site.map(Clock::Since)) }
            { fact_link("Referrer", v.referrer.as_deref()) }
            { fact_text("IP address", v.ip.as_deref()) }
            { fact_text("Browser", software.as_ref().and_then(|s| s.browser.as_deref())) }
            { fact_text("System", software.as_ref().and_then(|s| s.os.as_deref())) }
            { fact_text("Location", v.geolocation.as_ref().and_then(|g| g.place()).as_deref()) }
        </dl>
    }
}

/// The page opened last (the latest `opened_at`, the later one on a tie): whatever order the
/// API lists them in.
fn current_page(v: &Visit) -> Option<usize> {
    let opened = |i: usize| {
        v.last_pages[i]
            .opened_at
            .as_deref()
            .and_then(rfc3339_ms)
            .unwrap_or(f64::MIN)
    };
    (0..v.last_pages.len()).reduce(|best, i| if opened(i) >= opened(best) { i } else { best })
}

/// The pages; `keys` are theirs, in order.
fn last_pages(
    v: &Visit,
    current: Option<usize>,
    locale: Option<&str>,
    news: &News,
    keys: &[u64],
) -> Html {
    html! {
        <ol class="vs-journey vs-timeline">
            { for v.last_pages.iter().enumerate().map(|(i, page)| {
                let is_current = current == Some(i);
                let title = page.title.clone().or_else(|| page.url.clone()).unwrap_or_else(|| "Untitled page".into());
                let time = page.opened_at.as_deref().and_then(rfc3339_ms).and_then(|ms| format::time(ms, locale));
                let key = keys.get(i).copied().unwrap_or_default();
                // Keyed: a new page is one inserted row, the others stay as they are.
                html! {
                    <li key={key.to_string()} class={classes!("vs-page", is_current.then_some("vs-current"))}
                        aria-current={is_current.then_some("page")}>
                        if let Some(time) = time {
                            <span class="vs-step-time">{ time }</span>
                        }
                        <span class="vs-page-title vs-text" title={title.clone()}>{ title }</span>
                        if let Some(url) = &page.url {
                            <SafeLink href={url.clone()} class="vs-page-url" />
                        }
                        { new_mark(news.is_new(key)) }
                    </li>
                }
            }) }
        </ol>
    }
}

fn history(c: &Customer, locale: Option<&str>) -> Html {
    let s = c.statistics.clone().unwrap_or_default();
    let n = |x: Option<f64>| x.map(format::count);
    let greetings = match (s.greetings_accepted_count, s.greetings_shown_count) {
        (None, None) => None,
        (accepted, shown) => Some(format!(
            "{} accepted of {} shown",
            format::count(accepted.unwrap_or(0.0)),
            format::count(shown.unwrap_or(0.0)),
        )),
    };
    let chats = (!c.chat_ids.is_empty()).then(|| {
        c.chat_ids
            .iter()
            .map(|t| t.0.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    });
    html! {
        <dl class="vs-facts">
            { fact_text("Customer since", at(c.created_at.as_deref(), locale).as_deref()) }
            { fact_text("Visits", n(s.visits_count).as_deref()) }
            { fact_text("Page views", n(s.page_views_count).as_deref()) }
            { fact_text("Chats", n(s.chats_count).as_deref()) }
            { fact_text("Threads", n(s.threads_count).as_deref()) }
            { fact_text("Greetings", greetings.as_deref()) }
            { fact_text("Tickets", n(s.tickets_count).as_deref()) }
            { fact_text("Chat IDs", chats.as_deref()) }
            { fact_text("Visitor ID (v2)", c.lc2_customer_id.as_deref()) }
        </dl>
    }
}

#[derive(Properties, PartialEq)]
struct LinkedVisitorProps {
    visitor_id: AttrValue,
    drafts: Option<DraftsHandle>,
}

/// The customer as a REST API v2 visitor: the live details (closed at first: the customer's
/// own facts above say most of it) and the custom-details form, whose drafts outlive the chat.
#[function_component]
fn LinkedVisitor(props: &LinkedVisitorProps) -> Html {
    let visitor = use_panel::<Visitor>(Some(visitor_path(&props.visitor_id)));
    html! {
        <>
            <Section title="Live visit (REST API v2)" open={false} class="vs-linked-visitor">
                { visitor.view(|v| html! { <VisitorDetails visitor={v.clone()} glance={false} /> }) }
            </Section>
            <DetailsForm visitor_id={props.visitor_id.clone()} drafts={props.drafts.clone()} />
        </>
    }
}
