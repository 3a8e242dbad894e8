//! Hostile input end to end: the release build against the demo with the simulator's hostile
//! visitors (`SimConfig::hostile`), whose every visitor-set field carries a payload of the XSS
//! corpus (`fixtures/xss-payloads.txt`, plus generated ones and a 1 MiB string). Every hostile
//! visitor is opened in the iframe page (and the LiveChat list, and the demo console), every
//! `<details>` is expanded, every link clicked, and then:
//!
//! - the sentinel `window.__xss` that every payload would set stays 0, and no dialog is open;
//! - no element anywhere has an `href`/`src`/`action`/`formaction`/`xlink:href` with a
//!   `javascript:`, `data:` or `vbscript:` scheme (after dropping whitespace and control
//!   characters and lower-casing);
//! - inside `aside.vs-root` there is no `script`, `iframe`, `svg`, `img`, `object`, `embed`
//!   element and no `on*` attribute;
//! - payloads show as text: for each page some of the visitor's strings are visible, and across
//!   the pages markup such as `<script>` appears literally.
//!
//! The checks look at the whole DOM, not at particular panels, so richer panels are covered as
//! they land.

use std::collections::BTreeSet;
use std::time::Instant;

use anyhow::{bail, ensure, Context, Result};
use fantoccini::Locator;
use serde_json::{json, Value};
use visitor_sidebar_e2e::{dist_dir, Browser, DemoServer};
use visitor_sidebar_proxy::sim::SimConfig;
use visitor_sidebar_proxy::{start_demo_with_sim, RawConfig};

async fn start_hostile_demo() -> Result<DemoServer> {
    let mut raw = RawConfig::default();
    // Every page load polls; one address opens many pages here.
    raw.set("VS_RATE_LIMIT_PER_SEC", "0");
    let sim = SimConfig {
        hostile: true,
        // Visitors stay as they are while the test looks at them.
        tick_interval: None,
        ..SimConfig::default()
    };
    start_demo_with_sim(raw, "127.0.0.1:0".parse()?, Some(dist_dir()?), sim).await
}

/// The pages to open: every hostile LivePerson visit, every hostile LiveChat visitor, and the
/// LiveChat list; each with the API path whose body the page shows.
fn pages(demo: &DemoServer) -> Vec<(String, String)> {
    let mut pages = Vec::new();
    for chat in demo.sim.chats().into_iter().filter(|c| c.hostile) {
        match &chat.sid {
            Some(sid) => pages.push((
                format!(
                    "/?provider=liveperson&visitorId={}&sid={sid}",
                    chat.visitor_id
                ),
                format!(
                    "/api/liveperson/visitors/{}/visit?sid={sid}",
                    chat.visitor_id
                ),
            )),
            None => pages.push((
                format!("/?provider=livechat&visitorId={}", chat.visitor_id),
                format!("/api/livechat/visitors/{}", chat.visitor_id),
            )),
        }
    }
    pages.push((
        "/?provider=livechat".into(),
        "/api/livechat/visitors".into(),
    ));
    pages
}

/// Fetches `api` in the page and returns its strings that could be checked on screen: 3 to 300
/// characters, no control characters (so not the 1 MiB one), not only whitespace.
async fn visible_candidates(browser: &Browser, api: &str) -> Result<Vec<String>> {
    let found = browser
        .client
        .execute_async(
            r#"const [api, done] = arguments;
               const out = new Set();
               const walk = (v) => {
                 if (typeof v === "string") {
                   if (v.length >= 3 && v.length <= 300 && !/[\u0000-\u001f\u007f-\u009f]/.test(v) && v.trim())
                     out.add(v);
                 } else if (Array.isArray(v)) v.forEach(walk);
                 else if (v && typeof v === "object") Object.values(v).forEach(walk);
               };
               fetch(api).then(r => r.json()).then(j => { walk(j); done([...out]); })
                 .catch(e => done({ error: String(e) }));"#,
            vec![json!(api)],
        )
        .await?;
    let list = found
        .as_array()
        .with_context(|| format!("fetching {api} in the page failed: {found}"))?;
    Ok(list
        .iter()
        .filter_map(|v| v.as_str().map(String::from))
        .collect())
}

