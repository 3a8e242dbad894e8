//! LiveChat's simulated visitors: the REST API v2 visitor records (`GET /visitors`), their chats
//! (browsing or invited → queued → chatting → chat closed → browsing, each start and end an event
//! for the webhooks), the custom details agents send back, and the Agent Chat API v3.6 customer
//! built from the same record.

use rand::rngs::StdRng;
use rand::Rng;
use serde_json::{json, Value};
use time::{OffsetDateTime, PrimitiveDateTime};

use super::{
    now_secs, random_id, ChatEvent, DemoChat, World, FIRST_NAMES, GENERATED_PER_VENDOR, MAX_PAGES,
    PAGES, PLACES, SURNAMES,
};
use crate::{hostile, SEED_LC_CUSTOMER_ID, SEED_LC_VISITOR_ID};

const SEED: &str = include_str!("../../../fixtures/livechat-visitors.json");

/// Ticks a generated LiveChat chat lasts before it closes.
const CHAT_TICKS: u64 = 8;
const INITIAL_STATES: [&str; GENERATED_PER_VENDOR] = [
    "browsing", "queued", "chatting", "browsing", "invited", "browsing",
];

const HEX: &[u8] = b"0123456789abcdef";
const CHAT_ID_ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

struct Chat {
    id: String,
    token: String,
    started_step: u64,
}

pub(super) struct LcVisitor {
    id: String,
    generated: bool,
    hostile: bool,
    /// A load-test visitor: in the visitor list, not in the demo console's chats.
    load: bool,
    body: Value,
    chat: Option<Chat>,
    details: Vec<Value>,
}

/// The LiveChat load-test visitor number `n` (from 1): its visitor ID, such as
/// `S1000000000.load000001`.
pub fn load_visitor(n: usize) -> String {
    format!("S1000000000.load{n:06}")
}

/// Why `POST /visitors/{id}/details` is refused.
pub(crate) enum DetailsRefusal {
    UnknownVisitor,
    BadToken,
}

/// The first visitor of the seed document's sample list, parsed.
pub(super) fn seed_body() -> Value {
    let seed: Value = serde_json::from_str(SEED).expect("fixture livechat-visitors.json");
    seed[0].clone()
}

impl LcVisitor {
    /// The seed visitor, chatting and unchanged for ever.
    pub(super) fn seed(seed: &Value) -> LcVisitor {
        LcVisitor {
            id: SEED_LC_VISITOR_ID.into(),
            generated: false,
            hostile: false,
            load: false,
            chat: Some(Chat {
                id: seed["chat_id"].as_str().unwrap_or("DL1G0UED4H").into(),
                token: crate::random_token(32),
                started_step: 0,
            }),
            body: seed.clone(),
            details: Vec::new(),
        }
    }

    /// Generated visitor number `i`, its ID drawn from `rng`; it moves on at every tick. One
    /// that starts out chatting gets its chat from [`World::begin_initial_chats`].
    pub(super) fn generated(seed: &Value, i: usize, rng: &mut StdRng, now: u64) -> LcVisitor {
        let id = format!(
            "S{}.{}",
            rng.gen_range(1_400_000_000u64..1_800_000_000),
            random_id(rng, 10, HEX)
        );
        LcVisitor {
            body: generated_body(seed, i, &id, now),
            id,
            generated: true,
            hostile: false,
            load: false,
            chat: None,
            details: Vec::new(),
        }
    }

    /// Load-test visitor number `n` (from 1), [`load_visitor`]`(n)`: a generated visitor's body
    /// that does not move on, listed by `GET /visitors` but not in the demo console's chats.
    pub(super) fn load(seed: &Value, n: usize, now: u64) -> LcVisitor {
        let id = load_visitor(n);
        LcVisitor {
            body: generated_body(seed, n % GENERATED_PER_VENDOR, &id, now),
            id,
            generated: false,
            hostile: false,
            load: true,
            chat: None,
            details: Vec::new(),
        }
    }

    /// Whether the demo console lists this visitor among its chats.
    pub(super) fn in_demo(&self) -> bool {
        !self.load
    }

