//! LiveChat REST API v2 visitors (`GET /visitors`), modelled on every field of the documented
//! sample. Decoded leniently (see [`lenient`](crate::lenient)): a missing, null or odd value
//! never fails the visitor, and a malformed visitor never fails the list.

use crate::format::join;
use crate::lenient;
use serde::Deserialize;

/// One visitor on a tracked page.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
pub struct Visitor {
    #[serde(default, deserialize_with = "lenient::text")]
    pub id: Option<String>,
    #[serde(default, deserialize_with = "lenient::text")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "lenient::from_text")]
    pub state: Option<VisitorState>,
    /// The visitor's user agent.
    #[serde(default, deserialize_with = "lenient::text")]
    pub browser: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt")]
    pub chat: Option<ChatRef>,
    #[serde(default, deserialize_with = "lenient::text")]
    pub chat_id: Option<String>,
    #[serde(default, deserialize_with = "lenient::text")]
    pub chat_start_time: Option<String>,
    /// Seconds since the epoch.
    #[serde(default, deserialize_with = "lenient::num")]
    pub chat_start_time_ts: Option<f64>,
    #[serde(default, deserialize_with = "lenient::num")]
    pub chats: Option<f64>,
    #[serde(default, deserialize_with = "lenient::list")]
    pub custom_variables: Vec<KeyValue>,
    #[serde(default, deserialize_with = "lenient::text")]
    pub city: Option<String>,
    #[serde(default, deserialize_with = "lenient::text")]
    pub country: Option<String>,
    #[serde(default, deserialize_with = "lenient::text")]
    pub country_code: Option<String>,
    #[serde(default, deserialize_with = "lenient::num")]
    pub greetings_accepted: Option<f64>,
    #[serde(default, deserialize_with = "lenient::num")]
    pub greetings_all: Option<f64>,
    #[serde(default, deserialize_with = "lenient::num")]
    pub greetings_refused: Option<f64>,
    #[serde(default, deserialize_with = "lenient::num")]
    pub group: Option<f64>,
    #[serde(default, deserialize_with = "lenient::text")]
    pub host: Option<String>,
    #[serde(default, deserialize_with = "lenient::text")]
    pub invitation: Option<String>,
    #[serde(default, deserialize_with = "lenient::text")]
    pub ip: Option<String>,
    #[serde(default, deserialize_with = "lenient::text")]
    pub language: Option<String>,
    #[serde(default, deserialize_with = "lenient::text")]
    pub last_visit: Option<String>,
    #[serde(default, deserialize_with = "lenient::num")]
    pub last_visit_ts: Option<f64>,
    /// Degrees, sent as a string.
    #[serde(default, deserialize_with = "lenient::num")]
    pub latitude: Option<f64>,
    #[serde(default, deserialize_with = "lenient::num")]
    pub longitude: Option<f64>,
    #[serde(default, deserialize_with = "lenient::list")]
    pub operators: Vec<Operator>,
    #[serde(default, deserialize_with = "lenient::text")]
    pub page_address: Option<String>,
    #[serde(default, deserialize_with = "lenient::text")]
    pub page_current: Option<String>,
    #[serde(default, deserialize_with = "lenient::text")]
    pub page_entered: Option<String>,
    #[serde(default, deserialize_with = "lenient::num")]
    pub page_entered_ts: Option<f64>,
    #[serde(default, deserialize_with = "lenient::text")]
    pub page_time: Option<String>,
    #[serde(default, deserialize_with = "lenient::num")]
    pub page_time_ts: Option<f64>,
    #[serde(default, deserialize_with = "lenient::text")]
    pub page_title: Option<String>,
    #[serde(default, deserialize_with = "lenient::num")]
    pub page_views: Option<f64>,
    #[serde(default, deserialize_with = "lenient::list")]
    pub prechat_survey: Vec<KeyValue>,
    #[serde(default, deserialize_with = "lenient::num")]
    pub queue_start_time: Option<f64>,
    #[serde(default, deserialize_with = "lenient::text")]
    pub referrer: Option<String>,
    #[serde(default, deserialize_with = "lenient::text")]
    pub region: Option<String>,
    /// An IANA zone such as `America/New_York`.
    #[serde(default, deserialize_with = "lenient::text")]
    pub timezone: Option<String>,
    #[serde(default, deserialize_with = "lenient::list")]
    pub visit_path: Vec<VisitPathEntry>,
    #[serde(default, deserialize_with = "lenient::num")]
    pub visits: Option<f64>,
}

