//! LiveChat's customer as the Agent App and the Agent Chat API v3 describe it: the
//! `customer_profile` event a details widget receives from `@livechat/agent-app-sdk`
//! ([`Profile`]), and `get_customer`'s answer passed through by the proxy ([`Customer`]).
//!
//! Both are decoded leniently (see [`lenient`](crate::lenient)): the SDK's typings and LiveChat's
//! docs disagree on the profile (the typings' `chat.preChatSurvey`, the docs' `chat.chat_id` and
//! `customVariables`), v3.6 renamed `get_customer`'s `last_visit` to `visit`, and a wrong-typed
//! field only loses itself. Only documented spellings are read, each into its own field: serde's
//! aliases would fail the whole profile when an answer carries two of them.

use crate::format::join;
use crate::lenient::{self, Text};
use serde::{Deserialize, Deserializer};
use wasm_bindgen::{JsCast, JsValue};

/// The `customer_profile` event's data: who is in the chat the agent opened.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
pub struct Profile {
    /// The v3 customer ID (what `GET /livechat/customers/{id}` takes).
    #[serde(default, deserialize_with = "lenient::text")]
    pub id: Option<String>,
    #[serde(default, deserialize_with = "lenient::text")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "lenient::text")]
    pub email: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt")]
    pub geolocation: Option<Geolocation>,
    #[serde(default, deserialize_with = "lenient::opt")]
    pub chat: Option<ProfileChat>,
    /// Where the agent opened it: `chats`, `archives` or `customers`.
    #[serde(default, deserialize_with = "lenient::text")]
    pub source: Option<String>,
    /// The docs' "object containing custom variables" (an array of pairs is read too).
    #[serde(default, rename = "customVariables")]
    pub custom_variables: Pairs,
}

impl Profile {
    /// The profile in a `customer_profile` event's data, or `None` when it is not an object
    /// (the event still means the agent moved on).
    pub fn from_event(data: JsValue) -> Option<Profile> {
        if data.is_object() && !js_sys::Array::is_array(&data) {
            lenient::decode(data).ok()
        } else {
            None
        }
    }
}

/// The chat the profile came with. The typings give `id`, `groupID` and `preChatSurvey`; the
/// docs give `chat_id` (the chat), `id` (the thread) and `groupID`. Empty when not chatting.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
pub struct ProfileChat {
    #[serde(default, deserialize_with = "lenient::text")]
    pub id: Option<String>,
    #[serde(default, deserialize_with = "lenient::text")]
    pub chat_id: Option<String>,
    #[serde(default, rename = "groupID", deserialize_with = "lenient::text")]
    pub group_id: Option<String>,
    #[serde(default, rename = "preChatSurvey", deserialize_with = "lenient::list")]
    pub pre_chat_survey: Vec<SurveyAnswer>,
}

impl ProfileChat {
    /// The chat's ID: `chat_id` when sent (then `id` is the thread), else `id`.
    pub fn chat(&self) -> Option<&str> {
        self.chat_id.as_deref().or(self.id.as_deref())
    }

    /// The thread's ID, when both IDs were sent and differ.
    pub fn thread(&self) -> Option<&str> {
        match (&self.chat_id, &self.id) {
            (Some(chat), Some(id)) if chat != id => Some(id),
            _ => None,
        }
    }
}

/// One pre-chat survey answer.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
pub struct SurveyAnswer {
    #[serde(default, deserialize_with = "lenient::text")]
    pub question: Option<String>,
    #[serde(default, deserialize_with = "lenient::text")]
    pub answer: Option<String>,
}

