//! The `visitor-sidebar-sim` binary: it prints its base URL and the credentials it accepts, and
//! those credentials work.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

/// Kills the child it holds when dropped, so a failed assertion leaves no process behind.
struct Child(std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn prints_its_address_and_credentials() {
    let mut child = Child(
        Command::new(env!("CARGO_BIN_EXE_visitor-sidebar-sim"))
            .args(["--listen", "127.0.0.1:0", "--tick-ms", "0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let mut stdout = BufReader::new(child.0.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    let base = line
        .trim()
        .strip_prefix("visitor-sidebar-sim listening on ")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .to_owned();
    // The credentials JSON follows, pretty-printed, ending with a line "}".
    let mut json = String::new();
    loop {
        let mut l = String::new();
        if stdout.read_line(&mut l).unwrap() == 0 {
            break;
        }
        json.push_str(&l);
        if l.trim_end() == "}" {
            break;
        }
    }
    let creds: visitor_sidebar_sim::SimCredentials = serde_json::from_str(&json).unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let status = runtime.block_on(async {
        reqwest::Client::new()
            .get(format!("{base}/visitors?count=1"))
            .basic_auth(&creds.lc_login, Some(&creds.lc_api_key))
            .header("X-API-Version", "2")
            .send()
            .await
            .unwrap()
            .status()
    });
    assert_eq!(status, 200);
}
