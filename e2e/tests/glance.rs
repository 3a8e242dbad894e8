//! "At a glance" end to end (issue 20), in the release build: the glance sits right under the
//! visitor's name within the first 400 px of a 900 px frame in every view of one visitor; its
//! Insert reaches the agent's reply through each channel (a custom console by postMessage,
//! `mount()`'s `onInsert`, LiveChat's Agent App through the SDK's `putMessage`, LivePerson's
//! Agent Workspace through the SDK's `write` command, HTML-escaped) and says so when the console
//! refuses it; Copy puts the sentence on the clipboard; a change the simulator makes shows a
//! `New` mark and is announced once; the buttons show on hover and keyboard focus only. The screenshots of each provider's glance in both themes are
//! made here too (`docs/screenshots/` with `VS_DOCS_SCREENSHOTS=1`, else `artifacts/`).

use anyhow::{ensure, Context, Result};
use fantoccini::{Client, Locator};
use serde_json::{json, Value};
use visitor_sidebar_e2e::{
    agent_app_url, click, dist_copy, start_custom_console, start_demo_for_consoles, with_meta,
    write_file, Browser, DemoServer, WITH_MOUSE,
};
use visitor_sidebar_proxy::sim::SimConfig;
use visitor_sidebar_sim::{
    SEED_LC_CUSTOMER_ID, SEED_LC_VISITOR_ID, SEED_LP_SID, SEED_LP_VISITOR_ID,
};

/// Visitors change only when a test ticks the simulator.
fn still() -> SimConfig {
    SimConfig {
        tick_interval: None,
        ..SimConfig::default()
    }
}

fn lp_visit() -> String {
    format!("/?provider=liveperson&visitorId={SEED_LP_VISITOR_ID}&sid={SEED_LP_SID}")
}

fn lc_visitor() -> String {
    format!("/?provider=livechat&visitorId={SEED_LC_VISITOR_ID}")
}

/// Waits, in the current frame, for a glance with at least one fact and says where it is:
/// `{top, follows_name, facts: [{fact, text, insert}]}` (`follows_name`: the element right
/// after the visitor's name).
async fn glance(browser: &Browser) -> Result<Value> {
    browser
        .wait_js(
            "the glance",
            r#"(() => {
                 const root = document.querySelector("aside.vs-root");
                 const glance = root && root.querySelector("section.vs-glance[aria-label='At a glance']");
                 if (!glance || !glance.querySelector(".vs-glance-fact")) return null;
                 const name = root.querySelector(".vs-visitor-name");
                 return {
                   top: glance.getBoundingClientRect().top,
                   follows_name: !!name && name.nextElementSibling === glance,
                   facts: [...glance.querySelectorAll(".vs-glance-fact")].map(f => ({
                     fact: f.dataset.fact,
                     text: f.querySelector(".vs-glance-text .vs-text").textContent,
                     insert: !!f.querySelector(".vs-glance-insert"),
                   })),
                 };
               })()"#,
        )
        .await
}

/// The text of the glance's fact `name` in the current frame, once it is shown.
async fn fact_text(browser: &Browser, name: &str) -> Result<String> {
    let shown = glance(browser).await?;
    shown["facts"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|f| f["fact"] == name)
        .and_then(|f| f["text"].as_str())
        .map(str::to_owned)
        .with_context(|| format!("no {name} fact in the glance: {shown}"))
}

/// Clicks the glance fact's `button` (`copy` or `insert`) as an agent does: the keyboard focus
/// or the pointer on the fact reveals the buttons; then a real click (a user activation, which
/// the clipboard fallback needs).
async fn click_glance(browser: &Browser, fact: &str, button: &str) -> Result<()> {
    let css = format!(".vs-glance-fact[data-fact='{fact}'] .vs-glance-{button}");
    let element = browser.client.find(Locator::Css(&css)).await?;
    browser
        .client
        .execute(
            "arguments[0].focus();",
            vec![serde_json::to_value(&element)?],
        )
        .await?;
    element.click().await?;
    Ok(())
}

