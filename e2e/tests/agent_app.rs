//! Inside LiveChat's Agent App, end to end: the release build's `/?console=livechat` framed by the
//! stand-in Agent App (`e2e/www/agent-app.html`, served by the demo proxy at
//! `http://localhost:PORT`, another origin than the widget's `http://127.0.0.1:PORT`), which
//! speaks the SDK's postMessage protocol to the real `@livechat/agent-app-sdk` in the widget.
//!
//! Opening a chat shows that customer; another shows only the new one, in every DOM state; the
//! theme follows; custom details go to LiveChat and drafts survive switching chats; without an
//! Agent App the page says how to open it; a page that `VS_FRAME_ANCESTORS` does not list cannot
//! frame it; hostile customers stay text.

use anyhow::{ensure, Context, Result};
use fantoccini::{Client, Locator};
use serde_json::{json, Value};
use visitor_sidebar_e2e::{
    click, other_origin, start_demo, start_demo_for_consoles, Browser, DemoServer,
};
use visitor_sidebar_proxy::sim::SimConfig;
use visitor_sidebar_sim::{DemoChat, SEED_LC_CUSTOMER_ID, SEED_LC_VISITOR_ID};

/// Visitors change only when a test says so.
fn still() -> SimConfig {
    SimConfig {
        tick_interval: None,
        ..SimConfig::default()
    }
}

/// The stand-in Agent App's address, framing the widget at `widget_base` (`extra`: more query).
fn agent_app_url(page_base: &str, widget_base: &str, extra: &str) -> String {
    format!("{page_base}/agent-app.html?widget={widget_base}/?console=livechat{extra}")
}

/// The stand-in Agent App's state (`window.agentApp.state`), read in the top frame.
async fn host_state(client: &Client) -> Result<Value> {
    Ok(client
        .execute(
            "return window.agentApp ? window.agentApp.state : null;",
            vec![],
        )
        .await?)
}

/// Picks the Agent App's `theme` (in the top frame) and waits, in the widget's frame, for the
/// sidebar to follow it; ends in the widget's frame.
async fn switch_theme(browser: &Browser, theme: &str) -> Result<()> {
    let client = &browser.client;
    click(client, &format!("#theme-{theme}")).await?;
    client.enter_frame(0).await?;
    browser
        .wait_js(
            &format!("the {theme} theme"),
            &format!("document.querySelector('aside.vs-root').dataset.theme === '{theme}'"),
        )
        .await?;
    Ok(())
}

/// Opens the stand-in Agent App and waits for the widget's `plugin_inited`.
async fn open_agent_app(browser: &Browser, url: &str) -> Result<()> {
    browser.open_agent_app(url).await?;
    let state = host_state(&browser.client).await?;
    ensure!(
        state["received"][0]["message"] == "plugin_inited"
            && state["received"][0]["plugin_id"] == "visitor-sidebar-demo",
        "the SDK sent plugin_inited with the plugin_id from its URL: {state}"
    );
    Ok(())
}

/// A browser 1280 px wide and `height` tall with the stand-in Agent App open on the demo's
/// other origin (as the real one is: not the widget's), framing the demo's widget.
async fn agent_app_on_other_origin(demo: &DemoServer, height: u32) -> Result<Browser> {
    let browser = Browser::start(1280, height).await?;
    open_agent_app(
        &browser,
        &agent_app_url(&other_origin(demo, ""), &demo.url(), ""),
    )
    .await?;
    Ok(browser)
}

/// In the top frame: opens the chat of `customer_id` and waits until the widget has handled the
/// `customer_profile` event.
async fn open_chat(browser: &Browser, customer_id: &str) -> Result<()> {
    let client = &browser.client;
    client.enter_parent_frame().await?;
    let answered = host_state(client).await?["answered"].as_u64().unwrap_or(0);
    click(
        client,
        &format!("nav button[data-customer-id=\"{customer_id}\"]"),
    )
    .await?;
    browser
        .wait_js(
            "the widget's answer to customer_profile",
            &format!("window.agentApp.state.answered > {answered}"),
        )
        .await?;
    client.enter_frame(0).await?;
    Ok(())
}

