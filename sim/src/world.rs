//! The simulated visitors: the two seed documents' samples, unchanged, and a dozen generated
//! visitors whose visits move on at every tick (new pages, cart changes, and for LiveChat
//! browsing → queued → chatting, which starts a chat and its webhook).

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::hostile;
use crate::{SimCredentials, SEED_LC_VISITOR_ID, SEED_LP_SID, SEED_LP_VISITOR_ID};

const LP_SEED: &str = include_str!("../../fixtures/liveperson-visit.json");
const LC_SEED: &str = include_str!("../../fixtures/livechat-visitors.json");

/// How many generated visitors each vendor gets.
const GENERATED_PER_VENDOR: usize = 6;
/// Pages kept per visit; older ones are dropped as a long visit goes on.
const MAX_PAGES: usize = 20;
/// Ticks a generated LiveChat chat lasts before it closes.
const CHAT_TICKS: u64 = 8;

/// One entry of the demo console's chat list (`GET /api/demo/chats` on the proxy).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct DemoChat {
    /// `liveperson` or `livechat`.
    pub provider: String,
    pub visitor_id: String,
    /// LivePerson's session ID; absent for LiveChat.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
    /// LiveChat's v3 customer ID (what the Agent App's `customer_profile` event carries);
    /// absent for LivePerson.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_id: Option<String>,
    pub name: String,
    /// LivePerson: the current page's title. LiveChat: "City, Country".
    pub summary: String,
    /// A hostile visitor (`SimConfig::hostile`): every visitor-set field carries an XSS payload.
    /// Sent only when true.
    #[serde(default, skip_serializing_if = "is_false")]
    pub hostile: bool,
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// A chat that started or ended: what its `chat_started` / `chat_ended` webhook carries.
#[derive(Clone, Debug)]
pub(crate) struct ChatEvent {
    /// `chat_started` or `chat_ended`.
    pub event: &'static str,
    pub visitor_id: String,
    pub visitor_name: String,
    pub chat_id: String,
    pub token: String,
    pub license_id: String,
}

struct LpVisit {
    visitor_id: String,
    sid: String,
    expired: bool,
    generated: bool,
    /// Shown in `chats()` (load-test visitors are not).
    listed: bool,
    hostile: bool,
    body: Value,
}

struct Chat {
    id: String,
    token: String,
    started_step: u64,
}

struct LcVisitor {
    id: String,
    generated: bool,
    hostile: bool,
    body: Value,
    chat: Option<Chat>,
    details: Vec<Value>,
}

pub(crate) struct World {
    lp: Vec<LpVisit>,
    lc: Vec<LcVisitor>,
    step: u64,
    license_id: String,
    rng: StdRng,
}

const FIRST_NAMES: [&str; 6] = ["Maya", "Lucas", "Aiko", "Omar", "Sofia", "Henrik"];
const SURNAMES: [&str; 6] = ["Cohen", "Martin", "Tanaka", "Haddad", "Rossi", "Larsen"];
const PLACES: [(&str, &str, &str, &str, &str); 6] = [
    ("Haifa", "Israel", "IL", "Haifa District", "Asia/Jerusalem"),
    (
        "Lyon",
        "France",
        "FR",
        "Auvergne-Rhone-Alpes",
        "Europe/Paris",
    ),
    ("Osaka", "Japan", "JP", "Osaka", "Asia/Tokyo"),
    ("Amman", "Jordan", "JO", "Amman", "Asia/Amman"),
    ("Milan", "Italy", "IT", "Lombardy", "Europe/Rome"),
    (
        "Aarhus",
        "Denmark",
        "DK",
        "Central Jutland",
        "Europe/Copenhagen",
    ),
];
const PAGES: [(&str, &str); 8] = [
    ("https://shop.example.com/", "Home – Example Shop"),
    ("https://shop.example.com/c/shoes", "Shoes – Example Shop"),
    (
        "https://shop.example.com/p/red-high-heel",
        "Red high heel shoe",
    ),
    ("https://shop.example.com/p/trail-runner", "Trail runner 2"),
    ("https://shop.example.com/cart", "Your cart"),
    ("https://shop.example.com/checkout", "Checkout"),
    (
        "https://shop.example.com/help/returns",
        "Returns and refunds",
    ),
    ("https://shop.example.com/account/orders", "My orders"),
];
const PRODUCTS: [(&str, &str, &str, f64); 4] = [
    ("red high heel shoe", "women shoes", "xyz567", 77.8),
    ("trail runner 2", "sports shoes", "trl002", 119.0),
    ("wool socks", "accessories", "soc010", 9.5),
    ("shoe care kit", "accessories", "kit004", 24.9),
];
const LC_INITIAL_STATES: [&str; GENERATED_PER_VENDOR] = [
    "browsing", "queued", "chatting", "browsing", "invited", "browsing",
];

