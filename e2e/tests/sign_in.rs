//! Agents signing in, end to end: the release build in headless Chromium against the demo proxy
//! with sign-in required (`VS_ALLOW_ANONYMOUS=false`, every mode wired to the simulator).
//!
//! - Company sign-in: no data and a "Sign in" button; the click opens the popup, the simulator's
//!   OpenID provider signs its test user in, the proxy's callback page posts the token, and the
//!   visitors appear. The token is in no URL, cookie, storage or file of the bundle; the same
//!   valid token posted from the page itself (right origin, not the popup) is ignored; a popup
//!   asked to answer a foreign origin is refused and posts nothing; the widget's own popup
//!   window, navigated to a sign-in someone else started (another nonce), signs nobody in.
//! - LiveChat's Agent App (`?console=livechat`): the real `@livechat/accounts-sdk` gets the
//!   agent's token from the simulator's accounts server, silently in its iframe, or by the
//!   popup when frames may not sign in, and says so when the agent is signed out of LiveChat.

use anyhow::{bail, Context, Result};
use fantoccini::Locator;
use std::time::Duration;
use visitor_sidebar_e2e::{dist_dir, Browser, WAIT};
use visitor_sidebar_proxy::{start_demo_with, DemoServer, RawConfig};

async fn demo_with_sign_in() -> Result<DemoServer> {
    let mut raw = RawConfig::default();
    raw.set("VS_ALLOW_ANONYMOUS", "false");
    start_demo_with(raw, "127.0.0.1:0".parse()?, Some(dist_dir()?), None).await
}

/// A browser on the LiveChat list page of `demo`, showing that it needs a sign-in.
async fn signed_out_sidebar(demo: &DemoServer) -> Result<Browser> {
    let browser = Browser::start(420, 900).await?;
    browser.open(demo, "/?provider=livechat").await?;
    browser
        .wait_for_text(
            "aside.vs-root",
            "Visitor details are shown to signed-in agents only.",
        )
        .await?;
    Ok(browser)
}

/// Records, in the page, the tokens of the callback's `visitor-sidebar:sign-in` messages it
/// receives (the test's own listener beside the widget's), so the test knows the token to look
/// for.
const RECORD_TOKENS: &str = r#"window.__vsSeen = [];
window.addEventListener("message", e => {
  if (e.data && e.data.type === "visitor-sidebar:sign-in") window.__vsSeen.push(e.data.token);
});"#;

/// Every place in the page a token could have been left: URLs fetched or navigated to,
/// cookies, both storages.
const TRACES: &str = r#"const urls = performance.getEntriesByType("resource").map(e => e.name)
  .concat(performance.getEntriesByType("navigation").map(e => e.name), [location.href]);
const storage = s => Object.keys(s).map(k => k + "=" + s.getItem(k)).join(";");
return { urls, cookies: document.cookie, local: storage(localStorage), session: storage(sessionStorage) };"#;

async fn traces(browser: &Browser) -> Result<String> {
    Ok(browser.client.execute(TRACES, vec![]).await?.to_string())
}

/// The text of every file in `dist/`, for looking for secrets in the bundle.
fn bundle_text() -> Result<String> {
    let mut text = String::new();
    for entry in std::fs::read_dir(dist_dir()?)? {
        let path = entry?.path();
        if path.is_file() {
            text.push_str(&String::from_utf8_lossy(&std::fs::read(&path)?));
        }
    }
    Ok(text)
}

/// Opens the Agent App's widget page and presses its "Sign in with LiveChat" button.
async fn sign_in_with_livechat(browser: &Browser, demo: &DemoServer) -> Result<()> {
    browser.open(demo, "/?console=livechat").await?;
    browser
        .wait_for_text(
            "aside.vs-root button.vs-sign-in-button",
            "Sign in with LiveChat",
        )
        .await?;
    browser
        .click("aside.vs-root button.vs-sign-in-button")
        .await
}

