//! What LivePerson's Agent Workspace Widget SDK (`lpTag.agentSDK`) gives a widget, read into the
//! Visit Information API's model, so the LivePerson panel's sections show it before (and
//! without) the API.
//!
//! The SDK hands over values of its "public model" by the path they were bound with
//! (`visitorInfo`, `SDE.customerDetails`…), as plain data the browser copied across frames. The
//! shapes are those of LivePerson's "Public Model Structure" page
//! (developers.liveperson.com/agent-workspace-widget-sdk-public-model-structure.html):
//! - `visitorInfo`: `visitorId`, `visitorName`, `device`, `browser`, `operatingSystem`,
//!   `country`, `countryCode`, `state`, `city`, `isp`, `organization`, `IpAddress`,
//!   `visitStartTime`, `chattingVisitorState`, `chatStartUrl`, `visitorTimezone`;
//! - `chatInfo`: `rtSessionId`, `accountId`, `chatRequestedTime`, `chatStartTime`,
//!   `sessionStartTime`, `chatStartUrl`, `chatSkill`, `isMessaging`;
//! - `visitorJourney`: `pages` (the Visit Information API's page objects) and
//!   `searchEngine {searchProvider, searchKeywords}`;
//! - `SDE.*`: arrays of engagement attributes, the same kinds the Visit Information API returns
//!   but flatter: `customerDetails` (`status`, `type`, `balance`, `customerId`, dates as
//!   strings…), `personalInfo` (`name`, `firstname`, `lastname`, `age`, `birthday`,
//!   `contactInfo [{email, phone}]`…), `marketingSource`, `leadGeneration`, `transaction`
//!   (`total`, `orderId`, `numItems`, flat `products`), `shoppingCart` (`cartTotal`, `numItems`,
//!   `products`), `viewedProducts`, `serviceActivity` (`id` for the service ID), `error`;
//! - `authenticatedData.{customerDetails, personalInfo}` (deprecated) and `claimsAndAuthType`
//!   (`claims.lp_sdes [{type: "ctmrinfo", info}, {type: "personal", personal}]`, `acr`): what an
//!   authenticated visitor's identity provider vouched for, preferred over the visitor's own SDEs;
//! - `surveyQuestions.{preChat, postChat, agentSurvey}` and `customVariables`: lists of
//!   `{name, displayName, value}`.
//!
//! All of it is visitor-supplied and read as leniently as the API's answer: each field is looked
//! up by name (with the aliases the three dialects use: the SDK's, the Web Tag's `ctmrinfo` and
//! `personal`, and the API's own), a wrong-typed value is skipped, never the whole section. The
//! fields are read with `Reflect` rather than serde derives: the dialects differ in names and in
//! nesting, and one small reader costs the bundle far less than a derive per dialect.

use crate::lenient;
use crate::liveperson::model::{
    AppSession, Cart, CartWrapper, Contact, CustomerAge, CustomerInfo, CustomerInfoWrapper,
    DateParts, Geo, Lead, MarketingCampaignInfo, MarketingCampaignInfoWrapper, Page, PersonalInfo,
    PersonalInfoWrapper, Product, ProductLine, Purchase, SearchEngine, ServiceActivity,
    ViewedProduct, VisitorError,
};
use serde::Deserialize;
use wasm_bindgen::{JsCast, JsValue};

/// The values the SDK gave, under the key each was bound (or reported) with.
#[derive(Debug, Clone, Default)]
pub struct Bound {
    entries: Vec<(String, JsValue)>,
}

impl Bound {
    /// Stores what the SDK sent for `key`; `null` or `undefined` (the data went away) removes it.
    pub fn set(&mut self, key: &str, value: JsValue) {
        self.entries.retain(|(k, _)| k != key);
        if !value.is_null() && !value.is_undefined() {
            self.entries.push((key.to_owned(), value));
        }
    }

