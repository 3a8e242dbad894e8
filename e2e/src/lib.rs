//! The end-to-end harness: the proxy in demo mode serving the release build from `dist/`,
//! chromedriver on a free loopback port, and a fresh headless Chromium per test.

use anyhow::{bail, Context, Result};
use fantoccini::{Client, ClientBuilder, Locator};
use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

pub use visitor_sidebar_proxy::DemoServer;

/// How long a test waits for something to appear before it fails.
pub const WAIT: Duration = Duration::from_secs(20);

/// The release build the tests load (`trunk build --release` writes it).
pub fn dist_dir() -> Result<PathBuf> {
    let dist = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../dist");
    if !dist.join("index.html").is_file() {
        bail!(
            "{} has no build: run `make build` (trunk build --release) before the end-to-end tests",
            dist.display()
        );
    }
    Ok(dist)
}

/// The proxy in demo mode (simulated upstreams) on a free loopback port, serving `dist/`.
pub async fn start_demo() -> Result<DemoServer> {
    visitor_sidebar_proxy::start_demo("127.0.0.1:0".parse()?, Some(dist_dir()?)).await
}

/// The test-only stand-in for LivePerson's Agent Workspace SDK (`client-SDK.min.js`); see the
/// file for what it implements. It is never part of `dist/`: tests serve it from a copy.
pub const LP_SDK_STANDIN: &str = include_str!("../www/lp-agent-sdk-standin.js");

/// A copy of `dist/` in a temporary directory (removed on drop) for the Agent Workspace tests:
/// its `index.html` loads LivePerson's SDK from another address, and the SDK stand-in is beside
/// it at `/lp-agent-sdk-standin.js`.
pub struct WorkspaceDist {
    pub dir: PathBuf,
    _dir: TempDir,
}

/// `html` with the `<meta name="NAME">` tag's content set to `content` (the tag is added before
/// `</head>` when the page has none).
pub fn with_meta(html: &str, name: &str, content: &str) -> String {
    let content = content.replace('&', "&amp;").replace('"', "&quot;");
    let tag = format!(r#"<meta name="{name}" content="{content}">"#);
    let marker = format!(r#"name="{name}""#);
    match html.find(&marker) {
        Some(at) => {
            let start = html[..at].rfind('<').unwrap_or(at);
            let end = at + html[at..].find('>').map_or(0, |e| e + 1);
            format!("{}{tag}{}", &html[..start], &html[end..])
        }
        None => html.replacen("</head>", &format!("{tag}\n</head>"), 1),
    }
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) -> Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), target)?;
        }
    }
    Ok(())
}

