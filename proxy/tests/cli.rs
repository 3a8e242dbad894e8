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
