//! Inside LivePerson's Agent Workspace, end to end: the release build's iframe page at
//! `/?console=liveperson`, with its `liveperson-sdk-url` pointing at the SDK stand-in
//! (`e2e/www/lp-agent-sdk-standin.js`, served from a copy of `dist/`), against the proxy in demo
//! mode and its simulator. What the SDK binds shows at once; the Visit Information API's visit
//! (through the proxy, OAuth-signed to the simulator) enriches it; a new conversation switches;
//! a 404 keeps the SDK's data and names the IDs tried; an SDK that does not load or never
//! connects is a notice. Then the demo's fake Agent Workspace (`make serve`).

use anyhow::{ensure, Context, Result};
use fantoccini::Locator;
use serde_json::{json, Value};
use visitor_sidebar_e2e::{start_demo, start_workspace_demo, Browser, DemoServer};

const SEED_VISITOR: &str = "jnPABZYjQcOS2Uk5fp_HnA";
const SEED_SID: &str = "c524460e4432e9f93cf700af590f16ef181f20e6";
const STANDIN: &str = "/lp-agent-sdk-standin.js";
const PAGE: &str = "/?console=liveperson&locale=en-GB";

/// What the Agent Workspace's public model holds for a conversation, in LivePerson's documented
/// shapes, before the visitor ID is known.
fn sdk_model() -> Value {
    json!({
        "visitorInfo": {"visitorName": "Dana", "device": "MOBILE", "operatingSystem": "IOS",
                        "country": "Canada", "city": "Ottawa", "IpAddress": "198.51.100.4",
                        "chattingVisitorState": "CHATTING"},
        "chatInfo": {"rtSessionId": SEED_SID, "chatSkill": "Sales", "chatStartTime": 1700000100000u64},
        "SDE": {
            "personalInfo": [{"firstname": "Dana", "lastname": "Scully",
                              "contactInfo": [{"email": "dana@example.com"}]}],
            "shoppingCart": [{"cartTotal": "42.50", "numItems": 2,
                              "products": [{"name": "X-Files box set", "price": "21.25", "quantity": 2}]}],
            "leadGeneration": [{"leadId": "L-1", "topic": "Extended warranty", "value": "9.99"}]
        },
        "customVariables": [{"name": "plan", "displayName": "Plan", "value": "Gold"}]
    })
}

/// A browser on the iframe page whose stand-in SDK has connected (and holds nothing yet).
async fn on_workspace(demo: &DemoServer) -> Result<Browser> {
    let browser = Browser::start(420, 1400).await?;
    browser.open(demo, PAGE).await?;
    browser
        .wait_for_text(
            ".vs-notice",
            "it has given nothing about this conversation yet",
        )
        .await?;
    Ok(browser)
}

/// `window.__lpStandin.METHOD(...args)` in the page.
async fn standin(browser: &Browser, method: &str, args: Vec<Value>) -> Result<Value> {
    Ok(browser
        .client
        .execute(
            &format!("return window.__lpStandin.{method}(...arguments);"),
            args,
        )
        .await?)
}

