//! The LivePerson Visit Information API's answer (`.../visits/current/state?v=1&filter=agent`),
//! modelled on the documented sample. Every field is optional and decoded leniently (see
//! [`lenient`](crate::lenient)): the API returns many nulls, and one odd value must not hide the
//! rest of the visit. Unknown fields and unknown event kinds are skipped.
//!
//! Decoding stays with serde-wasm-bindgen from `Response.json()`. Measured against serde_json
//! from the body text (both whole bundles, `trunk build --release`; speeds from
//! `wasm-pack test --release` in headless Chromium): serde_json made the bundle 236,755 bytes
//! gzipped instead of 193,683 (+43 KB), while decoding the seed visit in 0.35 ms instead of
//! 0.65 ms (JSON.parse included) and a 5,000-page visit (1.5 MB) in 23 ms instead of 44 ms.
//! Faster, but far heavier: not clearly better, so not taken.

use crate::format::join;
use crate::lenient;
use serde::Deserialize;

/// A monitored visit: its session ID and one or more app sessions.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Visit {
    #[serde(default, deserialize_with = "lenient::text")]
    pub id: Option<String>,
    #[serde(default, deserialize_with = "lenient::list")]
    pub app_sessions: Vec<AppSession>,
}

impl Visit {
    /// The app session to show first: the one that started last.
    pub fn newest_session_index(&self) -> Option<usize> {
        self.app_sessions
            .iter()
            .enumerate()
            .max_by(|(_, a), (_, b)| {
                a.start_time
                    .unwrap_or(f64::MIN)
                    .total_cmp(&b.start_time.unwrap_or(f64::MIN))
            })
            .map(|(i, _)| i)
    }
}

/// Everything known about one app session of the visit.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AppSession {
    #[serde(default, deserialize_with = "lenient::text")]
    pub id: Option<String>,
    #[serde(default, deserialize_with = "lenient::list")]
    pub engagements: Vec<EngagementSlot>,
    #[serde(default, deserialize_with = "lenient::opt")]
    pub personal_info: Option<PersonalInfoWrapper>,
    #[serde(default, deserialize_with = "lenient::opt")]
    pub customer_info: Option<CustomerInfoWrapper>,
    #[serde(default, deserialize_with = "lenient::opt")]
    pub cart: Option<CartWrapper>,
    #[serde(default, deserialize_with = "lenient::list")]
    pub purchases: Vec<Purchase>,
    #[serde(default, deserialize_with = "lenient::list")]
    pub leads: Vec<Lead>,
    #[serde(default, deserialize_with = "lenient::list")]
    pub service_activity: Vec<ServiceActivity>,
    #[serde(default, deserialize_with = "lenient::list")]
    pub viewed_product: Vec<ViewedProduct>,
    #[serde(default, deserialize_with = "lenient::opt")]
    pub marketing_campaign_info: Option<MarketingCampaignInfoWrapper>,
    #[serde(default, deserialize_with = "lenient::opt")]
    pub search_engine: Option<SearchEngine>,
    #[serde(default, deserialize_with = "lenient::list")]
    pub visitor_error: Vec<VisitorError>,
    #[serde(default, deserialize_with = "lenient::opt")]
    pub geo: Option<Geo>,
    #[serde(default, deserialize_with = "lenient::text")]
    pub ipv4: Option<String>,
    /// The documented name of the consumer's IP; the sample uses `ipv4`.
    #[serde(default, deserialize_with = "lenient::text")]
    pub lpv4: Option<String>,
    #[serde(default, rename = "deviceOS", deserialize_with = "lenient::text")]
    pub device_os: Option<String>,
    #[serde(default, deserialize_with = "lenient::text")]
    pub device_family: Option<String>,
    #[serde(default, deserialize_with = "lenient::text")]
    pub user_agent: Option<String>,
    #[serde(default, deserialize_with = "lenient::text")]
    pub external_referrer: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt")]
    pub mobile_device_info: Option<MobileDeviceInfo>,
    /// Milliseconds since the epoch.
    #[serde(default, deserialize_with = "lenient::num")]
    pub start_time: Option<f64>,
    #[serde(default, deserialize_with = "lenient::list")]
    pub pages: Vec<Page>,
    #[serde(default, deserialize_with = "lenient::list")]
    pub events: Vec<Event>,
}

