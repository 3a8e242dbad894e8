//! `make bench`, the widget half: what each view transfers (raw, gzip, brotli, as the proxy's
//! `--static` sends them) against the targets, the largest items of each release bundle
//! (twiggy), time to first visitor data, decode + render time of large answers against a
//! plain-JS reference building the same DOM (`bench_reference.js`), and DOM
//! mutations caused by unchanged polls. Needs the release build in `dist/` with the named
//! wasm twins in cargo's target directory (`NAMED_WASM=1 scripts/build.sh`, which `make bench`
//! runs; `scripts/target-dir.sh` says where, for both). Prints a table and writes
//! `artifacts/bench-widget.txt`; the size totals also go to `artifacts/bench-sizes.tsv`, and the
//! next run prints its totals beside that previous run's.
//!
//! `bench --check` only looks for that build, prints where the named wasm twins are, and exits
//! (`scripts/test-target-dir.sh` runs it with a CARGO_TARGET_DIR of its own). `bench --render`
//! runs only the render comparison against the plain-JS reference (`bench_reference.js`) and
//! writes nothing: a minute's loop for work on the render path. `bench --profile` does the same
//! with the widget's runs CPU-profiled (Chromium's sampling profiler through CDP, the bundles'
//! wasm swapped for their named twins) and lists the functions with the most self time.

use anyhow::{bail, Context, Result};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use visitor_sidebar_e2e::{dist_copy, dist_dir, start_demo, Browser, DemoServer, WorkspaceDist};

const LP_SEED: &str =
    "visitorId=jnPABZYjQcOS2Uk5fp_HnA&sid=c524460e4432e9f93cf700af590f16ef181f20e6";
const LOADS: usize = 20;
/// Timed renders of each answer by the widget and by the plain-JS reference (each, interleaved).
const RENDERS: usize = 15;
/// The targets of issue 23: the widget at most this many times the reference's time for the
/// large answers, and the seed-sized visit laid out within one frame of its body's arrival.
const TARGET_RATIO: f64 = 2.0;
const FRAME_MS: f64 = 16.0;
/// How far the two DOMs' counts (elements, text nodes, rows) may differ for the comparison to
/// stand.
const SAME_DOM: f64 = 0.03;
/// The seed visit (the API document's sample), as a body of its own size.
const SEED_VISIT: &str = include_str!("../../../fixtures/liveperson-visit.json");
/// The browser half: the reference renderer, then the page script that calls it or the widget.
const RENDER_SCRIPT: &str = concat!(
    include_str!("../bench_reference.js"),
    include_str!("../bench_page.js")
);
/// What one view may transfer (bytes, 1 KB = 1,024 bytes): issue 23's gzip target, and the
/// one after it.
const TARGET_GZIP: usize = 180 * 1024;
const NEXT_TARGET_GZIP: usize = 150 * 1024;
const TARGET_BROTLI: usize = 125 * 1024;
/// What each view sent gzipped before "At a glance" (issue 20; `make bench` at 61df35f, in KB),
/// and what the glance may add to it.
const BEFORE_GLANCE_GZIP_KB: [(&str, f64); 3] = [
    ("LiveChat iframe view", 222.2),
    ("LivePerson iframe view", 228.4),
    ("demo console (both providers)", 288.6),
];
const GLANCE_BUDGET_KB: f64 = 10.0;
/// How many of each bundle's largest items to list.
const TOP_ITEMS: usize = 20;

/// The views a benchmark loads: name, path on the demo proxy, text that shows it has started.
const VIEWS: [(&str, &str, &str); 3] = [
    ("LiveChat iframe view", "/?provider=livechat", "visitors"),
    (
        "LivePerson iframe view",
        "/?provider=liveperson&visitorId=jnPABZYjQcOS2Uk5fp_HnA&sid=c524460e4432e9f93cf700af590f16ef181f20e6",
        "Test Page",
    ),
    ("demo console (both providers)", "/console.html", "John Doe"),
];

/// The bundles `scripts/build.sh` builds: name and file stem.
const BUNDLES: [(&str, &str); 3] = [
    ("livechat", "visitor-sidebar-livechat"),
    ("liveperson", "visitor-sidebar-liveperson"),
    ("full", "visitor-sidebar"),
];

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