fn now_secs() -> u64 {
    crate::faults::now_ms() / 1000
}

fn lc_time(ts: u64) -> String {
    // LiveChat v2 shows times as "YYYY-MM-DD HH:MM:SS" (UTC here); computed without a date crate.
    let days = ts / 86_400;
    let secs = ts % 86_400;
    let (y, m, d) = civil_from_days(days as i64);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

/// Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn random_id(rng: &mut StdRng, len: usize, alphabet: &[u8]) -> String {
    (0..len)
        .map(|_| alphabet[rng.gen_range(0..alphabet.len())] as char)
        .collect()
}

const BASE64URL: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const HEX: &[u8] = b"0123456789abcdef";

/// The LivePerson load-test visitor number `n` (from 1): its visitor ID and session ID, such as
/// `load-000001` and `load.000001`.
pub fn load_visitor(n: usize) -> (String, String) {
    (format!("load-{n:06}"), format!("load.{n:06}"))
}

/// What the world holds besides the seeds and the generated visitors.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Extras {
    pub hostile: bool,
    pub load_visitors: usize,
}

impl World {
    pub(crate) fn new(creds: &SimCredentials, extras: Extras) -> World {
        // A fixed seed keeps generated IDs and names stable from run to run; tokens still come
        // from the thread RNG.
        let mut rng = StdRng::seed_from_u64(0x5eed);
        let lp_seed: Value = serde_json::from_str(LP_SEED).expect("fixture liveperson-visit.json");
        let lc_seed: Value = serde_json::from_str(LC_SEED).expect("fixture livechat-visitors.json");
        let lc_seed = lc_seed[0].clone();

        let mut lp = vec![LpVisit {
            visitor_id: SEED_LP_VISITOR_ID.into(),
            sid: SEED_LP_SID.into(),
            expired: false,
            generated: false,
            listed: true,
            hostile: false,
            body: lp_seed.clone(),
        }];
        let mut lc = vec![LcVisitor {
            id: SEED_LC_VISITOR_ID.into(),
            generated: false,
            hostile: false,
            chat: Some(Chat {
                id: lc_seed["chat_id"].as_str().unwrap_or("DL1G0UED4H").into(),
                token: crate::random_token(32),
                started_step: 0,
            }),
            body: lc_seed.clone(),
            details: Vec::new(),
        }];
        let now = now_secs();
        for i in 0..GENERATED_PER_VENDOR {
            let visitor_id = random_id(&mut rng, 22, BASE64URL);
            let sid = format!("{}.{}", rng.gen_range(1000..9999), rng.gen_range(100..999));
            lp.push(LpVisit {
                body: generated_lp_body(&lp_seed, i, &visitor_id, &sid, now),
                visitor_id,
                sid,
                expired: false,
                generated: true,
                listed: true,
                hostile: false,
            });
            let id = format!(
                "S{}.{}",
                rng.gen_range(1_400_000_000u64..1_800_000_000),
                random_id(&mut rng, 10, HEX)
            );
            lc.push(LcVisitor {
                body: generated_lc_body(&lc_seed, i, &id, now),
                id,
                generated: true,
                hostile: false,
                chat: None,
                details: Vec::new(),
            });
        }
        if extras.hostile {
            add_hostile(&mut lp, &mut lc, &lp_seed, &lc_seed, &mut rng, now);
        }
        for n in 1..=extras.load_visitors {
            let (visitor_id, sid) = load_visitor(n);
            lp.push(LpVisit {
                body: generated_lp_body(&lp_seed, n % GENERATED_PER_VENDOR, &visitor_id, &sid, now),
                visitor_id,
                sid,
                expired: false,
                generated: false,
                listed: false,
                hostile: false,
            });
        }
        let mut world = World {
            lp,
            lc,
            step: 0,
            license_id: creds.lc_license_id.clone(),
            rng,
        };
        // Generated visitors that start out chatting get their chat (and token) now.
        for i in 0..world.lc.len() {
            if world.lc[i].generated && world.lc[i].body["state"] == "chatting" {
                world.begin_chat(i);
            }
        }
        world
    }

