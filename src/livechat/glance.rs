//! LiveChat's facts for "At a glance" (see `components::glance`), only those the data holds.
//!
//! A REST API v2 visitor ([`visitor_facts`]):
//! - **Now**: `page_title`, else the path of `page_current`; how many times `visit_path` holds
//!   that address; how long since `page_time_ts`;
//! - **Who**: returning or new (`visits`), with the chats before (`chats`);
//! - **Came from**: the `referrer`'s site; **Where**: the place, with the local time
//!   (`timezone`).
//!
//! The Agent App's customer ([`customer_facts`]): the `customer_profile` event, with the Agent
//! Chat API v3 customer once the proxy has it:
//! - **Now**: the page of `visit.last_pages` opened last (title, else path), its count there,
//!   how long since `opened_at`;
//! - **Money**: each of `carts` with items (total in its currency, items);
//! - **Who**: returning or new (`statistics.visits_count`), chats and orders before;
//! - **Came from**: `visit.referrer`'s site; **Where**: the profile's (else the visit's) place
//!   and time zone.

use super::model::{epoch_ms, Visitor};
use super::v3::{rfc3339_ms, Customer, CustomerCart, Profile};
use crate::components::glance::{
    came_from_fact, now_fact, page_name, where_fact, within_budget, GlanceFact, Kind,
};
use crate::format;

/// The glance of a REST API v2 visitor.
pub fn visitor_facts(v: &Visitor) -> Vec<GlanceFact> {
    let mut facts = Vec::new();
    let current = v.current_page();
    if let Some(name) = page_name(v.page_title.as_deref(), current) {
        let seen = current.map_or(0, |c| {
            v.visit_path
                .iter()
                .filter(|s| s.page.as_deref() == Some(c))
                .count()
        });
        let opened = v.page_time_ts.and_then(epoch_ms).or_else(|| {
            let last = v.visit_path.last()?;
            (last.page.as_deref() == current)
                .then_some(last.time_ts)
                .flatten()
                .and_then(epoch_ms)
        });
        facts.push(now_fact(name, seen.max(1), opened));
    }
    facts.extend(who_fact(v.visits, v.chats, None));
    facts.extend(came_from_fact(None, None, v.referrer.as_deref()));
    facts.extend(where_fact(v.place().as_deref(), v.timezone.as_deref()));
    within_budget(facts)
}

/// The glance of the Agent App's customer: the event's profile, and `get_customer`'s answer
/// once there is one.
pub fn customer_facts(p: &Profile, c: Option<&Customer>, locale: Option<&str>) -> Vec<GlanceFact> {
    let mut facts = Vec::new();
    let visit = c.and_then(Customer::visit);
    if let Some(visit) = visit {
        let opened = |i: usize| {
            visit.last_pages[i]
                .opened_at
                .as_deref()
                .and_then(rfc3339_ms)
        };
        // The page opened last, the later one in the list on a tie.
        let current = (0..visit.last_pages.len()).reduce(|best, i| {
            if opened(i).unwrap_or(f64::MIN) >= opened(best).unwrap_or(f64::MIN) {
                i
            } else {
                best
            }
        });
        if let Some(i) = current {
            let page = &visit.last_pages[i];
            if let Some(name) = page_name(page.title.as_deref(), page.url.as_deref()) {
                let seen = match page.url.as_deref() {
                    Some(url) => visit
                        .last_pages
                        .iter()
                        .filter(|p| p.url.as_deref() == Some(url))
                        .count(),
                    None => 1,
                };
                facts.push(now_fact(name, seen, opened(i)));
            }
        }
    }
    if let Some(c) = c {
        facts.extend(
            c.carts
                .iter()
                .filter(|cart| cart.item_count() > 0.0)
                .take(1)
                .map(|cart| cart_fact(cart, locale)),
        );
        let s = c.statistics.as_ref();
        facts.extend(who_fact(
            s.and_then(|s| s.visits_count),
            s.and_then(|s| s.chats_count),
            s.and_then(|s| s.orders_count),
        ));
    }
    facts.extend(came_from_fact(
        None,
        None,
        visit.and_then(|v| v.referrer.as_deref()),
    ));
    let geo = p
        .geolocation
        .as_ref()
        .or_else(|| visit?.geolocation.as_ref());
    facts.extend(where_fact(
        geo.and_then(|g| g.place()).as_deref(),
        geo.and_then(|g| g.timezone.as_deref()),
    ));
    within_budget(facts)
}

fn cart_fact(cart: &CustomerCart, locale: Option<&str>) -> GlanceFact {
    let n = cart.item_count();
    let items = format!(
        "{} {}",
        format::count(n),
        if n == 1.0 { "item" } else { "items" }
    );
    let (text, sentence) = match cart.total {
        Some(total) => {
            let amount = format::money(total, cart.currency.as_deref(), locale);
            (
                format!("{amount} in cart · {items}"),
                format!("I can see {amount} in your cart ({items})."),
            )
        }
        None => (
            format!("{items} in cart"),
            format!("I can see {items} in your cart."),
        ),
    };
    GlanceFact {
        kind: Kind::Money,
        name: "cart",
        change: format!("Cart {text}"),
        text,
        clock: None,
        sentence,
    }
}

/// Returning or new, from the number of visits; with the chats (and orders) before.
fn who_fact(visits: Option<f64>, chats: Option<f64>, orders: Option<f64>) -> Option<GlanceFact> {
    let counted = |n: Option<f64>, one: &str, many: &str| {
        n.filter(|n| *n > 0.0).map(|n| {
            let word = if n == 1.0 { one } else { many };
            format!("{} {word}", format::count(n))
        })
    };
    let (standing, sentence) = match visits {
        Some(n) if n > 1.0 => (
            format!("Returning · {} visits", format::count(n)),
            format!(
                "Welcome back! I can see you've visited us {} times.",
                format::count(n)
            ),
        ),
        Some(1.0) => (
            "New visitor".to_owned(),
            "Welcome! I can see it's your first visit.".to_owned(),
        ),
        _ => {
            // No visit count: what else the history says, if anything.
            let chats = counted(chats, "chat", "chats")?;
            return Some(GlanceFact {
                kind: Kind::Who,
                name: "who",
                change: format!("{chats} before"),
                sentence: "Welcome back!".to_owned(),
                text: format!("{chats} before"),
                clock: None,
            });
        }
    };
    let history = format::join(
        &[
            counted(chats, "chat", "chats").as_deref(),
            counted(orders, "order", "orders").as_deref(),
        ],
        " · ",
    );
    let text = match history {
        Some(h) => format!("{standing} · {h}"),
        None => standing,
    };
    Some(GlanceFact {
        kind: Kind::Who,
        name: "who",
        change: text.clone(),
        text,
        clock: None,
        sentence,
    })
}