impl AppSession {
    /// The consumer's IP address, under whichever name the API used.
    pub fn ip(&self) -> Option<&str> {
        self.ipv4.as_deref().or(self.lpv4.as_deref())
    }

    pub fn personal(&self) -> Option<&PersonalInfo> {
        self.personal_info.as_ref()?.personal_info.as_ref()
    }

    pub fn customer(&self) -> Option<&CustomerInfo> {
        self.customer_info.as_ref()?.customer_info.as_ref()
    }

    pub fn cart_status(&self) -> Option<&Cart> {
        self.cart.as_ref()?.cart_status.as_ref()
    }

    /// The page the consumer is on now: the one opened last (by `startTime`, the later in the
    /// list on a tie or when no time is known).
    pub fn current_page_index(&self) -> Option<usize> {
        self.pages
            .iter()
            .enumerate()
            .max_by(|(_, a), (_, b)| page_time(a).total_cmp(&page_time(b)))
            .map(|(i, _)| i)
    }

    /// The page indices in the order they were opened (stable for equal or missing times).
    pub fn pages_in_order(&self) -> Vec<usize> {
        let keys: Vec<f64> = self.pages.iter().map(page_time).collect();
        order_by(&keys)
    }

    /// The events' indices in the order the server recorded them; events without a time come
    /// last.
    pub fn event_order(&self) -> Vec<usize> {
        let keys: Vec<f64> = self
            .events
            .iter()
            .map(|e| e.server_time().unwrap_or(f64::INFINITY))
            .collect();
        order_by(&keys)
    }

    pub fn marketing(&self) -> Option<&MarketingCampaignInfo> {
        self.marketing_campaign_info
            .as_ref()?
            .marketing_campaign_info
            .as_ref()
    }
}

/// The indices of `keys` in ascending order of key, equal keys in their original order. The
/// one sort of the panel (pages, events, sessions), so the bundle carries one copy of it.
///
/// An insertion sort: the API sends pages and events nearly in order already, which makes it
/// linear in practice, and it weighs a tenth of the standard library's stable sort in the bundle.
pub fn order_by(keys: &[f64]) -> Vec<usize> {
    let mut order: Vec<usize> = Vec::with_capacity(keys.len());
    for i in 0..keys.len() {
        let mut at = order.len();
        while at > 0 && keys[order[at - 1]].total_cmp(&keys[i]).is_gt() {
            at -= 1;
        }
        order.insert(at, i);
    }
    order
}

fn page_time(page: &Page) -> f64 {
    page.opened().unwrap_or(f64::MIN)
}

/// One engagement offered to the consumer, with the impressions they accepted.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EngagementSlot {
    #[serde(default, deserialize_with = "lenient::text")]
    pub id: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt")]
    pub engagement: Option<Engagement>,
    #[serde(default, deserialize_with = "lenient::list")]
    pub impression_accepted: Vec<Impression>,
}

#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Engagement {
    #[serde(default, deserialize_with = "lenient::num")]
    pub state: Option<f64>,
    #[serde(default, deserialize_with = "lenient::text")]
    pub zone_id: Option<String>,
    #[serde(default, deserialize_with = "lenient::text")]
    pub page_id: Option<String>,
    #[serde(default, deserialize_with = "lenient::text")]
    pub campaign_control: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt")]
    pub campaign_entity: Option<CampaignEntity>,
    #[serde(default, deserialize_with = "lenient::opt")]
    pub engagement_entity: Option<EngagementEntity>,
    #[serde(default, deserialize_with = "lenient::opt")]
    pub goal_entity: Option<GoalEntity>,
}

#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CampaignEntity {
    #[serde(default, deserialize_with = "lenient::text")]
    pub id: Option<String>,
    #[serde(default, deserialize_with = "lenient::num")]
    pub revision: Option<f64>,
    #[serde(default, deserialize_with = "lenient::text")]
    pub goal_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EngagementEntity {
    #[serde(default, deserialize_with = "lenient::text")]
    pub id: Option<String>,
    #[serde(default, deserialize_with = "lenient::num")]
    pub revision: Option<f64>,
    #[serde(default, deserialize_with = "lenient::num")]
    pub channel: Option<f64>,
    #[serde(default, rename = "type", deserialize_with = "lenient::num")]
    pub kind: Option<f64>,
    #[serde(default, deserialize_with = "lenient::flag")]
    pub is_offsite_engagement: Option<bool>,
    #[serde(default, deserialize_with = "lenient::opt")]
    pub engagement_skill: Option<EngagementSkill>,
}