    /// Hostile visitor number `n` (from 1): `S1666666666.hostile01`, chatting in a chat that
    /// never ends.
    pub(super) fn hostile(
        seed: &Value,
        n: usize,
        rng: &mut StdRng,
        now: u64,
        rotation: &mut hostile::Rotation,
    ) -> LcVisitor {
        let id = format!("S1666666666.hostile{n:02}");
        let chat_id = random_id(rng, 10, CHAT_ID_ALPHABET);
        LcVisitor {
            body: hostile::lc_body(seed, &id, &chat_id, n, now, rotation),
            id,
            generated: false,
            hostile: true,
            load: false,
            chat: Some(Chat {
                id: chat_id,
                token: crate::random_token(32),
                started_step: 0,
            }),
            details: Vec::new(),
        }
    }

    /// The visitor's entry in the demo console's list: the name and "City, Country".
    pub(super) fn demo_chat(&self) -> DemoChat {
        DemoChat {
            provider: "livechat".into(),
            visitor_id: self.id.clone(),
            sid: None,
            customer_id: Some(customer_id_for(&self.id)),
            name: self.name(),
            summary: format!(
                "{}, {}",
                self.body["city"].as_str().unwrap_or(""),
                self.body["country"].as_str().unwrap_or("")
            ),
            hostile: self.hostile,
        }
    }

    fn name(&self) -> String {
        self.body["name"].as_str().unwrap_or("Visitor").to_owned()
    }

    /// What the webhook of `event` (`chat_started`, `chat_ended`) says about this chat.
    fn chat_event(&self, event: &'static str, chat: &Chat, license_id: &str) -> ChatEvent {
        ChatEvent {
            event,
            visitor_id: self.id.clone(),
            visitor_name: self.name(),
            chat_id: chat.id.clone(),
            token: chat.token.clone(),
            license_id: license_id.to_owned(),
        }
    }
}

impl World {
    /// Generated visitors that start out chatting get their chat (and token) now.
    pub(super) fn begin_initial_chats(&mut self) {
        for i in 0..self.lc.len() {
            if self.lc[i].generated && self.lc[i].body["state"] == "chatting" {
                self.begin_chat(i);
            }
        }
    }

    fn begin_chat(&mut self, index: usize) -> ChatEvent {
        let chat_id = random_id(&mut self.rng, 10, CHAT_ID_ALPHABET);
        let chat = Chat {
            id: chat_id.clone(),
            token: crate::random_token(32),
            started_step: self.step,
        };
        let now = now_secs();
        let v = &mut self.lc[index];
        let b = &mut v.body;
        b["state"] = json!("chatting");
        b["chat_id"] = json!(chat_id);
        b["chat"] = json!({"id": chat_id, "started_timestamp": now});
        b["chat_start_time"] = json!(lc_time(now));
        b["chat_start_time_ts"] = json!(now);
        b["chats"] = json!(b["chats"].as_u64().unwrap_or(0) + 1);
        b["operators"] = json!([{"id": "john.doe@mycompany.com", "display_name": "John Doe"}]);
        let name = v.name();
        v.body["prechat_survey"] = json!([
            {"key": "Name:", "value": name, "id": "2001"},
            {"key": "E-mail:", "value": format!("{}@example.com", name.to_lowercase().replace(' ', ".")), "id": "2002"}
        ]);
        let event = v.chat_event("chat_started", &chat, &self.license_id);
        v.chat = Some(chat);
        event
    }

    /// This tick's step for the generated visitors: every other tick a new page, every third a
    /// cart change, and the next state of their chat; returns the chats that started or ended.
    pub(super) fn move_lc_visitors(&mut self, now: u64) -> Vec<ChatEvent> {
        let step = self.step;
        let mut events = Vec::new();
        for i in 0..self.lc.len() {
            if !self.lc[i].generated {
                continue;
            }
            let phase = step + i as u64;
            if phase % 2 == 1 {
                navigate(&mut self.lc[i].body, phase as usize, now);
            }
            if phase.is_multiple_of(3) {
                change_cart(&mut self.lc[i].body, phase as usize);
            }
            let state = self.lc[i].body["state"].as_str().unwrap_or("").to_owned();
            match state.as_str() {
                "browsing" | "invited" if phase.is_multiple_of(4) => {
                    let b = &mut self.lc[i].body;
                    b["state"] = json!("queued");
                    b["queue_start_time"] = json!(now);
                }
                "queued" => events.push(self.begin_chat(i)),
                "chatting" => {
                    let ended = self.lc[i]
                        .chat
                        .as_ref()
                        .is_some_and(|c| step >= c.started_step + CHAT_TICKS);
                    if ended {
                        let v = &mut self.lc[i];
                        if let Some(chat) = v.chat.take() {
                            events.push(v.chat_event("chat_ended", &chat, &self.license_id));
                        }
                        v.body["state"] = json!("chat closed");
                        v.body["prechat_survey"] = json!([]);
                    }
                }
                "chat closed" => {
                    self.lc[i].body["state"] = json!("browsing");
                }
                _ => {}
            }
        }
        events
    }

