//! `make bench`, the widget half: sizes of what the page loads, time to first visitor data,
//! decode + render time of large answers, and DOM mutations caused by unchanged polls. Needs the
//! release build in `dist/` (`make build`). Prints a table and writes `artifacts/bench-widget.txt`.

use anyhow::{Context, Result};
use flate2::{write::GzEncoder, Compression};
use std::fmt::Write as _;
use std::io::Write as _;
use visitor_sidebar_e2e::{dist_dir, start_demo, Browser};

const LP_SEED: &str =
    "visitorId=jnPABZYjQcOS2Uk5fp_HnA&sid=c524460e4432e9f93cf700af590f16ef181f20e6";
const LOADS: usize = 20;
const RENDERS: usize = 7;

fn gzip_len(bytes: &[u8]) -> Result<usize> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::best());
    encoder.write_all(bytes)?;
    Ok(encoder.finish()?.len())
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    if n == 0 {
        f64::NAN
    } else if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    }
}

fn verdict(ok: bool) -> &'static str {
    if ok {
        "met"
    } else {
        "MISSED"
    }
}

#[tokio::main]
async fn main() -> Result<()> {
    let dist = dist_dir()?;
    let mut report = String::new();
    writeln!(report, "visitor-sidebar benchmark: widget")?;
    writeln!(
        report,
        "\n## Transfer size of what the page loads for the widget"
    )?;
    writeln!(report, "{:<28} {:>10} {:>10}", "file", "raw B", "gzip B")?;
    let (mut raw_total, mut gz_total) = (0, 0);
    for file in [
        "visitor-sidebar_bg.wasm",
        "visitor-sidebar.js",
        "sidebar.css",
    ] {
        let bytes = std::fs::read(dist.join(file)).with_context(|| format!("dist/{file}"))?;
        let gz = gzip_len(&bytes)?;
        raw_total += bytes.len();
        gz_total += gz;
        writeln!(report, "{:<28} {:>10} {:>10}", file, bytes.len(), gz)?;
    }
    writeln!(
        report,
        "{:<28} {:>10} {:>10}   target <= 150 KB gzip: {} ({:.1} KB)",
        "total",
        raw_total,
        gz_total,
        verdict(gz_total <= 150 * 1024),
        gz_total as f64 / 1024.0
    )?;
    print!("{report}");

    let demo = start_demo().await?;
    let browser = Browser::start(400, 900).await?;
    let base = format!("http://{}", demo.addr);

    // Navigation to first visitor data painted (the widget's performance mark).
    let mut loads = Vec::new();
    for _ in 0..LOADS {
        browser
            .client
            .goto(&format!("{base}/?provider=liveperson&{LP_SEED}"))
            .await?;
        let ms = browser
            .client
            .execute_async(
                r#"const done = arguments[0];
                   const look = () => {
                     const m = performance.getEntriesByName("visitor-sidebar:first-data")[0];
                     m ? done(m.startTime) : setTimeout(look, 5);
                   };
                   look();"#,
                vec![],
            )
            .await?;
        loads.push(ms.as_f64().context("first-data mark")?);
    }
    let first_paint = median(loads.clone());
    let mut section = String::new();
    writeln!(
        section,
        "\n## Navigation to first visitor data painted (LivePerson seed visit, demo proxy)"
    )?;
    writeln!(
        section,
        "median of {LOADS} loads: {first_paint:.1} ms (first load {:.1} ms, max {:.1} ms)   target <= 150 ms: {}",
        loads[0],
        loads.iter().cloned().fold(0.0, f64::max),
        verdict(first_paint <= 150.0)
    )?;

    // Decode + render of large answers.
    let script = include_str!("../bench_page.js");
    writeln!(
        section,
        "\n## Decode + render of large answers (median of {RENDERS})"
    )?;
    for (kind, size, label) in [
        (
            "liveperson",
            serde_json::json!([2000, 10000]),
            "LivePerson visit: 2,000 pages, 10,000 events",
        ),
        (
            "livechat",
            serde_json::json!([5000]),
            "LiveChat list: 5,000 visitors",
        ),
    ] {
        browser
            .client
            .goto(&format!("{base}/?provider=liveperson"))
            .await?;
        browser.wait_for_text("aside.vs-root", "must pass").await?;
        let mut times = Vec::new();
        for _ in 0..RENDERS {
            let ms = browser
                .client
                .execute_async(script, vec![kind.into(), size.clone()])
                .await?;
            times.push(ms.as_f64().context("render time")?);
        }
        let m = median(times);
        writeln!(
            section,
            "{label:<48} {m:>8.1} ms   target <= 100 ms: {}",
            verdict(m <= 100.0)
        )?;
    }

    // DOM mutations caused by unchanged polls (304s from the proxy's ETag).
    browser
        .client
        .goto(&format!(
            "{base}/?provider=liveperson&{LP_SEED}&pollIntervalMs=500"
        ))
        .await?;
    browser.wait_for_text("aside.vs-root", "Test Page").await?;
    let mutations = browser
        .client
        .execute_async(
            r#"const done = arguments[0];
               const root = document.querySelector("aside.vs-root");
               let count = 0;
               const observer = new MutationObserver((records) => {
                 for (const r of records) {
                   const el = r.target.nodeType === 1 ? r.target : r.target.parentElement;
                   if (!el || !el.closest("[data-ticking]")) count++;
                 }
               });
               const polls = () => performance.getEntriesByType("resource")
                 .filter(e => e.name.includes("/api/liveperson/")).length;
               const start = polls();
               observer.observe(root, { subtree: true, childList: true, attributes: true, characterData: true });
               const look = () => {
                 if (polls() >= start + 5) { observer.disconnect(); done([count, polls() - start]); }
                 else setTimeout(look, 50);
               };
               look();"#,
            vec![],
        )
        .await?;
    writeln!(section, "\n## DOM mutations caused by unchanged polls")?;
    writeln!(
        section,
        "{} mutations over {} polls answered 304   target 0: {}",
        mutations[0],
        mutations[1],
        verdict(mutations[0].as_u64() == Some(0))
    )?;
    browser.close().await?;
    print!("{section}");
    report.push_str(&section);

    let out = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../artifacts");
    std::fs::create_dir_all(&out)?;
    std::fs::write(out.join("bench-widget.txt"), &report)?;
    Ok(())
}