/// Where the customer is, as both the event and `get_customer` give it.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
pub struct Geolocation {
    #[serde(default, deserialize_with = "lenient::text")]
    pub city: Option<String>,
    #[serde(default, deserialize_with = "lenient::text")]
    pub region: Option<String>,
    #[serde(default, deserialize_with = "lenient::text")]
    pub country: Option<String>,
    #[serde(default, deserialize_with = "lenient::text")]
    pub country_code: Option<String>,
    /// An IANA zone such as `Europe/Warsaw`.
    #[serde(default, deserialize_with = "lenient::text")]
    pub timezone: Option<String>,
    /// Degrees, sent as strings.
    #[serde(default, deserialize_with = "lenient::num")]
    pub latitude: Option<f64>,
    #[serde(default, deserialize_with = "lenient::num")]
    pub longitude: Option<f64>,
}

impl Geolocation {
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
}

/// `get_customer`'s answer (Agent Chat API v3.6; v3.5's `last_visit` is read too).
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
pub struct Customer {
    #[serde(default, deserialize_with = "lenient::text")]
    pub id: Option<String>,
    #[serde(default, deserialize_with = "lenient::text")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "lenient::text")]
    pub email: Option<String>,
    #[serde(default, deserialize_with = "lenient::flag")]
    pub email_verified: Option<bool>,
    #[serde(default, deserialize_with = "lenient::text")]
    pub phone_number: Option<String>,
    /// An image address (shown as a link, never loaded).
    #[serde(default, deserialize_with = "lenient::text")]
    pub avatar: Option<String>,
    /// RFC 3339.
    #[serde(default, deserialize_with = "lenient::text")]
    pub created_at: Option<String>,
    /// `browsing`, `chatting`…: kept as text.
    #[serde(default, deserialize_with = "lenient::text")]
    pub state: Option<String>,
    /// On the site now.
    #[serde(default, deserialize_with = "lenient::flag")]
    pub present: Option<bool>,
    /// Custom variables of the session: `[{"key": "value"}, …]`.
    #[serde(default)]
    pub session_fields: Pairs,
    /// v3.6's name for the most recent visit.
    #[serde(default, deserialize_with = "lenient::opt")]
    pub visit: Option<Visit>,
    /// v3.5's name for it.
    #[serde(default, deserialize_with = "lenient::opt")]
    pub last_visit: Option<Visit>,
    #[serde(default, deserialize_with = "lenient::opt")]
    pub statistics: Option<Statistics>,
    /// Carts an e-commerce integration (such as Shopify's) keeps on the customer.
    #[serde(default, deserialize_with = "lenient::list")]
    pub carts: Vec<CustomerCart>,
    #[serde(default, deserialize_with = "lenient::list")]
    pub chat_ids: Vec<Text>,
    /// The REST API v2 visitor ID of this customer.
    #[serde(
        default,
        rename = "__priv_lc2_customer_id",
        deserialize_with = "lenient::text"
    )]
    pub lc2_customer_id: Option<String>,
}

impl Customer {
    /// The most recent visit, under either name.
    pub fn visit(&self) -> Option<&Visit> {
        self.visit.as_ref().or(self.last_visit.as_ref())
    }
}

/// The customer's most recent visit.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
pub struct Visit {
    #[serde(default, deserialize_with = "lenient::text")]
    pub started_at: Option<String>,
    #[serde(default, deserialize_with = "lenient::text")]
    pub ended_at: Option<String>,
    #[serde(default, deserialize_with = "lenient::text")]
    pub referrer: Option<String>,
    #[serde(default, deserialize_with = "lenient::text")]
    pub ip: Option<String>,
    #[serde(default, deserialize_with = "lenient::text")]
    pub user_agent: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt")]
    pub geolocation: Option<Geolocation>,
    #[serde(default, deserialize_with = "lenient::list")]
    pub last_pages: Vec<LastPage>,
}

/// One page of the visit.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
pub struct LastPage {
    #[serde(default, deserialize_with = "lenient::text")]
    pub opened_at: Option<String>,
    #[serde(default, deserialize_with = "lenient::text")]
    pub url: Option<String>,
    #[serde(default, deserialize_with = "lenient::text")]
    pub title: Option<String>,
}