    /// The chats running now, as webhooks would have announced them.
    pub(crate) fn running_chats(&self) -> Vec<ChatEvent> {
        self.lc
            .iter()
            .filter_map(|v| {
                let chat = v.chat.as_ref()?;
                Some(v.chat_event("chat_started", chat, &self.license_id))
            })
            .collect()
    }

    pub(crate) fn start_lc_chat(&mut self, visitor_id: &str) -> Option<ChatEvent> {
        let index = self.lc.iter().position(|v| v.id == visitor_id)?;
        Some(self.begin_chat(index))
    }

    pub(crate) fn details(&self, visitor_id: &str) -> Vec<Value> {
        self.lc
            .iter()
            .find(|v| v.id == visitor_id)
            .map(|v| v.details.clone())
            .unwrap_or_default()
    }

    pub(crate) fn chat_token(&self, visitor_id: &str) -> Option<String> {
        let v = self.lc.iter().find(|v| v.id == visitor_id)?;
        v.chat.as_ref().map(|c| c.token.clone())
    }

    /// The Agent Chat API v3 customer with this ID (every LiveChat visitor is one), built from
    /// the visitor's v2 record as LiveChat keeps both views of one person.
    pub(crate) fn lc_customer(&self, customer_id: &str) -> Option<Value> {
        let v = self
            .lc
            .iter()
            .find(|v| customer_id_for(&v.id) == customer_id)?;
        Some(customer_body(customer_id, v))
    }

    pub(crate) fn lc_visitors(&self) -> Vec<Value> {
        self.lc.iter().map(|v| v.body.clone()).collect()
    }

    /// Records custom details if `license_id` and `token` match the visitor's running chat.
    pub(crate) fn add_details(
        &mut self,
        visitor_id: &str,
        license_id: &str,
        token: &str,
        details: Value,
    ) -> Result<(), DetailsRefusal> {
        let v = self
            .lc
            .iter_mut()
            .find(|v| v.id == visitor_id)
            .ok_or(DetailsRefusal::UnknownVisitor)?;
        let chat = v.chat.as_ref().ok_or(DetailsRefusal::BadToken)?;
        if license_id != self.license_id || token != chat.token {
            return Err(DetailsRefusal::BadToken);
        }
        v.details.push(details);
        Ok(())
    }
}

/// The v3 customer ID of a LiveChat visitor: the seed's is the one in LiveChat's Go SDK test
/// data; the others are stable UUID-shaped hashes of the v2 visitor ID.
pub fn customer_id_for(visitor_id: &str) -> String {
    if visitor_id == SEED_LC_VISITOR_ID {
        return SEED_LC_CUSTOMER_ID.to_owned();
    }
    // FNV-1a, twice with different offsets, for 128 stable bits.
    let hash = |offset: u64| {
        visitor_id.bytes().fold(offset, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
        })
    };
    let (a, b) = (hash(0xcbf2_9ce4_8422_2325), hash(0x8422_2325_cbf2_9ce4));
    format!(
        "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0x0fff,
        0x8000 | ((b >> 48) & 0x3fff),
        b & 0xffff_ffff_ffff
    )
}

