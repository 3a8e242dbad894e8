//! Hostile visitors (`SimConfig::hostile`, `--hostile`): LivePerson visits and LiveChat visitors
//! whose every visitor-controlled string carries a payload from the XSS corpus
//! (`fixtures/xss-payloads.txt`, plus a few generated here), so that a browser test can open them
//! and check that nothing runs and everything shows as text.
//!
//! Payloads rotate over one shared counter across all hostile visitors and fields, so every
//! payload appears at least once and the same field gets a different payload in each visitor. The
//! 1 MiB payload is placed once per vendor, in a field the widget shows (the first page's title
//! of the first hostile LivePerson visit, the first visit-path title of the first hostile LiveChat
//! visitor), so the rotation does not multiply its size.

use serde_json::{json, Value};

const CORPUS: &str = include_str!("../../fixtures/xss-payloads.txt");

/// Size of the generated large payload: 1 MiB.
pub const HUGE_PAYLOAD_BYTES: usize = 1 << 20;
/// How many hostile visitors each vendor gets.
pub const HOSTILE_PER_VENDOR: usize = 3;

/// The large payload: image/script markup, RTL overrides and text repeated to exactly
/// [`HUGE_PAYLOAD_BYTES`] bytes (all ASCII but the RTL marks, cut on a character boundary and
/// padded with `x`).
pub fn huge_payload() -> String {
    const UNIT: &str = "<img src=x onerror=\"window.__xss=1\"> \u{202e}<script>window.__xss=1</script>\u{202c} javascript:window.__xss=1 ";
    let mut s = String::with_capacity(HUGE_PAYLOAD_BYTES);
    while s.len() + UNIT.len() <= HUGE_PAYLOAD_BYTES {
        s.push_str(UNIT);
    }
    while s.len() < HUGE_PAYLOAD_BYTES {
        s.push('x');
    }
    s
}

/// Payloads a text file cannot hold on one line: control characters inside or before scheme
/// names (browsers strip some of them when parsing URLs), a BOM, NUL.
fn generated_payloads() -> Vec<String> {
    [
        "java\nscript:window.__xss=1",
        "java\r\nscript:window.__xss=1",
        "javascript\n:window.__xss=1",
        "\u{0}javascript:window.__xss=1",
        "\u{1}\u{2}\u{3}javascript:window.__xss=1",
        "\u{b}\u{c}javascript:window.__xss=1",
        "\u{feff}javascript:window.__xss=1",
        "jav\u{0}ascript:window.__xss=1",
        "<scr\u{0}ipt>window.__xss=1</scr\u{0}ipt>",
        "<img src=x\nonerror=window.__xss=1>",
        "<a href=\"java&#x0A;script:window.__xss=1\">newline entity</a>",
        "\u{0}",
        "line one\nline two\r\nline three",
    ]
    .into_iter()
    .map(str::to_owned)
    .collect()
}

/// The corpus's payloads (in file order), then the generated ones; the 1 MiB one is
/// [`huge_payload`], not in this list.
pub fn small_payloads() -> Vec<String> {
    CORPUS
        .lines()
        .filter(|line| !line.is_empty() && !line.starts_with("# "))
        .map(str::to_owned)
        .chain(generated_payloads())
        .collect()
}

/// Every payload the hostile visitors carry: [`small_payloads`] and [`huge_payload`] last.
pub fn xss_payloads() -> Vec<String> {
    let mut all = small_payloads();
    all.push(huge_payload());
    all
}

/// The corpus's payloads that are http(s) links with hostile parts: the widget links these, so
/// each hostile visitor gets one in its current page's address (after the rotation), and a
/// browser test has links to click.
fn link_payloads() -> Vec<String> {
    small_payloads()
        .into_iter()
        .filter(|p| p.starts_with("http://") || p.starts_with("https://"))
        .collect()
}

/// Hands out the payloads in turn, over and over.
pub(crate) struct Rotation {
    payloads: Vec<String>,
    next: usize,
}

impl Rotation {
    pub(crate) fn new() -> Rotation {
        Rotation {
            payloads: small_payloads(),
            next: 0,
        }
    }

    fn next(&mut self) -> Value {
        let p = &self.payloads[self.next % self.payloads.len()];
        self.next += 1;
        Value::String(p.clone())
    }

    /// Whether every payload has been handed out at least once.
    pub(crate) fn went_round(&self) -> bool {
        self.next >= self.payloads.len()
    }
}

/// Keys whose strings are not the visitor's to set (identifiers that tie events to pages,
/// LivePerson's own enums and sequence numbers), left as they are.
const NOT_VISITOR_CONTROLLED: [&str; 10] = [
    "id",
    "pageId",
    "deviceFamily",
    "deviceOS",
    "gender",
    "campaignControl",
    "siteControlGroup",
    "purchaseSeqId",
    "leadSeqId",
    "serviceSeqId",
];

