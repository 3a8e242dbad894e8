//! The LiveChat panel end to end: the release build's iframe page lists the demo visitors,
//! opens the seed visitor, and sends custom details through the proxy (which adds the
//! `chat_started` webhook's token) to the simulator, which accepts them.

use anyhow::{ensure, Result};
use fantoccini::{Client, Locator};
use serde_json::json;
use visitor_sidebar_e2e::{click, start_demo, Browser};

const SEED: &str = "S148dea44981.d9443253fef2";

/// The input labelled `label` in the details form.
fn input(label: &str) -> String {
    format!("//form//label[normalize-space(.)='{label}']/following-sibling::input")
}

/// Types each value into the details-form input with that label.
async fn fill(client: &Client, fields: &[(&str, &str)]) -> Result<()> {
    for (label, value) in fields {
        client
            .find(Locator::XPath(&input(label)))
            .await?
            .send_keys(value)
            .await?;
    }
    Ok(())
}

/// Presses the form's send button.
async fn send(client: &Client) -> Result<()> {
    click(client, "button.vs-send").await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn an_agent_sends_custom_details_for_the_demo_visitor() -> Result<()> {
    let demo = start_demo().await?;
    let browser = Browser::start(420, 900).await?;
    let client = &browser.client;
    client
        .goto(&format!("http://{}/?provider=livechat", demo.addr))
        .await?;
    browser
        .wait_for_text(".vs-visitor-rows", "LiveChat – Chat Window API (JS)")
        .await?;
    browser.wait_for_text(".vs-count", "visitors").await?;

    click(
        client,
        &format!("button.vs-visitor-row[data-visitor-id=\"{SEED}\"]"),
    )
    .await?;
    browser
        .wait_for_text(".vs-visitor", "Greenville, North Carolina, United States")
        .await?;
    browser.wait_for_text(".vs-visitor", "empty_cart").await?;

    fill(
        client,
        &[
            ("Name 1", "Plan"),
            ("Value 1", "Gold"),
            ("Link 1 (optional)", "https://crm.example.com/c/42"),
        ],
    )
    .await?;
    send(client).await?;
    browser
        .wait_for_text(".vs-details-form", "Sent: LiveChat accepted the details")
        .await?;

    let received = demo.sim.visitor_details(SEED);
    ensure!(received.len() == 1, "the simulator received {received:?}");
    let body = &received[0];
    ensure!(
        body["id"] == "visitor-sidebar",
        "the configured data set: {body}"
    );
    ensure!(
        body["fields"]
            == json!([{"name": "Plan", "value": "Gold", "url": "https://crm.example.com/c/42"}]),
        "the fields as typed: {body}"
    );
    ensure!(
        body["license_id"].is_string() || body["license_id"].is_number(),
        "the proxy added the webhook's license: {body}"
    );

    // Back to the list, which kept its place.
    click(client, "button.vs-back").await?;
    browser
        .wait_for_text(".vs-visitor-rows", "LiveChat – Chat Window API (JS)")
        .await?;
    browser.close().await
}

#[tokio::test(flavor = "multi_thread")]
async fn details_sent_during_an_upstream_fault_keep_their_values_and_succeed_on_retry() -> Result<()>
{
    use visitor_sidebar_sim::Knobs;
    let demo = start_demo().await?;
    let browser = Browser::start(420, 900).await?;
    let client = &browser.client;
    client
        .goto(&format!(
            "http://{}/?provider=livechat&visitorId={SEED}",
            demo.addr
        ))
        .await?;
    browser.wait_for_text(".vs-visitor", "Greenville").await?;
    fill(client, &[("Name 1", "Plan"), ("Value 1", "Gold")]).await?;

    // LiveChat fails every call: the send fails, and says so.
    demo.sim.set_knobs(Knobs {
        error_rate: 1.0,
        ..Knobs::default()
    });
    send(client).await?;
    browser
        .wait_for_text(".vs-details-form", "Send again")
        .await?;
    ensure!(
        demo.sim.visitor_details(SEED).is_empty(),
        "nothing was accepted during the fault"
    );
    for (label, value) in [("Name 1", "Plan"), ("Value 1", "Gold")] {
        let kept = client
            .find(Locator::XPath(&input(label)))
            .await?
            .prop("value")
            .await?;
        ensure!(kept.as_deref() == Some(value), "{label} kept {kept:?}");
    }

    // The fault clears: the same values go through without retyping.
    demo.sim.set_knobs(Knobs::default());
    send(client).await?;
    browser
        .wait_for_text(".vs-details-form", "Sent: LiveChat accepted the details")
        .await?;
    let received = demo.sim.visitor_details(SEED);
    ensure!(
        received.len() == 1 && received[0]["fields"] == json!([{"name": "Plan", "value": "Gold"}]),
        "the simulator received {received:?}"
    );
    browser.close().await
}