/// A Unix time as LiveChat v2 writes times: "YYYY-MM-DD HH:MM:SS", UTC here.
fn lc_time(ts: u64) -> String {
    let t = utc(ts);
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// The UTC calendar date and time of a Unix time. The `time` crate covers years up to 9999; the
/// simulator's times (the clock's, the fixtures') are far inside that, so a later one stands at
/// the last second of 9999 rather than failing.
fn utc(ts: u64) -> PrimitiveDateTime {
    i64::try_from(ts)
        .ok()
        .and_then(|ts| OffsetDateTime::from_unix_timestamp(ts).ok())
        .map_or(PrimitiveDateTime::MAX, |t| {
            PrimitiveDateTime::new(t.date(), t.time())
        })
}

/// RFC 3339 UTC with microseconds, as the Agent Chat API writes times.
fn v3_time(ts: u64) -> String {
    format!("{}.000000Z", lc_time(ts).replacen(' ', "T", 1))
}

/// A v3.6 `get_customer` answer for a visitor (fields as in LiveChat's docs and Go SDK; v3.6
/// renamed v3.5's `last_visit` to `visit`). The v2 visitor's `browser` is its user agent.
fn customer_body(customer_id: &str, v: &LcVisitor) -> Value {
    let b = &v.body;
    let ts = |key: &str| b[key].as_u64().unwrap_or(0);
    let email = b["prechat_survey"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|q| {
            q["key"]
                .as_str()
                .is_some_and(|k| k.to_ascii_lowercase().contains("mail"))
        })
        .map(|q| q["value"].clone());
    let session_fields: Vec<Value> = b["custom_variables"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|kv| Some(json!({ kv["key"].as_str()?: kv["value"].clone() })))
        .collect();
    let last_pages: Vec<Value> = b["visit_path"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| json!({"opened_at": v3_time(p["time_ts"].as_u64().unwrap_or(0)), "url": p["page"], "title": p["title"]}))
        .collect();
    let started = b["visit_path"][0]["time_ts"]
        .as_u64()
        .unwrap_or(ts("page_entered_ts"));
    let chats = b["chats"].as_u64().unwrap_or(0);
    let mut customer = json!({
        "id": customer_id,
        "type": "customer",
        "created_at": v3_time(started.saturating_sub(86_400 * b["visits"].as_u64().unwrap_or(1))),
        "name": b["name"],
        "session_fields": session_fields,
        "state": b["state"],
        "visit": {
            "started_at": v3_time(started),
            "referrer": b["referrer"],
            "ip": b["ip"],
            "user_agent": b["browser"],
            "geolocation": {
                "latitude": b["latitude"],
                "longitude": b["longitude"],
                "country": b["country"],
                "country_code": b["country_code"],
                "region": b["region"],
                "city": b["city"],
                "timezone": b["timezone"],
            },
            "last_pages": last_pages,
        },
        "statistics": {
            "chats_count": chats,
            "threads_count": chats,
            "visits_count": b["visits"].as_u64().unwrap_or(1),
            "page_views_count": b["page_views"].as_u64().unwrap_or(0),
            "greetings_shown_count": b["greetings_all"].as_u64().unwrap_or(0),
            "greetings_accepted_count": b["greetings_accepted"].as_u64().unwrap_or(0),
        },
        "present": b["state"] != "left",
        "__priv_lc2_customer_id": v.id,
        "chat_ids": v.chat.as_ref().map(|c| vec![c.id.clone()]).unwrap_or_default(),
    });
    if let Some(email) = email {
        customer["email"] = email;
    }
    // The cart an e-commerce integration would keep on the customer, from the v2 visitor's
    // `cart_items` custom variable.
    let items = cart_items(b);
    if items > 0 {
        let total = (items as f64 * 1999.0).round() / 100.0;
        customer["carts"] =
            json!([{"total": total, "currency": "USD", "items": [{"quantity": items}]}]);
    }
    customer
}

fn generated_body(seed: &Value, i: usize, id: &str, now: u64) -> Value {
    let mut b = seed.clone();
    let (city, country, code, region, tz) = PLACES[(i + 3) % PLACES.len()];
    let (url, title) = PAGES[i % PAGES.len()];
    b["id"] = json!(id);
    b["name"] = json!(format!(
        "{} {}.",
        FIRST_NAMES[(i + 2) % FIRST_NAMES.len()],
        &SURNAMES[(i + 4) % SURNAMES.len()][..1]
    ));
    b["city"] = json!(city);
    b["country"] = json!(country);
    b["country_code"] = json!(code);
    b["region"] = json!(region);
    b["timezone"] = json!(tz);
    b["ip"] = json!(format!("198.51.100.{}", 20 + i));
    b["host"] = json!(format!("host-{i}.example.net"));
    b["latitude"] = json!("0");
    b["longitude"] = json!("0");
    b["group"] = json!([0, 1, 102][i % 3]);
    b["state"] = json!(INITIAL_STATES[i]);
    b["chat"] = json!({});
    b["chat_id"] = json!("");
    b["chat_start_time"] = json!("");
    b["chat_start_time_ts"] = json!(0);
    b["chats"] = json!(0);
    b["operators"] = json!([]);
    b["prechat_survey"] = json!([]);
    b["queue_start_time"] = json!(if INITIAL_STATES[i] == "queued" {
        now
    } else {
        0
    });
    open_page(&mut b, url, title, now);
    b["last_visit"] = json!(lc_time(now));
    b["last_visit_ts"] = json!(now);
    b["page_views"] = json!(1);
    b["visits"] = json!(1 + i % 3);
    b["referrer"] = json!("https://www.example.org/search?q=shoes");
    b["custom_variables"] = json!([{"key": "cart_items", "value": "0"}]);
    b["visit_path"] = json!([visit_step(url, title, now)]);
    b
}

/// One entry of a v2 visitor's `visit_path`.
fn visit_step(url: &str, title: &str, now: u64) -> Value {
    json!({"invitation": "", "page": url, "time": lc_time(now), "time_ref": now, "time_ts": now, "title": title})
}

/// The visitor is on this page since `now`.
fn open_page(b: &mut Value, url: &str, title: &str, now: u64) {
    b["page_address"] = json!(url);
    b["page_current"] = json!(url);
    b["page_title"] = json!(title);
    b["page_entered"] = json!(lc_time(now));
    b["page_entered_ts"] = json!(now);
    b["page_time"] = json!(lc_time(now));
    b["page_time_ts"] = json!(now);
}

fn navigate(b: &mut Value, index: usize, now: u64) {
    let (url, title) = PAGES[index % PAGES.len()];
    open_page(b, url, title, now);
    b["page_views"] = json!(b["page_views"].as_u64().unwrap_or(0) + 1);
    if let Some(path) = b["visit_path"].as_array_mut() {
        path.push(visit_step(url, title, now));
        if path.len() > MAX_PAGES {
            path.remove(0);
        }
    }
}

/// The items in a visitor's cart: its `cart_items` custom variable.
fn cart_items(b: &Value) -> u64 {
    b["custom_variables"]
        .as_array()
        .and_then(|vars| vars.iter().find(|v| v["key"] == "cart_items"))
        .and_then(|v| v["value"].as_str())
        .and_then(|v| v.parse::<u64>().ok())
        .unwrap_or(0)
}

fn change_cart(b: &mut Value, index: usize) {
    let items = cart_items(b);
    let items = if index % 5 == 4 {
        items.saturating_sub(1)
    } else {
        items + 1
    };
    b["custom_variables"] = json!([
        {"key": "cart_items", "value": items.to_string()},
        {"key": "empty_cart", "value": (items == 0).to_string()},
    ]);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::world::Extras;
    use crate::SimCredentials;

    #[test]
    fn load_visitors_are_listed_after_the_others_but_not_among_the_demo_chats() {
        let plain = World::plain();
        let w = World::new(
            &SimCredentials::generate(),
            Extras {
                lc_load_visitors: 1000,
                ..Extras::default()
            },
        );
        assert_eq!(w.chats(), plain.chats());
        let listed = w.lc_visitors();
        let before = plain.lc_visitors().len();
        assert_eq!(listed.len(), before + 1000);
        for n in [1, 500, 1000] {
            let id = load_visitor(n);
            assert_eq!(visitor_sidebar_contract::check_id(&id), Ok(()));
            assert_eq!(listed[before + n - 1]["id"], id.as_str());
        }
    }

    #[test]
    fn customer_ids_are_stable_uuids_and_lead_back_to_their_visitor() {
        let w = World::plain();
        let uuid_shape = |id: &str| {
            let parts: Vec<&str> = id.split('-').collect();
            parts.iter().map(|p| p.len()).collect::<Vec<_>>() == [8, 4, 4, 4, 12]
                && id.bytes().all(|b| b == b'-' || b.is_ascii_hexdigit())
        };
        let mut seen = std::collections::HashSet::new();
        for v in &w.lc {
            let id = customer_id_for(&v.id);
            assert!(uuid_shape(&id), "{id}");
            assert_eq!(id, customer_id_for(&v.id), "stable");
            assert!(seen.insert(id.clone()), "unique");
            let customer = w.lc_customer(&id).unwrap();
            assert_eq!(customer["__priv_lc2_customer_id"], v.id.as_str());
            assert_eq!(customer["id"], id.as_str());
        }
        assert_eq!(customer_id_for(SEED_LC_VISITOR_ID), SEED_LC_CUSTOMER_ID);
        assert!(w
            .lc_customer("00000000-0000-4000-8000-000000000000")
            .is_none());
    }

    #[test]
    fn civil_dates() {
        assert_eq!(lc_time(1487246066), "2017-02-16 11:54:26");
        assert_eq!(lc_time(0), "1970-01-01 00:00:00");
    }
}