/// Replaces every string under `value` (but not under [`NOT_VISITOR_CONTROLLED`] keys or
/// `engagements`, which are the account's campaign setup) with the next payload. Maps are walked
/// in key order, so the result is the same on every run.
fn fill(value: &mut Value, rotation: &mut Rotation) {
    match value {
        Value::String(_) => *value = rotation.next(),
        Value::Array(items) => items.iter_mut().for_each(|v| fill(v, rotation)),
        Value::Object(map) => {
            for (key, v) in map.iter_mut() {
                if !NOT_VISITOR_CONTROLLED.contains(&key.as_str()) && key != "engagements" {
                    fill(v, rotation);
                }
            }
        }
        _ => {}
    }
}

fn product(price: f64) -> Value {
    json!({"name": "", "category": "", "sku": "", "price": price})
}

fn page(id: u64, now_ms: u64) -> Value {
    json!({
        "referrer": "",
        "pageBasic": {"url": "", "startTime": now_ms, "referrer": "", "title": "", "sections": [""]},
        "pageTitle": "",
        "startTime": now_ms,
        "timeOnPage": 1500,
        "id": id.to_string(),
        "pageLoaded": true,
        "url": "",
    })
}

/// A hostile LivePerson visit built from the seed visit: every visitor-set section present, every
/// string in it a payload. `huge`: the first page's title is the 1 MiB payload.
pub(crate) fn lp_body(
    seed: &Value,
    monitoring_id: &str,
    n: usize,
    now: u64,
    rotation: &mut Rotation,
) -> Value {
    let huge = n == 1;
    let now_ms = now * 1000;
    let mut body = seed.clone();
    body["id"] = json!(monitoring_id);
    let s = &mut body["appSessions"][0];
    s["id"] = json!(monitoring_id);
    s["startTime"] = json!(now_ms);
    let first_page = 1_899_670_000u64;
    s["pages"] = json!([
        page(first_page, now_ms - 60_000),
        page(first_page + 1, now_ms - 30_000),
        page(first_page + 2, now_ms)
    ]);
    let info = &mut s["personalInfo"]["personalInfo"];
    info["language"] = json!("");
    info["company"] = json!("");
    info["contacts"] = json!([{"email": "", "phone": ""}, {"email": "", "phone": ""}]);
    let customer = &mut s["customerInfo"]["customerInfo"];
    for key in [
        "customerStatus",
        "customerType",
        "customerId",
        "loginStatus",
        "companyBranch",
        "socialId",
        "imei",
        "userName",
        "companySize",
        "accountName",
        "role",
        "storeZipCode",
        "storeNumber",
    ] {
        customer[key] = json!("");
    }
    s["cart"] = json!({"cartStatus": {"total": 31.2, "numItems": 2, "products": [
        {"product": product(7.8), "quantity": 1}, {"product": product(23.4), "quantity": 1}
    ]}, "lastTotalChange": 23.4});
    s["purchases"] = json!([{"repeatedOrderId": false, "purchaseSeqId": "1", "total": 7.8, "orderId": "",
        "cart": {"total": 7.8, "numItems": 1, "products": [{"product": product(7.8), "quantity": 1}]}}]);
    s["viewedProduct"] = json!([{"product": product(77.8)}, {"product": product(9.5)}]);
    s["leads"] = json!([{"topic": "", "value": 22.22, "ticketId": "", "leadId": "", "leadSeqId": "1", "repeatedLeadId": false}]);
    s["serviceActivity"] = json!([{"topic": "", "status": 0, "category": "", "serviceId": "", "serviceSeqId": "1", "repeatedServiceActivity": false}]);
    s["visitorError"] =
        json!([{"contextId": null, "message": "", "code": "", "level": 1, "resolved": false}]);
    s["marketingCampaignInfo"] = json!({"marketingCampaignInfo": {"originatingChannel": 1, "affiliate": "", "campaignId": ""}});
    s["searchEngine"] = json!({"searchEngine": "", "keywords": ""});
    s["userAgent"] = json!("");
    s["externalReferrer"] = json!("");
    s["geo"] =
        json!({"country": "", "countryCode": "", "state": "", "city": "", "isp": "", "org": ""});
    s["ipv4"] = json!("");
    // The events repeat the sections (LivePerson reports each change as an event), with their own
    // payloads.
    let page_ctx = json!({"page": {"id": (first_page + 2).to_string()}});
    let events = json!([
        {"personalInfo": {"serverTimeStamp": now_ms, "contexts": page_ctx, "personalInfo": s["personalInfo"]["personalInfo"].clone()}},
        {"customerInfo": {"serverTimeStamp": now_ms, "contexts": page_ctx, "customerInfo": s["customerInfo"]["customerInfo"].clone()}},
        {"marketingCampaignInfo": {"serverTimeStamp": now_ms, "contexts": page_ctx, "marketingCampaignInfo": s["marketingCampaignInfo"]["marketingCampaignInfo"].clone()}},
        {"lead": {"serverTimeStamp": now_ms, "contexts": page_ctx, "lead": {"topic": "", "value": 22.22, "ticketId": "", "leadId": ""}}},
        {"cartStatus": {"serverTimeStamp": now_ms, "contexts": page_ctx, "total": 31.2, "numItems": 2, "products": s["cart"]["cartStatus"]["products"].clone()}},
        {"purchase": {"serverTimeStamp": now_ms, "contexts": page_ctx, "total": 7.8, "orderId": "", "cart": s["purchases"][0]["cart"].clone()}},
        {"viewedProduct": {"serverTimeStamp": now_ms, "contexts": page_ctx, "products": s["viewedProduct"].clone()}},
        {"serviceActivity": {"serverTimeStamp": now_ms, "contexts": page_ctx, "serviceActivity": s["serviceActivity"][0].clone()}},
        {"visitorError": {"serverTimeStamp": now_ms, "contexts": page_ctx, "visitorError": s["visitorError"][0].clone()}},
        {"searchContent": {"serverTimeStamp": now_ms, "contexts": page_ctx, "keywords": [""]}},
    ]);
    s["events"] = events;
    fill(s, rotation);
    let links = link_payloads();
    let link = json!(links[n % links.len()]);
    s["pages"][2]["pageBasic"]["url"] = link.clone();
    s["pages"][2]["url"] = link;
    if huge {
        s["pages"][0]["pageTitle"] = json!(huge_payload());
    }
    body
}

