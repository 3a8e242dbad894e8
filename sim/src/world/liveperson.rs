//! LivePerson's simulated visits, as the Visit Information API's `visits/current/state` answers
//! them: the seed visit, generated visits that browse and change their cart at every tick,
//! hostile and load-test visits, and why a lookup finds none (an unknown visitor, another
//! session, an ended visit).

use rand::rngs::StdRng;
use rand::Rng;
use serde_json::{json, Value};

use super::{random_id, DemoChat, World, FIRST_NAMES, MAX_PAGES, PAGES, PLACES, SURNAMES};
use crate::{hostile, SEED_LP_SID, SEED_LP_VISITOR_ID};

const SEED: &str = include_str!("../../../fixtures/liveperson-visit.json");

const BASE64URL: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

const PRODUCTS: [(&str, &str, &str, f64); 4] = [
    ("red high heel shoe", "women shoes", "xyz567", 77.8),
    ("trail runner 2", "sports shoes", "trl002", 119.0),
    ("wool socks", "accessories", "soc010", 9.5),
    ("shoe care kit", "accessories", "kit004", 24.9),
];

pub(super) struct LpVisit {
    visitor_id: String,
    sid: String,
    expired: bool,
    generated: bool,
    /// Shown in `chats()` (load-test visitors are not).
    pub(super) listed: bool,
    hostile: bool,
    pub(super) body: Value,
}

/// Why the Visit Information API finds no visit.
pub(crate) enum LpLookup {
    UnknownVisitor,
    UnknownSession,
    Expired,
}

/// The seed document's sample visit, parsed.
pub(super) fn seed_body() -> Value {
    serde_json::from_str(SEED).expect("fixture liveperson-visit.json")
}

/// The LivePerson load-test visitor number `n` (from 1): its visitor ID and session ID, such as
/// `load-000001` and `load.000001`.
pub fn load_visitor(n: usize) -> (String, String) {
    (format!("load-{n:06}"), format!("load.{n:06}"))
}

impl LpVisit {
    /// The seed visit, unchanged for ever.
    pub(super) fn seed(seed: &Value) -> LpVisit {
        LpVisit {
            visitor_id: SEED_LP_VISITOR_ID.into(),
            sid: SEED_LP_SID.into(),
            expired: false,
            generated: false,
            listed: true,
            hostile: false,
            body: seed.clone(),
        }
    }

    /// Generated visit number `i`, its IDs drawn from `rng`; it moves on at every tick.
    pub(super) fn generated(seed: &Value, i: usize, rng: &mut StdRng, now: u64) -> LpVisit {
        let visitor_id = random_id(rng, 22, BASE64URL);
        let sid = format!("{}.{}", rng.gen_range(1000..9999), rng.gen_range(100..999));
        LpVisit {
            body: generated_body(seed, i, &visitor_id, &sid, now),
            visitor_id,
            sid,
            expired: false,
            generated: true,
            listed: true,
            hostile: false,
        }
    }

    /// Hostile visit number `n` (from 1): `hostile-lp-01`, sid `666.001`; it does not move on.
    pub(super) fn hostile(
        seed: &Value,
        n: usize,
        now: u64,
        rotation: &mut hostile::Rotation,
    ) -> LpVisit {
        let visitor_id = format!("hostile-lp-{n:02}");
        let sid = format!("666.{n:03}");
        let monitoring_id = format!("{visitor_id}.666{n:03}");
        LpVisit {
            body: hostile::lp_body(seed, &monitoring_id, n, now, rotation),
            visitor_id,
            sid,
            expired: false,
            generated: false,
            listed: true,
            hostile: true,
        }
    }

    /// Load-test visit number `n` (see [`load_visitor`]): it answers but is not listed and does
    /// not move on.
    pub(super) fn load(seed: &Value, n: usize, now: u64) -> LpVisit {
        let (visitor_id, sid) = load_visitor(n);
        LpVisit {
            body: generated_body(
                seed,
                n % super::GENERATED_PER_VENDOR,
                &visitor_id,
                &sid,
                now,
            ),
            visitor_id,
            sid,
            expired: false,
            generated: false,
            listed: false,
            hostile: false,
        }
    }