    pub fn get(&self, key: &str) -> Option<&JsValue> {
        self.entries.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|(k, _)| k.as_str())
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Keeps only the value bound under `key`.
    pub fn retain_only(&mut self, key: &str) {
        self.entries.retain(|(k, _)| k == key);
    }

    /// The value at a dotted path of the public model (`visitorInfo.visitorId`): from the bound
    /// key that is the path itself or the longest prefix of it, then down the rest of the path.
    /// A segment that is a number picks an array's element; any other segment applied to an
    /// array picks the element whose `name` it is and goes on with its `value` (so
    /// `customVariables.sid` is the custom variable named `sid`).
    pub fn resolve(&self, path: &str) -> Option<JsValue> {
        let (key, value) = self
            .entries
            .iter()
            .filter(|(k, _)| covers(k, path))
            .max_by_key(|(k, _)| k.len())?;
        let rest = path[key.len()..].trim_start_matches('.');
        rest.split('.')
            .filter(|s| !s.is_empty())
            .try_fold(value.clone(), |at, segment| child(&at, segment))
    }
}

/// Is `key` the path `path` or one of its ancestors (`visitorInfo` covers
/// `visitorInfo.visitorId`, not `visitorInfoX`)?
pub fn covers(key: &str, path: &str) -> bool {
    path == key || (path.starts_with(key) && path[key.len()..].starts_with('.'))
}

fn own(value: &JsValue, name: &str) -> Option<JsValue> {
    // Own properties only: nothing inherited (`constructor`, `__proto__`) is visitor data.
    let object = value.dyn_ref::<js_sys::Object>()?;
    if !js_sys::Object::has_own(object, &JsValue::from_str(name)) {
        return None;
    }
    js_sys::Reflect::get(value, &JsValue::from_str(name))
        .ok()
        .filter(|v| !v.is_null() && !v.is_undefined())
}

fn child(value: &JsValue, segment: &str) -> Option<JsValue> {
    if let Some(array) = value.dyn_ref::<js_sys::Array>() {
        if let Ok(index) = segment.parse::<u32>() {
            return Some(array.get(index)).filter(|v| !v.is_null() && !v.is_undefined());
        }
        let named = array
            .iter()
            .find(|item| text(item, &["name"]).as_deref() == Some(segment))?;
        return own(&named, "value");
    }
    own(value, segment)
}

/// An ID as the Visit Information API takes it: text, or a whole number written without a
/// fraction (`rtSessionId` is a number in LivePerson's chat data).
pub fn id_text(value: &JsValue) -> Option<String> {
    if let Some(s) = value.as_string() {
        return Some(s.trim().to_owned()).filter(|s| !s.is_empty());
    }
    let n = value.as_f64().filter(|n| n.is_finite())?;
    Some(if n.fract() == 0.0 && n.abs() < 9.0e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    })
}

/// The first of `names` that `value` has, when it is not null.
fn field(value: &JsValue, names: &[&str]) -> Option<JsValue> {
    names.iter().find_map(|name| own(value, name))
}

/// Text as `lenient::text` reads it: a string that is not blank, or a number or boolean written
/// out.
fn text(value: &JsValue, names: &[&str]) -> Option<String> {
    let v = field(value, names)?;
    if let Some(s) = v.as_string() {
        return Some(s).filter(|s| !s.trim().is_empty());
    }
    if let Some(b) = v.as_bool() {
        return Some(b.to_string());
    }
    v.as_f64()
        .filter(|n| n.is_finite())
        .map(crate::format::count)
}

/// A number, or a numeric string (the SDK sends prices and totals as strings).
fn num(value: &JsValue, names: &[&str]) -> Option<f64> {
    let v = field(value, names)?;
    v.as_f64()
        .or_else(|| v.as_string()?.trim().parse().ok())
        .filter(|n: &f64| n.is_finite())
}

fn flag(value: &JsValue, names: &[&str]) -> Option<bool> {
    let v = field(value, names)?;
    v.as_bool().or_else(|| match v.as_string()?.trim() {
        "true" | "1" => Some(true),
        "false" | "0" => Some(false),
        _ => None,
    })
}