/// The demo's LiveChat chats other than the seed's, of ordinary visitors not in Greenville.
fn others(demo: &DemoServer) -> Vec<DemoChat> {
    demo.sim
        .chats()
        .into_iter()
        .filter(|c| c.provider == "livechat" && !c.hostile)
        .filter(|c| c.visitor_id != SEED_LC_VISITOR_ID && !c.summary.contains("Greenville"))
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_open_chats_customer_shows_and_a_switch_shows_only_the_new_one() -> Result<()> {
    let demo = start_demo_for_consoles(still()).await?;
    let other = others(&demo).into_iter().next().context("a second chat")?;
    let other_customer = other.customer_id.clone().context("a customer ID")?;
    let browser = agent_app_on_other_origin(&demo, 900).await?;

    // The seed's chat: the event's facts and the proxy's.
    open_chat(&browser, SEED_LC_CUSTOMER_ID).await?;
    let shown = browser
        .wait_for_text("aside.vs-root", "Greenville, North Carolina, United States")
        .await?;
    for fact in [
        "Visitor",
        "visitor@example.com",
        SEED_LC_CUSTOMER_ID,
        "E-mail:",
    ] {
        ensure!(shown.contains(fact), "{fact} in:\n{shown}");
    }
    let shown = browser.wait_for_text("aside.vs-root", "Page views").await?;
    for fact in [
        "empty_cart",
        "LiveChat Docs",
        "8.8.8.8",
        "Chrome 56",
        "1 accepted of 2 shown",
    ] {
        ensure!(shown.contains(fact), "{fact} from the proxy in:\n{shown}");
    }
    browser
        .wait_for_text(".vs-linked-visitor summary", "Live visit (REST API v2)")
        .await?;
    browser
        .wait_for_text(".vs-details-form", "Custom details")
        .await?;

    // From the switch on, no DOM state may show the new customer with anything of the seed's.
    browser
        .client
        .execute(
            r#"const [name, seed] = arguments;
               const root = document.querySelector("aside.vs-root");
               const bad = () => { const t = root.innerText;
                 return t.includes(name) && (t.includes(seed) || t.includes("Greenville")); };
               window.__vsWatch = { seen: [] };
               new MutationObserver(() => { if (bad()) window.__vsWatch.seen.push(root.innerText.slice(0, 300)); })
                 .observe(root, { subtree: true, childList: true, characterData: true });
               // The watch sees such a state when there is one: a probe, taken away at once.
               const probe = document.createElement("p");
               probe.id = "vs-probe";
               probe.textContent = name;
               root.append(probe);
               setTimeout(() => probe.remove(), 0);"#,
            vec![json!(other.name), json!(SEED_LC_CUSTOMER_ID)],
        )
        .await?;
    browser
        .wait_js(
            "the watch to catch the probe",
            "window.__vsWatch.seen.length === 1 && !document.getElementById('vs-probe')",
        )
        .await?;
    browser
        .client
        .execute("window.__vsWatch.seen = [];", vec![])
        .await?;
    open_chat(&browser, &other_customer).await?;
    let shown = browser
        .wait_for_text("aside.vs-root", &other_customer)
        .await?;
    ensure!(shown.contains(&other.name), "{shown}");
    browser.wait_for_text("aside.vs-root", "Page views").await?;
    let now = browser.body_text().await?;
    ensure!(
        !now.contains(SEED_LC_CUSTOMER_ID) && !now.contains("Greenville"),
        "the seed's data is gone: {now}"
    );
    let seen = browser
        .client
        .execute("return window.__vsWatch.seen;", vec![])
        .await?;
    ensure!(
        seen == json!([]),
        "the seed showed beside {}: {seen}",
        other.name
    );
    browser.close().await
}

#[tokio::test(flavor = "multi_thread")]
async fn the_sidebar_follows_the_agent_apps_theme() -> Result<()> {
    let demo = start_demo_for_consoles(still()).await?;
    let browser = agent_app_on_other_origin(&demo, 900).await?;
    let client = &browser.client;
    for theme in ["dark", "light", "dark"] {
        let answered = host_state(client).await?["answered"].as_u64().unwrap_or(0);
        switch_theme(&browser, theme).await?;
        client.enter_parent_frame().await?;
        browser
            .wait_js(
                "the widget's answer to change_theme",
                &format!("window.agentApp.state.answered > {answered}"),
            )
            .await?;
    }
    browser.close().await
}

#[tokio::test(flavor = "multi_thread")]
async fn the_customer_view_passes_axe_and_fits_its_frame_in_both_themes() -> Result<()> {
    let demo = start_demo_for_consoles(still()).await?;
    // Tall enough for the whole view to be on screen in the frame.
    let browser = agent_app_on_other_origin(&demo, 2400).await?;
    let client = &browser.client;
    open_chat(&browser, SEED_LC_CUSTOMER_ID).await?;
    browser.wait_for_text("aside.vs-root", "Page views").await?;
    // With the glance and its Insert (the Agent App's putMessage).
    browser
        .wait_js(
            "the glance",
            "!!document.querySelector('aside.vs-root .vs-glance .vs-glance-insert')",
        )
        .await?;
    let mut problems = Vec::new();
    for theme in ["light", "dark"] {
        client.enter_parent_frame().await?;
        switch_theme(&browser, theme).await?;
        // As the agent first sees it: every section open but the v2 visitor's, whose component
        // accessibility.rs checks on its own page (opened here, axe-core 4.14 reports its text
        // against a white background in the dark theme although the computed background is
        // the theme's).
        if browser.scrolls_horizontally().await? {
            problems.push(format!(
                "{theme}: the widget scrolls sideways in its 380 px frame"
            ));
        }
        for v in browser.axe("aside.vs-root").await? {
            problems.push(format!(
                "{theme}: {} [{}] {} at {:?}",
                v.id, v.impact, v.help, v.nodes
            ));
        }
        client.enter_parent_frame().await?;
        browser.screenshot(&format!("agent-app-{theme}")).await?;
        client.enter_frame(0).await?;
    }
    ensure!(problems.is_empty(), "{}", problems.join("\n"));
    browser.close().await
}

#[tokio::test(flavor = "multi_thread")]
async fn custom_details_sent_inside_the_agent_app_reach_livechat_and_drafts_survive_a_switch(
) -> Result<()> {
    let demo = start_demo_for_consoles(still()).await?;
    let other = others(&demo).into_iter().next().context("a second chat")?;
    let browser = agent_app_on_other_origin(&demo, 900).await?;
    let client = &browser.client;
    let input = |label: &str| {
        format!("//form//label[normalize-space(.)='{label}']/following-sibling::input")
    };

    open_chat(&browser, SEED_LC_CUSTOMER_ID).await?;
    browser
        .wait_for_text(".vs-details-form", "Custom details")
        .await?;
    for (label, value) in [("Name 1", "Plan"), ("Value 1", "Gold")] {
        client
            .find(Locator::XPath(&input(label)))
            .await?
            .send_keys(value)
            .await?;
    }

    // Another chat, then back: what the agent typed for the seed is still there.
    open_chat(&browser, other.customer_id.as_deref().context("customer")?).await?;
    browser.wait_for_text("aside.vs-root", &other.name).await?;
    open_chat(&browser, SEED_LC_CUSTOMER_ID).await?;
    browser
        .wait_for_text(".vs-details-form", "Custom details")
        .await?;
    for (label, value) in [("Name 1", "Plan"), ("Value 1", "Gold")] {
        let kept = client
            .find(Locator::XPath(&input(label)))
            .await?
            .prop("value")
            .await?;
        ensure!(kept.as_deref() == Some(value), "{label} kept {kept:?}");
    }
    click(client, "button.vs-send").await?;
    browser
        .wait_for_text(".vs-details-form", "Sent: LiveChat accepted the details")
        .await?;
    let received = demo.sim.visitor_details(SEED_LC_VISITOR_ID);
    ensure!(
        received.len() == 1 && received[0]["fields"] == json!([{"name": "Plan", "value": "Gold"}]),
        "the simulator received {received:?}"
    );
    browser.close().await
}

#[tokio::test(flavor = "multi_thread")]
async fn outside_the_agent_app_the_page_says_how_to_open_it() -> Result<()> {
    let demo = start_demo().await?;
    let browser = Browser::start(420, 900).await?;
    browser
        .client
        .goto(&format!("{}/?console=livechat", demo.url()))
        .await?;
    let notice = browser
        .wait_for_text(".vs-agent-app-missing", "did not answer")
        .await?;
    for words in [
        "open it from a chat in LiveChat's Agent App",
        "Developer Console",
        "?console=livechat",
    ] {
        ensure!(notice.contains(words), "{words} in: {notice}");
    }
    let body = browser.body_text().await?;
    ensure!(
        !body.contains("Timeout") && !body.contains("Error") && !body.contains(".js:"),
        "no raw error or stack trace: {body}"
    );
    // The real SDK was loaded and gave up waiting: not a missing file.
    let sdk = browser
        .client
        .execute("return typeof LiveChat.createDetailsWidget;", vec![])
        .await?;
    ensure!(sdk == json!("function"), "{sdk}");
    browser.close().await
}

#[tokio::test(flavor = "multi_thread")]
async fn only_pages_that_vs_frame_ancestors_lists_can_frame_the_widget() -> Result<()> {
    // The default: 'self'.
    let demo = start_demo().await?;
    let browser = Browser::start(1280, 900).await?;
    // Another origin: the browser refuses the frame, so no handshake is ever answered. Six
    // handshakes, 500 ms apart, as @livechat/postmessage's parent tries by default.
    browser
        .client
        .goto(&agent_app_url(
            &other_origin(&demo, ""),
            &demo.url(),
            "&handshakeTries=6",
        ))
        .await?;
    browser
        .wait_js(
            "the host to give up",
            "window.agentApp && window.agentApp.state.failed",
        )
        .await?;
    let state = host_state(&browser.client).await?;
    ensure!(
        state["connected"] == false && state["received"] == json!([]),
        "{state}"
    );
    // The same page on the proxy's own origin may frame it.
    open_agent_app(&browser, &agent_app_url(&demo.url(), &demo.url(), "")).await?;
    browser.close().await
}

#[tokio::test(flavor = "multi_thread")]
async fn hostile_customers_stay_text_inside_the_agent_app() -> Result<()> {
    let demo = start_demo_for_consoles(SimConfig {
        hostile: true,
        ..still()
    })
    .await?;
    let hostile: Vec<DemoChat> = demo
        .sim
        .chats()
        .into_iter()
        .filter(|c| c.provider == "livechat" && c.hostile)
        .collect();
    ensure!(
        !hostile.is_empty(),
        "the simulator's hostile LiveChat visitors"
    );
    let browser = agent_app_on_other_origin(&demo, 900).await?;
    let client = &browser.client;
    for chat in &hostile {
        let customer = chat.customer_id.as_deref().context("customer")?;
        open_chat(&browser, customer).await?;
        browser.wait_for_text("aside.vs-root", customer).await?;
        browser.wait_for_text("aside.vs-root", "Page views").await?;
        let problems = client
            .execute(
                r#"for (const d of document.querySelectorAll("details")) d.open = true;
                   const problems = [];
                   const root = document.querySelector("aside.vs-root");
                   for (const el of root.querySelectorAll("script, iframe, svg, img, object, embed"))
                     problems.push(`<${el.localName}> in the sidebar`);
                   for (const el of [root, ...root.querySelectorAll("*")])
                     for (const attr of el.attributes)
                       if (/^on/i.test(attr.name)) problems.push(`${attr.name} on <${el.localName}>`);
                   for (const a of document.querySelectorAll("[href], [src]")) {
                     const v = (a.getAttribute("href") || a.getAttribute("src")).replace(/[\s\u0000-\u001f]/g, "").toLowerCase();
                     if (/^(javascript|data|vbscript):/.test(v)) problems.push(`a ${v.slice(0, 40)} link`);
                   }
                   if (window.__xss !== undefined) problems.push(`window.__xss is ${window.__xss}`);
                   if (!root.innerText.includes("<")) problems.push("no markup shown as text");
                   return problems;"#,
                vec![],
            )
            .await?;
        ensure!(problems == json!([]), "{customer}: {problems}");
    }
    client.enter_parent_frame().await?;
    let host = client
        .execute("return window.__xss === undefined;", vec![])
        .await?;
    ensure!(
        host == json!(true),
        "nothing ran in the Agent App's page either"
    );
    browser.close().await
}
