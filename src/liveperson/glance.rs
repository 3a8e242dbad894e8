//! LivePerson's facts for "At a glance" (see `components::glance`), from one app session of the
//! Visit Information API's visit (in the Agent Workspace, merged with what the SDK bound), only
//! those the data holds:
//!
//! - **Now**: the current page (`pages`, opened last: its title, else its path), how many times
//!   the visit opened that address, and how long ago;
//! - **Money**: the open cart (`cart.cartStatus`: total in its `currency`, items), bought when a
//!   purchase has the cart's total or came after the cart's last change (`events`); else the
//!   last purchase; the latest lead with its value;
//! - **Trouble**: the latest unresolved `visitorError`; the latest open `serviceActivity`;
//! - **Who**: `customerInfo`'s type and status, authenticated (the Agent Workspace's claims) or
//!   page-reported (the SDE alone);
//! - **Came from**: the search words, else the campaign and affiliate, else the referring site;
//! - **Where**: the place (`geo`), with the local time when the Agent Workspace gives the
//!   visitor's time zone.

use super::model::{order_by, AppSession, Cart, Event, Lead, ServiceActivity, VisitorError};
use crate::components::glance::{
    came_from_fact, clip, now_fact, where_fact, within_budget, GlanceFact, Kind,
};
use crate::format::{self, join};

/// What the Agent Workspace knows that the visit does not carry.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Hints {
    /// The visitor's IANA time zone (`visitorInfo.visitorTimezone`).
    pub time_zone: Option<String>,
    /// The visitor authenticated (`claimsAndAuthType.acr`), when known.
    pub authenticated: Option<bool>,
    /// The customer details came from the identity provider (`true`) or the page (`false`).
    pub customer_vouched: Option<bool>,
}

/// The glance's facts for one app session.
pub fn facts(s: &AppSession, hints: &Hints, locale: Option<&str>) -> Vec<GlanceFact> {
    let mut facts: Vec<GlanceFact> = Vec::new();
    facts.extend(now(s));
    money(s, locale, &mut facts);
    trouble(s, &mut facts);
    facts.extend(who(s, hints));
    let search = s.search_engine.as_ref().and_then(|e| e.keywords.as_deref());
    let campaign = s
        .marketing()
        .and_then(|m| join(&[m.campaign_id.as_deref(), m.affiliate.as_deref()], " · "));
    let referrer = s
        .external_referrer
        .as_deref()
        .filter(|r| !r.trim().is_empty())
        .or_else(|| {
            let first = *s.pages_in_order().first()?;
            s.pages[first].came_from()
        });
    facts.extend(came_from_fact(search, campaign.as_deref(), referrer));
    let place = s.geo.as_ref().and_then(|g| g.place());
    facts.extend(where_fact(place.as_deref(), hints.time_zone.as_deref()));
    within_budget(facts)
}

fn now(s: &AppSession) -> Option<GlanceFact> {
    let page = &s.pages[s.current_page_index()?];
    let name = crate::components::glance::page_name(page.title(), page.address())?;
    let seen = match page.address() {
        Some(address) => s
            .pages
            .iter()
            .filter(|p| p.address() == Some(address))
            .count(),
        None => 1,
    };
    Some(now_fact(name, seen, page.opened()))
}

/// "3 items" / "1 item".
fn items(n: f64) -> String {
    let unit = if n == 1.0 { "item" } else { "items" };
    format!("{} {unit}", format::count(n))
}

/// A purchase: its total, currency, order and (for an event) when.
struct Bought<'a> {
    total: Option<f64>,
    currency: Option<&'a str>,
    order: Option<&'a str>,
    at: Option<f64>,
}

/// The purchases, latest last: the events in server order, else the visit's list.
fn purchases(s: &AppSession) -> Vec<Bought<'_>> {
    let events: Vec<(f64, Bought<'_>)> = s
        .events
        .iter()
        .filter_map(|e| match e {
            Event::Purchase(p) => Some((
                p.server_time_stamp.unwrap_or(f64::MIN),
                Bought {
                    total: p.total,
                    currency: p.cart.as_ref().and_then(|c| c.currency.as_deref()),
                    order: p.order_id.as_deref(),
                    at: p.server_time_stamp,
                },
            )),
            _ => None,
        })
        .collect();
    if events.is_empty() {
        return s
            .purchases
            .iter()
            .map(|p| Bought {
                total: p.total,
                currency: p.cart.as_ref().and_then(|c| c.currency.as_deref()),
                order: p.order_id.as_deref(),
                at: None,
            })
            .collect();
    }
    // The panel's one sort (the standard library's weighs some 3.5 KB more in the bundle).
    let times: Vec<f64> = events.iter().map(|(t, _)| *t).collect();
    let mut slots: Vec<Option<Bought<'_>>> = events.into_iter().map(|(_, b)| Some(b)).collect();
    order_by(&times)
        .into_iter()
        .filter_map(|i| slots[i].take())
        .collect()
}

