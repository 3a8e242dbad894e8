//! The pages' Content-Security-Policy in a real browser (issue 15): every view of the release
//! build and the demo's console pages load under it without a single violation, and a page with
//! an injected inline `<script>` and `onerror` attribute runs neither and reports both.
//!
//! Violations are read from Chromium's own console log (chromedriver's browser log, which holds
//! every frame's, the cross-origin Agent App frame's too, from before any script of the page
//! runs), and from a `securitypolicyviolation` listener that the injected page loads as its first
//! script. Every response the browser got is fetched again to check it carried the policy.

use anyhow::{ensure, Context, Result};
use fantoccini::Locator;
use visitor_sidebar_e2e::{agent_app_url, dist_copy, write_file, Browser, DemoServer};
use visitor_sidebar_proxy::sim::SimConfig;
use visitor_sidebar_sim::{SEED_LC_CUSTOMER_ID, SEED_LP_SID, SEED_LP_VISITOR_ID};

/// The demo proxy serving `dir`, framable from `http://localhost:*` (the consoles' stand-ins
/// open at the other origin, as the real ones are).
async fn start(dir: std::path::PathBuf) -> Result<DemoServer> {
    let mut raw = visitor_sidebar_proxy::RawConfig::default();
    raw.set("VS_FRAME_ANCESTORS", "'self' http://localhost:*");
    let sim = SimConfig {
        tick_interval: None,
        ..SimConfig::default()
    };
    visitor_sidebar_proxy::start_demo_with_sim(raw, "127.0.0.1:0".parse()?, Some(dir), sim).await
}

/// A browser whose log holds the cross-origin frames' violations too: chromedriver's log is the
/// page's process's, and with site isolation (on by default) a frame from another site is in a
/// process of its own. The policy itself does not depend on processes.
async fn browser() -> Result<Browser> {
    Browser::start_with(
        1280,
        1000,
        &[
            "--disable-site-isolation-trials",
            "--disable-features=IsolateOrigins,site-per-process",
        ],
    )
    .await
}

/// The current frame's address and every resource it loaded.
async fn loaded(browser: &Browser) -> Result<Vec<String>> {
    let value = browser
        .client
        .execute(
            "return [location.href].concat(performance.getEntriesByType('resource').map(e => e.name));",
            vec![],
        )
        .await?;
    Ok(value
        .as_array()
        .context("a list")?
        .iter()
        .filter_map(|v| v.as_str().map(str::to_owned))
        .collect())
}

/// Fetches each of `urls` again: a page or file of the widget carries the full policy and the
/// other protective headers, an API answer a policy of its own.
async fn assert_all_protected(urls: &[String]) -> Result<()> {
    let client = reqwest::Client::new();
    for url in urls {
        let response = client.get(url).send().await?;
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let policy = header("content-security-policy")
            .with_context(|| format!("{url} came without a Content-Security-Policy"))?;
        ensure!(
            policy.starts_with("default-src 'none'") && !policy.contains("'unsafe-inline'"),
            "{url}: {policy}"
        );
        ensure!(
            header("referrer-policy").as_deref() == Some("no-referrer"),
            "{url} came without Referrer-Policy: no-referrer"
        );
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn every_view_and_console_page_loads_without_a_violation() -> Result<()> {
    let dist = dist_copy()?;
    let demo = start(dist.dir.clone()).await?;
    let browser = browser().await?;
    let mut urls = Vec::new();

    // The iframe page, one bundle per provider.
    browser.open(&demo, "/?provider=livechat").await?;
    browser
        .wait_for_text(".vs-visitor-rows", "LiveChat – Chat Window API (JS)")
        .await?;
    urls.extend(loaded(&browser).await?);
    browser
        .open(
            &demo,
            &format!("/?provider=liveperson&visitorId={SEED_LP_VISITOR_ID}&sid={SEED_LP_SID}"),
        )
        .await?;
    browser.wait_for_text("aside.vs-root", "John Doe").await?;
    urls.extend(loaded(&browser).await?);

    // The demo console (mount(), the full bundle).
    browser.open(&demo, "/console.html").await?;
    browser.wait_for_text("aside.vs-root", "John Doe").await?;
    urls.extend(loaded(&browser).await?);

    // The fake Agent Workspace, framing the widget in ?console=liveperson mode.
    browser.open(&demo, "/api/demo/agent-workspace").await?;
    browser.wait_for_text("nav", "John Doe").await?;
    urls.extend(loaded(&browser).await?);
    browser
        .client
        .find(Locator::Css("iframe#widget"))
        .await?
        .enter_frame()
        .await?;
    browser.wait_for_text(".vs-lp-header", "John Doe").await?;
    urls.extend(loaded(&browser).await?);

    // The fake Agent App on another origin, framing the widget in ?console=livechat mode.
    browser
        .open_agent_app(&agent_app_url(&demo, "/?console=livechat"))
        .await?;
    urls.extend(loaded(&browser).await?);
    browser
        .click(&format!(
            "nav button[data-customer-id=\"{SEED_LC_CUSTOMER_ID}\"]"
        ))
        .await?;
    browser.client.enter_frame(0).await?;
    browser
        .wait_for_text("aside.vs-root", "Greenville, North Carolina, United States")
        .await?;
    urls.extend(loaded(&browser).await?);

    let violations = browser.security_log().await?;
    ensure!(violations.is_empty(), "violations: {violations:#?}");

    // Everything the browser loaded came with the policy.
    urls.sort();
    urls.dedup();
    let wanted = [
        "/loader.js",
        "_bg.wasm",
        "/sidebar.css",
        "/page.css",
        "/console.js",
        "/agent-app.js",
        "/api/demo/agent-workspace.js",
        "agentapp.umd.min.js",
    ];
    for part in wanted {
        ensure!(
            urls.iter().any(|u| u.contains(part)),
            "no {part} among {urls:#?}"
        );
    }
    assert_all_protected(&urls).await?;
    browser.close().await
}

/// The first script of the injected page: every `securitypolicyviolation` event, kept for the
/// test.
const PROBE: &str = r#"window.vsViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.vsViolations.push({ directive: e.effectiveDirective, blocked: e.blockedURI });
});
"#;

