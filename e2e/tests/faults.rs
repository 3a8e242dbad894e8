//! Upstream faults end to end: with each of the simulator's fault knobs turned on, the proxy
//! answers its documented error and the widget keeps the last good data, says what is wrong, and
//! recovers by itself when the fault clears. A proxy restart is survived without a reload.

use anyhow::Result;
use std::time::Duration;
use visitor_sidebar_e2e::{dist_dir, Browser};
use visitor_sidebar_proxy::{start_demo_with, DemoServer, RawConfig};
use visitor_sidebar_sim::{Knobs, SEED_LP_SID, SEED_LP_VISITOR_ID};

/// A demo proxy with a short cache and upstream timeout, so faults show within a second.
async fn demo(listen: &str) -> Result<DemoServer> {
    let mut raw = RawConfig::default();
    raw.set("VS_CACHE_TTL_MS", "200");
    raw.set("VS_UPSTREAM_TIMEOUT_MS", "500");
    start_demo_with(raw, listen.parse()?, Some(dist_dir()?), None).await
}

fn visit_url(demo: &DemoServer) -> String {
    format!(
        "{}/?provider=liveperson&visitorId={SEED_LP_VISITOR_ID}&sid={SEED_LP_SID}&pollIntervalMs=500",
        demo.url()
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn each_upstream_fault_keeps_the_last_data_with_a_notice_and_recovers() -> Result<()> {
    let demo = demo("127.0.0.1:0").await?;
    let browser = Browser::start(400, 900).await?;
    browser.client.goto(&visit_url(&demo)).await?;
    browser.wait_for_text("aside.vs-root", "Test Page").await?;

    let faults: [(&str, Knobs, &str); 5] = [
        (
            "500s",
            Knobs {
                error_rate: 1.0,
                ..Knobs::default()
            },
            "Stale since",
        ),
        (
            "slow beyond the timeout",
            Knobs {
                latency_ms: 2_000,
                ..Knobs::default()
            },
            "not answering in time",
        ),
        (
            "429 with Retry-After",
            Knobs {
                rate_limit_rate: 1.0,
                retry_after_secs: 1,
                ..Knobs::default()
            },
            "Too many requests",
        ),
        (
            "malformed JSON",
            Knobs {
                malformed_rate: 1.0,
                ..Knobs::default()
            },
            "Stale since",
        ),
        (
            "truncated bodies",
            Knobs {
                truncated_rate: 1.0,
                ..Knobs::default()
            },
            "Stale since",
        ),
    ];
    for (name, knobs, notice) in faults {
        demo.sim.set_knobs(knobs);
        browser
            .wait_for_text("aside.vs-root", notice)
            .await
            .map_err(|e| e.context(format!("fault: {name}")))?;
        let shown = browser
            .wait_for_text("aside.vs-root", "Stale since")
            .await?;
        anyhow::ensure!(
            shown.contains("John Doe") && shown.contains("Test Page"),
            "{name}: the last data went away:\n{shown}"
        );

        demo.sim.set_knobs(Knobs::default());
        browser
            .wait_for_gone("aside.vs-root", "Stale")
            .await
            .map_err(|e| e.context(format!("recovery from: {name}")))?;
        browser.wait_for_text("aside.vs-root", "Test Page").await?;
    }
    browser.close().await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_proxy_restart_is_survived_without_reloading_the_page() -> Result<()> {
    let first = demo("127.0.0.1:0").await?;
    let addr = first.addr;
    let browser = Browser::start(400, 900).await?;
    browser.client.goto(&visit_url(&first)).await?;
    browser.wait_for_text("aside.vs-root", "Test Page").await?;
    browser
        .client
        .execute("window.__sameDocument = true;", vec![])
        .await?;

    first.shutdown().await;
    browser
        .wait_for_text("aside.vs-root", "cannot be reached")
        .await?;
    browser.wait_for_text("aside.vs-root", "John Doe").await?;

    // The same address again (a restarted process); the port may take a moment to free.
    let mut second = None;
    for _ in 0..50 {
        match demo(&addr.to_string()).await {
            Ok(server) => {
                second = Some(server);
                break;
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
    let _second = second.ok_or_else(|| anyhow::anyhow!("could not listen on {addr} again"))?;
    browser
        .wait_for_gone("aside.vs-root", "cannot be reached")
        .await?;
    browser.wait_for_text("aside.vs-root", "Test Page").await?;
    let same = browser
        .client
        .execute("return window.__sameDocument === true;", vec![])
        .await?;
    anyhow::ensure!(same.as_bool() == Some(true), "the page was reloaded");
    browser.close().await
}