/// The latest event of a kind, by server time (`pick` reads it), else the last of `list`.
fn latest<'a, T>(
    s: &'a AppSession,
    pick: impl Fn(&'a Event) -> Option<&'a T>,
    list: &'a [T],
) -> Option<&'a T> {
    s.events
        .iter()
        .filter_map(|e| Some((e.server_time().unwrap_or(f64::MIN), pick(e)?)))
        .reduce(|a, b| if b.0 >= a.0 { b } else { a })
        .map(|(_, t)| t)
        .or(list.last())
}

fn money(s: &AppSession, locale: Option<&str>, facts: &mut Vec<GlanceFact>) {
    let bought = purchases(s);
    let last_purchase = bought.last();
    let open_cart = s
        .cart_status()
        .filter(|c| c.total.is_some_and(|t| t > 0.0) || c.num_items.is_some_and(|n| n > 0.0));
    let mut cart_bought = false;
    if let Some(cart) = open_cart {
        cart_bought = was_bought(s, cart, &bought);
        facts.push(cart_fact(cart, cart_bought, locale));
    }
    if let Some(p) = last_purchase.filter(|_| !cart_bought) {
        if let Some(total) = p.total {
            let amount = format::money(total, p.currency, locale);
            let order = p.order.map(clip);
            let text = match &order {
                Some(order) => format!("Last purchase {amount} · order {order}"),
                None => format!("Last purchase {amount}"),
            };
            let sentence = match &order {
                Some(order) => format!("I can see your last order, {order}, for {amount}."),
                None => format!("I can see your last order, for {amount}."),
            };
            facts.push(GlanceFact {
                kind: Kind::Money,
                name: "purchase",
                change: format!("Bought {amount}"),
                text,
                clock: None,
                sentence,
            });
        }
    }
    let lead = latest(
        s,
        |e| match e {
            Event::Lead(l) => l.lead.as_ref(),
            _ => None,
        },
        &s.leads,
    );
    facts.extend(lead.and_then(|l| lead_fact(l, locale)));
}

