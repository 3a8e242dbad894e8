//! The test harness: a simulator on 127.0.0.1:0 and a proxy configured to call it, both real
//! HTTP servers, plus a client and a few helpers; [`eventually`] (polling with a deadline),
//! [`Captured`] (the log, in memory) and `redis` (a `redis-server` per test).
#![allow(dead_code)]

pub mod logs;
pub mod poll;
pub mod redis;

use std::time::Duration;

use serde_json::Value;
use visitor_sidebar_proxy::store::ChatToken;
use visitor_sidebar_proxy::{serve, Config, RawConfig, RunningServer};
use visitor_sidebar_sim::{Sim, SimConfig};

// Each test binary uses some of these.
#[allow(unused_imports)]
pub use logs::Captured;
#[allow(unused_imports)]
pub use poll::eventually;
pub use visitor_sidebar_sim::{SEED_LC_VISITOR_ID, SEED_LP_SID, SEED_LP_VISITOR_ID};

pub const WEBHOOK_SECRET: &str = "test-webhook-secret-0123456789";
pub const FIXTURE_LP: &str = include_str!("../../../fixtures/liveperson-visit.json");
pub const FIXTURE_LC: &str = include_str!("../../../fixtures/livechat-visitors.json");

pub struct Harness {
    pub sim: Sim,
    pub proxy: RunningServer,
    pub client: reqwest::Client,
    /// The proxy's own data folder (webhook tokens), removed on drop.
    pub data_dir: tempfile::TempDir,
}

/// LivePerson through OAuth 1.0 and the Domain API, LiveChat with Basic and the webhook secret,
/// and anonymous access allowed (`VS_ALLOW_ANONYMOUS=true`: the proxy is closed by default, and
/// most tests are about something else); `customize` changes settings (by environment-variable
/// name) before the config is checked — sign-in tests set `VS_ALLOW_ANONYMOUS=false`.
pub async fn start(customize: impl FnOnce(&mut RawConfig, &Sim)) -> Harness {
    start_with(SimConfig::default(), customize).await
}

/// The settings of a proxy that calls `sim`, keeping its webhook tokens in `data_dir`.
pub fn settings_for(sim: &Sim, data_dir: &std::path::Path) -> RawConfig {
    let c = sim.credentials().clone();
    let mut raw = RawConfig::default();
    raw.set("VS_DATA_DIR", data_dir.to_string_lossy());
    for (k, v) in [
        ("VS_LISTEN", "127.0.0.1:0"),
        ("VS_ALLOW_ANONYMOUS", "true"),
        ("VS_RATE_LIMIT_PER_SEC", "0"),
        ("VS_CACHE_TTL_MS", "60000"),
        ("VS_UPSTREAM_TIMEOUT_MS", "2000"),
        ("LIVEPERSON_ACCOUNT_ID", c.lp_account_id.as_str()),
        ("LIVEPERSON_DOMAIN_API_URL", sim.base_url()),
        ("LIVEPERSON_CONSUMER_KEY", &c.lp_consumer_key),
        ("LIVEPERSON_CONSUMER_SECRET", &c.lp_consumer_secret),
        ("LIVEPERSON_ACCESS_TOKEN", &c.lp_access_token),
        ("LIVEPERSON_TOKEN_SECRET", &c.lp_token_secret),
        ("LIVECHAT_API_URL", sim.base_url()),
        ("LIVECHAT_LOGIN", &c.lc_login),
        ("LIVECHAT_API_KEY", &c.lc_api_key),
        ("LIVECHAT_ACCOUNT_ID", &c.lc_account_id),
        ("LIVECHAT_PAT", &c.lc_pat),
        ("LIVECHAT_WEBHOOK_SECRET", WEBHOOK_SECRET),
    ] {
        assert!(raw.set(k, v));
    }
    raw
}

