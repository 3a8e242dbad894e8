//! Every engagement-attribute event of the session, of whatever kind, merged into one list in
//! the order the server recorded them, one line each.

use super::{money, SessionListProps};
use crate::components::common::{new_mark, Section};
use crate::format;
use crate::format::join;
use crate::format::when;
use crate::liveperson::model::{Event, ProductLine};
use yew::prelude::*;

fn product_names(lines: &[ProductLine]) -> Option<String> {
    let names: Vec<Option<&str>> = lines
        .iter()
        .map(|l| l.product.as_ref()?.name.as_deref())
        .collect();
    join(&names, ", ")
}

/// What kind of event, and what it says, in a few words.
fn describe(event: &Event, locale: Option<&str>) -> (&'static str, Option<String>) {
    match event {
        Event::MarketingCampaignInfo(e) => (
            "Marketing",
            e.marketing_campaign_info
                .as_ref()
                .and_then(|m| join(&[m.affiliate.as_deref(), m.campaign_id.as_deref()], " · ")),
        ),
        Event::Lead(e) => (
            "Lead",
            e.lead.as_ref().and_then(|l| {
                let value = money(l.value, locale);
                join(&[l.topic.as_deref(), value.as_deref()], " · ")
            }),
        ),
        Event::CartStatus(e) => {
            let items = e.num_items.map(|n| format!("{} items", format::count(n)));
            let total = money(e.total, locale).map(|t| format!("total {t}"));
            ("Cart", join(&[items.as_deref(), total.as_deref()], ", "))
        }
        Event::Purchase(e) => {
            let order = e.order_id.as_deref().map(|o| format!("order {o}"));
            let total = money(e.total, locale).map(|t| format!("total {t}"));
            (
                "Purchase",
                join(&[order.as_deref(), total.as_deref()], ", "),
            )
        }
        Event::ViewedProduct(e) => ("Viewed", product_names(&e.products)),
        Event::CustomerInfo(e) => (
            "Customer info",
            e.customer_info.as_ref().and_then(|c| {
                join(
                    &[
                        c.customer_status.as_deref(),
                        c.customer_type.as_deref(),
                        c.customer_id.as_deref(),
                    ],
                    " · ",
                )
            }),
        ),
        Event::PersonalInfo(e) => (
            "Personal info",
            e.personal_info.as_ref().and_then(|p| p.full_name()),
        ),
        Event::ServiceActivity(e) => (
            "Service",
            e.service_activity.as_ref().and_then(|a| a.topic.clone()),
        ),
        Event::VisitorError(e) => (
            "Error",
            e.visitor_error.as_ref().and_then(|v| {
                let code = v.code.as_deref().map(|c| format!("({c})"));
                join(&[v.message.as_deref(), code.as_deref()], " ")
            }),
        ),
        Event::SearchContent(e) => {
            let words: Vec<&str> = e.keywords.iter().map(|k| k.0.as_str()).collect();
            ("Search", (!words.is_empty()).then(|| words.join(", ")))
        }
    }
}

/// How many of the latest events an opened timeline shows before "Show all".
pub const FIRST_EVENTS: usize = 200;

/// The timeline, closed at first. Its lines are built only once the agent opens it, and then
/// only the latest [`FIRST_EVENTS`] until "Show all": a visit can carry 10,000 events, and
/// building them all on every visit was most of the panel's render time.
#[function_component]
pub fn Timeline(props: &SessionListProps) -> Html {
    let opened = use_state_eq(|| false);
    let all = use_state_eq(|| false);
    let s = props.session.get();
    if s.events.is_empty() {
        return Html::default();
    }
    let locale = props.locale.as_deref();
    let on_toggle = {
        let opened = opened.clone();
        Callback::from(move |open| opened.set(open))
    };
    let total = s.events.len();
    let limited = !*all && total > FIRST_EVENTS;
    let more = {
        let all = all.clone();
        Callback::from(move |_| all.set(true))
    };
    let body = opened.then(|| {
        let ordered = s.event_order();
        let skip = if limited { total - FIRST_EVENTS } else { 0 };
        html! {
            <>
                if limited {
                    <p class="vs-lp-more">
                        { format!("Showing the latest {FIRST_EVENTS} of {total} events. ") }
                        <button type="button" class="vs-button" onclick={more}>{ format!("Show all {total} events") }</button>
                    </p>
                }
                <ol class="vs-lp-timeline-list">
                    { for ordered.into_iter().skip(skip).map(|i| {
                        let key = props.keys.get(i).copied().unwrap_or_default();
                        line(&s.events[i], key, props.news.is_new(key), locale)
                    }) }
                </ol>
            </>
        }
    });
    html! {
        <Section title="Timeline" badge={format::count(total as f64)} open={false}
                 class="vs-lp-timeline" {on_toggle}>
            { body }
        </Section>
    }
}

fn line(event: &Event, key: u64, is_new: bool, locale: Option<&str>) -> Html {
    let (kind, what) = describe(event, locale);
    let at = event
        .server_time()
        .and_then(|t| when(t, locale))
        .unwrap_or_else(|| "–".into());
    html! {
        <li key={key.to_string()} class={classes!("vs-lp-event", matches!(event, Event::VisitorError(_)).then_some("vs-lp-error"))}>
            <span class="vs-lp-event-time">{ at }</span>{ " " }
            <strong class="vs-lp-event-kind">{ kind }</strong>
            if let Some(what) = what { { ": " }<span class="vs-text">{ what }</span> }
            { new_mark(is_new) }
        </li>
    }
}