/// A hostile LiveChat visitor built from the seed visitor, chatting (so survey and operator are
/// there), every visitor-set string a payload. `huge`: the first visit-path title is the 1 MiB
/// payload.
pub(crate) fn lc_body(
    seed: &Value,
    id: &str,
    chat_id: &str,
    n: usize,
    now: u64,
    rotation: &mut Rotation,
) -> Value {
    let huge = n == 1;
    let mut b = seed.clone();
    b["id"] = json!(id);
    b["state"] = json!("chatting");
    b["chat_id"] = json!(chat_id);
    b["chat"] = json!({"id": chat_id, "started_timestamp": now});
    b["chat_start_time_ts"] = json!(now);
    for key in [
        "name",
        "city",
        "region",
        "country",
        "country_code",
        "page_title",
        "page_current",
        "page_address",
        "referrer",
        "browser",
        "host",
        "language",
        "timezone",
        "invitation",
    ] {
        b[key] = rotation.next();
    }
    b["visit_path"] = json!((0..3)
        .map(|i| {
            let mut step = json!({"time": "2017-02-16 12:36:21", "time_ref": now - 60 + i * 20, "time_ts": now - 60 + i * 20});
            for key in ["invitation", "page", "title"] {
                step[key] = rotation.next();
            }
            step
        })
        .collect::<Vec<_>>());
    b["custom_variables"] = json!((0..3)
        .map(|_| json!({"key": rotation.next(), "value": rotation.next()}))
        .collect::<Vec<_>>());
    b["prechat_survey"] = json!((0..2)
        .map(|i| json!({"key": rotation.next(), "value": rotation.next(), "id": (2001 + i).to_string()}))
        .collect::<Vec<_>>());
    b["operators"] = json!([{"id": "john.doe@mycompany.com", "display_name": rotation.next()}]);
    let links = link_payloads();
    let link = json!(links[(n + 1) % links.len()]);
    b["page_current"] = link.clone();
    b["visit_path"][2]["page"] = link;
    if huge {
        b["visit_path"][0]["title"] = json!(huge_payload());
    }
    b
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_corpus_is_large_and_varied() {
        let small = small_payloads();
        assert!(small.len() >= 100, "{} payloads", small.len());
        let has = |needle: &str| {
            small
                .iter()
                .any(|p| p.to_lowercase().contains(&needle.to_lowercase()))
        };
        for needle in [
            "<script>",
            "onerror=",
            "javascript:",
            "data:text/html",
            "vbscript:",
            "&#106;",
            "<svg",
            "\u{202e}",
            "\n",
            "\u{0}",
        ] {
            assert!(has(needle), "a payload with {needle:?}");
        }
        assert!(link_payloads().len() >= 3);
        let huge = huge_payload();
        assert_eq!(huge.len(), HUGE_PAYLOAD_BYTES);
        assert!(huge.contains("<script>"));
        let unique: std::collections::HashSet<_> = small.iter().collect();
        assert_eq!(unique.len(), small.len(), "no payload twice");
    }
}