#[tokio::test(flavor = "multi_thread")]
async fn bound_data_shows_at_once_and_the_visit_api_enriches_it_through_the_proxy() -> Result<()> {
    let (demo, _dist) = start_workspace_demo(STANDIN).await?;
    let browser = on_workspace(&demo).await?;
    let bound = standin(&browser, "bindings", vec![]).await?;
    for path in [
        "visitorInfo",
        "chatInfo",
        "SDE.personalInfo",
        "surveyQuestions",
    ] {
        ensure!(
            bound.as_array().unwrap().contains(&json!(path)),
            "{path} not bound: {bound}"
        );
    }

    // No visitor ID yet: the SDK's data alone, in the panel's own sections.
    standin(&browser, "load", vec![sdk_model()]).await?;
    let header = ".vs-lp-header";
    for fact in [
        "Dana Scully",
        "Mobile · iOS",
        "Ottawa, Canada",
        "198.51.100.4",
    ] {
        browser.wait_for_text(header, fact).await?;
    }
    browser
        .wait_for_text("details.vs-lp-commerce", "X-Files box set")
        .await?;
    browser
        .wait_for_text("details.vs-lp-commerce", "2 × 21.25")
        .await?;
    browser
        .wait_for_text("details.vs-lp-leads", "Extended warranty")
        .await?;
    browser
        .wait_for_text("details.vs-lp-customer", "dana@example.com")
        .await?;
    browser.wait_for_text("details.vs-lp-chat", "Sales").await?;
    browser
        .wait_for_text("details.vs-lp-answers", "Gold")
        .await?;
    browser
        .wait_for_text(".vs-lp-ids", "no visitor ID at visitorInfo.visitorId")
        .await?;
    ensure!(
        demo.sim.counters().lp_visit == 0,
        "no visit asked for without a visitor ID"
    );

    // The visitor ID arrives: the proxy asks the simulator, and the API's fuller visit wins.
    standin(
        &browser,
        "push",
        vec![json!("visitorInfo.visitorId"), json!(SEED_VISITOR)],
    )
    .await?;
    browser.wait_for_text(header, "John Doe").await?;
    browser.wait_for_text(header, "Tel Aviv, Israel").await?;
    browser
        .wait_for_text("details.vs-lp-journey", "Test Page")
        .await?;
    browser
        .wait_for_text("details.vs-lp-commerce", "Order DRV1534XC")
        .await?;
    browser.wait_for_gone(header, "Dana Scully").await?;
    browser.wait_for_gone(".vs-lp-ids", "no visitor ID").await?;
    // What only the Agent Workspace knows stays.
    browser.wait_for_text("details.vs-lp-chat", "Sales").await?;
    browser
        .wait_for_text("details.vs-lp-answers", "Gold")
        .await?;
    ensure!(demo.sim.counters().lp_visit > 0, "the simulator was asked");

    // With the glance and its Insert (the SDK's write command).
    browser
        .wait_js(
            "the glance",
            "!!document.querySelector('aside.vs-root .vs-glance .vs-glance-insert')",
        )
        .await?;
    let problems = browser.axe("aside.vs-root").await?;
    ensure!(problems.is_empty(), "axe: {problems:?}");
    browser.close().await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_new_conversation_switches_and_shows_nothing_of_the_previous_one() -> Result<()> {
    let (demo, _dist) = start_workspace_demo(STANDIN).await?;
    let other = demo
        .sim
        .chats()
        .into_iter()
        .find(|c| c.provider == "liveperson" && c.visitor_id != SEED_VISITOR)
        .context("the demo has generated LivePerson visitors")?;
    let browser = on_workspace(&demo).await?;

    let mut first = sdk_model();
    first["visitorInfo"]["visitorId"] = json!(SEED_VISITOR);
    standin(&browser, "load", vec![first]).await?;
    browser.wait_for_text(".vs-lp-header", "John Doe").await?;
    browser
        .wait_for_text("details.vs-lp-answers", "Gold")
        .await?;

    let next = json!({
        "visitorInfo": {"visitorId": other.visitor_id, "visitorName": other.name},
        "chatInfo": {"rtSessionId": other.sid, "chatSkill": "Support"}
    });
    standin(&browser, "load", vec![next]).await?;
    browser.wait_for_text(".vs-lp-header", &other.name).await?;
    browser
        .wait_for_text("details.vs-lp-chat", "Support")
        .await?;
    browser
        .wait_for_text("details.vs-lp-journey", "current")
        .await?;
    let shown = browser.body_text().await?;
    for old in ["John Doe", "Dana", "Gold", "Sales", "Test Page", "X-Files"] {
        ensure!(
            !shown.contains(old),
            "{old:?} of the previous conversation:\n{shown}"
        );
    }
    browser.close().await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_404_from_the_visit_api_keeps_the_sdk_data_and_names_the_ids_tried() -> Result<()> {
    let (demo, _dist) = start_workspace_demo(STANDIN).await?;
    let browser = on_workspace(&demo).await?;
    let mut model = sdk_model();
    model["visitorInfo"]["visitorId"] = json!("no-such-visitor");
    // LivePerson's chat data holds rtSessionId as a number.
    model["chatInfo"]["rtSessionId"] = json!(4294967524u64);
    standin(&browser, "load", vec![model]).await?;
    let notice = browser
        .wait_for_text(
            ".vs-lp-ids",
            "has no visit for visitor ID no-such-visitor and session ID 4294967524",
        )
        .await?;
    ensure!(
        notice.contains("visitorInfo.visitorId") && notice.contains("chatInfo.rtSessionId"),
        "{notice}"
    );
    browser
        .wait_for_text(".vs-lp-header", "Dana Scully")
        .await?;
    browser
        .wait_for_text("details.vs-lp-commerce", "X-Files box set")
        .await?;
    ensure!(
        browser
            .client
            .find_all(Locator::Css("[role=alert]"))
            .await?
            .is_empty(),
        "a notice, not an error"
    );
    browser.close().await
}

#[tokio::test(flavor = "multi_thread")]
async fn an_sdk_that_does_not_load_is_a_notice() -> Result<()> {
    // Port 1 on loopback: nothing listens, so the script fails at once, offline.
    let url = "http://127.0.0.1:1/webagent/client-SDK.min.js";
    let (demo, _dist) = start_workspace_demo(url).await?;
    let browser = Browser::start(420, 800).await?;
    browser.open(&demo, PAGE).await?;
    let notice = browser
        .wait_for_text(
            "[role=alert]",
            "LivePerson's Agent Workspace SDK could not be loaded from",
        )
        .await?;
    ensure!(notice.contains(url), "{notice}");
    browser.close().await
}

#[tokio::test(flavor = "multi_thread")]
async fn an_sdk_whose_init_never_connects_is_a_notice() -> Result<()> {
    let (demo, _dist) = start_workspace_demo("/lp-agent-sdk-standin.js?connect=never").await?;
    let browser = Browser::start(420, 800).await?;
    browser.open(&demo, PAGE).await?;
    browser
        .wait_for_text(".vs-notice", "Connecting to LivePerson's Agent Workspace")
        .await?;
    browser
        .wait_for_text("[role=alert]", "did not answer within 10 s")
        .await?;
    let calls = standin(&browser, "calls", vec![]).await?;
    ensure!(
        calls.as_array().unwrap().first() == Some(&json!(["init"])),
        "init was called: {calls}"
    );
    browser.close().await
}

#[tokio::test(flavor = "multi_thread")]
async fn the_demo_agent_workspace_switches_between_the_simulators_liveperson_visitors() -> Result<()>
{
    let demo = start_demo().await?;
    let other = demo
        .sim
        .chats()
        .into_iter()
        .find(|c| c.provider == "liveperson" && c.visitor_id != SEED_VISITOR)
        .context("the demo has generated LivePerson visitors")?;
    let browser = Browser::start(1280, 1000).await?;
    browser.open(&demo, "/api/demo/agent-workspace").await?;
    browser.wait_for_text("nav", "John Doe").await?;

    let widget = || async {
        browser
            .client
            .find(Locator::Css("iframe#widget"))
            .await?
            .enter_frame()
            .await?;
        anyhow::Ok(())
    };
    // The first conversation (the seed visit) is open.
    widget().await?;
    browser.wait_for_text(".vs-lp-header", "John Doe").await?;
    browser
        .wait_for_text("details.vs-lp-journey", "Test Page")
        .await?;
    browser.client.enter_parent_frame().await?;

    browser
        .click(&format!("button[data-visitor-id=\"{}\"]", other.visitor_id))
        .await?;
    widget().await?;
    browser.wait_for_text(".vs-lp-header", &other.name).await?;
    browser.wait_for_gone(".vs-lp-header", "John Doe").await?;
    browser.client.enter_parent_frame().await?;

    browser
        .click("button[data-visitor-id=\"unknown-demo-visitor\"]")
        .await?;
    widget().await?;
    browser
        .wait_for_text(
            ".vs-lp-ids",
            "visitor ID unknown-demo-visitor and session ID 0.404",
        )
        .await?;
    browser.close().await
}