/// The objects of an array; a lone object is a list of one (the deprecated
/// `authenticatedData` paths are documented as objects, shown as arrays).
fn items(value: Option<JsValue>) -> Vec<JsValue> {
    let Some(value) = value else {
        return Vec::new();
    };
    match value.dyn_into::<js_sys::Array>() {
        Ok(array) => array.iter().filter(is_record).collect(),
        Err(value) if is_record(&value) => vec![value],
        Err(_) => Vec::new(),
    }
}

fn is_record(value: &JsValue) -> bool {
    value.is_object() && !js_sys::Array::is_array(value) && !value.is_function()
}

/// A date sent as parts (`{year, month, day}`, as the Web Tag sends it), as a date string
/// (`2014-10-15`, as the SDK documents it) or as milliseconds since the epoch. Strings in
/// another order (`15/10/2014` or `10/15/2014`) are ambiguous and left out.
fn date(value: &JsValue, names: &[&str]) -> Option<DateParts> {
    let v = field(value, names)?;
    if is_record(&v) {
        return Some(DateParts {
            year: num(&v, &["year"]),
            month: num(&v, &["month"]),
            day: num(&v, &["day"]),
        });
    }
    if let Some(ms) = v.as_f64().filter(|n| n.is_finite()) {
        let d = js_sys::Date::new(&JsValue::from_f64(ms));
        return Some(DateParts {
            year: Some(f64::from(d.get_utc_full_year())),
            month: Some(f64::from(d.get_utc_month() + 1)),
            day: Some(f64::from(d.get_utc_date())),
        });
    }
    let s = v.as_string()?;
    let mut parts = s.trim().splitn(3, ['-', '/', '.']);
    let year = parts.next().filter(|y| y.len() == 4)?.parse().ok()?;
    let month = parts.next()?.parse().ok()?;
    let day: String = parts
        .next()?
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    Some(DateParts {
        year: Some(year),
        month: Some(month),
        day: Some(day.parse().ok()?),
    })
}

/// A moment as milliseconds since the epoch, from a number, a numeric string or a date string
/// the browser parses.
fn moment(value: &JsValue, names: &[&str]) -> Option<f64> {
    num(value, names).or_else(|| {
        let s = field(value, names)?.as_string()?;
        Some(js_sys::Date::parse(&s)).filter(|n| n.is_finite())
    })
}

fn customer(v: &JsValue) -> CustomerInfo {
    CustomerInfo {
        customer_status: text(v, &["status", "cstatus", "customerStatus"]),
        customer_type: text(v, &["type", "ctype", "customerType"]),
        balance: num(v, &["balance"]),
        customer_id: text(v, &["customerId"]),
        last_payment_date: date(v, &["lastPaymentDate"]),
        registration_date: date(v, &["registrationDate"]),
        login_status: text(v, &["loginStatus"]),
        company_branch: text(v, &["companyBranch"]),
        social_id: text(v, &["socialId"]),
        imei: text(v, &["imei"]),
        user_name: text(v, &["userName"]),
        company_size: text(v, &["companySize"]),
        account_name: text(v, &["accountName"]),
        role: text(v, &["role"]),
        store_zip_code: text(v, &["storeZipCode"]),
        store_number: text(v, &["storeNumber"]),
    }
}