    fn begin_chat(&mut self, index: usize) -> ChatEvent {
        let chat_id = random_id(&mut self.rng, 10, b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789");
        let token = crate::random_token(32);
        let now = now_secs();
        let v = &mut self.lc[index];
        v.chat = Some(Chat {
            id: chat_id.clone(),
            token: token.clone(),
            started_step: self.step,
        });
        let b = &mut v.body;
        b["state"] = json!("chatting");
        b["chat_id"] = json!(chat_id);
        b["chat"] = json!({"id": chat_id, "started_timestamp": now});
        b["chat_start_time"] = json!(lc_time(now));
        b["chat_start_time_ts"] = json!(now);
        b["chats"] = json!(b["chats"].as_u64().unwrap_or(0) + 1);
        b["operators"] = json!([{"id": "john.doe@mycompany.com", "display_name": "John Doe"}]);
        let name = b["name"].as_str().unwrap_or("Visitor").to_owned();
        b["prechat_survey"] = json!([
            {"key": "Name:", "value": name, "id": "2001"},
            {"key": "E-mail:", "value": format!("{}@example.com", name.to_lowercase().replace(' ', ".")), "id": "2002"}
        ]);
        ChatEvent {
            event: "chat_started",
            visitor_id: v.id.clone(),
            visitor_name: name,
            chat_id,
            token,
            license_id: self.license_id.clone(),
        }
    }

    /// The chats running now, as webhooks would have announced them.
    pub(crate) fn running_chats(&self) -> Vec<ChatEvent> {
        self.lc
            .iter()
            .filter_map(|v| {
                let chat = v.chat.as_ref()?;
                Some(ChatEvent {
                    event: "chat_started",
                    visitor_id: v.id.clone(),
                    visitor_name: v.body["name"].as_str().unwrap_or("Visitor").to_owned(),
                    chat_id: chat.id.clone(),
                    token: chat.token.clone(),
                    license_id: self.license_id.clone(),
                })
            })
            .collect()
    }

    /// One step of simulated time for the generated visitors; returns the chats that started
    /// or ended.
    pub(crate) fn tick(&mut self) -> Vec<ChatEvent> {
        self.step += 1;
        let step = self.step;
        let now = now_secs();
        for (i, visit) in self.lp.iter_mut().enumerate() {
            if !visit.generated || visit.expired {
                continue;
            }
            if (step + i as u64).is_multiple_of(2) {
                lp_navigate(&mut visit.body, step as usize + i, now);
            }
            if (step + i as u64).is_multiple_of(3) {
                lp_change_cart(&mut visit.body, step as usize + i, now);
            }
        }
        let mut events = Vec::new();
        for i in 0..self.lc.len() {
            if !self.lc[i].generated {
                continue;
            }
            let phase = step + i as u64;
            if phase % 2 == 1 {
                lc_navigate(&mut self.lc[i].body, phase as usize, now);
            }
            if phase.is_multiple_of(3) {
                lc_change_cart(&mut self.lc[i].body, phase as usize);
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
                            events.push(ChatEvent {
                                event: "chat_ended",
                                visitor_id: v.id.clone(),
                                visitor_name: v.body["name"]
                                    .as_str()
                                    .unwrap_or("Visitor")
                                    .to_owned(),
                                chat_id: chat.id,
                                token: chat.token,
                                license_id: self.license_id.clone(),
                            });
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

    pub(crate) fn chats(&self) -> Vec<DemoChat> {
        let lp = self.lp.iter().filter(|v| v.listed).map(|v| {
            let info = &v.body["appSessions"][0]["personalInfo"]["personalInfo"];
            let name = format!(
                "{} {}",
                info["name"].as_str().unwrap_or(""),
                info["surname"].as_str().unwrap_or("")
            );
            let summary = v.body["appSessions"][0]["pages"]
                .as_array()
                .and_then(|pages| pages.last())
                .and_then(|page| page["pageTitle"].as_str())
                .unwrap_or("")
                .to_owned();
            DemoChat {
                provider: "liveperson".into(),
                visitor_id: v.visitor_id.clone(),
                sid: Some(v.sid.clone()),
                customer_id: None,
                name: name.trim().to_owned(),
                summary,
                hostile: v.hostile,
            }
        });
        let lc = self.lc.iter().map(|v| DemoChat {
            provider: "livechat".into(),
            visitor_id: v.id.clone(),
            sid: None,
            customer_id: Some(customer_id_for(&v.id)),
            name: v.body["name"].as_str().unwrap_or("Visitor").to_owned(),
            summary: format!(
                "{}, {}",
                v.body["city"].as_str().unwrap_or(""),
                v.body["country"].as_str().unwrap_or("")
            ),
            hostile: v.hostile,
        });
        lp.chain(lc).collect()
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

/// Appends the hostile visitors (see `hostile.rs`): at least [`HOSTILE_PER_VENDOR`] per vendor,
/// more if the payloads have not all been handed out. Their visits do not move on, and the
/// LiveChat ones are chatting (their chats never end), so their `chat_started` webhooks carry
/// hostile names too.
fn add_hostile(
    lp: &mut Vec<LpVisit>,
    lc: &mut Vec<LcVisitor>,
    lp_seed: &Value,
    lc_seed: &Value,
    rng: &mut StdRng,
    now: u64,
) {
    let mut rotation = hostile::Rotation::new();
    let mut n = 0;
    while n < hostile::HOSTILE_PER_VENDOR || !rotation.went_round() {
        n += 1;
        let visitor_id = format!("hostile-lp-{n:02}");
        let sid = format!("666.{n:03}");
        let monitoring_id = format!("{visitor_id}.666{n:03}");
        lp.push(LpVisit {
            body: hostile::lp_body(lp_seed, &monitoring_id, n, now, &mut rotation),
            visitor_id,
            sid,
            expired: false,
            generated: false,
            listed: true,
            hostile: true,
        });
        let id = format!("S1666666666.hostile{n:02}");
        let chat_id = random_id(rng, 10, b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789");
        lc.push(LcVisitor {
            body: hostile::lc_body(lc_seed, &id, &chat_id, n, now, &mut rotation),
            id,
            generated: false,
            hostile: true,
            chat: Some(Chat {
                id: chat_id,
                token: crate::random_token(32),
                started_step: 0,
            }),
            details: Vec::new(),
        });
    }
}

/// The v3 customer ID of a LiveChat visitor: the seed's is the one in LiveChat's Go SDK test
/// data; the others are stable UUID-shaped hashes of the v2 visitor ID.
pub fn customer_id_for(visitor_id: &str) -> String {
    if visitor_id == SEED_LC_VISITOR_ID {
        return crate::SEED_LC_CUSTOMER_ID.to_owned();
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

/// RFC 3339 UTC with microseconds, as the Agent Chat API writes times.
fn v3_time(ts: u64) -> String {
    format!("{}.000000Z", lc_time(ts).replacen(' ', "T", 1))
}

/// A v3 `get_customer` answer for a visitor (fields as in LiveChat's docs and Go SDK).
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
        "last_visit": {
            "started_at": v3_time(started),
            "referrer": b["referrer"],
            "ip": b["ip"],
            "user_agent": b["user_agent"],
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
    customer
}

pub(crate) enum LpLookup {
    UnknownVisitor,
    UnknownSession,
    Expired,
}

pub(crate) enum DetailsRefusal {
    UnknownVisitor,
    BadToken,
}

fn lp_page(index: usize, now_ms: u64) -> Value {
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

fn generated_lp_body(seed: &Value, i: usize, visitor_id: &str, sid: &str, now: u64) -> Value {
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
    s["pages"] = json!([lp_page(i, now * 1000)]);
    s["cart"] = json!({"cartStatus": {"total": 0.0, "numItems": 0, "products": []}, "lastTotalChange": 0.0});
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

fn lp_navigate(body: &mut Value, index: usize, now: u64) {
    let s = &mut body["appSessions"][0];
    let Some(pages) = s["pages"].as_array_mut() else {
        return;
    };
    let now_ms = now * 1000;
    if let Some(last) = pages.last_mut() {
        let started = last["startTime"].as_u64().unwrap_or(now_ms);
        last["timeOnPage"] = json!(now_ms.saturating_sub(started));
    }
    pages.push(lp_page(index, now_ms));
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

fn lp_change_cart(body: &mut Value, index: usize, now: u64) {
    let s = &mut body["appSessions"][0];
    let old = s["cart"]["cartStatus"]["products"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let old_total = s["cart"]["cartStatus"]["total"].as_f64().unwrap_or(0.0);
    let products = cart_after(&old, index);
    let (total, n) = cart_totals(&products);
    let total = (total * 100.0).round() / 100.0;
    s["cart"] = json!({
        "cartStatus": {"total": total, "numItems": n, "products": products},
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
            "contexts": {"page": {"id": page_id}},
            "numItems": n,
            "products": products,
        }}));
    }
}

fn generated_lc_body(seed: &Value, i: usize, id: &str, now: u64) -> Value {
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
    b["state"] = json!(LC_INITIAL_STATES[i]);
    b["chat"] = json!({});
    b["chat_id"] = json!("");
    b["chat_start_time"] = json!("");
    b["chat_start_time_ts"] = json!(0);
    b["chats"] = json!(0);
    b["operators"] = json!([]);
    b["prechat_survey"] = json!([]);
    b["queue_start_time"] = json!(if LC_INITIAL_STATES[i] == "queued" {
        now
    } else {
        0
    });
    b["page_address"] = json!(url);
    b["page_current"] = json!(url);
    b["page_title"] = json!(title);
    b["page_entered"] = json!(lc_time(now));
    b["page_entered_ts"] = json!(now);
    b["page_time"] = json!(lc_time(now));
    b["page_time_ts"] = json!(now);
    b["last_visit"] = json!(lc_time(now));
    b["last_visit_ts"] = json!(now);
    b["page_views"] = json!(1);
    b["visits"] = json!(1 + i % 3);
    b["referrer"] = json!("https://www.example.org/search?q=shoes");
    b["custom_variables"] = json!([{"key": "cart_items", "value": "0"}]);
    b["visit_path"] = json!([{"invitation": "", "page": url, "time": lc_time(now), "time_ref": now, "time_ts": now, "title": title}]);
    b
}

fn lc_navigate(b: &mut Value, index: usize, now: u64) {
    let (url, title) = PAGES[index % PAGES.len()];
    b["page_address"] = json!(url);
    b["page_current"] = json!(url);
    b["page_title"] = json!(title);
    b["page_entered"] = json!(lc_time(now));
    b["page_entered_ts"] = json!(now);
    b["page_time"] = json!(lc_time(now));
    b["page_time_ts"] = json!(now);
    b["page_views"] = json!(b["page_views"].as_u64().unwrap_or(0) + 1);
    if let Some(path) = b["visit_path"].as_array_mut() {
        path.push(json!({"invitation": "", "page": url, "time": lc_time(now), "time_ref": now, "time_ts": now, "title": title}));
        if path.len() > MAX_PAGES {
            path.remove(0);
        }
    }
}

fn lc_change_cart(b: &mut Value, index: usize) {
    let items = b["custom_variables"]
        .as_array()
        .and_then(|vars| vars.iter().find(|v| v["key"] == "cart_items"))
        .and_then(|v| v["value"].as_str())
        .and_then(|v| v.parse::<u64>().ok())
        .unwrap_or(0);
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

    fn world() -> World {
        World::new(&SimCredentials::generate(), Extras::default())
    }

    #[test]
    fn seeds_come_first_and_never_change() {
        let mut w = world();
        let before_lp = w.lp_visit(SEED_LP_VISITOR_ID, SEED_LP_SID).ok().unwrap();
        let before_lc = w.lc_visitors()[0].clone();
        for _ in 0..30 {
            w.tick();
        }
        assert_eq!(
            w.lp_visit(SEED_LP_VISITOR_ID, SEED_LP_SID).ok().unwrap(),
            before_lp
        );
        assert_eq!(w.lc_visitors()[0], before_lc);
        let chats = w.chats();
        assert_eq!(chats[0].name, "John Doe");
        assert_eq!(chats[0].summary, "Test Page");
        let lc = chats.iter().find(|c| c.provider == "livechat").unwrap();
        assert_eq!(lc.visitor_id, SEED_LC_VISITOR_ID);
        assert_eq!(lc.summary, "Greenville, United States");
        assert_eq!(chats.len(), 2 + 2 * GENERATED_PER_VENDOR);
    }

    #[test]
    fn generated_visitors_move_on_and_chats_start() {
        let mut w = world();
        let before = w.chats();
        let mut started = 0;
        let mut ended = 0;
        let mut states = std::collections::HashSet::new();
        for _ in 0..12 {
            for e in w.tick() {
                match e.event {
                    "chat_started" => started += 1,
                    _ => ended += 1,
                }
            }
            for v in w.lc_visitors() {
                states.insert(v["state"].as_str().unwrap().to_owned());
            }
        }
        assert!(started > 0, "some queued visitor started a chat");
        assert!(ended > 0, "a chat ended after its ticks");
        assert!(states.contains("queued") && states.contains("chatting"));
        assert_ne!(before, w.chats(), "pages changed");
        let generated = &w.lp[1].body["appSessions"][0];
        assert!(generated["pages"].as_array().unwrap().len() > 1);
        assert!(
            generated["cart"]["cartStatus"]["numItems"]
                .as_u64()
                .unwrap()
                > 0
        );
    }

    fn strings(value: &Value, out: &mut Vec<String>) {
        match value {
            Value::String(s) => out.push(s.clone()),
            Value::Array(items) => items.iter().for_each(|v| strings(v, out)),
            Value::Object(map) => map.values().for_each(|v| strings(v, out)),
            _ => {}
        }
    }

    #[test]
    fn hostile_visitors_carry_every_payload_after_the_normal_ones() {
        let normal = world().chats();
        let w = World::new(
            &SimCredentials::generate(),
            Extras {
                hostile: true,
                load_visitors: 0,
            },
        );
        let chats = w.chats();
        // The normal demo comes first, unchanged, in each vendor's part of the list.
        let (lp, lc): (Vec<_>, Vec<_>) = chats.iter().partition(|c| c.provider == "liveperson");
        let (normal_lp, normal_lc): (Vec<_>, Vec<_>) =
            normal.iter().partition(|c| c.provider == "liveperson");
        assert_eq!(lp[..normal_lp.len()], normal_lp[..]);
        assert_eq!(lc[..normal_lc.len()], normal_lc[..]);
        let hostile: Vec<_> = chats.iter().filter(|c| c.hostile).collect();
        assert!(hostile.len() >= 2 * hostile::HOSTILE_PER_VENDOR);
        assert!(!normal.iter().any(|c| c.hostile));

        let mut seen = Vec::new();
        for c in &hostile {
            let body = match &c.sid {
                Some(sid) => w.lp_visit(&c.visitor_id, sid).ok().unwrap(),
                None => w
                    .lc_visitors()
                    .into_iter()
                    .find(|v| v["id"] == c.visitor_id.as_str())
                    .unwrap(),
            };
            strings(&body, &mut seen);
        }
        let seen: std::collections::HashSet<String> = seen.into_iter().collect();
        for payload in hostile::xss_payloads() {
            assert!(
                seen.contains(&payload),
                "payload {:?} is in no hostile visitor",
                payload.chars().take(60).collect::<String>()
            );
        }
        // Each field of the first two LiveChat hostile visitors holds a different payload.
        let lcs: Vec<Value> = w
            .lc_visitors()
            .into_iter()
            .filter(|v| v["id"].as_str().unwrap().contains("hostile"))
            .collect();
        for key in ["name", "city", "browser", "referrer", "page_current"] {
            assert_ne!(lcs[0][key], lcs[1][key], "{key}");
        }
        // Every visitor-set LivePerson section is there and hostile.
        let s = &w.lp_visit("hostile-lp-02", "666.002").ok().unwrap()["appSessions"][0];
        for pointer in [
            "/personalInfo/personalInfo/name",
            "/personalInfo/personalInfo/surname",
            "/personalInfo/personalInfo/company",
            "/personalInfo/personalInfo/contacts/0/email",
            "/personalInfo/personalInfo/contacts/0/phone",
            "/customerInfo/customerInfo/customerId",
            "/customerInfo/customerInfo/userName",
            "/pages/0/pageTitle",
            "/pages/0/url",
            "/pages/0/referrer",
            "/pages/0/pageBasic/url",
            "/pages/0/pageBasic/title",
            "/cart/cartStatus/products/0/product/name",
            "/cart/cartStatus/products/0/product/sku",
            "/purchases/0/cart/products/0/product/category",
            "/viewedProduct/0/product/name",
            "/leads/0/topic",
            "/serviceActivity/0/topic",
            "/visitorError/0/message",
            "/visitorError/0/code",
            "/marketingCampaignInfo/marketingCampaignInfo/affiliate",
            "/marketingCampaignInfo/marketingCampaignInfo/campaignId",
            "/searchEngine/keywords",
            "/userAgent",
            "/externalReferrer",
            "/geo/city",
            "/ipv4",
        ] {
            let v = s.pointer(pointer).and_then(Value::as_str).unwrap_or("");
            assert!(!v.is_empty() && seen.contains(v), "{pointer}: {v:?}");
        }
        // Events still point at pages of the visit.
        assert_eq!(
            s["events"][0]["personalInfo"]["contexts"]["page"]["id"],
            s["pages"][2]["id"]
        );
    }

    #[test]
    fn load_visitors_answer_but_are_not_listed() {
        let w = World::new(
            &SimCredentials::generate(),
            Extras {
                hostile: false,
                load_visitors: 1000,
            },
        );
        assert_eq!(w.chats(), world().chats());
        for n in [1, 500, 1000] {
            let (id, sid) = load_visitor(n);
            assert_eq!(visitor_sidebar_contract_like_id(&id), Ok(()));
            let body = w.lp_visit(&id, &sid).ok().expect("a load visitor");
            assert!(body["appSessions"][0]["pages"].is_array());
        }
        let (id, sid) = load_visitor(1001);
        assert!(w.lp_visit(&id, &sid).is_err());
    }

    /// The proxy's ID rule (the contract crate's `check_id`), restated: the simulator does not
    /// depend on the contract crate.
    fn visitor_sidebar_contract_like_id(id: &str) -> Result<(), ()> {
        let ok = !id.is_empty()
            && id.len() <= 128
            && id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-' | b'~'));
        if ok {
            Ok(())
        } else {
            Err(())
        }
    }

    #[test]
    fn customer_ids_are_stable_uuids_and_lead_back_to_their_visitor() {
        let w = world();
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
        assert_eq!(
            customer_id_for(SEED_LC_VISITOR_ID),
            crate::SEED_LC_CUSTOMER_ID
        );
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
