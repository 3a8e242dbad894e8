//! The binary itself: the one stdout line with the bound address in demo mode, bad
//! configuration stopping the process with one line naming the key, and the warnings at start
//! about anonymous access or no way to sign agents in.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_visitor-sidebar-proxy");

/// Kills the child it holds when dropped, so a failed assertion leaves no process behind.
struct Child(std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[cfg(feature = "demo")]
#[test]
fn demo_prints_the_bound_address_and_serves() {
    let mut child = Child(
        Command::new(BIN)
            .args(["--demo", "--listen", "127.0.0.1:0"])
            .env_remove("VS_LISTEN")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let stdout = child.0.stdout.take().unwrap();
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).unwrap();
    let addr = line
        .trim()
        .strip_prefix("visitor-sidebar-proxy listening on http://")
        .unwrap_or_else(|| panic!("unexpected first line: {line:?}"));
    let addr: std::net::SocketAddr = addr.parse().unwrap();
    assert_ne!(addr.port(), 0);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let health: serde_json::Value = runtime.block_on(async {
        reqwest::get(format!("http://{addr}/api/health"))
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    });
    assert_eq!(health["demo"], true);
}

fn config_error(env: &[(&str, &str)], args: &[&str]) -> String {
    let mut command = Command::new(BIN);
    command.args(args);
    for (k, v) in env {
        command.env(k, v);
    }
    let out = command.output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let stderr = String::from_utf8(out.stderr).unwrap();
    let lines: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains("configuration error"))
        .collect();
    assert_eq!(lines.len(), 1, "{stderr}");
    lines[0].to_owned()
}

#[test]
fn bad_configuration_exits_with_one_line_naming_the_key() {
    let line = config_error(&[("VS_CACHE_TTL_MS", "soon")], &[]);
    assert!(line.contains("VS_CACHE_TTL_MS"), "{line}");
    let line = config_error(
        &[
            ("LIVECHAT_LOGIN", "a"),
            ("LIVECHAT_API_KEY", "super-secret-key"),
            ("LIVECHAT_API_URL", "http://api.example.com"),
        ],
        &[],
    );
    assert!(
        line.contains("LIVECHAT_API_URL") && !line.contains("super-secret-key"),
        "{line}"
    );
    let line = config_error(&[], &["--listen", "0.0.0.0:0"]);
    assert!(line.contains("VS_LISTEN"), "{line}");
    let dir = std::env::temp_dir().join(format!("vs-cli-{}.toml", std::process::id()));
    std::fs::write(&dir, "[livechat]\nlogn = \"x\"\n").unwrap();
    let line = config_error(&[], &["--config", dir.to_str().unwrap()]);
    assert!(line.contains("livechat.logn"), "{line}");
    let _ = std::fs::remove_file(dir);
}