fn kb(bytes: usize) -> f64 {
    bytes as f64 / 1024.0
}

/// "met (12.3 KB to spare)" or "MISSED by 12.3 KB".
fn against(total: usize, target: usize) -> String {
    if total <= target {
        format!("met ({:.1} KB to spare)", kb(target - total))
    } else {
        format!("MISSED by {:.1} KB", kb(total - target))
    }
}

/// One file a view loaded, and its size as the proxy sends it for each encoding.
struct Loaded {
    path: String,
    raw: usize,
    gzip: usize,
    brotli: usize,
    /// What Chromium itself counted (`encodedBodySize`, brotli where the proxy has a twin).
    browser: usize,
}

/// The same-origin files (the page and what it loaded, not `/api` data) of the view at `path`.
async fn view_files(
    browser: &Browser,
    demo: &DemoServer,
    path: &str,
    started: &str,
) -> Result<Vec<Loaded>> {
    browser.open(demo, path).await?;
    browser.wait_for_text("aside.vs-root", started).await?;
    let entries = browser
        .client
        .execute(
            r#"return [...performance.getEntriesByType("navigation"),
                       ...performance.getEntriesByType("resource")]
                 .map(e => [e.name, e.encodedBodySize]);"#,
            vec![],
        )
        .await?;
    let origin = demo.url();
    let http = reqwest::Client::new();
    let mut files = Vec::new();
    for entry in entries.as_array().context("resource entries")? {
        let url = entry[0].as_str().context("entry name")?;
        let Some(rest) = url.strip_prefix(&origin) else {
            continue;
        };
        let path = rest.split(['?', '#']).next().unwrap_or_default().to_owned();
        // API data is not the widget; the favicon is the browser's own request (answered with
        // the page by the proxy's fallback), not something the page loads.
        if path.starts_with("/api/") || path == "/favicon.ico" {
            continue;
        }
        // Fetched again as a browser accepting each encoding would get it; reqwest here
        // decodes nothing, so the body length is what crosses the wire.
        let mut sizes = Vec::new();
        for accept in ["identity", "gzip", "br"] {
            let response = http
                .get(format!("{origin}{path}"))
                .header("Accept-Encoding", accept)
                .send()
                .await?;
            if !response.status().is_success() {
                bail!("{path}: HTTP {}", response.status());
            }
            let expected = (accept != "identity").then_some(accept);
            let got = response
                .headers()
                .get("content-encoding")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            if got.as_deref() != expected && path != "/" && !path.ends_with(".html") {
                bail!("{path}: asked for {accept}, the proxy sent {got:?}");
            }
            sizes.push(response.bytes().await?.len());
        }
        files.push(Loaded {
            path,
            raw: sizes[0],
            gzip: sizes[1],
            brotli: sizes[2],
            browser: entry[1].as_u64().unwrap_or(0) as usize,
        });
    }
    if files.len() < 3 {
        bail!("{path}: the browser reports only {} files", files.len());
    }
    Ok(files)
}

/// Totals of the previous run, from `artifacts/bench-sizes.tsv`: view → (raw, gzip, brotli).
fn previous_totals(file: &Path) -> BTreeMap<String, [usize; 3]> {
    let Ok(text) = std::fs::read_to_string(file) else {
        return BTreeMap::new();
    };
    text.lines()
        .filter_map(|line| {
            let mut cells = line.split('\t');
            let view = cells.next()?.to_owned();
            let mut n = [0; 3];
            for slot in &mut n {
                *slot = cells.next()?.parse().ok()?;
            }
            Some((view, n))
        })
        .collect()
}

fn delta(now: usize, before: Option<usize>) -> String {
    match before {
        Some(before) => format!("{:+.1} KB", (now as f64 - before as f64) / 1024.0),
        None => "-".into(),
    }
}

/// The directory cargo writes to, as `scripts/target-dir.sh` resolves it: the one place that
/// answers for build, bench and serve, so the bench looks where `scripts/build.sh` wrote.
fn target_dir() -> Result<PathBuf> {
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../scripts/target-dir.sh");
    let output = std::process::Command::new(&script)
        .stderr(std::process::Stdio::inherit())
        .output()
        .with_context(|| format!("cannot run {}", script.display()))?;
    if !output.status.success() {
        bail!(
            "{} cannot tell cargo's target directory (its error is above)",
            script.display()
        );
    }
    let dir = String::from_utf8(output.stdout).context("cargo's target directory is not UTF-8")?;
    Ok(PathBuf::from(dir.trim_end_matches('\n')))
}

