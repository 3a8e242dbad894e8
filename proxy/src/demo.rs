//! Demo mode (the `demo` cargo feature): the simulator started in-process on loopback with fresh
//! credentials, and the proxy configured to call it with real credential checks (OAuth 1.0
//! signatures, HTTP Basic, the webhook secret), plus `GET /api/demo/chats` for the demo console
//! and `/agent-app.html`, a stand-in for LiveChat's Agent App (from `e2e/www/`) that frames the
//! widget at `?widget=URL` and speaks the Agent App SDK's protocol to it. Needs no configuration; used by `--demo`, the end-to-end tests and the bench. Production
//! builds leave it (and the simulator) out.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use visitor_sidebar_sim::{Sim, SimConfig};

use crate::config::Config;
use crate::server::{serve_with, RunningServer};
use crate::settings::RawConfig;
use crate::state::AppState;

/// How often the demo's generated visitors move on.
pub const DEMO_TICK: Duration = Duration::from_secs(3);
/// Origins of the widget's development server, allowed in demo mode unless configured.
const DEV_ORIGINS: &str = "http://127.0.0.1:8080,http://localhost:8080";

/// A running demo: the proxy on `addr` and its simulator. Dropping it stops both.
pub struct DemoServer {
    pub addr: SocketAddr,
    pub sim: Sim,
    server: RunningServer,
}

impl DemoServer {
    /// `http://ADDR`, the proxy's base URL.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The proxy's shared state (cache, webhook store), for tests.
    pub fn state(&self) -> &AppState {
        &self.server.state
    }

    /// Stops the proxy, letting requests in flight finish; the simulator stops with the drop.
    pub async fn shutdown(self) {
        self.server.shutdown().await;
    }
}

/// Starts the simulator and the proxy in demo mode on loopback; returns once both accept
/// connections.
pub async fn start_demo(
    listen: SocketAddr,
    static_dir: Option<PathBuf>,
) -> anyhow::Result<DemoServer> {
    start_demo_with(RawConfig::default(), listen, static_dir, Some(DEMO_TICK)).await
}

/// [`start_demo`] on top of other settings (a config file, access tokens, a cache TTL); their
/// LivePerson and LiveChat keys are replaced by the simulator's. `tick`: how often generated
/// visitors change (`None`: only through `sim.tick()`).
pub async fn start_demo_with(
    raw: RawConfig,
    listen: SocketAddr,
    static_dir: Option<PathBuf>,
    tick: Option<Duration>,
) -> anyhow::Result<DemoServer> {
    let sim = SimConfig {
        tick_interval: tick,
        ..SimConfig::default()
    };
    start_demo_with_sim(raw, listen, static_dir, sim).await
}

/// [`start_demo_with`] with the simulator configured as given (its `listen` and `webhook_url`
/// are replaced): for example `SimConfig { hostile: true, .. }` adds the hostile visitors, whose
/// entries in `GET /api/demo/chats` carry `"hostile": true`, and `load_visitors` the load-test
/// visits.
pub async fn start_demo_with_sim(
    mut raw: RawConfig,
    listen: SocketAddr,
    static_dir: Option<PathBuf>,
    sim: SimConfig,
) -> anyhow::Result<DemoServer> {
    let sim = Sim::start(SimConfig {
        listen: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
        webhook_url: None,
        ..sim
    })
    .await?;
    let creds = sim.credentials().clone();
    let webhook_secret = crate::liveperson::oauth1::new_nonce();
    raw.clear_upstreams();
    for (key, value) in [
        ("LIVEPERSON_ACCOUNT_ID", creds.lp_account_id.as_str()),
        // No fixed domain: the Domain API is asked, as in production.
        ("LIVEPERSON_DOMAIN_API_URL", sim.base_url()),
        ("LIVEPERSON_CONSUMER_KEY", &creds.lp_consumer_key),
        ("LIVEPERSON_CONSUMER_SECRET", &creds.lp_consumer_secret),
        ("LIVEPERSON_ACCESS_TOKEN", &creds.lp_access_token),
        ("LIVEPERSON_TOKEN_SECRET", &creds.lp_token_secret),
        ("LIVECHAT_API_URL", sim.base_url()),
        ("LIVECHAT_LOGIN", &creds.lc_login),
        ("LIVECHAT_API_KEY", &creds.lc_api_key),
        ("LIVECHAT_ACCOUNT_ID", &creds.lc_account_id),
        ("LIVECHAT_PAT", &creds.lc_pat),
        ("LIVECHAT_WEBHOOK_SECRET", &webhook_secret),
    ] {
        raw.set(key, value);
    }
    if let Some(region) = &creds.lc_region {
        raw.set("LIVECHAT_REGION", region.as_str());
    }
    raw.set("VS_LISTEN", listen.to_string());
    if let Some(dir) = &static_dir {
        raw.set("VS_STATIC_DIR", dir.to_string_lossy());
    }
    if raw.get("VS_ALLOWED_ORIGINS").is_none() {
        raw.set("VS_ALLOWED_ORIGINS", DEV_ORIGINS);
    }
    let config = Config::from_raw(&raw)?;
    let server = serve_with(config, Some(chats_router(sim.clone()))).await?;
    let addr = server.addr;
    // The simulator posts webhooks to the proxy over loopback even if it listens on all addresses.
    let webhook_host = if addr.ip().is_unspecified() {
        SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), addr.port())
    } else {
        addr
    };
    sim.set_webhook_url(Some(format!(
        "http://{webhook_host}/api/livechat/webhooks/chat-started?secret={webhook_secret}"
    )))
    .await;
    Ok(DemoServer { addr, sim, server })
}

/// The fake LiveChat Agent App: the page and its script, the same files the end-to-end tests use.
const AGENT_APP_HTML: &str = include_str!("../../e2e/www/agent-app.html");
const AGENT_APP_JS: &str = include_str!("../../e2e/www/agent-app.js");

/// `GET /api/demo/chats`: the simulator's running chats, for the demo console's chat list; and the
/// fake Agent App page.
fn chats_router(sim: Sim) -> Router<AppState> {
    let file = |body: &'static str, kind: &'static str| {
        get(move || async move {
            (
                [
                    (header::CONTENT_TYPE, HeaderValue::from_static(kind)),
                    (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
                ],
                body,
            )
        })
    };
    Router::new()
        .route(
            "/agent-app.html",
            file(AGENT_APP_HTML, "text/html; charset=utf-8"),
        )
        .route(
            "/agent-app.js",
            file(AGENT_APP_JS, "text/javascript; charset=utf-8"),
        )
        .route(
            "/api/demo/chats",
            get(move || {
                let sim = sim.clone();
                async move {
                    let mut response: Response = Json(sim.chats()).into_response();
                    response
                        .headers_mut()
                        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
                    response
                }
            }),
        )
}