/// Waits for the sidebar's status line to say `words`, and returns its role and text.
async fn feedback(browser: &Browser, words: &str) -> Result<(String, String)> {
    let found = browser
        .wait_js(
            &format!("the status line to say {words:?}"),
            &format!(
                r#"(() => {{ const p = document.querySelector("aside.vs-root .vs-feedback");
                     // An alert of its own, or said politely by the live region it is in.
                     const role = p && (p.getAttribute("role") || (p.closest("[aria-live=polite]") ? "status" : ""));
                     return p && p.textContent.includes({}) ? [role, p.textContent] : null; }})()"#,
                json!(words)
            ),
        )
        .await?;
    Ok((
        found[0].as_str().unwrap_or_default().to_owned(),
        found[1].as_str().unwrap_or_default().to_owned(),
    ))
}

/// Clicks `fact`'s Insert in the widget frame (the console refuses it) and checks the status
/// line: an alert starting with `said`, then where the text went instead.
async fn insert_is_refused(browser: &Browser, fact: &str, said: &str) -> Result<()> {
    click_glance(browser, fact, "insert").await?;
    let (role, line) = feedback(browser, "Insert failed").await?;
    ensure!(
        role == "alert" && line.starts_with(said) && says_where_the_text_went(&line),
        "{role}: {line}"
    );
    Ok(())
}

/// What an insert failure adds about the clipboard: the text is there, or why the browser
/// would not let the sidebar put it there.
fn says_where_the_text_went(line: &str) -> bool {
    line.contains("The text is on the clipboard: paste it into your reply.")
        || line.contains("did not let the sidebar use the clipboard")
}

async fn enter_widget(client: &Client) -> Result<()> {
    client
        .find(Locator::Css("iframe#widget"))
        .await?
        .enter_frame()
        .await?;
    Ok(())
}

/// The stand-in Agent App, once the widget's SDK has said plugin_inited, with the seed
/// customer's chat open; ends in the widget's frame.
async fn open_agent_app_chat(browser: &Browser, demo: &DemoServer) -> Result<()> {
    let client = &browser.client;
    browser
        .open_agent_app(&agent_app_url(demo, "/?console=livechat"))
        .await?;
    click(
        client,
        &format!("nav button[data-customer-id=\"{SEED_LC_CUSTOMER_ID}\"]"),
    )
    .await?;
    browser
        .wait_js(
            "the widget's answer to customer_profile",
            "window.agentApp.state.answered > 0",
        )
        .await?;
    enter_widget(client).await
}

/// What the glance shows of a visitor's value: blanks folded, at most 60 characters (the
/// widget's `glance::clip`).
fn clip(value: &str) -> String {
    let folded = value.split_whitespace().collect::<Vec<_>>().join(" ");
    if folded.chars().count() <= 60 {
        return folded;
    }
    let mut cut: String = folded.chars().take(59).collect();
    cut.truncate(cut.trim_end().len());
    cut.push('…');
    cut
}