impl Visitor {
    /// "City, Region, Country" with the unknown parts left out.
    pub fn place(&self) -> Option<String> {
        join(
            &[
                self.city.as_deref(),
                self.region.as_deref(),
                self.country.as_deref(),
            ],
            ", ",
        )
    }

    /// The page the visitor is on now.
    pub fn current_page(&self) -> Option<&str> {
        self.page_current
            .as_deref()
            .or(self.page_address.as_deref())
    }

    /// When this visit began, in ms since the epoch (see [`visit_start`]).
    pub fn visit_started_ms(&self) -> Option<f64> {
        visit_start(
            self.last_visit_ts,
            self.visit_path.iter().map(|s| s.time_ts),
        )
    }
}

/// A visitor as the list shows and searches it: its row's fields, its search text and its group,
/// nothing else. serde-wasm-bindgen looks up a struct's own fields by name, so a list of these
/// reads 10 of each visitor's 45 fields; for 5,000 visitors, decoding [`Visitor`]s was most of
/// the list's cost. The visitor the agent opens is fetched whole.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
pub struct ListedVisitor {
    #[serde(default, deserialize_with = "lenient::text")]
    pub id: Option<String>,
    #[serde(default, deserialize_with = "lenient::text")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "lenient::from_text")]
    pub state: Option<VisitorState>,
    #[serde(default, deserialize_with = "lenient::text")]
    pub city: Option<String>,
    #[serde(default, deserialize_with = "lenient::text")]
    pub country: Option<String>,
    #[serde(default, deserialize_with = "lenient::num")]
    pub group: Option<f64>,
    #[serde(default, deserialize_with = "lenient::num")]
    pub last_visit_ts: Option<f64>,
    #[serde(default, deserialize_with = "lenient::text")]
    pub page_current: Option<String>,
    #[serde(default, deserialize_with = "lenient::text")]
    pub page_title: Option<String>,
    /// Only the steps' times: the start of the visit when `last_visit_ts` is missing.
    #[serde(default, deserialize_with = "lenient::list")]
    pub visit_path: Vec<StepTime>,
}

/// The time of one step of the visit path, all the list needs of it.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
pub struct StepTime {
    #[serde(default, deserialize_with = "lenient::num")]
    pub time_ts: Option<f64>,
}

impl ListedVisitor {
    /// When this visit began, in ms since the epoch (see [`visit_start`]).
    pub fn visit_started_ms(&self) -> Option<f64> {
        visit_start(
            self.last_visit_ts,
            self.visit_path.iter().map(|s| s.time_ts),
        )
    }

    /// The visitor's group, when it is a whole number (the `group[]` filter's values).
    pub fn group_number(&self) -> Option<u32> {
        self.group
            .filter(|g| g.fract() == 0.0 && (0.0..=u32::MAX as f64).contains(g))
            .map(|g| g as u32)
    }

    /// The fields the agent's search looks in (name, city, country, current page title and
    /// address), lower-cased, one per line. Build it once per answer, not per keystroke.
    pub fn search_text(&self) -> String {
        let fields = [
            self.name.as_deref(),
            self.city.as_deref(),
            self.country.as_deref(),
            self.page_title.as_deref(),
            self.page_current.as_deref(),
        ];
        lower(&join(&fields, "\n").unwrap_or_default())
    }
}

/// When a visit began, in ms since the epoch: `last_visit_ts` (the current visit's start in the
/// API's sample), else the earliest step of the visit path.
fn visit_start(
    last_visit_ts: Option<f64>,
    steps: impl Iterator<Item = Option<f64>>,
) -> Option<f64> {
    last_visit_ts
        .or_else(|| steps.flatten().reduce(f64::min))
        .and_then(epoch_ms)
}

/// Lower case as the browser does it (`String.prototype.toLowerCase`), which keeps Unicode's
/// case tables out of the bundle.
pub fn lower(text: &str) -> String {
    String::from(js_sys::JsString::from(text).to_lower_case())
}