/// The customer's counters.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
pub struct Statistics {
    #[serde(default, deserialize_with = "lenient::num")]
    pub chats_count: Option<f64>,
    #[serde(default, deserialize_with = "lenient::num")]
    pub threads_count: Option<f64>,
    #[serde(default, deserialize_with = "lenient::num")]
    pub visits_count: Option<f64>,
    #[serde(default, deserialize_with = "lenient::num")]
    pub page_views_count: Option<f64>,
    #[serde(default, deserialize_with = "lenient::num")]
    pub greetings_shown_count: Option<f64>,
    #[serde(default, deserialize_with = "lenient::num")]
    pub greetings_accepted_count: Option<f64>,
    #[serde(default, deserialize_with = "lenient::num")]
    pub tickets_count: Option<f64>,
    #[serde(default, deserialize_with = "lenient::num")]
    pub orders_count: Option<f64>,
}

/// A cart on the customer: its total, currency and items.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
pub struct CustomerCart {
    #[serde(default, deserialize_with = "lenient::num")]
    pub total: Option<f64>,
    #[serde(default, deserialize_with = "lenient::text")]
    pub currency: Option<String>,
    #[serde(default, deserialize_with = "lenient::list")]
    pub items: Vec<CartItem>,
}

impl CustomerCart {
    /// How many items, counting each line's quantity (one when it has none).
    pub fn item_count(&self) -> f64 {
        self.items.iter().map(|i| i.quantity.unwrap_or(1.0)).sum()
    }
}

/// One line of a customer's cart.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
pub struct CartItem {
    #[serde(default, deserialize_with = "lenient::num")]
    pub quantity: Option<f64>,
}

/// Milliseconds since the epoch of an RFC 3339 time (`2017-10-12T15:19:21.010200Z`), read by the
/// browser's own date parser; `None` when it cannot read it.
pub fn rfc3339_ms(text: &str) -> Option<f64> {
    let ms = js_sys::Date::parse(text.trim());
    ms.is_finite().then_some(ms)
}

/// Key–value pairs in any of the shapes LiveChat sends them: `session_fields`' array of
/// one-key objects, an object of keys (the docs' `customVariables`), an array of
/// `{"key"|"name", "value"}` objects or of `[key, value]` pairs. Values that are not text are
/// shown as JSON; pairs without a key are dropped; anything else is an empty list.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Pairs(pub Vec<(String, String)>);

impl<'de> Deserialize<'de> for Pairs {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let value: JsValue = serde_wasm_bindgen::preserve::deserialize(d)?;
        let mut pairs = Vec::new();
        match value.dyn_ref::<js_sys::Array>() {
            Some(items) => items.iter().for_each(|item| item_pairs(&item, &mut pairs)),
            None => object_pairs(&value, &mut pairs),
        }
        Ok(Pairs(pairs))
    }
}

/// One element of an array of pairs.
fn item_pairs(item: &JsValue, out: &mut Vec<(String, String)>) {
    if let Some(pair) = item.dyn_ref::<js_sys::Array>() {
        if pair.length() == 2 {
            push(out, &pair.get(0), &pair.get(1));
        }
        return;
    }
    let field = |name: &str| js_sys::Reflect::get(item, &JsValue::from_str(name)).ok();
    let named = field("key")
        .filter(|k| !k.is_undefined())
        .or_else(|| field("name").filter(|k| !k.is_undefined()));
    match named {
        Some(key) if item.is_object() => {
            push(out, &key, &field("value").unwrap_or(JsValue::UNDEFINED))
        }
        _ => object_pairs(item, out),
    }
}

/// Every own property of a plain object, in order.
fn object_pairs(object: &JsValue, out: &mut Vec<(String, String)>) {
    if !object.is_object() || js_sys::Array::is_array(object) {
        return;
    }
    for entry in js_sys::Object::entries(object.unchecked_ref()).iter() {
        let entry: js_sys::Array = entry.unchecked_into();
        push(out, &entry.get(0), &entry.get(1));
    }
}

