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

/// A headless Chromium driven through chromedriver. Dropping it ends both processes.
pub struct Browser {
    pub client: Client,
    _driver: Child,
    _profile: TempDir,
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
    /// Starts chromedriver and a fresh Chromium profile with a `width`×`height` window.
    pub async fn start(width: u32, height: u32) -> Result<Browser> {
        let port = free_port()?;
        let mut driver =
            Command::new(std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".into()))
                .arg(format!("--port={port}"))
                .stdout(Stdio::piped())
                .stderr(Stdio::null())
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
        let caps = serde_json::json!({
            "goog:chromeOptions": {
                "binary": binary,
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-background-networking", "--disable-component-update",
                    "--disable-sync", "--no-first-run", "--disable-quic",
                    format!("--user-data-dir={}", profile.display()),
                    format!("--window-size={width},{height}"),
                ]
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
            _driver: driver,
            _profile: TempDir(profile),
        })
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

    pub async fn body_text(&self) -> Result<String> {
        Ok(self.client.find(Locator::Css("body")).await?.text().await?)
    }

    pub async fn close(self) -> Result<()> {
        self.client.close().await?;
        Ok(())
    }
}