/// A copy of `dist/` in a fresh temporary directory (removed on drop), for a test to change.
pub fn dist_copy() -> Result<WorkspaceDist> {
    static COPIES: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = COPIES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("vs-e2e-dist-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let guard = TempDir(dir.clone());
    copy_dir(&dist_dir()?, &dir)?;
    Ok(WorkspaceDist { dir, _dir: guard })
}

/// The release build whose `visitor-sidebar:liveperson-sdk-url` is `sdk_url`, plus the stand-in.
pub fn workspace_dist(sdk_url: &str) -> Result<WorkspaceDist> {
    let copy = dist_copy()?;
    let dir = &copy.dir;
    let index = std::fs::read_to_string(dir.join("index.html"))?;
    write_file(
        dir,
        "index.html",
        &with_meta(&index, "visitor-sidebar:liveperson-sdk-url", sdk_url),
    )?;
    write_file(dir, "lp-agent-sdk-standin.js", LP_SDK_STANDIN)?;
    Ok(copy)
}

/// Writes `name` in a copy of `dist/` and removes its precompressed twins, which would still be
/// served (as they were built) to browsers that accept their encoding.
pub fn write_file(dir: &std::path::Path, name: &str, content: &str) -> Result<()> {
    std::fs::write(dir.join(name), content)?;
    for twin in ["br", "gz"] {
        let _ = std::fs::remove_file(dir.join(format!("{name}.{twin}")));
    }
    Ok(())
}

/// The proxy in demo mode serving [`workspace_dist`]`(sdk_url)`.
pub async fn start_workspace_demo(sdk_url: &str) -> Result<(DemoServer, WorkspaceDist)> {
    let dist = workspace_dist(sdk_url)?;
    let demo =
        visitor_sidebar_proxy::start_demo("127.0.0.1:0".parse()?, Some(dist.dir.clone())).await?;
    Ok((demo, dist))
}

/// The demo proxy serving `dist/` (simulator as given), whose pages may also be framed from
/// `http://localhost:*` (`VS_FRAME_ANCESTORS`): tests of the consoles' SDKs open their stand-in
/// console (such as `/agent-app.html`) at [`other_origin`], so that it frames the widget from
/// another origin, as the real consoles do.
pub async fn start_demo_for_consoles(
    sim: visitor_sidebar_proxy::sim::SimConfig,
) -> Result<DemoServer> {
    let mut raw = visitor_sidebar_proxy::RawConfig::default();
    raw.set("VS_FRAME_ANCESTORS", "'self' http://localhost:*");
    visitor_sidebar_proxy::start_demo_with_sim(raw, "127.0.0.1:0".parse()?, Some(dist_dir()?), sim)
        .await
}

/// The tests' custom console (`e2e/www/custom-console.*`): it frames the widget's iframe page at
/// `?widget=URL` and takes its inserts by postMessage.
const CUSTOM_CONSOLE: [(&str, &str, &str); 3] = [
    (
        "/custom-console.html",
        "text/html; charset=utf-8",
        include_str!("../www/custom-console.html"),
    ),
    (
        "/custom-console.css",
        "text/css; charset=utf-8",
        include_str!("../www/custom-console.css"),
    ),
    (
        "/custom-console.js",
        "text/javascript; charset=utf-8",
        include_str!("../www/custom-console.js"),
    ),
];

/// The custom console's policy: its own files only, as strict as the widget's pages, except that
/// it frames the widget on any loopback port.
const CUSTOM_CONSOLE_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
     frame-src http://127.0.0.1:*; object-src 'none'; base-uri 'none'; form-action 'none'; \
     frame-ancestors 'none'";

/// [`start_custom_console`]'s server: its own loopback port, so another origin than the demo's
/// widget, as a console is. Dropping it stops the server.
pub struct CustomConsole {
    pub addr: std::net::SocketAddr,
    server: tokio::task::JoinHandle<()>,
}

impl CustomConsole {
    /// `http://127.0.0.1:PORT`, the console's origin.
    pub fn origin(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The console's page framing `widget` (a full URL).
    pub fn url(&self, widget: &str) -> Result<String> {
        let mut url = url::Url::parse(&format!("{}/custom-console.html", self.origin()))?;
        url.query_pairs_mut().append_pair("widget", widget);
        Ok(url.into())
    }
}

impl Drop for CustomConsole {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// Serves the tests' custom console on a free loopback port.
pub async fn start_custom_console() -> Result<CustomConsole> {
    use axum::http::header;
    let mut app = axum::Router::new();
    for (path, content_type, body) in CUSTOM_CONSOLE {
        app = app.route(
            path,
            axum::routing::get(move || async move {
                (
                    [
                        (header::CONTENT_TYPE, content_type),
                        (header::CONTENT_SECURITY_POLICY, CUSTOM_CONSOLE_POLICY),
                        (header::CACHE_CONTROL, "no-cache"),
                    ],
                    body,
                )
            }),
        );
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let server = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Ok(CustomConsole { addr, server })
}

/// The stand-in Agent App (`/agent-app.html`) at [`other_origin`], framing the demo's widget
/// page at `widget` (a path and query, e.g. `/?console=livechat`).
pub fn agent_app_url(demo: &DemoServer, widget: &str) -> String {
    format!(
        "{}?widget={}{widget}",
        other_origin(demo, "/agent-app.html"),
        demo.url()
    )
}

/// `http://localhost:PORT{path}`: the demo proxy under another origin than its own
/// (`http://127.0.0.1:PORT`).
pub fn other_origin(demo: &DemoServer, path: &str) -> String {
    format!("http://localhost:{}{path}", demo.addr.port())
}

/// Clicks the first element matching `css` (the WebDriver click: in view, not covered).
pub async fn click(client: &Client, css: &str) -> Result<()> {
    client
        .find(Locator::Css(css))
        .await
        .with_context(|| format!("no element matches {css}"))?
        .click()
        .await?;
    Ok(())
}

/// A chromedriver-only command: `POST /session/{id}/{path}` with a JSON body. `se/log` with
/// `{"type": "browser"}` gives the browser's console entries since the last call (needs
/// `goog:loggingPrefs`); `goog/cdp/execute` runs one Chrome DevTools Protocol command.
#[derive(Debug)]
struct ChromedriverPost {
    path: &'static str,
    body: String,
}

impl fantoccini::wd::WebDriverCompatibleCommand for ChromedriverPost {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/{}",
            session_id.unwrap_or_default(),
            self.path
        ))
    }

    fn method_and_body(&self, _request_url: &url::Url) -> (http::Method, Option<String>) {
        (http::Method::POST, Some(self.body.clone()))
    }
}

/// Chromium's switches for a page that reports a mouse (`(hover: hover)`, `(pointer: fine)`), as
/// an agent's desktop does: headless Chromium has no pointing device, so by default its pages
/// match `(hover: none)`, the touch-screen layout.
pub const WITH_MOUSE: &str = "--blink-settings=primaryHoverType=2,availableHoverTypes=2,\
     primaryPointerType=4,availablePointerTypes=4";

/// A headless Chromium driven through chromedriver. Dropping it ends both processes.
pub struct Browser {
    pub client: Client,
    _driver: Driver,
    _profile: TempDir,
}

/// chromedriver in a process group of its own, with the Chromium it starts: dropped, the whole
/// group is killed, so a test that fails before closing its session leaves no browser behind
/// (killing chromedriver alone would orphan Chromium's processes).
struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        if let Some(pid) = self.0.id() {
            let _ = std::process::Command::new("kill")
                .args(["-KILL", "--", &format!("-{pid}")])
                .stderr(Stdio::null())
                .status();
        }
    }
}

struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn free_port() -> Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

impl Browser {
    /// Opens the stand-in Agent App at `url` and waits until the widget's SDK has said
    /// `plugin_inited` (the page stays in the top frame).
    pub async fn open_agent_app(&self, url: &str) -> Result<()> {
        self.client.goto(url).await?;
        self.wait_js(
            "the widget's plugin_inited",
            "window.agentApp && window.agentApp.state.inited",
        )
        .await?;
        Ok(())
    }

    /// Clicks the first element matching `css` in the current frame.
    pub async fn click(&self, css: &str) -> Result<()> {
        click(&self.client, css).await
    }

    /// Starts chromedriver and a fresh Chromium profile with a `width`×`height` window.
    pub async fn start(width: u32, height: u32) -> Result<Browser> {
        Browser::start_with(width, height, &[]).await
    }

    /// [`Browser::start`] with more Chromium switches.
    pub async fn start_with(width: u32, height: u32, switches: &[&str]) -> Result<Browser> {
        let port = free_port()?;
        let mut driver =
            Command::new(std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".into()))
                .arg(format!("--port={port}"))
                .stdout(Stdio::piped())
                .stderr(Stdio::null())
                .process_group(0)
                .kill_on_drop(true)
                .spawn()
                .context("cannot start chromedriver (is it installed and on PATH?)")?;
        // chromedriver says when it listens; read that instead of guessing with a sleep.
        let stdout = driver.stdout.take().context("chromedriver stdout")?;
        let mut lines = BufReader::new(stdout).lines();
        tokio::time::timeout(WAIT, async {
            while let Some(line) = lines.next_line().await? {
                if line.contains("started successfully") {
                    return Ok(());
                }
            }
            bail!("chromedriver exited before it was ready")
        })
        .await
        .context("chromedriver did not start in time")??;
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });

        let profile =
            std::env::temp_dir().join(format!("vs-e2e-profile-{port}-{}", std::process::id()));
        std::fs::create_dir_all(&profile)?;
        let binary = std::env::var("CHROME_BIN").unwrap_or_else(|_| "/usr/bin/chromium".into());
        let mut args: Vec<String> = [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ]
        .into_iter()
        .map(str::to_owned)
        .collect();
        args.push(format!("--user-data-dir={}", profile.display()));
        args.push(format!("--window-size={width},{height}"));
        args.extend(switches.iter().map(|s| s.to_string()));
        let caps = serde_json::json!({
            // The browser's console, Content-Security-Policy violations included, from every
            // frame of the page's process and from before a page's first script
        // (`Browser::security_log`).
            "goog:loggingPrefs": { "browser": "ALL" },
            "goog:chromeOptions": {
                "binary": binary,
                "args": args
            }
        });
        let serde_json::Value::Object(caps) = caps else {
            unreachable!()
        };
        let client = ClientBuilder::native()
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .context("cannot open a Chromium session through chromedriver")?;
        Ok(Browser {
            client,
            _driver: Driver(driver),
            _profile: TempDir(profile),
        })
    }

    /// Makes the page's viewport exactly `width`×`height` CSS pixels (until changed again):
    /// headless Chromium keeps its windows at least 500 px wide, so a narrower sidebar is only
    /// seen through this emulation (`Emulation.setDeviceMetricsOverride`, desktop, scale 1).
    pub async fn set_viewport(&self, width: u32, height: u32) -> Result<()> {
        self.cdp(
            "Emulation.setDeviceMetricsOverride",
            serde_json::json!({"width": width, "height": height, "deviceScaleFactor": 1, "mobile": false}),
        )
        .await?;
        Ok(())
    }

    /// Runs one Chrome DevTools Protocol command (`cmd` with `params`) and returns its result.
    pub async fn cdp(&self, cmd: &str, params: serde_json::Value) -> Result<serde_json::Value> {
        Ok(self
            .client
            .issue_cmd(ChromedriverPost {
                path: "goog/cdp/execute",
                body: serde_json::json!({"cmd": cmd, "params": params}).to_string(),
            })
            .await?)
    }

    /// Opens `path` (such as `/console.html` or `/?provider=livechat`) on the demo proxy.
    pub async fn open(&self, demo: &DemoServer, path: &str) -> Result<()> {
        self.client.goto(&format!("{}{path}", demo.url())).await?;
        Ok(())
    }

    /// A 1280×900 browser on the demo console, once it shows the first (LivePerson seed) chat.
    pub async fn on_console(demo: &DemoServer) -> Result<Browser> {
        let browser = Browser::start(1280, 900).await?;
        browser.open(demo, "/console.html").await?;
        browser.wait_for_text("aside.vs-root", "John Doe").await?;
        Ok(browser)
    }

    /// What the browser logged about security since the last call (chromedriver's log endpoint
    /// hands each entry out once): Content-Security-Policy violations are these, for every frame
    /// in the page's process (frames from other sites too when site isolation is off, see
    /// `tests/csp.rs`).
    pub async fn security_log(&self) -> Result<Vec<String>> {
        let entries = self
            .client
            .issue_cmd(ChromedriverPost {
                path: "se/log",
                body: r#"{"type":"browser"}"#.to_owned(),
            })
            .await?;
        Ok(entries
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .filter(|e| e["source"] == "security")
            .map(|e| e["message"].as_str().unwrap_or_default().to_owned())
            .collect())
    }

    /// Polls `expression` (JavaScript) in the current frame until it is truthy, and returns its
    /// value; on a timeout the error names `what` and shows the page's text.
    pub async fn wait_js(&self, what: &str, expression: &str) -> Result<serde_json::Value> {
        use serde_json::{json, Value};
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            let value = self
                .client
                .execute(&format!("return ({expression});"), vec![])
                .await?;
            let truthy = !matches!(&value, Value::Null | Value::Bool(false))
                && value != json!(0)
                && value != json!("");
            if truthy {
                return Ok(value);
            }
            if tokio::time::Instant::now() > deadline {
                let body = self.body_text().await.unwrap_or_default();
                bail!("timed out waiting for {what} ({expression}); the page shows:\n{body}");
            }
            // Polls a condition; it does not wait for time to pass.
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits until an element matching `css` contains `text`, and returns the element's text.
    pub async fn wait_for_text(&self, css: &str, text: &str) -> Result<String> {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            let found = self.client.find_all(Locator::Css(css)).await?;
            for element in found {
                if let Ok(content) = element.text().await {
                    if content.contains(text) {
                        return Ok(content);
                    }
                }
            }
            if tokio::time::Instant::now() > deadline {
                let body = self.body_text().await.unwrap_or_default();
                bail!("no `{css}` containing {text:?} appeared; the page shows:\n{body}");
            }
            // Polls the DOM (a condition), it does not wait for time to pass.
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits until no element matching `css` contains `text` any more.
    pub async fn wait_for_gone(&self, css: &str, text: &str) -> Result<()> {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            let mut present = false;
            for element in self.client.find_all(Locator::Css(css)).await? {
                if element.text().await.is_ok_and(|t| t.contains(text)) {
                    present = true;
                }
            }
            if !present {
                return Ok(());
            }
            if tokio::time::Instant::now() > deadline {
                let body = self.body_text().await.unwrap_or_default();
                bail!("`{css}` still contains {text:?}; the page shows:\n{body}");
            }
            // Polls the DOM (a condition), it does not wait for time to pass.
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub async fn body_text(&self) -> Result<String> {
        Ok(self.client.find(Locator::Css("body")).await?.text().await?)
    }

    pub async fn close(self) -> Result<()> {
        self.client.close().await?;
        Ok(())
    }
}

/// One serious or critical accessibility problem axe-core found.
#[derive(Debug)]
pub struct Violation {
    pub id: String,
    pub impact: String,
    pub help: String,
    pub nodes: Vec<String>,
}

impl Browser {
    /// Runs axe-core (from `tools/node_modules`, injected into the page) on the element matching
    /// `context` and returns its serious and critical violations.
    pub async fn axe(&self, context: &str) -> Result<Vec<Violation>> {
        let axe_js = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../tools/node_modules/axe-core/axe.min.js");
        let source = std::fs::read_to_string(&axe_js).with_context(|| {
            format!(
                "{} is missing: run scripts/install-tools.sh",
                axe_js.display()
            )
        })?;
        self.client.execute(&source, vec![]).await?;
        let found = self
            .client
            .execute_async(
                r#"const [context, done] = arguments;
                   axe.run(document.querySelector(context), { resultTypes: ["violations"] })
                     .then(r => done({ checked: r.passes.length, violations: r.violations
                        .filter(v => v.impact === "serious" || v.impact === "critical")
                        .map(v => ({ id: v.id, impact: v.impact, help: v.help,
                                     nodes: v.nodes.map(n => n.target.join(" ") + " " + (n.failureSummary || "")) })) }))
                     .catch(e => done({ checked: 0, error: String(e) }));"#,
                vec![serde_json::Value::String(context.into())],
            )
            .await?;
        // A run that checked nothing (axe missing, wrong context) must not pass as "no problems".
        if found["checked"].as_u64().unwrap_or(0) == 0 {
            bail!(
                "axe-core checked nothing in `{context}`: {}",
                found["error"]
            );
        }
        let violations = found["violations"]
            .as_array()
            .context("axe returned no list")?
            .iter()
            .map(|v| Violation {
                id: v["id"].as_str().unwrap_or_default().into(),
                impact: v["impact"].as_str().unwrap_or_default().into(),
                help: v["help"].as_str().unwrap_or_default().into(),
                nodes: v["nodes"]
                    .as_array()
                    .map(|n| {
                        n.iter()
                            .filter_map(|s| s.as_str().map(String::from))
                            .collect()
                    })
                    .unwrap_or_default(),
            })
            .collect();
        Ok(violations)
    }

    /// Does the page scroll sideways (content wider than the window)?
    pub async fn scrolls_horizontally(&self) -> Result<bool> {
        let wide = self
            .client
            .execute(
                "const e = document.scrollingElement; return e.scrollWidth > e.clientWidth + 1;",
                vec![],
            )
            .await?;
        Ok(wide.as_bool().unwrap_or(true))
    }

    /// Saves a PNG of the window into `artifacts/screenshots/NAME.png` (git-ignored).
    pub async fn screenshot(&self, name: &str) -> Result<PathBuf> {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../artifacts/screenshots");
        std::fs::create_dir_all(&dir)?;
        let path = dir.join(format!("{name}.png"));
        std::fs::write(&path, self.client.screenshot().await?)?;
        Ok(path)
    }
}
