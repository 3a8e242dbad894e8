//! The customer: personal info (age, contacts as `mailto:`/`tel:` links, company...) and the
//! brand's customer info (status, type, balance, IDs, dates).

use super::{humanise, known, money, rows, Row};
use crate::components::common::Fact;
use crate::components::common::{SafeLink, Section};
use crate::format;
use crate::liveperson::model::{AppSession, DateParts};
use yew::prelude::*;

fn date(parts: Option<&DateParts>, locale: Option<&str>) -> Option<String> {
    let p = parts?;
    format::calendar_date(p.year?, p.month?, p.day?, locale)
}

/// An email address or phone number as a `mailto:` / `tel:` link (text when unsafe).
fn link(label: &'static str, scheme: &str, value: Option<&str>) -> Html {
    let Some(value) = value.map(str::trim).filter(|v| !v.is_empty()) else {
        return Html::default();
    };
    let target: String = value.chars().filter(|c| !c.is_whitespace()).collect();
    html! {
        <Fact label={label}>
            <SafeLink href={format!("{scheme}{target}")} text={value.to_owned()} />
        </Fact>
    }
}

pub fn customer(s: &AppSession, locale: Option<&str>) -> Html {
    let mut items: Vec<Row> = Vec::new();
    let mut contacts: Vec<Html> = Vec::new();
    if let Some(p) = s.personal() {
        items.push(("Name", p.full_name()));
        if let Some(age) = &p.customer_age {
            let born = match (
                age.customer_year_of_birth,
                age.customer_month_of_birth,
                age.customer_date_of_birth,
            ) {
                (Some(y), Some(m), Some(d)) => format::calendar_date(y, m, d, locale),
                (Some(y), _, _) => Some(format::count(y)),
                _ => None,
            };
            let years = age.customer_age_in_years.map(|a| format::count(a.floor()));
            let text = match (years, born) {
                (Some(y), Some(b)) => Some(format!("{y} (born {b})")),
                (Some(y), None) => Some(y),
                (None, Some(b)) => Some(format!("born {b}")),
                (None, None) => None,
            };
            items.push(("Age", text));
        }
        for contact in &p.contacts {
            contacts.push(link("Email", "mailto:", contact.email.as_deref()));
            contacts.push(link("Phone", "tel:", contact.phone.as_deref()));
        }
        let has_contact = p
            .contacts
            .iter()
            .any(|c| c.email.is_some() || c.phone.is_some());
        if !has_contact {
            contacts.clear();
        }
        items.push(("Gender", p.gender.as_deref().map(humanise)));
        items.push(("Company", p.company.clone()));
        items.push(("Language", p.language.clone()));
    }
    if let Some(c) = s.customer() {
        items.extend([
            ("Status", c.customer_status.clone()),
            ("Type", c.customer_type.clone()),
            ("Balance", money(c.balance, locale)),
            ("Customer ID", c.customer_id.clone()),
            ("Last payment", date(c.last_payment_date.as_ref(), locale)),
            ("Registered", date(c.registration_date.as_ref(), locale)),
            ("Login status", c.login_status.clone()),
            ("User name", c.user_name.clone()),
            ("Account", c.account_name.clone()),
            ("Role", c.role.clone()),
            ("Company branch", c.company_branch.clone()),
            ("Company size", c.company_size.clone()),
            ("Social ID", c.social_id.clone()),
            ("IMEI", c.imei.clone()),
            ("Store number", c.store_number.clone()),
            ("Store ZIP code", c.store_zip_code.clone()),
        ]);
    }
    if contacts.is_empty() && !known(&items) {
        return Html::default();
    }
    // Name and age first, then how to reach them, then the rest.
    let rest = items.split_off(items.len().min(2));
    html! {
        <Section title="Customer" class="vs-lp-customer">
            <dl class="vs-facts">{ rows(items) }{ for contacts }{ rows(rest) }</dl>
        </Section>
    }
}
