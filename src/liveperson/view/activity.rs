//! Leads and service activity, and the errors the consumer met (highlighted, and labelled
//! "Error" in words, not by colour alone).

use super::{count, facts, money, yes_no};
use crate::components::common::Section;
use crate::format;
use yew::prelude::*;

use crate::liveperson::model::AppSession;

/// One titled item with its facts.
fn item(title: Option<String>, fallback: &'static str, body: Option<Html>) -> Html {
    html! {
        <li class="vs-lp-item">
            <span class="vs-text vs-lp-item-title">{ title.unwrap_or_else(|| fallback.into()) }</span>
            { body }
        </li>
    }
}

pub fn leads_and_service(s: &AppSession, locale: Option<&str>) -> Html {
    if s.leads.is_empty() && s.service_activity.is_empty() {
        return Html::default();
    }
    let total = format::count((s.leads.len() + s.service_activity.len()) as f64);
    html! {
        <Section title="Leads & service" badge={total} class="vs-lp-leads">
            if !s.leads.is_empty() {
                <h4 class="vs-lp-sub">{ "Leads" }</h4>
                <ul class="vs-lp-items">
                    { for s.leads.iter().map(|l| item(l.topic.clone(), "Lead", facts(vec![
                        ("Value", money(l.value, locale)),
                        ("Lead ID", l.lead_id.clone()),
                        ("Ticket ID", l.ticket_id.clone()),
                        ("Lead no.", l.lead_seq_id.clone()),
                        ("Repeated lead ID", yes_no(l.repeated_lead_id.filter(|&r| r))),
                    ]))) }
                </ul>
            }
            if !s.service_activity.is_empty() {
                <h4 class="vs-lp-sub">{ "Service activity" }</h4>
                <ul class="vs-lp-items">
                    { for s.service_activity.iter().map(|a| item(a.topic.clone(), "Service activity", facts(vec![
                        ("Status", count(a.status)),
                        ("Category", a.category.clone()),
                        ("Service ID", a.service_id.clone()),
                        ("Activity no.", a.service_seq_id.clone()),
                        ("Repeated", yes_no(a.repeated_service_activity.filter(|&r| r))),
                    ]))) }
                </ul>
            }
        </Section>
    }
}

pub fn visitor_errors(s: &AppSession) -> Html {
    if s.visitor_error.is_empty() {
        return Html::default();
    }
    html! {
        <Section title="Visitor errors" badge={format::count(s.visitor_error.len() as f64)}
                 class="vs-lp-errors">
            <ul class="vs-lp-items">
                { for s.visitor_error.iter().map(|e| html! {
                    <li class="vs-lp-item vs-lp-error">
                        <strong class="vs-lp-error-label">{ "Error" }</strong>{ " " }
                        <span class="vs-text">{ e.message.clone().unwrap_or_else(|| "No message".into()) }</span>
                        { facts(vec![
                            ("Code", e.code.clone()),
                            ("Level", e.level.clone()),
                            ("Context", e.context_id.clone()),
                            ("Resolved", yes_no(e.resolved)),
                        ]) }
                    </li>
                }) }
            </ul>
        </Section>
    }
}