/// `text` as HTML reads it: the entities the widget's escaping writes, undone.
fn unescape_html(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

#[tokio::test(flavor = "multi_thread")]
async fn the_glance_is_right_under_the_name_in_the_first_400_px_of_every_visitor_view() -> Result<()>
{
    let demo = start_demo_for_consoles(still()).await?;
    let browser = Browser::start(1280, 1000).await?;
    let client = &browser.client;
    let mut places = Vec::new();

    // The iframe page, 360 × 900.
    browser.set_viewport(360, 900).await?;
    for (view, path) in [
        ("LivePerson visit", lp_visit()),
        ("LiveChat visitor", lc_visitor()),
    ] {
        browser.open(&demo, &path).await?;
        places.push((view, glance(&browser).await?));
    }

    // The consoles frame the widget: its own frame is what counts, in a 1280 × 900 page.
    browser.set_viewport(1280, 900).await?;
    open_agent_app_chat(&browser, &demo).await?;
    places.push(("Agent App customer", glance(&browser).await?));
    client.enter_parent_frame().await?;
    browser.open(&demo, "/api/demo/agent-workspace").await?;
    browser.wait_for_text("nav", "John Doe").await?;
    enter_widget(client).await?;
    browser.wait_for_text(".vs-lp-header", "John Doe").await?;
    places.push(("Agent Workspace visit", glance(&browser).await?));

    let mut problems = Vec::new();
    for (view, place) in &places {
        let top = place["top"].as_f64().unwrap_or(f64::MAX);
        if !(0.0..=400.0).contains(&top) {
            problems.push(format!("{view}: the glance starts at {top} px"));
        }
        if place["follows_name"] != true {
            problems.push(format!("{view}: the glance is not right under the name"));
        }
        let facts = place["facts"].as_array().map(Vec::len).unwrap_or(0);
        if facts < 2 {
            problems.push(format!("{view}: {facts} facts: {place}"));
        }
    }
    ensure!(problems.is_empty(), "{}\n{places:#?}", problems.join("\n"));
    browser.close().await
}

#[tokio::test(flavor = "multi_thread")]
async fn insert_reaches_a_custom_console_by_postmessage_and_its_refusal_says_so() -> Result<()> {
    let console = start_custom_console().await?;
    // The widget's page lets the console's origin steer it and take its inserts, and be framed
    // by it.
    let dist = dist_copy()?;
    let index = std::fs::read_to_string(dist.dir.join("index.html"))?;
    write_file(
        &dist.dir,
        "index.html",
        &with_meta(&index, "visitor-sidebar:allowed-origins", &console.origin()),
    )?;
    let mut raw = visitor_sidebar_proxy::RawConfig::default();
    raw.set("VS_FRAME_ANCESTORS", format!("'self' {}", console.origin()));
    let demo = visitor_sidebar_proxy::start_demo_with_sim(
        raw,
        "127.0.0.1:0".parse()?,
        Some(dist.dir.clone()),
        still(),
    )
    .await?;
    let browser = Browser::start(1280, 1000).await?;
    let client = &browser.client;
    client
        .goto(&console.url(&format!("{}{}", demo.url(), lc_visitor()))?)
        .await?;
    enter_widget(client).await?;
    let place = fact_text(&browser, "where").await?;
    let sentence = format!("I can see you're in {place}.");

    click_glance(&browser, "where", "insert").await?;
    let (role, line) = feedback(&browser, "Added to your reply").await?;
    ensure!(
        role == "status" && line == "Added to your reply in the console: check it, then send it.",
        "{role}: {line}"
    );
    client.enter_parent_frame().await?;
    let host = client
        .execute(
            "return [window.customConsole.inserts, document.getElementById('reply').value];",
            vec![],
        )
        .await?;
    ensure!(
        host[0].as_array().map(Vec::len) == Some(1)
            && host[0][0]["text"] == json!(sentence)
            && host[0][0]["id"].as_str().is_some_and(|id| !id.is_empty())
            && host[1] == json!(sentence),
        "the console got one insert with the sentence {sentence:?}: {host}"
    );

    // The console refuses the next one: the sidebar says so, as an alert.
    client
        .execute("window.customConsole.answer = 'error';", vec![])
        .await?;
    enter_widget(client).await?;
    insert_is_refused(
        &browser,
        "where",
        "Insert failed: the console did not take the text (the reply box is closed).",
    )
    .await?;
    client.enter_parent_frame().await?;
    let host = client
        .execute(
            "return [window.customConsole.inserts.length, document.getElementById('reply').value];",
            vec![],
        )
        .await?;
    ensure!(
        host == json!([2, sentence]),
        "asked twice, took once: {host}"
    );
    browser.close().await
}

#[tokio::test(flavor = "multi_thread")]
async fn insert_in_the_demo_console_puts_the_sentence_into_its_reply_box() -> Result<()> {
    let demo = start_demo_for_consoles(still()).await?;
    let browser = Browser::on_console(&demo).await?;
    let client = &browser.client;
    let place = fact_text(&browser, "where").await?;
    let page = fact_text(&browser, "page").await?;
    let page = page.split(" ×").next().unwrap_or(&page).to_owned();

    click_glance(&browser, "where", "insert").await?;
    feedback(&browser, "Added to your reply in the console").await?;
    click_glance(&browser, "page", "insert").await?;
    let reply = browser
        .wait_js(
            "the second sentence in the reply box",
            "document.getElementById('reply').value.includes('the page')",
        )
        .await;
    let shown = client
        .execute(
            r#"return [document.getElementById("reply").value,
                       document.activeElement && document.activeElement.className];"#,
            vec![],
        )
        .await?;
    reply.with_context(|| format!("{shown}"))?;
    let expected = format!("I can see you're in {place}. I can see you're on the page “{page}”.");
    ensure!(
        shown[0] == json!(expected),
        "the reply box holds both sentences, one after the other: {shown}"
    );
    ensure!(
        shown[1] == json!("vs-glance-insert"),
        "the focus stays on the sidebar's button: {shown}"
    );
    browser.close().await
}