/// A proxy (another replica, or the same one restarted) that calls `sim`; the simulator's
/// webhooks are not pointed at it.
pub async fn start_proxy(
    sim: &Sim,
    data_dir: &std::path::Path,
    customize: impl FnOnce(&mut RawConfig, &Sim),
) -> RunningServer {
    let mut raw = settings_for(sim, data_dir);
    customize(&mut raw, sim);
    let config = Config::from_raw(&raw).expect("valid test config");
    serve(config).await.expect("proxy starts")
}

/// The webhook URL of a proxy.
pub fn webhook_url(proxy: &RunningServer) -> String {
    format!(
        "http://{}/api/livechat/webhooks/chat-started?secret={WEBHOOK_SECRET}",
        proxy.addr
    )
}

/// [`start`] with a simulator configured as given.
pub async fn start_with(
    sim_config: SimConfig,
    customize: impl FnOnce(&mut RawConfig, &Sim),
) -> Harness {
    let sim = Sim::start(sim_config).await.expect("sim starts");
    let data_dir = tempfile::tempdir().expect("a temporary data folder");
    let proxy = start_proxy(&sim, data_dir.path(), customize).await;
    sim.set_webhook_url(Some(webhook_url(&proxy))).await;
    Harness {
        sim,
        proxy,
        client: reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .unwrap(),
        data_dir,
    }
}

impl Harness {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.proxy.addr)
    }

    pub fn seed_visit_path(&self) -> String {
        format!("/api/liveperson/visitors/{SEED_LP_VISITOR_ID}/visit?sid={SEED_LP_SID}")
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.unwrap()
    }

    /// GETs and returns (status, JSON body).
    pub async fn get_json(&self, path: &str) -> (u16, Value) {
        let r = self.get(path).await;
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    pub async fn post_json(&self, path: &str, body: &Value) -> (u16, Value) {
        let r = self
            .client
            .post(self.url(path))
            .json(body)
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    /// The webhook token the proxy keeps for a visitor, if any.
    pub async fn stored_token(&self, visitor_id: &str) -> Option<ChatToken> {
        self.proxy
            .state
            .livechat
            .webhooks()
            .expect("webhooks are configured")
            .get(visitor_id)
            .await
            .expect("the token store answers")
    }

    /// Waits until the simulator has counted `calls` LivePerson visit calls (one still being
    /// answered counts).
    pub async fn lp_visit_calls_reach(&self, calls: u64) {
        let what = format!("{calls} visit calls reach the simulator");
        eventually(Duration::from_secs(10), &what, || async {
            match self.sim.counters().lp_visit {
                seen if seen >= calls => Ok(()),
                seen => Err(seen),
            }
        })
        .await
    }

    /// A generated LiveChat visitor in the given state.
    pub fn lc_visitor_in_state(&self, state: &str) -> Option<String> {
        let _ = state;
        self.sim
            .chats()
            .into_iter()
            .filter(|c| c.provider == "livechat" && c.visitor_id != SEED_LC_VISITOR_ID)
            .map(|c| c.visitor_id)
            .find(|id| (self.sim.chat_token(id).is_some()) == (state == "chatting"))
    }

    /// A generated LivePerson visit: (visitor ID, sid).
    pub fn generated_lp_visit(&self) -> (String, String) {
        let chat = self
            .sim
            .chats()
            .into_iter()
            .find(|c| c.provider == "liveperson" && c.visitor_id != SEED_LP_VISITOR_ID)
            .unwrap();
        (chat.visitor_id, chat.sid.unwrap())
    }
}

/// Asserts an error body's code (and returns the error object).
/// A test's request sent, and its answer's body as JSON; panics if either fails.
pub async fn json_of<T: serde::de::DeserializeOwned>(request: reqwest::RequestBuilder) -> T {
    request.send().await.unwrap().json().await.unwrap()
}

pub fn error_code(body: &Value) -> &str {
    body["error"]["code"].as_str().unwrap_or("<no error code>")
}
