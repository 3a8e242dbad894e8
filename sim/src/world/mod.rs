//! The simulated visitors of both vendors: the two seed documents' samples, unchanged, and a dozen
//! generated visitors whose visits move on at every tick (new pages, cart changes, and for LiveChat
//! browsing → queued → chatting, which starts a chat and its webhook).
//!
//! Each vendor's visitors, how they move and what the API answers about them are in its own file
//! (`liveperson.rs`, `livechat.rs`); this one holds what they share: the order of the list, the
//! step counter, the seeded generator that hands out their IDs, and the names, places and pages
//! both draw from.

mod livechat;
mod liveperson;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};

use crate::{hostile, SimCredentials};
use livechat::LcVisitor;
use liveperson::LpVisit;

pub(crate) use livechat::DetailsRefusal;
pub use livechat::{customer_id_for, load_visitor as livechat_load_visitor};
pub use liveperson::load_visitor;
pub(crate) use liveperson::LpLookup;

/// How many generated visitors each vendor gets.
const GENERATED_PER_VENDOR: usize = 6;
/// Pages kept per visit; older ones are dropped as a long visit goes on.
const MAX_PAGES: usize = 20;

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

fn now_secs() -> u64 {
    crate::faults::now_ms() / 1000
}

fn random_id(rng: &mut StdRng, len: usize, alphabet: &[u8]) -> String {
    (0..len)
        .map(|_| alphabet[rng.gen_range(0..alphabet.len())] as char)
        .collect()
}

/// What the world holds besides the seeds and the generated visitors.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Extras {
    pub hostile: bool,
    pub load_visitors: usize,
    pub lc_load_visitors: usize,
}

impl World {
    pub(crate) fn new(creds: &SimCredentials, extras: Extras) -> World {
        // A fixed seed keeps generated IDs and names stable from run to run; tokens still come
        // from the thread RNG.
        let mut rng = StdRng::seed_from_u64(0x5eed);
        let lp_seed = liveperson::seed_body();
        let lc_seed = livechat::seed_body();
        let mut lp = vec![LpVisit::seed(&lp_seed)];
        let mut lc = vec![LcVisitor::seed(&lc_seed)];
        let now = now_secs();
        // One visitor of each vendor per round, in this order: the seeded generator hands out
        // their IDs, so the order is what keeps them the same on every run.
        for i in 0..GENERATED_PER_VENDOR {
            lp.push(LpVisit::generated(&lp_seed, i, &mut rng, now));
            lc.push(LcVisitor::generated(&lc_seed, i, &mut rng, now));
        }
        if extras.hostile {
            add_hostile(&mut lp, &mut lc, &lp_seed, &lc_seed, &mut rng, now);
        }
        for n in 1..=extras.load_visitors {
            lp.push(LpVisit::load(&lp_seed, n, now));
        }
        for n in 1..=extras.lc_load_visitors {
            lc.push(LcVisitor::load(&lc_seed, n, now));
        }
        let mut world = World {
            lp,
            lc,
            step: 0,
            license_id: creds.lc_license_id.clone(),
            rng,
        };
        world.begin_initial_chats();
        world
    }

    /// One step of simulated time for the generated visitors; returns the chats that started
    /// or ended.
    pub(crate) fn tick(&mut self) -> Vec<ChatEvent> {
        self.step += 1;
        let now = now_secs();
        self.move_lp_visits(now);
        self.move_lc_visitors(now)
    }

    /// The demo console's list: LivePerson's listed visits, then LiveChat's visitors.
    pub(crate) fn chats(&self) -> Vec<DemoChat> {
        let lp = self.lp.iter().filter(|v| v.listed).map(LpVisit::demo_chat);
        let lc = self
            .lc
            .iter()
            .filter(|v| v.in_demo())
            .map(LcVisitor::demo_chat);
        lp.chain(lc).collect()
    }
}

/// Appends the hostile visitors (see `hostile.rs`): at least [`hostile::HOSTILE_PER_VENDOR`] per
/// vendor, more if the payloads have not all been handed out. Their visits do not move on, and the
/// LiveChat ones are chatting (their chats never end), so their `chat_started` webhooks carry
/// hostile names too.
fn add_hostile(
    lp: &mut Vec<LpVisit>,
    lc: &mut Vec<LcVisitor>,
    lp_seed: &serde_json::Value,
    lc_seed: &serde_json::Value,
    rng: &mut StdRng,
    now: u64,
) {
    let mut rotation = hostile::Rotation::new();
    let mut n = 0;
    // The two vendors take turns at the one rotation, so each field's payloads differ.
    while n < hostile::HOSTILE_PER_VENDOR || !rotation.went_round() {
        n += 1;
        lp.push(LpVisit::hostile(lp_seed, n, now, &mut rotation));
        lc.push(LcVisitor::hostile(lc_seed, n, rng, now, &mut rotation));
    }
}

#[cfg(test)]
impl World {
    /// The world `Sim::start` makes by default: no hostile or load-test visitors.
    fn plain() -> World {
        World::new(&SimCredentials::generate(), Extras::default())
    }
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use super::*;
    use crate::{SEED_LC_VISITOR_ID, SEED_LP_SID, SEED_LP_VISITOR_ID};

    #[test]
    fn seeds_come_first_and_never_change() {
        let mut w = World::plain();
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
        let mut w = World::plain();
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
        let normal = World::plain().chats();
        let w = World::new(
            &SimCredentials::generate(),
            Extras {
                hostile: true,
                load_visitors: 0,
                lc_load_visitors: 0,
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
}
