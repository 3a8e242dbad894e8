//! The LivePerson panel end to end: the iframe page of the release build, fetching through the
//! proxy (OAuth-signed calls to the simulator), shows the demo visitors' facts in every section,
//! and LivePerson's refusals as the agent-facing words.

use anyhow::{Context, Result};
use fantoccini::Locator;
use visitor_sidebar_e2e::{start_demo, Browser};

const SEED_VISITOR: &str = "jnPABZYjQcOS2Uk5fp_HnA";
const SEED_SID: &str = "c524460e4432e9f93cf700af590f16ef181f20e6";

fn page(addr: impl std::fmt::Display, visitor_id: &str, sid: &str) -> String {
    format!("http://{addr}/?provider=liveperson&visitorId={visitor_id}&sid={sid}&locale=en-GB")
}

/// Opens a closed section by clicking its summary, as an agent would.
async fn open_section(browser: &Browser, class: &str) -> Result<()> {
    browser.click(&format!("details.{class} > summary")).await
}

#[tokio::test(flavor = "multi_thread")]
async fn the_seed_visitor_shows_every_section_through_the_proxy() -> Result<()> {
    let demo = start_demo().await?;
    let browser = Browser::start(420, 1600).await?;
    browser
        .client
        .goto(&page(demo.addr, SEED_VISITOR, SEED_SID))
        .await?;

    let header = ".vs-lp-header";
    browser.wait_for_text(header, "John Doe").await?;
    for fact in [
        "Desktop · macOS",
        "Chrome 53 on macOS 10.9.5",
        "Tel Aviv, Israel",
        "195.62.30.20",
        "On site",
        "Yahoo · US coupon campaign",
    ] {
        browser.wait_for_text(header, fact).await?;
    }

    let journey = "details.vs-lp-journey";
    browser.wait_for_text(journey, "Test Page").await?;
    browser.wait_for_text(journey, "current").await?;
    browser.wait_for_text(journey, "21 s").await?;
    let link = browser
        .client
        .find(Locator::Css("details.vs-lp-journey a.vs-link"))
        .await?;
    assert_eq!(
        link.attr("href").await?.as_deref(),
        Some("http://testfile.com/")
    );
    assert_eq!(
        link.attr("rel").await?.as_deref(),
        Some("noopener noreferrer")
    );
    assert_eq!(link.attr("target").await?.as_deref(), Some("_blank"));

    let customer = "details.vs-lp-customer";
    for fact in [
        "34 (born 15 Apr 1980)",
        "myname@example.com",
        "+1 212-788-8877",
        "-400.99",
        "138766AC",
        "15 Oct 2014",
    ] {
        browser.wait_for_text(customer, fact).await?;
    }
    let mailto = browser
        .client
        .find(Locator::Css("details.vs-lp-customer a[href^=\"mailto:\"]"))
        .await?;
    assert_eq!(
        mailto.attr("href").await?.as_deref(),
        Some("mailto:myname@example.com")
    );

    let commerce = "details.vs-lp-commerce";
    for fact in [
        "prod1",
        "1 × 7.80",
        "11.70",
        "Order DRV1534XC",
        "antivirus pro plan",
        "red high heel shoe",
    ] {
        browser.wait_for_text(commerce, fact).await?;
    }
    for fact in ["luxury car test drive 2015", "22.22", "order checkbook"] {
        browser.wait_for_text("details.vs-lp-leads", fact).await?;
    }
    browser
        .wait_for_text("details.vs-lp-errors", "Error Expiration date missing")
        .await?;

    // One click away: engagements and the timeline.
    open_section(&browser, "vs-lp-engagements").await?;
    browser
        .wait_for_text("details.vs-lp-engagements", "Engagement 555008212")
        .await?;
    browser
        .wait_for_text("details.vs-lp-engagements", "channel 1 · type 6")
        .await?;
    open_section(&browser, "vs-lp-timeline").await?;
    browser
        .wait_for_text("details.vs-lp-timeline", "Cart: 6 items, total 11.70")
        .await?;
    browser
        .wait_for_text(
            "details.vs-lp-timeline",
            "Error: Expiration date missing (er100004)",
        )
        .await?;

    browser.close().await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_generated_demo_visitor_shows_their_own_visit() -> Result<()> {
    let demo = start_demo().await?;
    let chat = demo
        .sim
        .chats()
        .into_iter()
        .find(|c| c.provider == "liveperson" && c.visitor_id != SEED_VISITOR)
        .context("the demo has generated LivePerson visitors")?;
    let sid = chat.sid.clone().context("a LivePerson chat has a sid")?;
    let browser = Browser::start(420, 1200).await?;
    browser
        .client
        .goto(&page(demo.addr, &chat.visitor_id, &sid))
        .await?;
    browser.wait_for_text(".vs-lp-header", &chat.name).await?;
    // The current page is the one the chat list shows (it may have moved on since: then the
    // list's page is still in the journey).
    browser
        .wait_for_text("details.vs-lp-journey", &chat.summary)
        .await?;
    browser
        .wait_for_text("details.vs-lp-journey", "current")
        .await?;
    browser
        .wait_for_text("details.vs-lp-customer", "@example.com")
        .await?;
    browser.close().await
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unknown_session_says_sessions_are_kept_for_six_hours() -> Result<()> {
    let demo = start_demo().await?;
    let browser = Browser::start(420, 800).await?;
    browser
        .client
        .goto(&page(demo.addr, SEED_VISITOR, "no-such-session-1"))
        .await?;
    let shown = browser
        .wait_for_text(".vs-notice-error", "this API keeps sessions for 6 hours")
        .await?;
    // The proxy's own message comes with it.
    assert!(
        shown.contains("Ask the visitor to reload the page"),
        "{shown}"
    );
    browser.close().await
}

#[tokio::test(flavor = "multi_thread")]
async fn without_a_sid_the_page_says_what_the_host_must_pass() -> Result<()> {
    let demo = start_demo().await?;
    let browser = Browser::start(420, 800).await?;
    browser
        .open(
            &demo,
            &format!("/?provider=liveperson&visitorId={SEED_VISITOR}"),
        )
        .await?;
    browser
        .wait_for_text(".vs-notice-error", "The host page must pass")
        .await?;
    browser.close().await
}

#[tokio::test(flavor = "multi_thread")]
async fn when_the_visit_expires_the_agent_is_told_and_the_old_data_is_marked() -> Result<()> {
    let demo = start_demo().await?;
    let browser = Browser::start(420, 1000).await?;
    browser
        .client
        .goto(&format!(
            "{}&pollIntervalMs=500",
            page(demo.addr, SEED_VISITOR, SEED_SID)
        ))
        .await?;
    browser.wait_for_text(".vs-lp-header", "John Doe").await?;
    assert!(demo.sim.expire_visit(SEED_VISITOR));
    let notice = browser
        .wait_for_text(".vs-notice-error", "sessions are kept for 6 hours")
        .await?;
    assert!(notice.contains("The data below is older"), "{notice}");
    browser.wait_for_text(".vs-lp-header", "John Doe").await?;
    browser.close().await
}