/// Each bundle's wasm with its function names kept (`NAMED_WASM=1 scripts/build.sh` writes
/// them to `bundles/` in cargo's target directory), as (bundle, file stem, path).
fn named_wasm() -> Result<Vec<(&'static str, &'static str, PathBuf)>> {
    let bundles = target_dir()?.join("bundles");
    BUNDLES
        .into_iter()
        .map(|(bundle, stem)| {
            let named = bundles.join(bundle).join(format!("{stem}_bg.named.wasm"));
            if !named.is_file() {
                bail!(
                    "{} is missing: build with NAMED_WASM=1 scripts/build.sh (make bench does), with the same CARGO_TARGET_DIR",
                    named.display()
                );
            }
            Ok((bundle, stem, named))
        })
        .collect()
}

/// twiggy's largest items of one bundle by retained size: the wasm-opt output with its
/// function names kept (`NAMED_WASM=1 scripts/build.sh`), as (retained bytes, percent, name).
fn largest_items(named: &Path) -> Result<Vec<(u64, f64, String)>> {
    let output = std::process::Command::new("twiggy")
        .args(["top", "--retained", "-n", "60", "-f", "json"])
        .arg(named)
        .output()
        .context("cannot run twiggy (scripts/install-tools.sh --bench installs it)")?;
    if !output.status.success() {
        bail!(
            "twiggy failed on {}: {}",
            named.display(),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let items: serde_json::Value = serde_json::from_slice(&output.stdout)?;
    Ok(items
        .as_array()
        .context("twiggy's JSON is a list")?
        .iter()
        .filter_map(|item| {
            let name = item["name"].as_str()?.to_owned();
            // The function table, its element segment and the name section retain everything
            // or are not shipped: not items a size decision acts on.
            let meta = name.starts_with("table[")
                || name.starts_with("elem[")
                || name.contains("subsection")
                || name.starts_with("custom section");
            (!meta).then(|| {
                (
                    item["retained_size"].as_u64().unwrap_or(0),
                    item["retained_size_percent"].as_f64().unwrap_or(0.0),
                    name,
                )
            })
        })
        .take(TOP_ITEMS)
        .collect())
}

async fn sizes(
    report: &mut String,
    demo: &DemoServer,
    named: &[(&str, &str, PathBuf)],
) -> Result<()> {
    let artifacts = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../artifacts");
    let tsv = artifacts.join("bench-sizes.tsv");
    let before = previous_totals(&tsv);
    let mut totals = String::new();
    writeln!(
        report,
        "\n## What one view transfers (the page and what it loads, not /api data; 1 KB = 1,024 B)"
    )?;
    writeln!(
        report,
        "Sizes as the proxy's --static sends them to a browser accepting no encoding, gzip, brotli."
    )?;
    let mut summary = String::new();
    let mut glance = String::new();
    for (view, path, started) in VIEWS {
        // A fresh browser per view: nothing comes from an earlier view's cache.
        let browser = Browser::start(400, 900).await?;
        let files = view_files(&browser, demo, path, started).await?;
        browser.close().await?;
        writeln!(report, "\n### {view}: {path}")?;
        writeln!(
            report,
            "{:<56} {:>9} {:>9} {:>9} {:>9}",
            "file", "raw B", "gzip B", "brotli B", "browser B"
        )?;
        let mut sum = [0usize; 4];
        for f in &files {
            writeln!(
                report,
                "{:<56} {:>9} {:>9} {:>9} {:>9}",
                f.path, f.raw, f.gzip, f.brotli, f.browser
            )?;
            for (slot, n) in sum.iter_mut().zip([f.raw, f.gzip, f.brotli, f.browser]) {
                *slot += n;
            }
        }
        writeln!(
            report,
            "{:<56} {:>9} {:>9} {:>9} {:>9}",
            "total", sum[0], sum[1], sum[2], sum[3]
        )?;
        let previous = before.get(view);
        writeln!(
            summary,
            "{view:<32} {:>8.1} {:>8.1} {:>8.1}   gzip <= 180 KB: {} (next <= 150 KB: {}); brotli <= 125 KB: {}   (since the last run: raw {}, gzip {}, brotli {})",
            kb(sum[0]),
            kb(sum[1]),
            kb(sum[2]),
            against(sum[1], TARGET_GZIP),
            against(sum[1], NEXT_TARGET_GZIP),
            against(sum[2], TARGET_BROTLI),
            delta(sum[0], previous.map(|p| p[0])),
            delta(sum[1], previous.map(|p| p[1])),
            delta(sum[2], previous.map(|p| p[2])),
        )?;
        writeln!(totals, "{view}\t{}\t{}\t{}", sum[0], sum[1], sum[2])?;
        if let Some((_, before)) = BEFORE_GLANCE_GZIP_KB.iter().find(|(v, _)| *v == view) {
            let cost = kb(sum[1]) - before;
            writeln!(
                glance,
                "{view:<32} {before:>8.1} -> {:>6.1} KB gzip: {cost:+.1} KB   target <= +{GLANCE_BUDGET_KB} KB: {}",
                kb(sum[1]),
                verdict(cost <= GLANCE_BUDGET_KB)
            )?;
        }
    }
    writeln!(
        report,
        "\n### Per view, against the targets\n{:<32} {:>8} {:>8} {:>8}\n{summary}",
        "view", "raw KB", "gzip KB", "brotli KB"
    )?;
    writeln!(
        report,
        "\n### What \"At a glance\" (issue 20) costs each view, against the views before it\n{glance}"
    )?;
    std::fs::create_dir_all(&artifacts)?;
    std::fs::write(&tsv, totals)?;

    for (bundle, stem, named) in named {
        writeln!(
            report,
            "\n## The {TOP_ITEMS} largest items of the {bundle} bundle (twiggy top --retained; {stem}_bg.wasm with names kept)"
        )?;
        writeln!(report, "{:>10} {:>7}  item", "retained B", "%")?;
        for (bytes, percent, name) in largest_items(named)? {
            let name: String = name.chars().take(150).collect();
            writeln!(report, "{bytes:>10} {percent:>6.2}%  {name}")?;
        }
    }
    Ok(())
}

/// One timed render in the bench page (`bench_page.js`): body arrival to laid out, mount to
/// first data and the glance's share (the widget's), and the panel's DOM as counted after it.
struct Render {
    body_ms: f64,
    mount_ms: f64,
    glance_ms: f64,
    dom: [u64; 3],
    /// How many of each element (`tag.class.class`) and text node (`#text in tag.class`).
    shape: BTreeMap<String, u64>,
}

/// The kinds of node whose counts differ between two DOM shapes, one line each.
fn shape_differences(widget: &BTreeMap<String, u64>, reference: &BTreeMap<String, u64>) -> String {
    let mut lines = String::new();
    for name in widget
        .keys()
        .chain(reference.keys())
        .collect::<std::collections::BTreeSet<_>>()
    {
        let (w, r) = (
            widget.get(name).copied().unwrap_or(0),
            reference.get(name).copied().unwrap_or(0),
        );
        if w != r {
            let _ = writeln!(lines, "  {name}: {w}, {r}");
        }
    }
    lines
}

async fn render_once(
    browser: &Browser,
    kind: &str,
    size: &serde_json::Value,
    who: &str,
) -> Result<Render> {
    let answer = browser
        .client
        .execute_async(RENDER_SCRIPT, vec![kind.into(), size.clone(), who.into()])
        .await?;
    if let Some(error) = answer["error"].as_str() {
        bail!("bench page, {who} rendering {kind}: {error}");
    }
    let number = |name: &str| answer[name].as_f64().unwrap_or(f64::NAN);
    let count = |name: &str| answer[name].as_u64().unwrap_or(0);
    Ok(Render {
        body_ms: number("bodyMs"),
        mount_ms: number("mountMs"),
        glance_ms: number("glanceMs"),
        dom: [count("elements"), count("texts"), count("rows")],
        shape: answer["shape"]
            .as_object()
            .map(|shape| {
                shape
                    .iter()
                    .map(|(name, n)| (name.clone(), n.as_u64().unwrap_or(0)))
                    .collect()
            })
            .unwrap_or_default(),
    })
}

/// With `--profile`: the release build with each bundle's wasm replaced by its twin that keeps
/// function names, so the CPU profile names the widget's functions.
fn named_dist(named: &[(&str, &str, PathBuf)]) -> Result<WorkspaceDist> {
    let copy = dist_copy()?;
    for (_, stem, path) in named {
        let prefix = format!("{stem}-");
        let served = std::fs::read_dir(&copy.dir)?
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .find(|name| {
                name.strip_prefix(&prefix)
                    .and_then(|rest| rest.strip_suffix("_bg.wasm"))
                    .is_some_and(|hash| {
                        hash.len() == 16 && hash.chars().all(|c| c.is_ascii_hexdigit())
                    })
            })
            .with_context(|| format!("no {stem}-<hash>_bg.wasm in the release build"))?;
        std::fs::copy(path, copy.dir.join(&served))?;
        for twin in ["br", "gz"] {
            let _ = std::fs::remove_file(copy.dir.join(format!("{served}.{twin}")));
        }
    }
    Ok(copy)
}

/// CPU time per function (name and where it is: wasm, the bundle's JS, the browser's), summed
/// over CPU profiles (CDP `Profiler.stop` answers): its own, and with what it called.
#[derive(Default)]
struct CpuTimes {
    own: BTreeMap<String, f64>,
    total: BTreeMap<String, f64>,
}

impl CpuTimes {
    fn add(&mut self, profile: &serde_json::Value) {
        let mut names = BTreeMap::new();
        let mut parents = BTreeMap::new();
        for node in profile["nodes"].as_array().into_iter().flatten() {
            let id = node["id"].as_u64().unwrap_or(0);
            let frame = &node["callFrame"];
            let function = frame["functionName"].as_str().unwrap_or_default();
            let url = frame["url"].as_str().unwrap_or_default();
            let place = if url.starts_with("wasm://") || url.ends_with(".wasm") {
                "wasm"
            } else if url.is_empty() {
                "browser"
            } else {
                url.rsplit('/').next().unwrap_or(url)
            };
            // Unnamed JS functions (wasm-bindgen's catching shims) told apart by their line.
            let function = if function.is_empty() {
                format!(
                    "(anonymous):{}",
                    frame["lineNumber"].as_i64().unwrap_or(-1) + 1
                )
            } else {
                function.to_owned()
            };
            names.insert(id, format!("{function} [{place}]"));
            for child in node["children"].as_array().into_iter().flatten() {
                parents.insert(child.as_u64().unwrap_or(0), id);
            }
        }
        let samples = profile["samples"].as_array().into_iter().flatten();
        let deltas = profile["timeDeltas"].as_array().into_iter().flatten();
        for (sample, delta) in samples.zip(deltas) {
            let ms = delta.as_f64().unwrap_or(0.0) / 1000.0;
            let Some(mut id) = sample.as_u64() else {
                continue;
            };
            if let Some(name) = names.get(&id) {
                *self.own.entry(name.clone()).or_default() += ms;
            }
            // Each function on the stack once, however deep it recurses.
            let mut on_stack = std::collections::BTreeSet::new();
            loop {
                if let Some(name) = names.get(&id) {
                    if on_stack.insert(name) {
                        *self.total.entry(name.clone()).or_default() += ms;
                    }
                }
                match parents.get(&id) {
                    Some(&parent) => id = parent,
                    None => break,
                }
            }
        }
    }

    /// The `n` functions with the most own time, and the `n` of the widget's (wasm and bundle
    /// JS) with the most time with what they called, one line each, per render.
    fn top(&self, n: usize, runs: usize) -> String {
        let per_run = |ms: f64| ms / runs as f64;
        let ranked = |map: &BTreeMap<String, f64>, widget_only: bool| {
            let mut all: Vec<(String, f64)> = map
                .iter()
                .filter(|(name, _)| !name.starts_with("(idle)") && !name.starts_with("(root)"))
                .filter(|(name, _)| !widget_only || !name.ends_with("[browser]"))
                .map(|(name, ms)| (name.chars().take(110).collect(), per_run(*ms)))
                .collect();
            all.sort_by(|a, b| b.1.total_cmp(&a.1));
            all
        };
        let own = ranked(&self.own, false);
        let all: f64 = own.iter().map(|(_, ms)| ms).sum();
        let mut lines = format!(
            "{:<56} CPU per render, whole run ({all:.1} ms, the bench page's own work included), own time:\n",
            ""
        );
        for (name, ms) in own.into_iter().take(n) {
            let _ = writeln!(lines, "{:<56} {ms:>6.2} ms  {name}", "");
        }
        let _ = writeln!(lines, "{:<56} the widget's, with what they called:", "");
        for (name, ms) in ranked(&self.total, true).into_iter().take(n) {
            let _ = writeln!(lines, "{:<56} {ms:>6.2} ms  {name}", "");
        }
        lines
    }
}

/// Whether two DOM counts are within [`SAME_DOM`] of each other.
fn same_dom(widget: [u64; 3], reference: [u64; 3]) -> bool {
    widget.iter().zip(reference).all(|(&w, r)| {
        let (w, r) = (w as f64, r as f64);
        (w - r).abs() <= SAME_DOM * w.max(r)
    })
}

/// Each answer rendered by the widget and by the plain-JS reference (`bench_reference.js`),
/// interleaved in the iframe page of that provider's bundle: both times, their ratio against
/// the targets, and both DOMs' counts (the comparison stands only when they match).
///
/// `profile`: the widget's runs are also CPU-profiled (CDP's sampling profiler, which slows
/// them), and the functions that took the most time are listed under each answer.
async fn render_against_reference(
    browser: &Browser,
    base: &str,
    section: &mut String,
    profile: bool,
) -> Result<()> {
    if profile {
        browser
            .cdp("Profiler.enable", serde_json::json!({}))
            .await?;
        browser
            .cdp(
                "Profiler.setSamplingInterval",
                serde_json::json!({"interval": 100}),
            )
            .await?;
    }
    writeln!(
        section,
        "\n## Render against a plain-JS reference (issue 23): the same body, the same DOM"
    )?;
    writeln!(
        section,
        "From the body's arrival (a Response) to its DOM built and laid out; medians of {RENDERS} runs each, \
         interleaved (widget, reference, widget, ...) after one of each to warm up; the ratio is the median of \
         each widget run's time over the reference run's after it. The reference (e2e/src/bench_reference.js) is \
         response.json() and createElement, building the widget's first screen for the body; DOM counted as \
         elements / text nodes / rows (li)."
    )?;
    let cases = [
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
        (
            "seed",
            serde_json::json!(SEED_VISIT),
            "LivePerson seed visit (fixtures/liveperson-visit.json)",
        ),
    ];
    let mut mount_lines = String::new();
    for (kind, size, label) in cases {
        // The iframe view of that provider: its bundle is the one the page loads.
        let provider = if kind == "livechat" {
            "livechat"
        } else {
            "liveperson"
        };
        browser
            .client
            .goto(&format!("{base}/?provider={provider}"))
            .await?;
        browser
            .wait_for_text(
                "aside.vs-root",
                if provider == "liveperson" {
                    "must pass"
                } else {
                    "visitors"
                },
            )
            .await?;
        for who in ["widget", "reference"] {
            render_once(browser, kind, &size, who).await?;
        }
        let (mut widget, mut reference) = (Vec::new(), Vec::new());
        let mut times = CpuTimes::default();
        for _ in 0..RENDERS {
            if profile {
                browser.cdp("Profiler.start", serde_json::json!({})).await?;
            }
            widget.push(render_once(browser, kind, &size, "widget").await?);
            if profile {
                times.add(&browser.cdp("Profiler.stop", serde_json::json!({})).await?["profile"]);
            }
            reference.push(render_once(browser, kind, &size, "reference").await?);
        }
        let (w_dom, r_dom) = (widget[0].dom, reference[0].dom);
        for (runs, first, who) in [(&widget, w_dom, "widget"), (&reference, r_dom, "reference")] {
            if let Some(other) = runs.iter().find(|r| r.dom != first) {
                bail!(
                    "{label}: one {who} render built {first:?}, another {:?}",
                    other.dom
                );
            }
        }
        let dom_line = format!(
            "DOM: widget {} / {} / {}, reference {} / {} / {}",
            w_dom[0], w_dom[1], w_dom[2], r_dom[0], r_dom[1], r_dom[2]
        );
        if !same_dom(w_dom, r_dom) {
            print!("{section}");
            bail!(
                "{label}: the reference built another DOM than the widget ({dom_line}; they may differ by {:.0} %): \
                 bench_reference.js no longer mirrors the widget's views. Where they differ (element or \
                 text node's parent: widget, reference):\n{}",
                SAME_DOM * 100.0,
                shape_differences(&widget[0].shape, &reference[0].shape)
            );
        }
        let w = median(widget.iter().map(|r| r.body_ms).collect());
        let r = median(reference.iter().map(|r| r.body_ms).collect());
        // Each widget run against the reference run right after it, so that both saw the same
        // load on a shared machine: the median of those ratios.
        let ratio = median(
            widget
                .iter()
                .zip(&reference)
                .map(|(w, r)| w.body_ms / r.body_ms)
                .collect(),
        );
        let target = if kind == "seed" {
            format!(
                "widget laid out within one frame (<= {FRAME_MS} ms): {}",
                verdict(w <= FRAME_MS)
            )
        } else {
            format!(
                "ratio <= {TARGET_RATIO:.1}: {}",
                verdict(ratio <= TARGET_RATIO)
            )
        };
        writeln!(
            section,
            "{label:<56} widget {w:>7.1} ms   reference {r:>6.1} ms   ratio {ratio:>5.2}   {target}\n{:<56} {dom_line}",
            ""
        )?;
        if profile {
            section.push_str(&times.top(25, RENDERS));
        }
        if kind != "seed" {
            let m = median(widget.iter().map(|r| r.mount_ms).collect());
            writeln!(
                mount_lines,
                "{label:<48} {m:>8.1} ms   target <= 100 ms: {}",
                verdict(m <= 100.0)
            )?;
        }
        if kind == "liveperson" {
            // The list has no glance; the visit's is part of the time above.
            let g = median(widget.iter().map(|r| r.glance_ms).collect());
            writeln!(
                mount_lines,
                "{:<48} {g:>8.1} ms   of it: computing \"At a glance\" (target <= 16 ms, one frame): {}",
                "",
                verdict(g <= 16.0)
            )?;
        }
    }
    writeln!(
        section,
        "\n## Decode + render of large answers: mount() to first data (the widget's runs above, median of {RENDERS})\n{mount_lines}"
    )?;
    Ok(())
}

#[tokio::main]
async fn main() -> Result<()> {
    let (check_only, render_only, profile) = match std::env::args().nth(1).as_deref() {
        None => (false, false, false),
        Some("--check") => (true, false, false),
        Some("--render") => (false, true, false),
        Some("--profile") => (false, true, true),
        Some(other) => {
            bail!("unknown argument {other:?}; bench takes none, --check, --render or --profile")
        }
    };
    // Both looked for before anything starts, so a missing build fails at once.
    let dist = dist_dir()?;
    let named = named_wasm()?;
    if check_only {
        println!("release build: {}", dist.display());
        for (bundle, _, path) in &named {
            println!("{bundle} bundle, names kept: {}", path.display());
        }
        return Ok(());
    }
    if render_only {
        let served = profile.then(|| named_dist(&named)).transpose()?;
        let demo = match &served {
            Some(copy) => {
                visitor_sidebar_proxy::start_demo("127.0.0.1:0".parse()?, Some(copy.dir.clone()))
                    .await?
            }
            None => start_demo().await?,
        };
        let browser = Browser::start(400, 900).await?;
        let mut section = String::new();
        render_against_reference(&browser, &demo.url(), &mut section, profile).await?;
        browser.close().await?;
        print!("{section}");
        return Ok(());
    }
    let demo = start_demo().await?;
    let mut report = String::new();
    writeln!(report, "visitor-sidebar benchmark: widget")?;
    sizes(&mut report, &demo, &named).await?;
    print!("{report}");
    let browser = Browser::start(400, 900).await?;
    let base = demo.url();

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

    render_against_reference(&browser, &base, &mut section, false).await?;

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