fn personal(v: &JsValue) -> PersonalInfo {
    let first = text(v, &["firstname", "firstName"]);
    let last = text(v, &["lastname", "lastName", "surname"]);
    // The SDK's `name` is the whole name when first and last names are not given apart.
    let (name, surname) = if first.is_some() || last.is_some() {
        (first, last)
    } else {
        (text(v, &["name"]), None)
    };
    // `age` is a number in the SDK, `{age, year, month, day}` in the Web Tag; `customerAge` is
    // the API's; `birthday` a date.
    let age = field(v, &["age", "customerAge"]);
    let age_record = age.as_ref().filter(|a| is_record(a));
    let born = date(v, &["birthday"]);
    let customer_age = CustomerAge {
        customer_age_in_years: match age_record {
            Some(a) => num(a, &["age", "customerAgeInYears"]),
            None => num(v, &["age"]),
        },
        customer_year_of_birth: age_record
            .and_then(|a| num(a, &["year", "customerYearOfBirth"]))
            .or(born.as_ref().and_then(|b| b.year)),
        customer_month_of_birth: age_record
            .and_then(|a| num(a, &["month", "customerMonthOfBirth"]))
            .or(born.as_ref().and_then(|b| b.month)),
        customer_date_of_birth: age_record
            .and_then(|a| num(a, &["day", "customerDateOfBirth"]))
            .or(born.as_ref().and_then(|b| b.day)),
    };
    let known_age = customer_age != CustomerAge::default();
    PersonalInfo {
        name,
        surname,
        customer_age: known_age.then_some(customer_age),
        contacts: items(field(v, &["contactInfo", "contacts"]))
            .iter()
            .map(|c| Contact {
                email: text(c, &["email"]),
                phone: text(c, &["phone"]),
            })
            .collect(),
        gender: text(v, &["gender"]),
        company: text(v, &["company"]),
        language: text(v, &["language"]),
    }
}

fn product(p: &JsValue) -> Product {
    Product {
        name: text(p, &["name"]),
        category: text(p, &["category"]),
        sku: text(p, &["sku"]),
        price: num(p, &["price"]),
    }
}

/// Products flat as the SDK sends them (`{name, price, quantity}`) or wrapped as the API and the
/// Web Tag do (`{product: {name, price}, quantity}`).
fn product_lines(value: Option<JsValue>) -> Vec<ProductLine> {
    items(value)
        .iter()
        .map(|line| ProductLine {
            product: Some(match field(line, &["product"]).filter(is_record) {
                Some(inner) => product(&inner),
                None => product(line),
            }),
            quantity: num(line, &["quantity"]),
        })
        .collect()
}

/// The items a list of questions or custom variables holds, as (question, answer).
fn answers(value: Option<JsValue>) -> Vec<(String, String)> {
    items(value)
        .iter()
        .filter_map(|q| {
            let answer = text(q, &["value"])?;
            let question = text(q, &["displayName", "name"]).unwrap_or_else(|| "Question".into());
            Some((question, answer))
        })
        .collect()
}

/// What the Agent Workspace tells about the chat itself, which the Visit Information API does
/// not: shown in the panel's "Conversation" sections.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ChatFacts {
    pub visitor_name: Option<String>,
    pub browser: Option<String>,
    pub time_zone: Option<String>,
    /// `CHATTING` or `ENDED`.
    pub state: Option<String>,
    pub skill: Option<String>,
    /// When the chat started (ms since the epoch).
    pub started: Option<f64>,
    /// The page the visitor started the chat on.
    pub start_url: Option<String>,
    /// Whether the visitor is authenticated (`claimsAndAuthType.acr`), when known.
    pub authenticated: Option<bool>,
    /// Whether the customer details came from the identity provider (`true`) or only from the
    /// visitor's page (`false`), when there are any.
    pub customer_vouched: Option<bool>,
    /// A messaging conversation (its lines are plain text), not a real-time chat (HTML).
    pub is_messaging: Option<bool>,
    pub pre_chat: Vec<(String, String)>,
    pub post_chat: Vec<(String, String)>,
    pub agent_survey: Vec<(String, String)>,
    pub custom_variables: Vec<(String, String)>,
}

/// Everything the SDK gave for the open conversation.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct WorkspaceData {
    /// As one app session of the Visit Information API, so its sections show it.
    pub session: AppSession,
    pub chat: ChatFacts,
}

#[derive(Deserialize, Default)]
struct Journey {
    #[serde(default, deserialize_with = "lenient::list")]
    pages: Vec<Page>,
}

