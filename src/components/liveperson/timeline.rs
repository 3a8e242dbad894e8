//! Every engagement-attribute event of the session, of whatever kind, merged into one list in
//! the order the server recorded them, one line each.

use super::{join, money, when};
use crate::components::common::Section;
use crate::format;
use crate::models::liveperson::{AppSession, Event, ProductLine};
use yew::prelude::*;

fn product_names(lines: &[ProductLine]) -> Option<String> {
    let names: Vec<&str> = lines
        .iter()
        .filter_map(|l| l.product.as_ref()?.name.as_deref())
        .collect();
    (!names.is_empty()).then(|| names.join(", "))
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

pub fn timeline(s: &AppSession, locale: Option<&str>) -> Html {
    if s.events.is_empty() {
        return Html::default();
    }
    html! {
        <Section title="Timeline" badge={format::count(s.events.len() as f64)} open={false}
                 class="vs-lp-timeline">
            <ol class="vs-lp-timeline-list">
                { for s.events_in_order().into_iter().map(|event| {
                    let (kind, what) = describe(event, locale);
                    let at = event.server_time().and_then(|t| when(t, locale))
                        .unwrap_or_else(|| "–".into());
                    html! {
                        <li class={classes!("vs-lp-event", matches!(event, Event::VisitorError(_)).then_some("vs-lp-error"))}>
                            <span class="vs-lp-event-time">{ at }</span>{ " " }
                            <strong class="vs-lp-event-kind">{ kind }</strong>
                            if let Some(what) = what { { ": " }<span class="vs-text">{ what }</span> }
                        </li>
                    }
                }) }
            </ol>
        </Section>
    }
}
