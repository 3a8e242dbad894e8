//! The customer: personal info (age, contacts as `mailto:`/`tel:` links, company...) and the
//! brand's customer info (status, type, balance, IDs, dates).

use super::{fact, fact_html, facts, humanise, money};
use crate::components::common::{SafeLink, Section};
use crate::format;
use crate::models::liveperson::{AppSession, DateParts};
use yew::prelude::*;

fn date(parts: Option<&DateParts>, locale: Option<&str>) -> Option<String> {
    let p = parts?;
    format::calendar_date(p.year?, p.month?, p.day?, locale)
}

fn link(label: &'static str, scheme: &str, value: Option<&str>) -> Option<Html> {
    let value = value?.trim();
    if value.is_empty() {
        return None;
    }
    let target: String = value.chars().filter(|c| !c.is_whitespace()).collect();
    fact_html(
        label,
        html! { <SafeLink href={format!("{scheme}{target}")} text={value.to_owned()} /> },
    )
}

pub fn customer(s: &AppSession, locale: Option<&str>) -> Html {
    let mut items: Vec<Option<Html>> = Vec::new();
    if let Some(p) = s.personal() {
        items.push(fact("Name", p.full_name()));
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
            items.push(fact("Age", text));
        }
        for contact in &p.contacts {
            items.push(link("Email", "mailto:", contact.email.as_deref()));
            items.push(link("Phone", "tel:", contact.phone.as_deref()));
        }
        items.push(fact("Gender", p.gender.as_deref().map(humanise)));
        items.push(fact("Company", p.company.clone()));
        items.push(fact("Language", p.language.clone()));
    }
    if let Some(c) = s.customer() {
        items.extend([
            fact("Status", c.customer_status.clone()),
            fact("Type", c.customer_type.clone()),
            fact("Balance", money(c.balance, locale)),
            fact("Customer ID", c.customer_id.clone()),
            fact("Last payment", date(c.last_payment_date.as_ref(), locale)),
            fact("Registered", date(c.registration_date.as_ref(), locale)),
            fact("Login status", c.login_status.clone()),
            fact("User name", c.user_name.clone()),
            fact("Account", c.account_name.clone()),
            fact("Role", c.role.clone()),
            fact("Company branch", c.company_branch.clone()),
            fact("Company size", c.company_size.clone()),
            fact("Social ID", c.social_id.clone()),
            fact("IMEI", c.imei.clone()),
            fact("Store number", c.store_number.clone()),
            fact("Store ZIP code", c.store_zip_code.clone()),
        ]);
    }
    match facts(items) {
        Some(body) => html! { <Section title="Customer" class="vs-lp-customer">{ body }</Section> },
        None => Html::default(),
    }
}