#[tokio::test(flavor = "multi_thread")]
async fn insert_in_the_agent_app_goes_through_put_message_and_a_refusal_says_so() -> Result<()> {
    let demo = start_demo_for_consoles(still()).await?;
    let browser = Browser::start(1280, 900).await?;
    let client = &browser.client;
    open_agent_app_chat(&browser, &demo).await?;
    let place = fact_text(&browser, "where").await?;
    let sentence = format!("I can see you're in {place}.");

    click_glance(&browser, "where", "insert").await?;
    let (role, line) = feedback(&browser, "Added to your reply").await?;
    ensure!(
        role == "status"
            && line == "Added to your reply in LiveChat's Agent App: check it, then send it.",
        "{role}: {line}"
    );
    client.enter_parent_frame().await?;
    let app = client
        .execute(
            r#"const s = window.agentApp.state;
               return [s.received.filter(r => r.message === "put_message"), s.put,
                       document.getElementById("composer").value];"#,
            vec![],
        )
        .await?;
    ensure!(
        app[0]
            == json!([{"plugin_id": "visitor-sidebar-demo", "message": "put_message", "data": sentence}])
            && app[1] == json!([sentence])
            && app[2] == json!(sentence),
        "the Agent App got put_message with {sentence:?}: {app}"
    );

    // The Agent App refuses: the SDK's call rejects, and the sidebar says so.
    client
        .execute("window.agentApp.refusePut = true;", vec![])
        .await?;
    enter_widget(client).await?;
    insert_is_refused(
        &browser,
        "where",
        "Insert failed: LiveChat's Agent App did not take the text (The message box is \
                 not available (refusePut).).",
    )
    .await?;
    client.enter_parent_frame().await?;
    let app = client
        .execute(
            r#"return [window.agentApp.state.received.filter(r => r.message === "put_message").length,
                       document.getElementById("composer").value];"#,
            vec![],
        )
        .await?;
    ensure!(app == json!([2, sentence]), "asked twice, took once: {app}");
    browser.close().await
}