/// Waits (on DOM mutations, no timers) until `aside.vs-root` shows at least one of `texts`, then
/// returns those it shows, whitespace collapsed as rendering does.
async fn wait_until_shown(browser: &Browser, texts: &[String]) -> Result<Vec<String>> {
    let shown = browser
        .client
        .execute_async(
            r#"const [texts, done] = arguments;
               const norm = (t) => t.replace(/\s+/g, " ").trim();
               const wanted = texts.map(norm);
               const check = () => {
                 const root = document.querySelector("aside.vs-root");
                 if (!root) return null;
                 const text = norm(root.innerText);
                 const hits = wanted.filter(t => t && text.includes(t));
                 return hits.length ? hits : null;
               };
               const first = check();
               if (first) { done(first); return; }
               const observer = new MutationObserver(() => {
                 const hits = check();
                 if (hits) { observer.disconnect(); clearTimeout(timer); done(hits); }
               });
               observer.observe(document.documentElement, { subtree: true, childList: true, characterData: true });
               const timer = setTimeout(() => { observer.disconnect(); done({ timeout: true,
                 shows: (document.querySelector("aside.vs-root") || document.body).innerText.slice(0, 2000) }); }, 20000);"#,
            vec![json!(texts)],
        )
        .await?;
    match shown.as_array() {
        Some(hits) => Ok(hits
            .iter()
            .filter_map(|v| v.as_str().map(String::from))
            .collect()),
        None => bail!("none of the visitor's texts appeared: {shown}"),
    }
}

/// Clicks every `summary` (opens closed sections through the widget's own handling), then sets
/// every `details` open, then clicks every link. Links to real places (http(s), mailto:, tel:)
/// would open tabs or other programs, so their default action is prevented (after the widget's
/// handlers ran); a script URL keeps its default action, so it would run and trip the sentinel.
/// Any window a click opened anyway is closed again.
async fn expand_and_click_everything(browser: &Browser) -> Result<usize> {
    browser
        .client
        .execute(
            r#"window.__vsClicked = [];
               window.addEventListener("click", (e) => {
                 const a = e.target.closest && e.target.closest("a[href]");
                 if (!a) return;
                 window.__vsClicked.push(a.protocol);
                 if (!/^(javascript|data|vbscript):$/.test(a.protocol)) e.preventDefault();
               }, true);"#,
            vec![],
        )
        .await?;
    for summary in browser.client.find_all(Locator::Css("summary")).await? {
        if summary.is_displayed().await.unwrap_or(false) {
            summary.click().await?;
        }
    }
    browser
        .client
        .execute(
            "document.querySelectorAll('details').forEach(d => { d.open = true; });",
            vec![],
        )
        .await?;
    let mut clicked = 0;
    for link in browser
        .client
        .find_all(Locator::Css("aside.vs-root a, aside.vs-root [role=link]"))
        .await?
    {
        if link.is_displayed().await.unwrap_or(false) {
            // Links cut off by ellipsis or scrolled away are clicked through script instead.
            if link.click().await.is_err() {
                browser
                    .client
                    .execute("arguments[0].click();", vec![json!(link)])
                    .await?;
            }
        } else {
            browser
                .client
                .execute("arguments[0].click();", vec![json!(link)])
                .await?;
        }
        clicked += 1;
    }
    let windows = browser.client.windows().await?;
    if windows.len() > 1 {
        let first = windows[0].clone();
        for other in windows.into_iter().skip(1) {
            browser.client.switch_to_window(other).await?;
            browser.client.close_window().await?;
        }
        browser.client.switch_to_window(first).await?;
    }
    Ok(clicked)
}

