//! Webhook tokens on one machine outlive the proxy: after a clean restart, and after `kill -9`
//! right after the webhooks' 200s (the real binary, configured against a simulator this test
//! runs), the details form works for chats that started before, with the same data folder.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use common::*;
use serde_json::{json, Value};
use visitor_sidebar_sim::{Sim, SimConfig};

const BIN: &str = env!("CARGO_BIN_EXE_visitor-sidebar-proxy");

fn details() -> Value {
    json!({"id": "my-app", "fields": [{"name": "Plan", "value": "Gold"}]})
}

async fn post(client: &reqwest::Client, url: &str, body: &Value) -> (u16, Value) {
    let r = client.post(url).json(body).send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

#[tokio::test(flavor = "multi_thread")]
async fn a_clean_restart_keeps_every_token() {
    let sim = Sim::start(SimConfig::default()).await.unwrap();
    let data = tempfile::tempdir().unwrap();
    let first = start_proxy(&sim, data.path(), |_, _| {}).await;
    // The seed visitor is chatting: its chat_started webhook goes to the first proxy.
    assert!(sim.set_webhook_url(Some(webhook_url(&first))).await >= 1);
    first.shutdown().await;
    sim.set_webhook_url(None).await;

    let second = start_proxy(&sim, data.path(), |_, _| {}).await;
    let client = reqwest::Client::new();
    let url = format!(
        "http://{}/api/livechat/visitors/{SEED_LC_VISITOR_ID}/details",
        second.addr
    );
    let (status, body) = post(&client, &url, &details()).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(sim.visitor_details(SEED_LC_VISITOR_ID).len(), 1);
}

/// The proxy binary; killed (SIGKILL) on drop if still running.
struct Proxy(Child);

impl Drop for Proxy {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts the binary against `sim` with `data_dir`; returns it and its base URL.
fn spawn_proxy(sim: &Sim, data_dir: &std::path::Path) -> (Proxy, String) {
    let c = sim.credentials();
    let mut command = Command::new(BIN);
    command
        .env_clear()
        .env("VS_LISTEN", "127.0.0.1:0")
        .env("VS_RATE_LIMIT_PER_SEC", "0")
        // Sign-in is not what this test is about; on loopback the proxy may be anonymous.
        .env("VS_ALLOW_ANONYMOUS", "true")
        .env("VS_DATA_DIR", data_dir)
        .env("LIVECHAT_API_URL", sim.base_url())
        .env("LIVECHAT_LOGIN", &c.lc_login)
        .env("LIVECHAT_API_KEY", &c.lc_api_key)
        .env("LIVECHAT_WEBHOOK_SECRET", WEBHOOK_SECRET)
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    if let Some(region) = &c.lc_region {
        command.env("LIVECHAT_REGION", region);
    }
    let mut child = Proxy(command.spawn().unwrap());
    let mut line = String::new();
    BufReader::new(child.0.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr = line
        .trim()
        .strip_prefix("visitor-sidebar-proxy listening on ")
        .unwrap_or_else(|| panic!("unexpected first line: {line:?}"))
        .to_owned();
    (child, addr)
}

#[tokio::test(flavor = "multi_thread")]
async fn kill_9_right_after_the_webhooks_loses_no_token() {
    let sim = Sim::start(SimConfig::default()).await.unwrap();
    let data = tempfile::tempdir().unwrap();
    let client = reqwest::Client::new();
    let (mut proxy, base) = spawn_proxy(&sim, data.path());
    let hook = format!("{base}/api/livechat/webhooks/chat-started?secret={WEBHOOK_SECRET}");

    // LiveChat's webhooks, all at once: the seed's real chat, and 30 chats of visitors the
    // simulator does not know (details for them still go upstream, which shows the tokens were
    // kept).
    let license = sim.credentials().lc_license_id.clone();
    let seed_token = sim
        .chat_token(SEED_LC_VISITOR_ID)
        .expect("the seed is chatting");
    let mut events = vec![(SEED_LC_VISITOR_ID.to_owned(), seed_token)];
    events.extend((0..30).map(|i| (format!("S1.crash{i:02}"), format!("made-up-token-{i}"))));
    let mut posts = tokio::task::JoinSet::new();
    for (visitor, token) in events.clone() {
        let (client, hook, license) = (client.clone(), hook.clone(), license.clone());
        posts.spawn(async move {
            let event = json!({"event_type": "chat_started", "token": token, "license_id": license,
                               "chat": {"id": format!("chat-{visitor}")}, "visitor": {"id": visitor}});
            post(&client, &hook, &event).await
        });
    }
    while let Some(answer) = posts.join_next().await {
        assert_eq!(answer.unwrap(), (200, json!({"ok": true})));
    }
    // No shutdown, no flush: SIGKILL the moment the last 200 is in.
    proxy.0.kill().unwrap();
    proxy.0.wait().unwrap();

    let (_proxy, base) = spawn_proxy(&sim, data.path());
    let details_url = |visitor: &str| format!("{base}/api/livechat/visitors/{visitor}/details");
    let (status, body) = post(&client, &details_url(SEED_LC_VISITOR_ID), &details()).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(sim.visitor_details(SEED_LC_VISITOR_ID).len(), 1);
    for (visitor, _) in &events[1..] {
        // Kept: sent on to LiveChat (which does not know these visitors), not refused here for
        // want of a token.
        let (status, body) = post(&client, &details_url(visitor), &details()).await;
        assert_eq!(
            (status, error_code(&body), &body["error"]["upstream_status"]),
            (404, "not_found", &json!(404)),
            "{visitor}"
        );
    }
    let (status, body) = post(&client, &details_url("S1.never"), &details()).await;
    assert_eq!((status, error_code(&body)), (409, "no_webhook_token"));
}

#[test]
fn an_unusable_data_folder_stops_the_proxy_with_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("not-a-folder");
    std::fs::write(&file, b"").unwrap();
    let out = Command::new(BIN)
        .env_clear()
        .env("VS_LISTEN", "127.0.0.1:0")
        .env("VS_DATA_DIR", file.join("data"))
        // A sign-in mode, so no start-up warning shares stderr with the error under test.
        .env("VS_ACCESS_TOKENS", "0123456789abcdef0123")
        .env("LIVECHAT_LOGIN", "agent@example.com")
        .env("LIVECHAT_API_KEY", "key")
        .env("LIVECHAT_WEBHOOK_SECRET", WEBHOOK_SECRET)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{stderr}");
    assert!(
        lines[0]
            .starts_with("visitor-sidebar-proxy: configuration error: VS_DATA_DIR: cannot use '"),
        "{stderr}"
    );
}