#[tokio::test(flavor = "multi_thread")]
async fn insert_in_the_agent_workspace_writes_a_hostile_value_html_escaped() -> Result<()> {
    let demo = start_demo_for_consoles(SimConfig {
        hostile: true,
        ..still()
    })
    .await?;
    // A hostile visitor whose current page's title (the demo chat's summary) has markup in what
    // the glance shows of it.
    let chat = demo
        .sim
        .chats()
        .into_iter()
        .find(|c| c.provider == "liveperson" && c.hostile && clip(&c.summary).contains('<'))
        .context("a hostile LivePerson visitor whose page title has markup")?;
    let page = clip(&chat.summary);
    let browser = Browser::start(1280, 1000).await?;
    let client = &browser.client;
    browser.open(&demo, "/api/demo/agent-workspace").await?;
    browser.wait_for_text("nav", "John Doe").await?;
    click(
        client,
        &format!("button[data-visitor-id=\"{}\"]", chat.visitor_id),
    )
    .await?;
    enter_widget(client).await?;
    browser
        .wait_js(
            "the hostile visitor's page in the glance",
            &format!(
                r#"(() => {{ const t = document.querySelector(".vs-glance-fact[data-fact='page'] .vs-text");
                     return !!t && t.textContent === {}; }})()"#,
                json!(page)
            ),
        )
        .await?;
    let sentence = format!("I can see you're on the page “{page}”.");

    click_glance(&browser, "page", "insert").await?;
    let (role, line) = feedback(&browser, "Added to your reply").await?;
    ensure!(
        role == "status"
            && line
                == "Added to your reply in LivePerson's Agent Workspace: check it, then send it.",
        "{role}: {line}"
    );
    let commands = client
        .execute("return window.__lpStandin.commands();", vec![])
        .await?;
    let written = commands[0]["data"]["text"]
        .as_str()
        .with_context(|| format!("a write command: {commands}"))?
        .to_owned();
    ensure!(
        commands.as_array().map(Vec::len) == Some(1) && commands[0]["cmdName"] == "Write ChatLine",
        "one write command: {commands}"
    );
    ensure!(
        !written.contains(['<', '>', '"', '\''])
            && written.contains("&lt;")
            && unescape_html(&written) == sentence,
        "real-time chat renders the line as HTML, so it is escaped: {written:?} for {sentence:?}"
    );
    // The fake shows the written line as text: the entities, not a tag.
    client.enter_parent_frame().await?;
    let workspace = client
        .execute(
            r#"return [document.getElementById("composer").value,
                       document.querySelectorAll("main img, main script, main svg").length,
                       window.__xss === undefined];"#,
            vec![],
        )
        .await?;
    ensure!(
        workspace == json!([written, 0, true]),
        "the composer shows the escaped line and nothing ran: {workspace}"
    );

    // The Agent Workspace refuses the next one.
    enter_widget(client).await?;
    client
        .execute("window.__lpStandin.answerCommands('error');", vec![])
        .await?;
    insert_is_refused(
        &browser,
        "page",
        "Insert failed: LivePerson's Agent Workspace did not take the text (The \
                 conversation is closed.).",
    )
    .await?;
    ensure!(
        client
            .execute("return window.__xss === undefined;", vec![])
            .await?
            == json!(true),
        "nothing ran in the widget"
    );
    client.enter_parent_frame().await?;
    let composer = client
        .execute("return document.getElementById('composer').value;", vec![])
        .await?;
    ensure!(
        composer == json!(written),
        "the refused line is not added: {composer}"
    );
    browser.close().await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_page_the_visitor_opens_is_marked_new_and_announced_once_then_the_mark_goes() -> Result<()>
{
    let demo = start_demo_for_consoles(still()).await?;
    let chat = demo
        .sim
        .chats()
        .into_iter()
        .find(|c| c.provider == "liveperson" && !c.hostile && c.visitor_id != SEED_LP_VISITOR_ID)
        .context("a generated LivePerson visitor")?;
    let browser = Browser::start(500, 900).await?;
    let client = &browser.client;
    browser
        .open(
            &demo,
            &format!(
                "/?provider=liveperson&visitorId={}&sid={}&pollIntervalMs=500",
                chat.visitor_id,
                chat.sid.as_deref().context("a session ID")?
            ),
        )
        .await?;
    fact_text(&browser, "page").await?;
    // Every announcement from now on, in order.
    let first = client
        .execute(
            r#"const region = document.querySelector("aside.vs-root [aria-live=polite]");
               window.__said = [];
               new MutationObserver(() => { if (region.textContent) window.__said.push(region.textContent); })
                 .observe(region, { subtree: true, childList: true, characterData: true });
               return document.querySelectorAll("aside.vs-root .vs-new").length;"#,
            vec![],
        )
        .await?;
    ensure!(
        first == json!(0),
        "the first answer marks nothing new: {first}"
    );

    // The visitor opens another page (every other tick).
    let mut title = chat.summary.clone();
    for _ in 0..2 {
        demo.sim.tick().await;
        title = demo
            .sim
            .chats()
            .into_iter()
            .find(|c| c.visitor_id == chat.visitor_id)
            .context("the visitor is still there")?
            .summary;
        if title != chat.summary {
            break;
        }
    }
    ensure!(title != chat.summary, "the visitor moved on in two ticks");
    let page = clip(&title);
    let asked = demo.sim.counters().lp_visit;
    browser
        .wait_js(
            "the new page in the glance, marked New",
            &format!(
                r#"(() => {{ const f = document.querySelector(".vs-glance-fact[data-fact='page']");
                     return !!f && f.querySelector(".vs-text").textContent.startsWith({}) &&
                       !!f.querySelector(".vs-new") && f.querySelector(".vs-new").textContent === "New"; }})()"#,
                json!(page)
            ),
        )
        .await?;
    browser
        .wait_js(
            "the new page's row in the journey, marked New",
            "!!document.querySelector('details.vs-lp-journey .vs-new')",
        )
        .await?;
    let announced = format!("Now on {page}.");
    browser
        .wait_js(
            "the announcement",
            &format!("window.__said.some(s => s.includes({}))", json!(announced)),
        )
        .await?;

    // Two more answers from the simulator (each asked for by a poll after the previous one was
    // answered): the change is not said again.
    let deadline = tokio::time::Instant::now() + visitor_sidebar_e2e::WAIT;
    while demo.sim.counters().lp_visit < asked + 2 {
        ensure!(
            tokio::time::Instant::now() < deadline,
            "the sidebar stopped polling"
        );
        // Polls a condition; it does not wait for time to pass.
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let said = client.execute("return window.__said;", vec![]).await?;
    let times = said
        .as_array()
        .into_iter()
        .flatten()
        .filter(|s| s.as_str().is_some_and(|s| s.contains(&announced)))
        .count();
    ensure!(times == 1, "{announced:?} said once: {said}");

    // After 10 s of the sidebar in sight, the mark goes; the page stays.
    browser
        .wait_js(
            "the New mark to go",
            "!document.querySelector('.vs-glance-fact[data-fact=\"page\"] .vs-new')",
        )
        .await?;
    ensure!(
        fact_text(&browser, "page").await?.starts_with(&page),
        "the page stays in the glance"
    );
    browser.close().await
}

