//! One release bundle per provider: the iframe page's loader fetches only the bundle its URL
//! asks for, each provider bundle carries none of the other provider's code, a bundle asked for
//! the provider it lacks says so, and mount() users reach every bundle by its stable name.

use anyhow::{Context, Result};
use visitor_sidebar_e2e::{dist_dir, start_demo, Browser};

const LP_SEED: &str =
    "visitorId=jnPABZYjQcOS2Uk5fp_HnA&sid=c524460e4432e9f93cf700af590f16ef181f20e6";

/// The widget files (JS and wasm) the page has fetched, by path.
async fn bundle_files(browser: &Browser) -> Result<Vec<String>> {
    let names = browser
        .client
        .execute(
            r#"return performance.getEntriesByType("resource")
                 .map(e => new URL(e.name).pathname)
                 .filter(p => p.startsWith("/visitor-sidebar"));"#,
            vec![],
        )
        .await?;
    Ok(names
        .as_array()
        .context("a list")?
        .iter()
        .filter_map(|n| n.as_str().map(str::to_owned))
        .collect())
}

/// Which bundle a hashed file belongs to: `livechat`, `liveperson` or `full`.
fn bundle_of(path: &str) -> &'static str {
    if path.starts_with("/visitor-sidebar-livechat-") {
        "livechat"
    } else if path.starts_with("/visitor-sidebar-liveperson-") {
        "liveperson"
    } else {
        "full"
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn each_iframe_view_loads_only_its_providers_bundle() -> Result<()> {
    let demo = start_demo().await?;
    for (query, bundle, shows) in [
        ("?provider=livechat".to_owned(), "livechat", "Visitors"),
        ("".to_owned(), "livechat", "Visitors"),
        // The consoles' mode: the notice while the console's SDK connects (or says why not)
        // shows the bundle started.
        (
            "?console=livechat".to_owned(),
            "livechat",
            "LiveChat's Agent App",
        ),
        (
            format!("?provider=liveperson&{LP_SEED}"),
            "liveperson",
            "Test Page",
        ),
        // No provider but a sid: LivePerson, as the widget itself decides.
        (format!("?{LP_SEED}"), "liveperson", "Test Page"),
        (
            format!("?console=liveperson&{LP_SEED}"),
            "liveperson",
            "LivePerson's Agent Workspace",
        ),
        // A provider no bundle is named for: both, and the widget explains the value.
        ("?provider=zendesk".to_owned(), "full", "Unknown provider"),
    ] {
        let browser = Browser::start(400, 800).await?;
        browser.open(&demo, &format!("/{query}")).await?;
        browser.wait_for_text("body", shows).await?;
        let files = bundle_files(&browser).await?;
        assert!(
            files.iter().any(|f| f.ends_with("_bg.wasm")),
            "{query}: no wasm among {files:?}"
        );
        for file in &files {
            assert_eq!(bundle_of(file), bundle, "{query} loaded {file}");
        }
        browser.close().await?;
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_provider_bundle_carries_none_of_the_other_providers_code() -> Result<()> {
    let dist = dist_dir()?;
    let wasm = |bundle: &str| -> Result<Vec<u8>> {
        let prefix = format!("visitor-sidebar-{bundle}-");
        let file = std::fs::read_dir(&dist)?
            .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
            .find(|n| n.starts_with(&prefix) && n.ends_with("_bg.wasm"))
            .with_context(|| format!("no {prefix}*_bg.wasm in dist/"))?;
        Ok(std::fs::read(dist.join(file))?)
    };
    let has = |bytes: &[u8], text: &str| bytes.windows(text.len()).any(|w| w == text.as_bytes());
    let (livechat, liveperson) = (wasm("livechat")?, wasm("liveperson")?);
    // Section titles of one provider's panel only.
    for lp_only in ["Engagements", "Marketing", "Cart & purchases"] {
        assert!(
            has(&liveperson, lp_only),
            "{lp_only} missing from LivePerson's"
        );
        assert!(
            !has(&livechat, lp_only),
            "{lp_only} is in LiveChat's bundle"
        );
    }
    for lc_only in ["Custom details", "Send again"] {
        assert!(has(&livechat, lc_only), "{lc_only} missing from LiveChat's");
        assert!(
            !has(&liveperson, lc_only),
            "{lc_only} is in LivePerson's bundle"
        );
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_bundle_asked_for_the_provider_it_lacks_says_which_to_load() -> Result<()> {
    let demo = start_demo().await?;
    // `gc()` for the page: a host that does not keep mount()'s handle has it collected.
    let browser = Browser::start_with(400, 800, &["--js-flags=--expose-gc"]).await?;
    for (entry, other) in [
        (
            "visitor-sidebar-livechat.js",
            "{ provider: 'liveperson', visitorId: 'a', sid: 'b' }",
        ),
        ("visitor-sidebar-liveperson.js", "{ provider: 'livechat' }"),
    ] {
        // The stable entry module, as a host page using mount() imports it.
        // A same-origin document that loads no bundle of its own (a stylesheet shown as text).
        browser.open(&demo, "/console.css").await?;
        let loaded = browser
            .client
            .execute_async(
                &format!(
                    r#"const done = arguments[0];
                       import("/{entry}").then(async (m) => {{
                         await m.default();
                         const root = document.createElement("div");
                         document.body.append(root);
                         // The handle is not kept, as many host pages do. Two rounds of a
                         // collection and a finalizer of our own: the first round's finalizers,
                         // wasm-bindgen's freeing the handle among them, have run by the second's.
                         // (Each probe is held while it waits: a collected registry calls nothing.)
                         m.mount(root, {other});
                         const probes = [];
                         for (let round = 0; round < 2; round++) {{
                           await new Promise((collected) => {{
                             const probe = new FinalizationRegistry(collected);
                             probes.push(probe);
                             probe.register({{}}, round);
                             // From a task of its own, so no frame still holds the object.
                             setTimeout(() => gc(), 0);
                           }});
                         }}
                         done();
                       }}).catch((e) => done(String(e)));"#
                ),
                vec![],
            )
            .await?;
        // The module or its wasm failing to load would otherwise show only as a missing notice.
        anyhow::ensure!(
            loaded.is_null(),
            "{entry}: import or mount failed: {loaded}"
        );
        let text = browser
            .wait_for_text(
                "aside.vs-root [data-not-carried]",
                "This sidebar was built without",
            )
            .await?;
        assert!(text.contains("?provider="), "{entry}: {text}");
    }
    browser.close().await
}