#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EngagementSkill {
    #[serde(default, deserialize_with = "lenient::text")]
    pub skill_name: Option<String>,
    #[serde(default, deserialize_with = "lenient::text")]
    pub skill_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GoalEntity {
    #[serde(default, deserialize_with = "lenient::text")]
    pub id: Option<String>,
    #[serde(default, rename = "type", deserialize_with = "lenient::num")]
    pub kind: Option<f64>,
    #[serde(default, deserialize_with = "lenient::num")]
    pub indicator_type: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Impression {
    #[serde(default, deserialize_with = "lenient::num")]
    pub activity_time: Option<f64>,
    #[serde(default, deserialize_with = "lenient::text")]
    pub page_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PersonalInfoWrapper {
    #[serde(default, deserialize_with = "lenient::opt")]
    pub personal_info: Option<PersonalInfo>,
}

#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PersonalInfo {
    #[serde(default, deserialize_with = "lenient::text")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "lenient::text")]
    pub surname: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt")]
    pub customer_age: Option<CustomerAge>,
    #[serde(default, deserialize_with = "lenient::list")]
    pub contacts: Vec<Contact>,
    #[serde(default, deserialize_with = "lenient::text")]
    pub gender: Option<String>,
    #[serde(default, deserialize_with = "lenient::text")]
    pub company: Option<String>,
    #[serde(default, deserialize_with = "lenient::text")]
    pub language: Option<String>,
}

impl PersonalInfo {
    /// "Name Surname", or whichever of the two is known.
    pub fn full_name(&self) -> Option<String> {
        join(&[self.name.as_deref(), self.surname.as_deref()], " ")
    }
}

#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomerAge {
    #[serde(default, deserialize_with = "lenient::num")]
    pub customer_age_in_years: Option<f64>,
    #[serde(default, deserialize_with = "lenient::num")]
    pub customer_year_of_birth: Option<f64>,
    #[serde(default, deserialize_with = "lenient::num")]
    pub customer_month_of_birth: Option<f64>,
    #[serde(default, deserialize_with = "lenient::num")]
    pub customer_date_of_birth: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Contact {
    #[serde(default, deserialize_with = "lenient::text")]
    pub email: Option<String>,
    #[serde(default, deserialize_with = "lenient::text")]
    pub phone: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomerInfoWrapper {
    #[serde(default, deserialize_with = "lenient::opt")]
    pub customer_info: Option<CustomerInfo>,
}

#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomerInfo {
    #[serde(default, deserialize_with = "lenient::text")]
    pub customer_status: Option<String>,
    #[serde(default, deserialize_with = "lenient::text")]
    pub customer_type: Option<String>,
    #[serde(default, deserialize_with = "lenient::num")]
    pub balance: Option<f64>,
    #[serde(default, deserialize_with = "lenient::text")]
    pub customer_id: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt")]
    pub last_payment_date: Option<DateParts>,
    #[serde(default, deserialize_with = "lenient::opt")]
    pub registration_date: Option<DateParts>,
    #[serde(default, deserialize_with = "lenient::text")]
    pub login_status: Option<String>,
    #[serde(default, deserialize_with = "lenient::text")]
    pub company_branch: Option<String>,
    #[serde(default, deserialize_with = "lenient::text")]
    pub social_id: Option<String>,
    #[serde(default, deserialize_with = "lenient::text")]
    pub imei: Option<String>,
    #[serde(default, deserialize_with = "lenient::text")]
    pub user_name: Option<String>,
    #[serde(default, deserialize_with = "lenient::text")]
    pub company_size: Option<String>,
    #[serde(default, deserialize_with = "lenient::text")]
    pub account_name: Option<String>,
    #[serde(default, deserialize_with = "lenient::text")]
    pub role: Option<String>,
    #[serde(default, deserialize_with = "lenient::text")]
    pub store_zip_code: Option<String>,
    #[serde(default, deserialize_with = "lenient::text")]
    pub store_number: Option<String>,
}

/// A calendar date sent as parts (`{"year": 2014, "month": 10, "day": 15}`).
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
pub struct DateParts {
    #[serde(default, deserialize_with = "lenient::num")]
    pub year: Option<f64>,
    #[serde(default, deserialize_with = "lenient::num")]
    pub month: Option<f64>,
    #[serde(default, deserialize_with = "lenient::num")]
    pub day: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CartWrapper {
    #[serde(default, deserialize_with = "lenient::opt")]
    pub cart_status: Option<Cart>,
    #[serde(default, deserialize_with = "lenient::num")]
    pub last_total_change: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Cart {
    #[serde(default, deserialize_with = "lenient::num")]
    pub total: Option<f64>,
    /// The total's currency (`USD`), when the site sends it.
    #[serde(default, deserialize_with = "lenient::text")]
    pub currency: Option<String>,
    #[serde(default, deserialize_with = "lenient::num")]
    pub num_items: Option<f64>,
    #[serde(default, deserialize_with = "lenient::list")]
    pub products: Vec<ProductLine>,
}

/// A product with the quantity bought or carted (absent for viewed products).
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProductLine {
    #[serde(default, deserialize_with = "lenient::opt")]
    pub product: Option<Product>,
    #[serde(default, deserialize_with = "lenient::num")]
    pub quantity: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Product {
    #[serde(default, deserialize_with = "lenient::text")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "lenient::text")]
    pub category: Option<String>,
    #[serde(default, deserialize_with = "lenient::text")]
    pub sku: Option<String>,
    #[serde(default, deserialize_with = "lenient::num")]
    pub price: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Purchase {
    #[serde(default, deserialize_with = "lenient::num")]
    pub total: Option<f64>,
    #[serde(default, deserialize_with = "lenient::text")]
    pub order_id: Option<String>,
    #[serde(default, deserialize_with = "lenient::text")]
    pub purchase_seq_id: Option<String>,
    #[serde(default, deserialize_with = "lenient::flag")]
    pub repeated_order_id: Option<bool>,
    #[serde(default, deserialize_with = "lenient::opt")]
    pub cart: Option<Cart>,
}

#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Lead {
    #[serde(default, deserialize_with = "lenient::text")]
    pub topic: Option<String>,
    #[serde(default, deserialize_with = "lenient::num")]
    pub value: Option<f64>,
    #[serde(default, deserialize_with = "lenient::text")]
    pub ticket_id: Option<String>,
    #[serde(default, deserialize_with = "lenient::text")]
    pub lead_id: Option<String>,
    #[serde(default, deserialize_with = "lenient::text")]
    pub lead_seq_id: Option<String>,
    #[serde(default, deserialize_with = "lenient::flag")]
    pub repeated_lead_id: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceActivity {
    #[serde(default, deserialize_with = "lenient::text")]
    pub topic: Option<String>,
    #[serde(default, deserialize_with = "lenient::num")]
    pub status: Option<f64>,
    #[serde(default, deserialize_with = "lenient::text")]
    pub category: Option<String>,
    #[serde(default, deserialize_with = "lenient::text")]
    pub service_id: Option<String>,
    #[serde(default, deserialize_with = "lenient::text")]
    pub service_seq_id: Option<String>,
    #[serde(default, deserialize_with = "lenient::flag")]
    pub repeated_service_activity: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ViewedProduct {
    #[serde(default, deserialize_with = "lenient::opt")]
    pub product: Option<Product>,
}

#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MarketingCampaignInfoWrapper {
    #[serde(default, deserialize_with = "lenient::opt")]
    pub marketing_campaign_info: Option<MarketingCampaignInfo>,
}

#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MarketingCampaignInfo {
    #[serde(default, deserialize_with = "lenient::num")]
    pub originating_channel: Option<f64>,
    #[serde(default, deserialize_with = "lenient::text")]
    pub affiliate: Option<String>,
    #[serde(default, deserialize_with = "lenient::text")]
    pub campaign_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SearchEngine {
    #[serde(default, deserialize_with = "lenient::text")]
    pub search_engine: Option<String>,
    #[serde(default, deserialize_with = "lenient::text")]
    pub keywords: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VisitorError {
    #[serde(default, deserialize_with = "lenient::text")]
    pub context_id: Option<String>,
    #[serde(default, deserialize_with = "lenient::text")]
    pub message: Option<String>,
    #[serde(default, deserialize_with = "lenient::text")]
    pub code: Option<String>,
    #[serde(default, deserialize_with = "lenient::text")]
    pub level: Option<String>,
    #[serde(default, deserialize_with = "lenient::flag")]
    pub resolved: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Geo {
    #[serde(default, deserialize_with = "lenient::text")]
    pub country: Option<String>,
    #[serde(default, deserialize_with = "lenient::text")]
    pub country_code: Option<String>,
    #[serde(default, deserialize_with = "lenient::text")]
    pub state: Option<String>,
    #[serde(default, deserialize_with = "lenient::text")]
    pub city: Option<String>,
    #[serde(default, deserialize_with = "lenient::text")]
    pub isp: Option<String>,
    #[serde(default, deserialize_with = "lenient::text")]
    pub org: Option<String>,
}

impl Geo {
    /// "City, State, Country" with the unknown parts left out (and a state equal to its city
    /// not repeated).
    pub fn place(&self) -> Option<String> {
        let city = self.city.as_deref();
        let state = self.state.as_deref().filter(|&s| Some(s) != city);
        let country = self
            .country
            .as_deref()
            .filter(|&c| Some(c) != city && Some(c) != state);
        join(&[city, state, country], ", ")
    }
}

#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MobileDeviceInfo {
    #[serde(default, deserialize_with = "lenient::flag")]
    pub mobile: Option<bool>,
    #[serde(default, deserialize_with = "lenient::flag")]
    pub detected: Option<bool>,
}

/// A page the consumer visited.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Page {
    #[serde(default, deserialize_with = "lenient::text")]
    pub id: Option<String>,
    #[serde(default, deserialize_with = "lenient::text")]
    pub page_title: Option<String>,
    #[serde(default, deserialize_with = "lenient::text")]
    pub url: Option<String>,
    #[serde(default, deserialize_with = "lenient::text")]
    pub referrer: Option<String>,
    #[serde(default, deserialize_with = "lenient::num")]
    pub start_time: Option<f64>,
    /// Milliseconds.
    #[serde(default, deserialize_with = "lenient::num")]
    pub time_on_page: Option<f64>,
    #[serde(default, deserialize_with = "lenient::flag")]
    pub page_loaded: Option<bool>,
    #[serde(default, deserialize_with = "lenient::opt")]
    pub page_basic: Option<PageBasic>,
}

impl Page {
    /// The page's title from wherever the API put it.
    pub fn title(&self) -> Option<&str> {
        self.page_title
            .as_deref()
            .or_else(|| self.page_basic.as_ref()?.title.as_deref())
    }

    /// When the consumer opened it (ms since the epoch), from wherever the API put it.
    pub fn opened(&self) -> Option<f64> {
        self.start_time
            .or_else(|| self.page_basic.as_ref()?.start_time)
    }

    /// The page the consumer came from, from wherever the API put it.
    pub fn came_from(&self) -> Option<&str> {
        self.referrer
            .as_deref()
            .or_else(|| self.page_basic.as_ref()?.referrer.as_deref())
    }

    /// The fullest address known: `pageBasic.url` keeps the scheme that `url` drops.
    pub fn address(&self) -> Option<&str> {
        self.page_basic
            .as_ref()
            .and_then(|b| b.url.as_deref())
            .or(self.url.as_deref())
    }
}

#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PageBasic {
    #[serde(default, deserialize_with = "lenient::text")]
    pub url: Option<String>,
    #[serde(default, deserialize_with = "lenient::num")]
    pub start_time: Option<f64>,
    #[serde(default, deserialize_with = "lenient::text")]
    pub referrer: Option<String>,
    #[serde(default, deserialize_with = "lenient::text")]
    pub title: Option<String>,
}

/// One engagement-attribute event. The API wraps each in an object keyed by its kind
/// (`{"lead": {...}}`); kinds not listed here are dropped while decoding.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Event {
    MarketingCampaignInfo(MarketingCampaignInfoEvent),
    Lead(LeadEvent),
    CartStatus(CartStatusEvent),
    Purchase(PurchaseEvent),
    ViewedProduct(ViewedProductEvent),
    CustomerInfo(CustomerInfoEvent),
    PersonalInfo(PersonalInfoEvent),
    ServiceActivity(ServiceActivityEvent),
    VisitorError(VisitorErrorEvent),
    SearchContent(SearchContentEvent),
}

impl Event {
    /// Its kind, as the API names it.
    pub fn kind(&self) -> &'static str {
        match self {
            Event::MarketingCampaignInfo(_) => "marketingCampaignInfo",
            Event::Lead(_) => "lead",
            Event::CartStatus(_) => "cartStatus",
            Event::Purchase(_) => "purchase",
            Event::ViewedProduct(_) => "viewedProduct",
            Event::CustomerInfo(_) => "customerInfo",
            Event::PersonalInfo(_) => "personalInfo",
            Event::ServiceActivity(_) => "serviceActivity",
            Event::VisitorError(_) => "visitorError",
            Event::SearchContent(_) => "searchContent",
        }
    }

    /// When the server recorded it (ms since the epoch).
    pub fn server_time(&self) -> Option<f64> {
        match self {
            Event::MarketingCampaignInfo(e) => e.server_time_stamp,
            Event::Lead(e) => e.server_time_stamp,
            Event::CartStatus(e) => e.server_time_stamp,
            Event::Purchase(e) => e.server_time_stamp,
            Event::ViewedProduct(e) => e.server_time_stamp,
            Event::CustomerInfo(e) => e.server_time_stamp,
            Event::PersonalInfo(e) => e.server_time_stamp,
            Event::ServiceActivity(e) => e.server_time_stamp,
            Event::VisitorError(e) => e.server_time_stamp,
            Event::SearchContent(e) => e.server_time_stamp,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MarketingCampaignInfoEvent {
    #[serde(default, deserialize_with = "lenient::num")]
    pub server_time_stamp: Option<f64>,
    #[serde(default, deserialize_with = "lenient::opt")]
    pub marketing_campaign_info: Option<MarketingCampaignInfo>,
}

#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LeadEvent {
    #[serde(default, deserialize_with = "lenient::num")]
    pub server_time_stamp: Option<f64>,
    #[serde(default, deserialize_with = "lenient::opt")]
    pub lead: Option<Lead>,
}

#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CartStatusEvent {
    #[serde(default, deserialize_with = "lenient::num")]
    pub server_time_stamp: Option<f64>,
    #[serde(default, deserialize_with = "lenient::num")]
    pub total: Option<f64>,
    #[serde(default, deserialize_with = "lenient::num")]
    pub num_items: Option<f64>,
    #[serde(default, deserialize_with = "lenient::list")]
    pub products: Vec<ProductLine>,
}

#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PurchaseEvent {
    #[serde(default, deserialize_with = "lenient::num")]
    pub server_time_stamp: Option<f64>,
    #[serde(default, deserialize_with = "lenient::num")]
    pub total: Option<f64>,
    #[serde(default, deserialize_with = "lenient::text")]
    pub order_id: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt")]
    pub cart: Option<Cart>,
}

#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ViewedProductEvent {
    #[serde(default, deserialize_with = "lenient::num")]
    pub server_time_stamp: Option<f64>,
    #[serde(default, deserialize_with = "lenient::list")]
    pub products: Vec<ProductLine>,
}

#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomerInfoEvent {
    #[serde(default, deserialize_with = "lenient::num")]
    pub server_time_stamp: Option<f64>,
    #[serde(default, deserialize_with = "lenient::opt")]
    pub customer_info: Option<CustomerInfo>,
}

#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PersonalInfoEvent {
    #[serde(default, deserialize_with = "lenient::num")]
    pub server_time_stamp: Option<f64>,
    #[serde(default, deserialize_with = "lenient::opt")]
    pub personal_info: Option<PersonalInfo>,
}

#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceActivityEvent {
    #[serde(default, deserialize_with = "lenient::num")]
    pub server_time_stamp: Option<f64>,
    #[serde(default, deserialize_with = "lenient::opt")]
    pub service_activity: Option<ServiceActivity>,
}

#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VisitorErrorEvent {
    #[serde(default, deserialize_with = "lenient::num")]
    pub server_time_stamp: Option<f64>,
    #[serde(default, deserialize_with = "lenient::opt")]
    pub visitor_error: Option<VisitorError>,
}

/// A site search (`searchContent` SDE); not in the sample but documented for the tag.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SearchContentEvent {
    #[serde(default, deserialize_with = "lenient::num")]
    pub server_time_stamp: Option<f64>,
    #[serde(default, deserialize_with = "lenient::list")]
    pub keywords: Vec<lenient::Text>,
}