#[tokio::test(flavor = "multi_thread")]
async fn an_injected_inline_script_and_event_handler_are_blocked_and_reported() -> Result<()> {
    let dist = dist_copy()?;
    let demo = start(dist.dir.clone()).await?;
    // Written after the proxy started, as an attacker's markup would arrive: the policy's
    // hashes are those of the pages it was started with.
    let index = std::fs::read_to_string(dist.dir.join("index.html"))?;
    let injected = index
        .replacen(
            "<head>",
            r#"<head><script src="/csp-probe.js"></script>"#,
            1,
        )
        .replacen(
            "</body>",
            r#"<script>window.vsInjected = "the inline script ran";</script>
<img src="/not-an-image.png" alt="" onerror="window.vsInjected = 'the onerror attribute ran'">
</body>"#,
            1,
        );
    ensure!(injected.contains("csp-probe.js") && injected.contains("onerror"));
    write_file(&dist.dir, "csp-probe.js", PROBE)?;
    write_file(&dist.dir, "injected.html", &injected)?;

    let browser = browser().await?;
    browser
        .open(&demo, "/injected.html?provider=livechat")
        .await?;
    // The page itself still works...
    browser
        .wait_for_text(".vs-visitor-rows", "LiveChat – Chat Window API (JS)")
        .await?;
    // ...both injections were refused and reported...
    let seen = browser
        .wait_js(
            "two violations",
            "window.vsViolations.length >= 2 && window.vsViolations",
        )
        .await?;
    let directives: Vec<&str> = seen
        .as_array()
        .context("a list")?
        .iter()
        .filter_map(|v| v["directive"].as_str())
        .collect();
    ensure!(
        directives.contains(&"script-src-elem") && directives.contains(&"script-src-attr"),
        "reported: {seen}"
    );
    // ...and neither ran.
    let ran = browser
        .client
        .execute(
            "return window.vsInjected === undefined ? null : window.vsInjected;",
            vec![],
        )
        .await?;
    ensure!(ran.is_null(), "{ran}");
    let log = browser.security_log().await?;
    ensure!(
        log.iter().any(|m| m.contains("inline script"))
            && log.iter().any(|m| m.contains("inline event handler")),
        "the browser's log: {log:#?}"
    );

    // The same page framed by the fake Agent App from another origin: the log holds the
    // cross-origin frame's violations too (what the first test relies on).
    browser
        .open_agent_app(&agent_app_url(&demo, "/injected.html?console=livechat"))
        .await?;
    browser.client.enter_frame(0).await?;
    browser
        .wait_js(
            "two violations in the frame",
            "window.vsViolations.length >= 2",
        )
        .await?;
    let log = browser.security_log().await?;
    ensure!(
        log.iter()
            .any(|m| m.contains("injected.html") && m.contains("inline script")),
        "the frame's violations are in the browser's log: {log:#?}"
    );
    browser.close().await
}