/// Bought: a purchase has the cart's total, or one came after the cart's last change.
fn was_bought(s: &AppSession, cart: &Cart, bought: &[Bought<'_>]) -> bool {
    let same_total = cart.total.is_some_and(|t| {
        bought
            .iter()
            .any(|b| b.total.is_some_and(|p| (p - t).abs() < 0.005))
    });
    // The cart's last change: the latest cart event, if it is this cart (a cart that changed
    // since has no known time).
    let cart_changed = s
        .events
        .iter()
        .filter_map(|e| match e {
            Event::CartStatus(c) => Some((c.server_time_stamp?, c.total)),
            _ => None,
        })
        .reduce(|a, b| if b.0 >= a.0 { b } else { a })
        .filter(|(_, total)| *total == cart.total)
        .map(|(at, _)| at);
    let bought_after = match (
        cart_changed,
        bought.iter().filter_map(|b| b.at).reduce(f64::max),
    ) {
        (Some(changed), Some(at)) => at >= changed,
        _ => false,
    };
    same_total || bought_after
}

fn cart_fact(cart: &Cart, bought: bool, locale: Option<&str>) -> GlanceFact {
    let amount = cart
        .total
        .map(|t| format::money(t, cart.currency.as_deref(), locale));
    let count = cart.num_items.filter(|n| *n > 0.0).map(items);
    let mut text = match (&amount, &count) {
        (Some(a), Some(c)) => format!("{a} in cart · {c}"),
        (Some(a), None) => format!("{a} in cart"),
        (None, Some(c)) => format!("{c} in cart"),
        (None, None) => "Items in cart".to_owned(),
    };
    let what = amount.clone().or(count.clone()).unwrap_or_default();
    let (sentence, change) = if bought {
        text.push_str(" · bought");
        (
            format!("I can see your order of {what} went through."),
            format!("Bought {what}"),
        )
    } else {
        let sentence = match (&amount, &count) {
            (Some(a), Some(c)) => format!("I can see {a} in your cart ({c})."),
            _ => format!("I can see {what} in your cart."),
        };
        (sentence, format!("Cart {}", text))
    };
    GlanceFact {
        kind: Kind::Money,
        name: "cart",
        text,
        clock: None,
        sentence,
        change,
    }
}

fn lead_fact(l: &Lead, locale: Option<&str>) -> Option<GlanceFact> {
    let topic = l
        .topic
        .as_deref()
        .filter(|t| !t.trim().is_empty())
        .map(clip);
    let value = l
        .value
        .filter(|v| *v > 0.0)
        .map(|v| format::amount(v, locale));
    let text = match (&topic, &value) {
        (Some(t), Some(v)) => format!("Lead “{t}” · value {v}"),
        (Some(t), None) => format!("Lead “{t}”"),
        (None, Some(v)) => format!("Lead · value {v}"),
        (None, None) => return None,
    };
    let sentence = match &topic {
        Some(t) => format!("I can see your enquiry about “{t}”."),
        None => "I can see your enquiry.".to_owned(),
    };
    Some(GlanceFact {
        kind: Kind::Money,
        name: "lead",
        change: text.clone(),
        text,
        clock: None,
        sentence,
    })
}

fn trouble(s: &AppSession, facts: &mut Vec<GlanceFact>) {
    let error = latest(
        s,
        |e| match e {
            Event::VisitorError(v) => v.visitor_error.as_ref(),
            _ => None,
        },
        &s.visitor_error,
    );
    facts.extend(error.and_then(error_fact));
    let service = latest(
        s,
        |e| match e {
            Event::ServiceActivity(a) => a.service_activity.as_ref(),
            _ => None,
        },
        &s.service_activity,
    );
    facts.extend(service.and_then(service_fact));
}

fn error_fact(e: &VisitorError) -> Option<GlanceFact> {
    if e.resolved == Some(true) {
        return None;
    }
    let what = e
        .message
        .as_deref()
        .filter(|m| !m.trim().is_empty())
        .or(e.code.as_deref().filter(|c| !c.trim().is_empty()))
        .map(clip)?;
    Some(GlanceFact {
        kind: Kind::Trouble,
        name: "error",
        text: format!("Error: {what}"),
        clock: None,
        sentence: format!("I can see you ran into an error: “{what}”."),
        change: format!("Error: {what}"),
    })
}

/// A service activity's status in words, and whether it is still open (LivePerson's service
/// activity engagement attribute: 0 Complete … 13 Resolved).
pub fn service_status(code: f64) -> Option<(&'static str, bool)> {
    let words = [
        ("complete", false),
        ("in progress", true),
        ("approved", false),
        ("cancelled", false),
        ("not approved", false),
        ("reviewed", true),
        ("missing details", true),
        ("closed", false),
        ("removed", false),
        ("assigned", true),
        ("waiting for the customer", true),
        ("waiting for a response", true),
        ("pending", true),
        ("resolved", false),
    ];
    (code.fract() == 0.0 && code >= 0.0)
        .then(|| words.get(code as usize).copied())
        .flatten()
}

fn service_fact(a: &ServiceActivity) -> Option<GlanceFact> {
    let (status, open) = service_status(a.status?)?;
    let topic = a
        .topic
        .as_deref()
        .filter(|t| !t.trim().is_empty())
        .map(clip);
    if !open {
        return None;
    }
    let text = match &topic {
        Some(t) => format!("Open request “{t}” · {status}"),
        None => format!("Open request · {status}"),
    };
    let sentence = match &topic {
        Some(t) => format!("I can see your request “{t}” is {status}."),
        None => format!("I can see your request is {status}."),
    };
    Some(GlanceFact {
        kind: Kind::Trouble,
        name: "service",
        change: text.clone(),
        text,
        clock: None,
        sentence,
    })
}

fn who(s: &AppSession, hints: &Hints) -> Option<GlanceFact> {
    let customer = s.customer();
    let kind = customer
        .and_then(|c| c.customer_type.as_deref())
        .filter(|t| !t.trim().is_empty())
        .map(clip);
    let status = customer
        .and_then(|c| c.customer_status.as_deref())
        .filter(|t| !t.trim().is_empty())
        .map(clip);
    let proof = if hints.authenticated == Some(true) || hints.customer_vouched == Some(true) {
        Some("authenticated")
    } else if customer.is_some() && hints.customer_vouched == Some(false) {
        Some("page-reported")
    } else {
        None
    };
    // "page-reported" alone says nothing about who they are.
    if kind.is_none() && status.is_none() && proof != Some("authenticated") {
        return None;
    }
    let kind_text = kind.as_ref().map(|k| format!("{k} customer"));
    let text = join(&[kind_text.as_deref(), status.as_deref(), proof], " · ")?;
    let sentence = match (&kind, &status) {
        (Some(k), _) => format!("I can see you're a {k} customer."),
        (None, Some(st)) => format!("I can see your account is {st}."),
        (None, None) => "I can see you're signed in.".to_owned(),
    };
    Some(GlanceFact {
        kind: Kind::Who,
        name: "who",
        change: format!("Customer {text}"),
        text,
        clock: None,
        sentence,
    })
}
