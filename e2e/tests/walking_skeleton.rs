//! The walking skeleton end to end: the release build, served by the proxy in demo mode, shows
//! a LivePerson visit and the LiveChat visitors fetched through the proxy from the simulator.

use anyhow::Result;
use visitor_sidebar_e2e::{start_demo, Browser};

#[tokio::test(flavor = "multi_thread")]
async fn the_demo_console_shows_a_liveperson_visit_and_livechat_visitors() -> Result<()> {
    let demo = start_demo().await?;
    let browser = Browser::start(1280, 900).await?;
    browser.open(&demo, "/console.html").await?;

    // The seed LivePerson visit, through OAuth 1.0-signed calls to the simulator.
    browser.wait_for_text("#chats", "John Doe").await?;
    browser
        .click("#chats button[data-provider=\"liveperson\"]")
        .await?;
    browser.wait_for_text("aside.vs-root", "John Doe").await?;
    browser.wait_for_text("aside.vs-root", "Test Page").await?;
    browser.wait_for_text("aside.vs-root", "Tel Aviv").await?;

    // The seed LiveChat visitor, through Basic-authenticated calls.
    browser
        .click("#chats button[data-visitor-id=\"S148dea44981.d9443253fef2\"]")
        .await?;
    browser.wait_for_text("aside.vs-root", "Greenville").await?;
    browser
        .wait_for_text("aside.vs-root", "LiveChat – Chat Window API (JS)")
        .await?;

    browser.close().await
}

#[tokio::test(flavor = "multi_thread")]
async fn the_iframe_page_without_a_query_lists_the_livechat_visitors() -> Result<()> {
    let demo = start_demo().await?;
    let browser = Browser::start(400, 800).await?;
    browser.open(&demo, "/").await?;
    browser.wait_for_text(".vs-visitors", "Visitors").await?;
    browser
        .wait_for_text(".vs-visitor-rows", "United States")
        .await?;
    browser.close().await
}
