//! Every view of the sidebar, in both themes: no serious or critical axe-core violations (the
//! visitor views with their glance, its buttons at rest and shown by the keyboard focus), no
//! horizontal scrolling from 280 px to 480 px wide, and screenshots at 320 px and 480 px in
//! `artifacts/screenshots/` for a person to look at.

use anyhow::{ensure, Result};
use visitor_sidebar_e2e::{start_demo, Browser};

const LP_SEED: &str =
    "visitorId=jnPABZYjQcOS2Uk5fp_HnA&sid=c524460e4432e9f93cf700af590f16ef181f20e6";

/// (name, query, text that shows the view is ready); a view of one visitor has a glance.
fn views() -> Vec<(&'static str, String, &'static str)> {
    vec![
        (
            "liveperson-visit",
            format!("provider=liveperson&{LP_SEED}"),
            "Test Page",
        ),
        (
            "liveperson-no-visitor",
            "provider=liveperson".into(),
            "must pass",
        ),
        (
            "liveperson-session-expired",
            "provider=liveperson&visitorId=jnPABZYjQcOS2Uk5fp_HnA&sid=expired.0".into(),
            "6 hours",
        ),
        ("livechat-list", "provider=livechat".into(), "United States"),
        (
            "livechat-visitor",
            "provider=livechat&visitorId=S148dea44981.d9443253fef2".into(),
            "Greenville",
        ),
    ]
}

fn one_visitor(view: &str) -> bool {
    matches!(view, "liveperson-visit" | "livechat-visitor")
}

#[tokio::test(flavor = "multi_thread")]
async fn every_view_passes_axe_and_fits_from_280_to_480_px_in_both_themes() -> Result<()> {
    let demo = start_demo().await?;
    let browser = Browser::start(480, 900).await?;
    let mut problems = Vec::new();
    for theme in ["light", "dark"] {
        for (name, query, ready) in views() {
            let url = format!("http://{}/?{query}&theme={theme}", demo.addr);
            for width in [480u32, 320, 280] {
                // The page's own width: headless Chromium's windows are never under 500 px.
                browser.set_viewport(width, 900).await?;
                browser.client.goto(&url).await?;
                browser.wait_for_text("aside.vs-root", ready).await?;
                if one_visitor(name) {
                    browser
                        .wait_js(
                            "the glance",
                            "!!document.querySelector('aside.vs-root .vs-glance .vs-glance-fact')",
                        )
                        .await?;
                }
                if browser.scrolls_horizontally().await? {
                    problems.push(format!("{name} ({theme}) scrolls sideways at {width} px"));
                }
                if width != 280 {
                    browser
                        .screenshot(&format!("{name}-{theme}-{width}"))
                        .await?;
                }
            }
            for v in browser.axe("aside.vs-root").await? {
                problems.push(format!(
                    "{name} ({theme}): {} [{}] {} at {:?}",
                    v.id, v.impact, v.help, v.nodes
                ));
            }
            if one_visitor(name) {
                // The glance's buttons as the keyboard shows them (at rest they are transparent,
                // which axe does not judge).
                browser
                    .client
                    .execute(
                        "document.querySelector('.vs-glance-actions button').focus();",
                        vec![],
                    )
                    .await?;
                for v in browser.axe(".vs-glance").await? {
                    problems.push(format!(
                        "{name} ({theme}), glance button focused: {} [{}] {} at {:?}",
                        v.id, v.impact, v.help, v.nodes
                    ));
                }
            }
        }
    }
    browser.close().await?;
    ensure!(
        problems.is_empty(),
        "accessibility problems:\n{}",
        problems.join("\n")
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn the_demo_console_sidebar_passes_axe() -> Result<()> {
    let demo = start_demo().await?;
    let browser = Browser::on_console(&demo).await?;
    browser
        .wait_js(
            "the glance",
            "!!document.querySelector('#sidebar .vs-glance .vs-glance-insert')",
        )
        .await?;
    let violations = browser.axe("#sidebar").await?;
    browser.screenshot("console-1280").await?;
    browser.close().await?;
    ensure!(violations.is_empty(), "{violations:#?}");
    Ok(())
}