/// Starts the binary with `env`, waits for its listening line, stops it, and returns stderr.
fn startup_log(env: &[(&str, &str)]) -> String {
    let mut command = Command::new(BIN);
    command
        .args(["--listen", "127.0.0.1:0"])
        .env("RUST_LOG", "visitor_sidebar_proxy=info")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for key in [
        "VS_LISTEN",
        "VS_ALLOW_ANONYMOUS",
        "VS_ACCESS_TOKENS",
        "VS_JWT_SECRET",
    ] {
        command.env_remove(key);
    }
    for (k, v) in env {
        command.env(k, v);
    }
    let mut child = Child(command.spawn().unwrap());
    let mut line = String::new();
    BufReader::new(child.0.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert!(
        line.starts_with("visitor-sidebar-proxy listening on"),
        "{line:?}"
    );
    let mut stderr = child.0.stderr.take().unwrap();
    child.0.kill().unwrap();
    let mut log = String::new();
    std::io::Read::read_to_string(&mut stderr, &mut log).unwrap();
    log
}

#[test]
fn anonymous_access_and_no_sign_in_are_warned_about_at_start() {
    let log = startup_log(&[("VS_ALLOW_ANONYMOUS", "true")]);
    assert!(
        log.contains("WARN") && log.contains("VS_ALLOW_ANONYMOUS=true"),
        "{log}"
    );
    let log = startup_log(&[]);
    assert!(
        log.contains("WARN") && log.contains("every visitor route answers 401"),
        "{log}"
    );
    let log = startup_log(&[("VS_ACCESS_TOKENS", "agent-console-token-0123456789")]);
    assert!(!log.contains("WARN"), "{log}");
}

/// A proxy binary started with `env` (sign-in by token, so it may run without upstreams), its
/// stdout's lines read up to the listening line (and the metrics line when asked for), its
/// stderr's lines sent to a channel as they come.
#[cfg(unix)]
struct Running {
    child: Child,
    addr: String,
    metrics: Option<String>,
    stderr: std::sync::mpsc::Receiver<String>,
    runtime: tokio::runtime::Runtime,
}

#[cfg(unix)]
impl Running {
    fn start(env: &[(&str, &str)]) -> Running {
        let mut command = Command::new(BIN);
        command
            .args(["--listen", "127.0.0.1:0"])
            .env("RUST_LOG", "visitor_sidebar_proxy=info,tower_http=info")
            .env("VS_ACCESS_TOKENS", "agent-console-token-0123456789")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for key in [
            "VS_LISTEN",
            "VS_ALLOW_ANONYMOUS",
            "VS_METRICS_LISTEN",
            "VS_LOG_FORMAT",
        ] {
            command.env_remove(key);
        }
        for (k, v) in env {
            command.env(k, v);
        }
        let mut child = Child(command.spawn().unwrap());
        let mut stdout = BufReader::new(child.0.stdout.take().unwrap());
        let mut line = String::new();
        stdout.read_line(&mut line).unwrap();
        let addr = line
            .trim()
            .strip_prefix("visitor-sidebar-proxy listening on http://")
            .unwrap_or_else(|| panic!("unexpected first line: {line:?}"))
            .to_owned();
        let metrics = env.iter().any(|(k, _)| *k == "VS_METRICS_LISTEN").then(|| {
            let mut line = String::new();
            stdout.read_line(&mut line).unwrap();
            line.trim()
                .strip_prefix("visitor-sidebar-proxy metrics on ")
                .unwrap_or_else(|| panic!("unexpected second line: {line:?}"))
                .to_owned()
        });
        let (tx, stderr) = std::sync::mpsc::channel();
        let err = BufReader::new(child.0.stderr.take().unwrap());
        std::thread::spawn(move || {
            for line in err.lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    return;
                }
            }
        });
        Running {
            child,
            addr,
            metrics,
            stderr,
            runtime: tokio::runtime::Runtime::new().unwrap(),
        }
    }

    fn get(&self, url: String) -> (u16, String, String) {
        self.runtime.block_on(async {
            let r = reqwest::get(url).await.unwrap();
            let id = r
                .headers()
                .get("x-request-id")
                .map(|v| v.to_str().unwrap().to_owned())
                .unwrap_or_default();
            (r.status().as_u16(), id, r.text().await.unwrap())
        })
    }

    fn api(&self, path: &str) -> (u16, String, String) {
        self.get(format!("http://{}{path}", self.addr))
    }

    fn signal(&self, name: &str) {
        let status = Command::new("kill")
            .args([&format!("-{name}"), &self.child.0.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
    }

    /// Stderr's lines until one contains `text` (all of them, that one last).
    fn lines_until(&self, text: &str) -> Vec<String> {
        let mut seen = Vec::new();
        loop {
            let line = self
                .stderr
                .recv_timeout(std::time::Duration::from_secs(20))
                .unwrap_or_else(|_| panic!("no line with {text:?} after {seen:#?}"));
            let done = line.contains(text);
            seen.push(line);
            if done {
                return seen;
            }
        }
    }
}

#[cfg(unix)]
#[test]
fn sigterm_turns_readiness_false_first_then_stops_and_logs_json() {
    let proxy = Running::start(&[
        ("VS_DRAIN_SECS", "120"),
        ("VS_METRICS_LISTEN", "127.0.0.1:0"),
        ("VS_LOG_FORMAT", "json"),
    ]);
    let metrics = proxy.metrics.clone().unwrap();
    assert_eq!(proxy.api("/api/health/ready").0, 200);
    let (status, _, text) = proxy.get(metrics.clone());
    assert_eq!(status, 200);
    assert!(
        text.contains("\nvs_ready 1\n") && text.contains("\nvs_draining 0\n"),
        "{text}"
    );
    let (_, health_id, _) = proxy.api("/api/health");

    proxy.signal("TERM");
    let mut lines = proxy.lines_until("draining: readiness is false");
    let (status, id, body) = proxy.api("/api/health/ready");
    assert_eq!(status, 503);
    let body: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(body["reason"], "draining");
    assert!(!id.is_empty());
    // Still serving while load balancers notice.
    assert_eq!(proxy.api("/api/health/live").0, 200);
    assert_eq!(proxy.api("/api/health").0, 200);
    let (_, _, text) = proxy.get(metrics);
    assert!(
        text.contains("\nvs_ready 0\n") && text.contains("\nvs_draining 1\n"),
        "{text}"
    );

    // A second signal does not wait out the 120 s drain.
    proxy.signal("TERM");
    lines.extend(proxy.lines_until("shutting down"));
    let mut proxy = proxy;
    let status = proxy.child.0.wait().unwrap();
    assert!(status.success(), "{status:?}");
    lines.extend(proxy.stderr.iter());

    // VS_LOG_FORMAT=json: every line one object; the request's lines carry its ID.
    let parsed: Vec<serde_json::Value> = lines
        .iter()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    assert!(
        parsed
            .iter()
            .any(|l| l["span"]["request_id"] == health_id.as_str()
                && l["target"] == "tower_http::trace::on_response"),
        "{lines:#?}"
    );
}

#[cfg(unix)]
#[test]
fn with_no_drain_sigterm_stops_at_once() {
    let proxy = Running::start(&[("VS_DRAIN_SECS", "0")]);
    assert_eq!(proxy.api("/api/health/ready").0, 200);
    proxy.signal("TERM");
    let lines = proxy.lines_until("shutting down");
    assert!(
        lines.iter().all(|l| !l.contains("serving on until")),
        "{lines:#?}"
    );
    let mut proxy = proxy;
    assert!(proxy.child.0.wait().unwrap().success());
}