/// The DOM checks; returns the problems found (empty when the page is safe).
async fn dom_problems(browser: &Browser) -> Result<Vec<String>> {
    // A round trip through the page's event loop and the network first, so that handlers of
    // anything injected (an image's error, a frame's load) have had their turn.
    browser
        .client
        .execute_async(
            r#"const done = arguments[0];
               setTimeout(() => fetch("/api/health").then(() => done(true), () => done(true)), 0);"#,
            vec![],
        )
        .await?;
    let found = browser
        .client
        .execute(
            r#"const problems = [];
               const scheme = (value) => value.replace(/[\s\u0000-\u001f\u007f-\u009f\ufeff]/g, "").toLowerCase();
               for (const el of document.querySelectorAll("*")) {
                 for (const name of ["href", "src", "action", "formaction", "xlink:href"]) {
                   const value = el.getAttribute(name);
                   if (value !== null && /^(javascript|data|vbscript):/.test(scheme(value)))
                     problems.push(`<${el.localName}> has ${name}=${JSON.stringify(value.slice(0, 80))}`);
                 }
               }
               const root = document.querySelector("aside.vs-root");
               if (!root) problems.push("no aside.vs-root");
               else {
                 for (const el of root.querySelectorAll("script, iframe, svg, img, object, embed"))
                   problems.push(`a <${el.localName}> element inside the sidebar: ${el.outerHTML.slice(0, 120)}`);
                 for (const el of [root, ...root.querySelectorAll("*")])
                   for (const attr of el.attributes)
                     if (/^on/i.test(attr.name))
                       problems.push(`<${el.localName}> has ${attr.name}=${JSON.stringify(attr.value.slice(0, 80))}`);
               }
               if (window.__xss !== 0) problems.push(`the sentinel window.__xss is ${window.__xss}`);
               return problems;"#,
            vec![],
        )
        .await?;
    let mut problems: Vec<String> = found
        .as_array()
        .context("DOM check returned no list")?
        .iter()
        .filter_map(|v| v.as_str().map(String::from))
        .collect();
    if let Ok(text) = browser.client.get_alert_text().await {
        problems.push(format!("a dialog is open: {text:?}"));
    }
    Ok(problems)
}

/// The checks are not vacuous: a probe with each kind of problem, put into the sidebar, is
/// reported, and so is a sentinel set to 1; both are undone afterwards.
async fn checks_catch_a_planted_problem(browser: &Browser) -> Result<()> {
    browser
        .client
        .execute(
            r#"const probe = document.createElement("div");
               probe.id = "vs-probe";
               probe.innerHTML = '<a href=" \n JaVa\tScript:void(0)">a</a><img alt="" data-x="1"><span onclick="void 0">s</span>';
               document.querySelector("aside.vs-root").append(probe);
               window.__xss = 1;"#,
            vec![],
        )
        .await?;
    let found = dom_problems(browser).await?;
    browser
        .client
        .execute(
            "document.getElementById('vs-probe').remove(); window.__xss = 0;",
            vec![],
        )
        .await?;
    for needle in ["href=", "<img>", "onclick", "sentinel"] {
        ensure!(
            found.iter().any(|p| p.contains(needle)),
            "the DOM check missed a planted {needle}: {found:?}"
        );
    }
    ensure!(dom_problems(browser).await?.is_empty(), "probe removed");
    Ok(())
}