    /// The visit's entry in the demo console's list: the visitor's name and the current page.
    pub(super) fn demo_chat(&self) -> DemoChat {
        let info = &self.body["appSessions"][0]["personalInfo"]["personalInfo"];
        let name = format!(
            "{} {}",
            info["name"].as_str().unwrap_or(""),
            info["surname"].as_str().unwrap_or("")
        );
        let summary = self.body["appSessions"][0]["pages"]
            .as_array()
            .and_then(|pages| pages.last())
            .and_then(|page| page["pageTitle"].as_str())
            .unwrap_or("")
            .to_owned();
        DemoChat {
            provider: "liveperson".into(),
            visitor_id: self.visitor_id.clone(),
            sid: Some(self.sid.clone()),
            customer_id: None,
            name: name.trim().to_owned(),
            summary,
            hostile: self.hostile,
        }
    }
}

impl World {
    /// This tick's step for the generated visits still running: every other tick a new page,
    /// every third a cart change.
    pub(super) fn move_lp_visits(&mut self, now: u64) {
        let step = self.step;
        for (i, visit) in self.lp.iter_mut().enumerate() {
            if !visit.generated || visit.expired {
                continue;
            }
            if (step + i as u64).is_multiple_of(2) {
                navigate(&mut visit.body, step as usize + i, now);
            }
            if (step + i as u64).is_multiple_of(3) {
                change_cart(&mut visit.body, step as usize + i, now);
            }
        }
    }

    pub(crate) fn expire_lp(&mut self, visitor_id: &str) -> bool {
        match self.lp.iter_mut().find(|v| v.visitor_id == visitor_id) {
            Some(v) => {
                v.expired = true;
                true
            }
            None => false,
        }
    }

    /// The LivePerson visit for a visitor, or why there is none.
    pub(crate) fn lp_visit(&self, visitor_id: &str, sid: &str) -> Result<Value, LpLookup> {
        let visit = self
            .lp
            .iter()
            .find(|v| v.visitor_id == visitor_id)
            .ok_or(LpLookup::UnknownVisitor)?;
        if visit.sid != sid {
            return Err(LpLookup::UnknownSession);
        }
        if visit.expired {
            return Err(LpLookup::Expired);
        }
        Ok(visit.body.clone())
    }
}

fn page(index: usize, now_ms: u64) -> Value {
    let (url, title) = PAGES[index % PAGES.len()];
    let id = format!("{}", 1_899_669_462u64 + index as u64);
    json!({
        "referrer": null,
        "pageBasic": {"url": url, "startTime": now_ms, "referrer": null, "title": title, "sections": null},
        "pageTitle": title,
        "startTime": now_ms,
        "timeOnPage": 0,
        "id": id,
        "pageLoaded": true,
        "url": url.trim_start_matches("https://"),
    })
}

fn generated_body(seed: &Value, i: usize, visitor_id: &str, sid: &str, now: u64) -> Value {
    let mut body = seed.clone();
    let monitoring_id = format!("{visitor_id}.{}", sid.replace('.', ""));
    body["id"] = json!(monitoring_id);
    let s = &mut body["appSessions"][0];
    s["id"] = json!(monitoring_id);
    let info = &mut s["personalInfo"]["personalInfo"];
    info["name"] = json!(FIRST_NAMES[i]);
    info["surname"] = json!(SURNAMES[i]);
    info["gender"] = json!(null);
    info["customerAge"] = json!(null);
    info["contacts"] = json!([{
        "email": format!("{}.{}@example.com", FIRST_NAMES[i], SURNAMES[i]).to_lowercase(),
        "phone": null
    }]);
    let (city, country, code, state, _) = PLACES[i];
    s["geo"] = json!({"country": country, "countryCode": code, "state": state, "city": city, "isp": "Example ISP", "org": null});
    s["ipv4"] = json!(format!("203.0.113.{}", 10 + i));
    s["startTime"] = json!(now * 1000);
    s["pages"] = json!([page(i, now * 1000)]);
    s["cart"] = json!({"cartStatus": {"total": 0.0, "currency": currency(i), "numItems": 0, "products": []}, "lastTotalChange": 0.0});
    for key in [
        "events",
        "purchases",
        "leads",
        "viewedProduct",
        "visitorError",
        "serviceActivity",
    ] {
        s[key] = json!([]);
    }
    s["customerInfo"]["customerInfo"]["customerId"] = json!(format!("C{:05}", 1000 + i));
    s["customerInfo"]["customerInfo"]["customerType"] = json!("regular");
    s["customerInfo"]["customerInfo"]["customerStatus"] = json!("active");
    s["customerInfo"]["customerInfo"]["balance"] = json!(0.0);
    if i % 2 == 1 {
        s["deviceFamily"] = json!("MOBILE");
        s["deviceOS"] = json!("IOS");
        s["mobileDeviceInfo"] = json!({"mobile": true, "detected": true});
        s["userAgent"] = json!("Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1");
    }
    body
}