#[tokio::test(flavor = "multi_thread")]
async fn company_sign_in_in_a_popup_shows_the_visitors_and_leaves_the_token_nowhere() -> Result<()>
{
    let demo = demo_with_sign_in().await?;
    let browser = signed_out_sidebar(&demo).await?;
    let button = browser
        .client
        .find(Locator::Css("aside.vs-root button.vs-sign-in-button"))
        .await?;
    assert_eq!(button.text().await?, "Sign in");
    let body = browser.body_text().await?;
    assert!(!body.contains("United States"), "no visitor data: {body}");
    assert_eq!(
        demo.sim.counters().lc_visitors,
        0,
        "nothing reached LiveChat"
    );

    browser.client.execute(RECORD_TOKENS, vec![]).await?;
    let widget = browser.client.window().await?;
    button.click().await?;
    // The popup signs the simulator's test user in without a form, posts and closes itself.
    browser
        .wait_for_text(".vs-visitor-rows", "United States")
        .await?;
    browser.wait_for_gone("aside.vs-root", "Sign in").await?;
    let deadline = tokio::time::Instant::now() + WAIT;
    while browser.client.windows().await?.len() > 1 {
        if tokio::time::Instant::now() > deadline {
            bail!("the sign-in popup did not close itself");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(browser.client.window().await?, widget);
    let c = demo.sim.counters();
    assert_eq!(
        (c.oidc_authorize, c.oidc_token),
        (1, 1),
        "one sign-in at the provider"
    );

    let token = browser
        .client
        .execute("return window.__vsSeen[0] || null;", vec![])
        .await?
        .as_str()
        .context("the callback page posted no token to the widget's origin")?
        .to_owned();
    assert!(
        token.len() > 40,
        "a session token: {} characters",
        token.len()
    );
    let traces = traces(&browser).await?;
    assert!(
        traces.contains("/api/livechat/visitors"),
        "the visitors were fetched: {traces}"
    );
    assert!(
        !traces.contains(&token),
        "the token is in no URL, cookie or storage"
    );
    let bundle = bundle_text()?;
    assert!(!bundle.contains(&token));
    let creds = demo.sim.credentials();
    for secret in [&creds.oidc_client_secret, &creds.lc_api_key, &creds.lc_pat] {
        assert!(
            !bundle.contains(secret.as_str()),
            "no credential in the bundle"
        );
    }

    // A new page has no token; the same valid token, posted from the page itself (the right
    // origin, but not the sign-in popup), is not believed.
    browser.open(&demo, "/?provider=livechat").await?;
    browser
        .wait_for_text(
            "aside.vs-root",
            "Visitor details are shown to signed-in agents only.",
        )
        .await?;
    let visitors_before = demo.sim.counters().lc_visitors;
    browser
        .client
        .execute(
            r#"window.postMessage({type: "visitor-sidebar:sign-in", token: arguments[0], expiresAt: Date.now() + 60000}, location.origin);
               window.postMessage({type: "visitor-sidebar:auth", token: arguments[0]}, "*");"#,
            vec![serde_json::Value::String(token.clone())],
        )
        .await?;
    // Round trips through the page's event loop: both messages have been handled by then.
    for _ in 0..5 {
        browser
            .client
            .execute_async(
                "const done = arguments[0]; setTimeout(() => done(true), 0);",
                vec![],
            )
            .await?;
    }
    let body = browser.body_text().await?;
    assert!(body.contains("Sign in"), "still signed out: {body}");
    assert!(!body.contains("United States"));
    assert_eq!(demo.sim.counters().lc_visitors, visitors_before);
    browser.close().await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_sign_in_popup_for_a_foreign_origin_is_refused_and_posts_nothing() -> Result<()> {
    let demo = demo_with_sign_in().await?;
    let browser = signed_out_sidebar(&demo).await?;
    browser
        .client
        .execute(
            r#"window.__vsMessages = [];
               window.addEventListener("message", e => window.__vsMessages.push(e.origin));
               window.open("/api/auth/login?origin=" + encodeURIComponent("http://evil.example"), "foreign");"#,
            vec![],
        )
        .await?;
    let widget = browser.client.window().await?;
    let popup = browser
        .client
        .windows()
        .await?
        .into_iter()
        .find(|w| *w != widget)
        .context("the popup opened")?;
    browser.client.switch_to_window(popup).await?;
    let page = browser
        .wait_for_text("body", "may not receive sign-in tokens")
        .await?;
    // The callback page's one script posts only what its data names: here nothing, to nobody.
    let data = browser
        .client
        .execute(
            r#"return JSON.parse(document.getElementById("vs-auth-data").textContent);"#,
            vec![],
        )
        .await?;
    assert_eq!(
        data,
        serde_json::json!({"origin": null}),
        "no message, no target"
    );
    assert_eq!(
        demo.sim.counters().oidc_authorize,
        0,
        "the provider was not asked: {page}"
    );
    browser.client.close_window().await?;
    browser.client.switch_to_window(widget).await?;
    let seen = browser
        .client
        .execute("return window.__vsMessages.length;", vec![])
        .await?;
    assert_eq!(
        seen.as_u64(),
        Some(0),
        "no message reached the widget's page"
    );
    let body = browser.body_text().await?;
    assert!(body.contains("Sign in") && !body.contains("United States"));
    browser.close().await
}

#[tokio::test(flavor = "multi_thread")]
async fn the_widgets_popup_navigated_to_someone_elses_sign_in_signs_nobody_in() -> Result<()> {
    let demo = demo_with_sign_in().await?;
    let browser = signed_out_sidebar(&demo).await?;
    browser.client.execute(RECORD_TOKENS, vec![]).await?;
    // What a page that reuses the popup's window name does: the widget's own popup window
    // (right source, right origin) runs a sign-in with a nonce that is not the widget's.
    browser
        .client
        .execute(
            r#"window.__vsAsked = [];
               const open = window.open;
               window.open = function (url, name, features) {
                 window.__vsAsked.push(url);
                 return open.call(window, url.replace(/nonce=[^&]*/, "nonce=" + "a".repeat(32)), name, features);
               };"#,
            vec![],
        )
        .await?;
    browser
        .click("aside.vs-root button.vs-sign-in-button")
        .await?;
    // The callback signs the provider's user in and posts a real token to this page, from the
    // widget's popup, then closes: the widget notices the closed window, not a sign-in.
    browser
        .wait_for_text(
            "aside.vs-root",
            "The sign-in window was closed before you signed in.",
        )
        .await?;
    let seen = browser
        .client
        .execute("return window.__vsSeen.length;", vec![])
        .await?;
    assert_eq!(seen.as_u64(), Some(1), "the answer did reach the page");
    let asked = browser
        .client
        .execute("return window.__vsAsked[0];", vec![])
        .await?;
    let asked = asked.as_str().context("the widget opened its popup")?;
    assert!(
        asked.contains("nonce=") && !asked.contains(&"a".repeat(32)),
        "the widget asked with a nonce of its own: {asked}"
    );
    let body = browser.body_text().await?;
    assert!(!body.contains("United States"), "signed nobody in: {body}");
    assert_eq!(
        demo.sim.counters().lc_visitors,
        0,
        "nothing reached LiveChat"
    );
    browser.close().await
}

/// What the sign-in strip says while LiveChat's SDK works.
const LIVECHAT_SIGNING_IN: &str = "Signing you in with LiveChat";

#[tokio::test(flavor = "multi_thread")]
async fn livechat_agents_are_signed_in_by_the_accounts_sdk_silently_or_by_its_popup() -> Result<()>
{
    let demo = demo_with_sign_in().await?;
    let creds = demo.sim.credentials().clone();
    let browser = Browser::start(420, 900).await?;

    // Silently: the SDK's hidden iframe, answered by the simulated accounts server.
    browser.open(&demo, "/?console=livechat").await?;
    browser
        .wait_js(
            "the accounts SDK loaded",
            "typeof window.AccountsSDK === 'function'",
        )
        .await?;
    let deadline = tokio::time::Instant::now() + WAIT;
    while demo.sim.livechat_authorizations().is_empty() {
        if tokio::time::Instant::now() > deadline {
            bail!("the SDK never asked the accounts server");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    browser
        .wait_for_gone("aside.vs-root", LIVECHAT_SIGNING_IN)
        .await?;
    let body = browser.body_text().await?;
    assert!(
        !body.contains("Sign in"),
        "signed in without a click: {body}"
    );
    let asked = demo.sim.livechat_authorizations();
    assert_eq!(asked.len(), 1);
    assert_eq!(
        asked[0].client_id, creds.lc_client_id,
        "for the proxy's client"
    );
    assert_eq!(asked[0].response_type, "token");
    assert_eq!(
        asked[0].redirect_uri,
        format!("{}/", demo.url()),
        "the page, without its query"
    );
    let token = asked[0].token.clone().context("a token was offered")?;
    // The token the SDK got is one the proxy accepts, and it stayed out of URLs and storage
    // (the SDK keeps only its one-time state in a cookie).
    let status = browser
        .client
        .execute_async(
            r#"const [token, done] = arguments;
               fetch("/api/livechat/visitors", {headers: {Authorization: "Bearer " + token}})
                 .then(r => done(r.status), e => done(String(e)));"#,
            vec![serde_json::Value::String(token.clone())],
        )
        .await?;
    assert_eq!(
        status.as_u64(),
        Some(200),
        "the proxy accepts the SDK's token"
    );
    let traces = traces(&browser).await?;
    assert!(!traces.contains(&token), "{traces}");

    // Where the browser keeps LiveChat's cookies from frames: the button, then the popup.
    demo.sim.set_livechat_frames_blocked(true);
    sign_in_with_livechat(&browser, &demo).await?;
    browser
        .wait_for_gone("aside.vs-root", "Sign in with LiveChat")
        .await?;
    browser
        .wait_for_gone("aside.vs-root", "Finish signing in")
        .await?;
    let asked = demo.sim.livechat_authorizations();
    assert_eq!(asked.len(), 3, "the refused iframe, then the popup");

    // Signed out of LiveChat: the popup's refusal is shown, in LiveChat's words.
    demo.sim.set_livechat_signed_out(true);
    sign_in_with_livechat(&browser, &demo).await?;
    browser
        .wait_for_text("aside.vs-root", "LiveChat did not sign you in")
        .await?;
    browser
        .wait_for_text("aside.vs-root", "Resource owner identity is not known")
        .await?;
    browser.close().await
}