/// Loads `url`, checks nothing ran while it loaded, and installs the sentinel at 0.
async fn open(browser: &Browser, url: &str) -> Result<()> {
    browser.client.goto(url).await?;
    let before = browser
        .client
        .execute(
            "const was = window.__xss; window.__xss = 0; return was === undefined ? null : String(was);",
            vec![],
        )
        .await?;
    ensure!(
        before.is_null(),
        "{url}: window.__xss was set during load: {before}"
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn hostile_visitors_run_no_script_and_show_payloads_as_text() -> Result<()> {
    let started = Instant::now();
    let demo = start_hostile_demo().await?;
    let browser = Browser::start(480, 900).await?;
    let pages = pages(&demo);
    ensure!(
        pages.len() >= 7,
        "hostile visitors are listed: {}",
        pages.len()
    );
    let mut problems = Vec::new();
    let mut shown_everywhere = BTreeSet::new();
    let mut timings = Vec::new();
    let mut links = 0;
    for (page, api) in &pages {
        let t = Instant::now();
        let url = format!("http://{}{page}", demo.addr);
        open(&browser, &url).await?;
        let candidates = visible_candidates(&browser, api).await?;
        ensure!(!candidates.is_empty(), "{api} holds no strings");
        let shown = wait_until_shown(&browser, &candidates)
            .await
            .with_context(|| page.clone())?;
        if timings.is_empty() {
            checks_catch_a_planted_problem(&browser).await?;
        }
        let clicked = expand_and_click_everything(&browser).await?;
        links += clicked;
        // After expanding, more sections show; collect what is visible now.
        let shown_after = wait_until_shown(&browser, &candidates).await?;
        for p in dom_problems(&browser).await? {
            problems.push(format!("{page}: {p}"));
        }
        timings.push(format!(
            "{page}: {} of {} texts shown, {clicked} links clicked, {:.2} s",
            shown_after.len().max(shown.len()),
            candidates.len(),
            t.elapsed().as_secs_f64()
        ));
        shown_everywhere.extend(shown_after);
    }
    println!("{}", timings.join("\n"));
    println!(
        "{} distinct payload texts shown; whole test {:.1} s",
        shown_everywhere.len(),
        started.elapsed().as_secs_f64()
    );
    browser.close().await?;
    ensure!(problems.is_empty(), "unsafe DOM:\n{}", problems.join("\n"));
    ensure!(links > 0, "no link was rendered to click");
    // Markup shows as markup: at least one payload with a tag, shown literally.
    let literal = |needle: &str| {
        shown_everywhere
            .iter()
            .any(|t| t.to_lowercase().contains(needle))
    };
    ensure!(
        literal("<script>") && literal("<img") && literal("javascript:"),
        "payload markup is not visible as text; shown: {shown_everywhere:#?}"
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn the_demo_console_shows_hostile_chats_as_text() -> Result<()> {
    let demo = start_hostile_demo().await?;
    let hostile: Vec<_> = demo.sim.chats().into_iter().filter(|c| c.hostile).collect();
    let browser = Browser::start(1280, 900).await?;
    open(&browser, &format!("http://{}/console.html", demo.addr)).await?;
    let mut problems = Vec::new();
    for chat in &hostile {
        let css = format!("#chats button[data-visitor-id=\"{}\"]", chat.visitor_id);
        let button = browser
            .client
            .wait()
            .at_most(visitor_sidebar_e2e::WAIT)
            .for_element(Locator::Css(&css))
            .await
            .with_context(|| format!("no console entry for {}", chat.visitor_id))?;
        button.click().await?;
        // The sidebar (mounted through mount()/show()) shows this visitor once its data is in.
        let api = match &chat.sid {
            Some(sid) => format!(
                "/api/liveperson/visitors/{}/visit?sid={sid}",
                chat.visitor_id
            ),
            None => format!("/api/livechat/visitors/{}", chat.visitor_id),
        };
        let candidates = visible_candidates(&browser, &api).await?;
        wait_until_shown(&browser, &candidates)
            .await
            .with_context(|| chat.visitor_id.clone())?;
        expand_and_click_everything(&browser).await?;
        for p in dom_problems(&browser).await? {
            problems.push(format!("console, {}: {p}", chat.visitor_id));
        }
    }
    let names: Value = browser
        .client
        .execute(
            "return [...document.querySelectorAll('#chats strong')].map(e => e.textContent);",
            vec![],
        )
        .await?;
    browser.close().await?;
    ensure!(problems.is_empty(), "unsafe DOM:\n{}", problems.join("\n"));
    let names: Vec<&str> = names
        .as_array()
        .context("names")?
        .iter()
        .filter_map(Value::as_str)
        .collect();
    for chat in &hostile {
        ensure!(
            names.iter().any(|n| *n == chat.name),
            "the console lists {:?} as text; it shows {names:?}",
            chat.name
        );
    }
    Ok(())
}