/// Seconds since the epoch as ms, for plausible times only: the API sends `0` for "never" and
/// the sample's `queue_start_time` (46843480) is not a date this century.
pub fn epoch_ms(seconds: f64) -> Option<f64> {
    (seconds > 1e9).then_some(seconds * 1000.0)
}

/// The visitor's state. The seven documented values, and anything else kept as text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VisitorState {
    Browsing,
    Chatting,
    LoggingIntoChat,
    Queued,
    Invited,
    RefusedInvitation,
    ChatClosed,
    Other(String),
}

impl From<String> for VisitorState {
    fn from(s: String) -> Self {
        match s.as_str() {
            "browsing" => VisitorState::Browsing,
            "chatting" => VisitorState::Chatting,
            "logging into chat" => VisitorState::LoggingIntoChat,
            "queued" => VisitorState::Queued,
            "invited" => VisitorState::Invited,
            "refused invitation" => VisitorState::RefusedInvitation,
            "chat closed" => VisitorState::ChatClosed,
            _ => VisitorState::Other(s),
        }
    }
}

impl VisitorState {
    /// How the state reads to an agent.
    pub fn label(&self) -> &str {
        match self {
            VisitorState::Browsing => "browsing",
            VisitorState::Chatting => "chatting",
            VisitorState::LoggingIntoChat => "logging into chat",
            VisitorState::Queued => "queued",
            VisitorState::Invited => "invited",
            VisitorState::RefusedInvitation => "refused invitation",
            VisitorState::ChatClosed => "chat closed",
            VisitorState::Other(s) => s,
        }
    }
}

/// The visitor's current chat, as far as the list tells.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
pub struct ChatRef {
    #[serde(default, deserialize_with = "lenient::text")]
    pub id: Option<String>,
    #[serde(default, deserialize_with = "lenient::num")]
    pub started_timestamp: Option<f64>,
}

/// A custom variable or a pre-chat survey answer.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
pub struct KeyValue {
    #[serde(default, deserialize_with = "lenient::text")]
    pub key: Option<String>,
    #[serde(default, deserialize_with = "lenient::text")]
    pub value: Option<String>,
    #[serde(default, deserialize_with = "lenient::text")]
    pub id: Option<String>,
}

/// An agent in the visitor's chat.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
pub struct Operator {
    #[serde(default, deserialize_with = "lenient::text")]
    pub id: Option<String>,
    #[serde(default, deserialize_with = "lenient::text")]
    pub display_name: Option<String>,
}

/// One step of the visitor's path through the site.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
pub struct VisitPathEntry {
    #[serde(default, deserialize_with = "lenient::text")]
    pub invitation: Option<String>,
    #[serde(default, deserialize_with = "lenient::text")]
    pub page: Option<String>,
    #[serde(default, deserialize_with = "lenient::text")]
    pub time: Option<String>,
    #[serde(default, deserialize_with = "lenient::num")]
    pub time_ref: Option<f64>,
    #[serde(default, deserialize_with = "lenient::num")]
    pub time_ts: Option<f64>,
    #[serde(default, deserialize_with = "lenient::text")]
    pub title: Option<String>,
}

/// The whole `GET /visitors` answer, each visitor whole or as the list reads it
/// ([`ListedVisitor`]); malformed visitors are dropped, the rest kept.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(transparent, bound = "T: serde::de::DeserializeOwned")]
pub struct VisitorList<T = Visitor>(#[serde(deserialize_with = "lenient::list")] pub Vec<T>);

/// The `count=1` answer: the API documents "the number of visitors" without its shape, so a
/// bare number, a numeric string and `{"total": n}` / `{"count": n}` are all read.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct VisitorCount(pub f64);

impl<'de> Deserialize<'de> for VisitorCount {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Shape {
            Bare(lenient::Num),
            Wrapped {
                #[serde(default, deserialize_with = "lenient::num")]
                total: Option<f64>,
                #[serde(default, deserialize_with = "lenient::num")]
                count: Option<f64>,
            },
        }
        match Shape::deserialize(d)? {
            Shape::Bare(n) => Ok(VisitorCount(n.0)),
            Shape::Wrapped { total, count } => total
                .or(count)
                .map(VisitorCount)
                .ok_or_else(|| serde::de::Error::custom("not a visitor count")),
        }
    }
}