/// The currency of generated visitor `i`'s cart (the cart SDE's optional `currency`).
fn currency(i: usize) -> &'static str {
    ["USD", "EUR", "GBP"][i % 3]
}

fn navigate(body: &mut Value, index: usize, now: u64) {
    let s = &mut body["appSessions"][0];
    let Some(pages) = s["pages"].as_array_mut() else {
        return;
    };
    let now_ms = now * 1000;
    if let Some(last) = pages.last_mut() {
        let started = last["startTime"].as_u64().unwrap_or(now_ms);
        last["timeOnPage"] = json!(now_ms.saturating_sub(started));
    }
    pages.push(page(index, now_ms));
    if pages.len() > MAX_PAGES {
        pages.remove(0);
    }
}

fn cart_after(products: &[Value], index: usize) -> Vec<Value> {
    let mut products = products.to_vec();
    let (name, category, sku, price) = PRODUCTS[index % PRODUCTS.len()];
    if index % 5 == 4 && !products.is_empty() {
        products.remove(0);
    } else if let Some(p) = products.iter_mut().find(|p| p["product"]["sku"] == sku) {
        p["quantity"] = json!(p["quantity"].as_u64().unwrap_or(1) + 1);
    } else {
        products.push(json!({"product": {"name": name, "category": category, "sku": sku, "price": price}, "quantity": 1}));
    }
    products
}

fn cart_totals(products: &[Value]) -> (f64, u64) {
    products.iter().fold((0.0, 0), |(total, n), p| {
        let q = p["quantity"].as_u64().unwrap_or(1);
        let price = p["product"]["price"].as_f64().unwrap_or(0.0);
        (total + price * q as f64, n + q)
    })
}

fn change_cart(body: &mut Value, index: usize, now: u64) {
    let s = &mut body["appSessions"][0];
    let old = s["cart"]["cartStatus"]["products"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let old_total = s["cart"]["cartStatus"]["total"].as_f64().unwrap_or(0.0);
    let currency = s["cart"]["cartStatus"]["currency"].clone();
    let products = cart_after(&old, index);
    let (total, n) = cart_totals(&products);
    let total = (total * 100.0).round() / 100.0;
    s["cart"] = json!({
        "cartStatus": {"total": total, "currency": currency, "numItems": n, "products": products},
        "lastTotalChange": ((total - old_total) * 100.0).round() / 100.0,
    });
    let page_id = s["pages"]
        .as_array()
        .and_then(|p| p.last())
        .map(|p| p["id"].clone())
        .unwrap_or(Value::Null);
    if let Some(events) = s["events"].as_array_mut() {
        events.push(json!({"cartStatus": {
            "serverTimeStamp": now * 1000,
            "total": total,
            "currency": currency,
            "contexts": {"page": {"id": page_id}},
            "numItems": n,
            "products": products,
        }}));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::world::Extras;
    use crate::SimCredentials;

    #[test]
    fn load_visitors_answer_but_are_not_listed() {
        let w = World::new(
            &SimCredentials::generate(),
            Extras {
                load_visitors: 1000,
                ..Extras::default()
            },
        );
        assert_eq!(w.chats(), World::plain().chats());
        for n in [1, 500, 1000] {
            let (id, sid) = load_visitor(n);
            assert_eq!(visitor_sidebar_contract::check_id(&id), Ok(()));
            let body = w.lp_visit(&id, &sid).ok().expect("a load visitor");
            assert!(body["appSessions"][0]["pages"].is_array());
        }
        let (id, sid) = load_visitor(1001);
        assert!(w.lp_visit(&id, &sid).is_err());
    }
}