fn push(out: &mut Vec<(String, String)>, key: &JsValue, value: &JsValue) {
    let Some(key) = shown(key).filter(|k| !k.trim().is_empty()) else {
        return;
    };
    out.push((key, shown(value).unwrap_or_default()));
}

/// A value as the agent reads it: text as is, numbers and booleans written out, anything else
/// as JSON; nothing for `null` and `undefined`.
fn shown(value: &JsValue) -> Option<String> {
    if value.is_null() || value.is_undefined() {
        None
    } else if let Some(text) = value.as_string() {
        Some(text)
    } else if let Some(n) = value.as_f64() {
        Some(crate::format::count(n))
    } else if let Some(b) = value.as_bool() {
        Some(b.to_string())
    } else {
        js_sys::JSON::stringify(value).ok().map(String::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    fn js(json: &str) -> JsValue {
        js_sys::JSON::parse(json).unwrap()
    }

    fn pairs(json: &str) -> Vec<(String, String)> {
        #[derive(Deserialize)]
        struct Holder {
            #[serde(default)]
            p: Pairs,
        }
        let holder: Holder = lenient::decode(js(&format!("{{\"p\": {json}}}"))).unwrap();
        holder.p.0
    }

    fn pair(k: &str, v: &str) -> (String, String) {
        (k.to_owned(), v.to_owned())
    }

    #[wasm_bindgen_test]
    fn pairs_come_in_every_shape_livechat_uses() {
        let expected = vec![pair("plan", "gold"), pair("cart", "3")];
        assert_eq!(pairs(r#"[{"plan": "gold"}, {"cart": 3}]"#), expected);
        assert_eq!(pairs(r#"{"plan": "gold", "cart": 3}"#), expected);
        assert_eq!(
            pairs(r#"[{"key": "plan", "value": "gold"}, {"name": "cart", "value": 3}]"#),
            expected
        );
        assert_eq!(pairs(r#"[["plan", "gold"], ["cart", 3]]"#), expected);
        assert_eq!(
            pairs(
                r#"[{"a": true, "b": {"deep": [1]}}, null, 7, "x", ["only-key"], {"": "no key"}]"#
            ),
            vec![pair("a", "true"), pair("b", r#"{"deep":[1]}"#)]
        );
        assert!(pairs(r#""not pairs""#).is_empty());
        assert!(pairs("null").is_empty());
    }

    #[wasm_bindgen_test]
    fn a_profile_in_the_typings_shape_and_in_the_docs_shape() {
        let typings = Profile::from_event(js(r#"{
            "id": "c-1", "name": "Ann", "email": "ann@example.com",
            "geolocation": {"country": "Poland", "country_code": "PL", "region": "Dolnoslaskie",
                            "city": "Wroclaw", "timezone": "Europe/Warsaw", "latitude": "51.1"},
            "chat": {"id": "PJ0MRSHTDG", "groupID": "2",
                     "preChatSurvey": [{"question": "Order number?", "answer": "A-17"}]},
            "source": "chats"}"#))
        .unwrap();
        let chat = typings.chat.as_ref().unwrap();
        assert_eq!(chat.chat(), Some("PJ0MRSHTDG"));
        assert_eq!(chat.thread(), None);
        assert_eq!(chat.group_id.as_deref(), Some("2"));
        assert_eq!(chat.pre_chat_survey[0].answer.as_deref(), Some("A-17"));
        let geo = typings.geolocation.unwrap();
        assert_eq!(
            geo.place().as_deref(),
            Some("Wroclaw, Dolnoslaskie, Poland")
        );
        assert_eq!(geo.latitude, Some(51.1));

        let docs = Profile::from_event(js(r#"{
            "id": "c-1", "chat": {"chat_id": "PJ0MRSHTDG", "id": "QX1", "groupID": 0},
            "customVariables": {"plan": "gold"}, "source": "archives"}"#))
        .unwrap();
        let chat = docs.chat.as_ref().unwrap();
        assert_eq!(
            (chat.chat(), chat.thread()),
            (Some("PJ0MRSHTDG"), Some("QX1"))
        );
        assert_eq!(chat.group_id.as_deref(), Some("0"));
        assert_eq!(docs.custom_variables.0, vec![pair("plan", "gold")]);
    }

    #[wasm_bindgen_test]
    fn odd_profile_fields_lose_only_themselves() {
        let p = Profile::from_event(js(r#"{
            "id": 42, "name": {"first": "x"}, "email": ["a"], "geolocation": "Wroclaw",
            "chat": {"preChatSurvey": {"question": "not a list"}, "groupID": null},
            "customVariables": "plan=gold", "extra": {"deep": [1]}}"#))
        .unwrap();
        assert_eq!(p.id.as_deref(), Some("42"));
        assert_eq!((p.name, p.email, p.geolocation), (None, None, None));
        assert!(p.chat.unwrap().pre_chat_survey.is_empty());
        assert!(p.custom_variables.0.is_empty());
        for not_a_profile in ["null", "[1, 2]", "\"c-1\"", "7"] {
            assert_eq!(
                Profile::from_event(js(not_a_profile)),
                None,
                "{not_a_profile}"
            );
        }
    }

    #[wasm_bindgen_test]
    fn the_customer_of_the_v3_6_docs_and_of_v3_5() {
        let v36: Customer = lenient::decode(js(r#"{
            "id": "b7eff798", "type": "customer", "name": "Thomas Anderson",
            "email": "t.anderson@example.com", "avatar": "https://example.com/avatars/1.png",
            "created_at": "2017-10-11T15:19:21.010200Z", "state": "browsing", "present": true,
            "session_fields": [{"custom_key": "custom_value"}, {"another_custom_key": "another_custom_value"}],
            "visit": {"started_at": "2017-10-12T15:19:21.010200Z", "referrer": "http://www.google.com/",
                      "ip": "1.2.3.4", "user_agent": "Mozilla/5.0",
                      "geolocation": {"city": "Wroclaw", "country": "Poland"},
                      "last_pages": [{"opened_at": "2017-10-12T15:19:21.010200Z", "url": "https://www.livechat.com/", "title": "LiveChat - Homepage"}]},
            "statistics": {"chats_count": 3, "threads_count": 9, "visits_count": 5, "page_views_count": 1337,
                           "greetings_shown_count": 69, "greetings_accepted_count": 42, "tickets_count": 12},
            "__priv_lc2_customer_id": "test_771305.dafea66e5c", "chat_ids": ["PWJ8Y4THAV"]}"#))
        .unwrap();
        let visit = v36.visit().unwrap();
        assert_eq!(
            visit.last_pages[0].title.as_deref(),
            Some("LiveChat - Homepage")
        );
        assert_eq!(
            v36.lc2_customer_id.as_deref(),
            Some("test_771305.dafea66e5c")
        );
        assert_eq!(
            v36.session_fields.0[1],
            pair("another_custom_key", "another_custom_value")
        );
        assert_eq!(v36.statistics.unwrap().page_views_count, Some(1337.0));
        assert_eq!(v36.chat_ids, vec![Text("PWJ8Y4THAV".into())]);
        assert_eq!(
            rfc3339_ms(v36.created_at.as_deref().unwrap()),
            Some(1_507_735_161_010.0)
        );

        let v35: Customer = lenient::decode(js(
            r#"{"id": "b7", "last_visit": {"ip": "1.2.3.4"}, "statistics": "many", "present": "maybe"}"#,
        ))
        .unwrap();
        assert_eq!(v35.visit().unwrap().ip.as_deref(), Some("1.2.3.4"));
        assert_eq!((v35.statistics, v35.present), (None, None));
        assert_eq!(rfc3339_ms("yesterday"), None);
    }
}
