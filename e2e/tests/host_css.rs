//! The sidebar's CSS is scoped: none of its rules can reach the host page, and the host page's
//! rules for plain elements do not reach into the sidebar.

use anyhow::{ensure, Result};
use visitor_sidebar_e2e::{start_demo, Browser};

#[test]
fn every_rule_in_the_stylesheet_is_scoped_to_the_sidebar() {
    let css = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../www/sidebar.css"))
        .unwrap();
    // Strip comments, then look at every selector list before a `{`.
    let mut text = String::new();
    let mut rest = css.as_str();
    while let Some(start) = rest.find("/*") {
        text.push_str(&rest[..start]);
        rest = &rest[start + 2..];
        rest = &rest[rest.find("*/").expect("closed comment") + 2..];
    }
    text.push_str(rest);
    let mut unscoped = Vec::new();
    for block in text.split('{') {
        let selector = block.rsplit(['}', ';']).next().unwrap_or("").trim();
        if selector.is_empty()
            || selector.starts_with('@')
            || selector == "from"
            || selector == "to"
        {
            continue;
        }
        for part in selector.split(',') {
            if !part.trim().starts_with(".vs-root") {
                unscoped.push(part.trim().to_owned());
            }
        }
    }
    assert!(
        unscoped.is_empty(),
        "selectors that could reach the host page: {unscoped:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn hostile_host_css_for_plain_elements_does_not_reach_the_sidebar() -> Result<()> {
    let demo = start_demo().await?;
    let browser = Browser::on_console(&demo).await?;
    let styles = browser
        .client
        .execute(
            r##"const style = document.createElement("style");
               style.textContent = "div, p, li, dd, dt, h2, h3 { margin: 40px; padding: 30px; background: hotpink; font-size: 30px; }"
                 + " button { font-size: 40px; color: red; background: lime; } a { color: orange; }";
               document.head.append(style);
               const pick = (css) => getComputedStyle(document.querySelector(css));
               return {
                 button: pick("aside.vs-root .vs-refresh").fontSize,
                 buttonColor: pick("aside.vs-root .vs-refresh").color,
                 fact: pick("aside.vs-root .vs-fact").marginTop,
                 name: pick("aside.vs-root .vs-visitor-name").fontSize,
                 link: pick("aside.vs-root a.vs-link").color,
                 hostButton: pick("#theme").fontSize,
               };"##,
            vec![],
        )
        .await?;
    browser.close().await?;
    ensure!(
        styles["button"] == "14px",
        "host button rule leaked in: {styles}"
    );
    ensure!(styles["buttonColor"] != "rgb(255, 0, 0)", "{styles}");
    ensure!(
        styles["fact"] == "0px",
        "host div margin leaked in: {styles}"
    );
    ensure!(styles["name"] != "30px", "{styles}");
    ensure!(styles["link"] != "rgb(255, 165, 0)", "{styles}");
    // The host's own page still gets its rules (nothing of ours overrides them).
    ensure!(styles["hostButton"] != "14px", "{styles}");
    Ok(())
}