/// Saves a PNG of the window as `name`: into `docs/screenshots/` (the README's) when
/// `VS_DOCS_SCREENSHOTS=1`, else into `artifacts/screenshots/` (their clocks differ on every
/// run, so the committed ones change only when asked).
async fn screenshot(browser: &Browser, name: &str) -> Result<()> {
    if std::env::var("VS_DOCS_SCREENSHOTS").as_deref() == Ok("1") {
        let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../docs/screenshots");
        std::fs::create_dir_all(&dir)?;
        std::fs::write(
            dir.join(format!("{name}.png")),
            browser.client.screenshot().await?,
        )?;
    } else {
        browser.screenshot(name).await?;
    }
    Ok(())
}

/// The glance's buttons in the current frame: `[opacity of each fact's buttons]`.
async fn button_opacities(client: &Client) -> Result<Value> {
    Ok(client
        .execute(
            r#"return [...document.querySelectorAll(".vs-glance-actions")]
                 .map(a => getComputedStyle(a).opacity);"#,
            vec![],
        )
        .await?)
}

#[tokio::test(flavor = "multi_thread")]
async fn each_providers_glance_rests_on_one_line_a_fact_shows_its_buttons_on_hover_and_focus_and_copies(
) -> Result<()> {
    use fantoccini::actions::{InputSource, KeyAction, KeyActions, MouseActions, PointerAction};
    use fantoccini::key::Key;

    let demo = start_demo_for_consoles(still()).await?;
    // An agent's desktop, with a mouse; the top of a 360 px wide sidebar: what the README shows.
    let browser = Browser::start_with(1280, 1000, &[WITH_MOUSE]).await?;
    browser.set_viewport(360, 520).await?;
    let client = &browser.client;
    let mouse = client
        .execute(
            "return matchMedia('(hover: hover) and (pointer: fine)').matches;",
            vec![],
        )
        .await?;
    ensure!(mouse == json!(true), "the page sees a mouse");
    let mut problems = Vec::new();
    for theme in ["light", "dark"] {
        for (name, path) in [("liveperson", lp_visit()), ("livechat", lc_visitor())] {
            browser
                .open(&demo, &format!("{path}&theme={theme}"))
                .await?;
            glance(&browser).await?;
            // One line a fact: no fact taller than one and a half lines.
            let tall = client
                .execute(
                    r#"return [...document.querySelectorAll(".vs-glance-fact")]
                         .filter(f => f.getBoundingClientRect().height > 1.5 * parseFloat(getComputedStyle(f).lineHeight))
                         .map(f => f.dataset.fact);"#,
                    vec![],
                )
                .await?;
            if tall != json!([]) {
                problems.push(format!(
                    "{name} ({theme}): facts on more than one line: {tall}"
                ));
            }
            let resting = button_opacities(client).await?;
            if resting.as_array().into_iter().flatten().any(|o| o != "0") {
                problems.push(format!(
                    "{name} ({theme}): buttons shown at rest: {resting}"
                ));
            }
            if browser.scrolls_horizontally().await? {
                problems.push(format!("{name} ({theme}) scrolls sideways at 360 px"));
            }
            screenshot(&browser, &format!("glance-{name}-{theme}")).await?;
        }
    }

    // The keyboard: Tab to the first glance button; its fact's buttons show, with a focus ring.
    browser.open(&demo, &lp_visit()).await?;
    glance(&browser).await?;
    let tab = char::from(Key::Tab);
    let mut focused = Value::Null;
    for _ in 0..20 {
        client
            .perform_actions(
                KeyActions::new("keyboard".into())
                    .then(KeyAction::Down { value: tab })
                    .then(KeyAction::Up { value: tab }),
            )
            .await?;
        focused = client
            .execute(
                r#"const b = document.activeElement;
                   if (!b || !b.matches(".vs-glance-actions button")) return null;
                   const style = getComputedStyle(b);
                   return { label: b.getAttribute("aria-label"),
                            shown: getComputedStyle(b.closest(".vs-glance-actions")).opacity,
                            ring: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2 };"#,
                vec![],
            )
            .await?;
        if !focused.is_null() {
            break;
        }
    }
    ensure!(
        focused["shown"] == "1" && focused["ring"] == true,
        "a glance button reached by Tab shows, with a focus ring: {focused}"
    );
    ensure!(
        focused["label"]
            .as_str()
            .is_some_and(|l| l.starts_with("Copy ")),
        "Copy comes first: {focused}"
    );
    client.release_actions().await?;

    // The pointer on a fact shows its buttons (and only its).
    browser.open(&demo, &lp_visit()).await?;
    glance(&browser).await?;
    let fact = client
        .find(Locator::Css(".vs-glance-fact[data-fact='page']"))
        .await?;
    client
        .perform_actions(
            MouseActions::new("mouse".into()).then(PointerAction::MoveToElement {
                element: fact,
                duration: None,
                x: 0.0,
                y: 0.0,
            }),
        )
        .await?;
    let shown = client
        .execute(
            r#"return [...document.querySelectorAll(".vs-glance-fact")]
                 .map(f => [f.dataset.fact, getComputedStyle(f.querySelector(".vs-glance-actions")).opacity]);"#,
            vec![],
        )
        .await?;
    let right = shown
        .as_array()
        .into_iter()
        .flatten()
        .all(|f| f[1] == (if f[0] == "page" { "1" } else { "0" }));
    ensure!(
        right,
        "hovering the page fact shows its buttons only: {shown}"
    );
    screenshot(&browser, "glance-liveperson-light-hover").await?;

    // Copy puts the fact's sentence on the clipboard (which this page may read once granted).
    browser
        .cdp(
            "Browser.grantPermissions",
            json!({"permissions": ["clipboardReadWrite", "clipboardSanitizedWrite"]}),
        )
        .await?;
    let page = fact_text(&browser, "page").await?;
    let page = page.split(" ×").next().unwrap_or(&page).to_owned();
    click_glance(&browser, "page", "copy").await?;
    let (role, line) = feedback(&browser, "Copied.").await?;
    ensure!(role == "status" && line == "Copied.", "{role}: {line}");
    let copied = client
        .execute_async(
            "const done = arguments[0]; navigator.clipboard.readText().then(done, e => done('refused: ' + e));",
            vec![],
        )
        .await?;
    ensure!(
        copied == json!(format!("I can see you're on the page “{page}”.")),
        "the clipboard holds the sentence: {copied}"
    );
    ensure!(problems.is_empty(), "{}", problems.join("\n"));
    browser.close().await
}