/// Reads what is bound into the panel's model.
pub fn read(bound: &Bound) -> WorkspaceData {
    let at = |path: &str| bound.resolve(path);
    let last = |path: &str| items(at(path)).pop();
    let visitor = at("visitorInfo").unwrap_or(JsValue::NULL);
    let chat = at("chatInfo").unwrap_or(JsValue::NULL);

    // What an identity provider vouched for first (the claims, then the deprecated
    // `authenticatedData`), then what the visitor's page reported (the SDEs).
    let claims = items(at("claimsAndAuthType.claims.lp_sdes"));
    let claimed = |kind: &str, inner: &str| {
        claims
            .iter()
            .find(|sde| text(sde, &["type"]).as_deref() == Some(kind))
            .and_then(|sde| field(sde, &[inner]))
            .filter(is_record)
    };
    let vouched_customer =
        claimed("ctmrinfo", "info").or_else(|| last("authenticatedData.customerDetails"));
    let reported_customer = last("SDE.customerDetails");
    // Whether the customer details shown are vouched for or only page-reported.
    let customer_vouched = match (&vouched_customer, &reported_customer) {
        (Some(_), _) => Some(true),
        (None, Some(_)) => Some(false),
        (None, None) => None,
    };
    let customer_source = vouched_customer.or(reported_customer);
    let personal_source = claimed("personal", "personal")
        .or_else(|| last("authenticatedData.personalInfo"))
        .or_else(|| last("SDE.personalInfo"));
    let survey = at("surveyQuestions").unwrap_or(JsValue::NULL);
    let pre_chat = field(&survey, &["preChat"]).unwrap_or(JsValue::NULL);
    let visitor_name = text(&visitor, &["visitorName"]);
    let mut personal_info = personal_source.as_ref().map(personal);
    if personal_info
        .as_ref()
        .and_then(PersonalInfo::full_name)
        .is_none()
    {
        // The name the visitor chats under, when no engagement attribute names them.
        let name = visitor_name
            .clone()
            .or_else(|| field(&pre_chat, &["name"]).and_then(|n| text(&n, &["value"])));
        if name.is_some() {
            personal_info.get_or_insert_with(PersonalInfo::default).name = name;
        }
    }

    let journey: Journey = at("visitorJourney")
        .and_then(|j| lenient::decode(j).ok())
        .unwrap_or_default();
    let search = at("visitorJourney.searchEngine").map(|s| SearchEngine {
        search_engine: text(&s, &["searchProvider", "searchEngine"]),
        keywords: text(&s, &["searchKeywords", "keywords"]),
    });
    let viewed = items(at("SDE.viewedProducts"))
        .into_iter()
        .flat_map(|v| match field(&v, &["products"]) {
            Some(list) => product_lines(Some(list)),
            None => product_lines(Some(js_sys::Array::of1(&v).into())),
        })
        .map(|line| ViewedProduct {
            product: line.product,
        })
        .collect();
    let geo = Geo {
        country: text(&visitor, &["country"]),
        country_code: text(&visitor, &["countryCode"]),
        state: text(&visitor, &["state"]),
        city: text(&visitor, &["city"]),
        isp: text(&visitor, &["isp"]),
        org: text(&visitor, &["organization", "org"]),
    };

    let session = AppSession {
        personal_info: personal_info.map(|p| PersonalInfoWrapper {
            personal_info: Some(p),
        }),
        customer_info: customer_source.map(|c| CustomerInfoWrapper {
            customer_info: Some(customer(&c)),
        }),
        cart: last("SDE.shoppingCart").map(|c| CartWrapper {
            cart_status: Some(Cart {
                total: num(&c, &["cartTotal", "total"]),
                currency: text(&c, &["currency"]),
                num_items: num(&c, &["numItems"]),
                products: product_lines(field(&c, &["products"])),
            }),
            last_total_change: None,
        }),
        purchases: items(at("SDE.transaction"))
            .iter()
            .map(|t| Purchase {
                total: num(t, &["total"]),
                order_id: text(t, &["orderId"]),
                cart: Some(Cart {
                    total: None,
                    currency: text(t, &["currency"]),
                    num_items: num(t, &["numItems"]),
                    products: product_lines(field(t, &["products"])),
                }),
                ..Purchase::default()
            })
            .collect(),
        leads: items(at("SDE.leadGeneration"))
            .iter()
            .map(|l| Lead {
                topic: text(l, &["topic"]),
                value: num(l, &["value"]),
                ticket_id: text(l, &["ticketId"]),
                lead_id: text(l, &["leadId"]),
                ..Lead::default()
            })
            .collect(),
        service_activity: items(at("SDE.serviceActivity"))
            .iter()
            .map(|a| ServiceActivity {
                topic: text(a, &["topic"]),
                status: num(a, &["status"]),
                category: text(a, &["category"]),
                service_id: text(a, &["serviceId", "id"]),
                ..ServiceActivity::default()
            })
            .collect(),
        viewed_product: viewed,
        marketing_campaign_info: last("SDE.marketingSource").map(|m| {
            MarketingCampaignInfoWrapper {
                marketing_campaign_info: Some(MarketingCampaignInfo {
                    originating_channel: num(&m, &["originatingChannel"]),
                    affiliate: text(&m, &["affiliate"]),
                    campaign_id: text(&m, &["campaignId"]),
                }),
            }
        }),
        search_engine: search,
        visitor_error: items(at("SDE.error"))
            .iter()
            .map(|e| VisitorError {
                context_id: text(e, &["contextId"]),
                message: text(e, &["message"]),
                code: text(e, &["code"]),
                level: text(e, &["level"]),
                resolved: flag(e, &["resolved"]),
            })
            .collect(),
        geo: (geo != Geo::default()).then_some(geo),
        ipv4: text(&visitor, &["IpAddress", "ipAddress"]),
        device_os: text(&visitor, &["operatingSystem"]),
        device_family: text(&visitor, &["device"]),
        start_time: moment(&visitor, &["visitStartTime"])
            .or_else(|| moment(&chat, &["sessionStartTime"])),
        pages: journey.pages,
        ..AppSession::default()
    };

    let acr = text(&at("claimsAndAuthType").unwrap_or(JsValue::NULL), &["acr"]);
    let chat_facts = ChatFacts {
        visitor_name,
        browser: text(&visitor, &["browser"]),
        time_zone: text(&visitor, &["visitorTimezone"]),
        state: text(&visitor, &["chattingVisitorState"]),
        skill: text(&chat, &["chatSkill"]),
        started: moment(&chat, &["chatStartTime"]),
        start_url: text(&chat, &["chatStartUrl"]).or_else(|| text(&visitor, &["chatStartUrl"])),
        // "0" is LivePerson's "unauthenticated"; any other level (`loa1`) is authenticated.
        authenticated: acr.map(|a| a != "0"),
        customer_vouched,
        is_messaging: flag(&chat, &["isMessaging"]),
        pre_chat: {
            let mut list: Vec<(String, String)> =
                [("name", "Name"), ("email", "Email"), ("phone", "Phone")]
                    .into_iter()
                    .filter_map(|(key, label)| {
                        let q = field(&pre_chat, &[key])?;
                        let answer = text(&q, &["value"])?;
                        Some((
                            text(&q, &["displayName"]).unwrap_or_else(|| label.into()),
                            answer,
                        ))
                    })
                    .collect();
            list.extend(answers(field(&pre_chat, &["customizedQuestions"])));
            list
        },
        post_chat: answers(field(&survey, &["postChat"])),
        agent_survey: answers(field(&survey, &["agentSurvey"])),
        custom_variables: answers(at("customVariables")),
    };
    WorkspaceData {
        session,
        chat: chat_facts,
    }
}
