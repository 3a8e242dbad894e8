//! Demo mode (the `demo` cargo feature): the simulator started in-process on loopback with fresh
//! credentials, and the proxy configured to call it with real credential checks (OAuth 1.0
//! signatures, HTTP Basic, the webhook secret), plus `GET /api/demo/chats` for the demo console
//! and a fake of LivePerson's Agent Workspace (`/api/demo/agent-workspace`, with the widget page
//! it frames and the SDK stand-in that page loads), and `/agent-app.html`, a stand-in for
//! LiveChat's Agent App (from `e2e/www/`) that frames the widget at `?widget=URL` and speaks the
//! Agent App SDK's protocol to it. Needs no configuration; used by `--demo`, the end-to-end tests
//! and the bench. Production builds leave it (and the simulator) out.
//!
//! The demo is anonymous (no one signs in) unless the settings say `VS_ALLOW_ANONYMOUS=false`:
//! then every sign-in mode is wired to the simulator (LiveChat's accounts server, its host
//! JWKS, its OIDC provider), for sign-in tests and for trying the flows by hand.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use visitor_sidebar_sim::{Sim, SimConfig};

use crate::config::Config;
use crate::pages::{self, Console, PagePolicy};
use crate::server::{serve_on, RunningServer};
use crate::settings::RawConfig;
use crate::state::AppState;

/// How often the demo's generated visitors move on.
pub const DEMO_TICK: Duration = Duration::from_secs(3);
/// Origins of the widget's development server, allowed in demo mode unless configured.
const DEV_ORIGINS: &str = "http://127.0.0.1:8080,http://localhost:8080";
/// With sign-in on: the `aud` and `iss` host tokens signed with the simulator's host keys need.
pub const DEMO_JWT_AUDIENCE: &str = "visitor-sidebar-demo";
pub const DEMO_JWT_ISSUER: &str = "demo-console";

/// A running demo: the proxy on `addr` and its simulator. Dropping it stops both.
pub struct DemoServer {
    pub addr: SocketAddr,
    pub sim: Sim,
    server: RunningServer,
    /// The demo's own data folder (removed on drop), unless `VS_DATA_DIR` named one.
    _data_dir: Option<tempfile::TempDir>,
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

    /// Where `/metrics` is served, when `VS_METRICS_LISTEN` is set.
    pub fn metrics_addr(&self) -> Option<SocketAddr> {
        self.server.metrics_addr
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
    // Bound first: with sign-in on, the OIDC redirect URI needs the address.
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {listen}: {e}"))?;
    let addr = listener.local_addr()?;
    raw.set("VS_LISTEN", addr.to_string());
    let sign_in = raw
        .value("VS_ALLOW_ANONYMOUS")
        .is_some_and(|v| v.eq_ignore_ascii_case("false"));
    if sign_in {
        let public_url = match raw.value("VS_PUBLIC_URL") {
            Some(url) => url.trim_end_matches('/').to_owned(),
            None => format!("http://{}", loopback(addr)),
        };
        for (key, value) in [
            ("LIVECHAT_ACCOUNTS_URL", sim.base_url().to_owned()),
            ("LIVECHAT_CLIENT_ID", creds.lc_client_id.clone()),
            ("LIVECHAT_ORGANIZATION_ID", creds.lc_organization_id.clone()),
            ("VS_JWKS_URL", sim.host_jwks_url()),
            ("VS_JWT_AUDIENCE", DEMO_JWT_AUDIENCE.to_owned()),
            ("VS_JWT_ISSUER", DEMO_JWT_ISSUER.to_owned()),
            ("VS_OIDC_ISSUER", sim.oidc_issuer()),
            ("VS_OIDC_CLIENT_ID", creds.oidc_client_id.clone()),
            ("VS_OIDC_CLIENT_SECRET", creds.oidc_client_secret.clone()),
            ("VS_PUBLIC_URL", public_url.clone()),
        ] {
            raw.set(key, value);
        }
        sim.register_oidc_redirect_uri(&format!("{public_url}/api/auth/callback"));
    } else {
        raw.set("VS_ALLOW_ANONYMOUS", "true");
    }
    if let Some(dir) = &static_dir {
        raw.set("VS_STATIC_DIR", dir.to_string_lossy());
    }
    if raw.get("VS_ALLOWED_ORIGINS").is_none() {
        raw.set("VS_ALLOWED_ORIGINS", DEV_ORIGINS);
    }
    // No load balancer to tell: Ctrl-C stops a demo (`make serve`) at once unless set.
    if raw.value("VS_DRAIN_SECS").is_none() {
        raw.set("VS_DRAIN_SECS", "0");
    }
    // The simulator's chats and tokens are new on every start, so a demo keeps its webhook
    // tokens in a fresh folder of its own (several demos and tests run at once) rather than in
    // `data/`, where they would only pile up dead tokens.
    let data_dir = match raw.value("VS_DATA_DIR") {
        Some(_) => None,
        None => {
            let dir = tempfile::Builder::new()
                .prefix("visitor-sidebar-demo-")
                .tempdir()?;
            raw.set("VS_DATA_DIR", dir.path().to_string_lossy());
            Some(dir)
        }
    };
    let config = Config::from_raw(&raw)?;
    let server = serve_on(listener, config, Some(chats_router(sim.clone()))).await?;
    // The simulator posts webhooks to the proxy over loopback even if it listens on all addresses.
    sim.set_webhook_url(Some(format!(
        "http://{}/api/livechat/webhooks/chat-started?secret={webhook_secret}",
        loopback(addr)
    )))
    .await;
    Ok(DemoServer {
        addr,
        sim,
        server,
        _data_dir: data_dir,
    })
}

/// The address on loopback, when the proxy listens on all addresses.
fn loopback(addr: SocketAddr) -> SocketAddr {
    if addr.ip().is_unspecified() {
        SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), addr.port())
    } else {
        addr
    }
}

/// The fake Agent Workspace: LivePerson conversations on the left, the custom widget framed on
/// the right, fed through the SDK stand-in; its look and script are files, as the strict policy
/// wants.
const AGENT_WORKSPACE_PAGE: &str = include_str!("../demo/agent-workspace.html");
const AGENT_WORKSPACE_CSS: &str = include_str!("../demo/agent-workspace.css");
const AGENT_WORKSPACE_JS: &str = include_str!("../demo/agent-workspace.js");
/// The iframe page with the SDK stand-in as its `liveperson-sdk-url`, and its start-up script.
const WORKSPACE_WIDGET_PAGE: &str = include_str!("../demo/agent-workspace-widget.html");
const WORKSPACE_WIDGET_JS: &str = include_str!("../demo/agent-workspace-widget.js");
/// The end-to-end tests' stand-in for LivePerson's `client-SDK.min.js`.
const LP_SDK_STANDIN: &str = include_str!("../../e2e/www/lp-agent-sdk-standin.js");

/// The fake consoles' own policy: their files only, as strict as the widget's, except that they
/// frame the widget wherever it is (the fake Agent App takes its address as `?widget=`).
const STAND_IN_CONSOLE_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
     img-src 'self'; connect-src 'self'; frame-src 'self' http: https:; object-src 'none'; \
     base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const HTML: &str = "text/html; charset=utf-8";
const JS: &str = "text/javascript; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";

fn demo_file(content_type: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
        ],
        body,
    )
        .into_response()
}

/// A fake console's page, under [`STAND_IN_CONSOLE_POLICY`].
fn stand_in_console(body: &'static str) -> Response {
    let mut response = demo_file(HTML, body);
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(STAND_IN_CONSOLE_POLICY),
    );
    pages::protective_headers(headers);
    response
}

/// The fake LiveChat Agent App: the page, its look and its script, the same files the
/// end-to-end tests use.
const AGENT_APP_HTML: &str = include_str!("../../e2e/www/agent-app.html");
const AGENT_APP_CSS: &str = include_str!("../../e2e/www/agent-app.css");
const AGENT_APP_JS: &str = include_str!("../../e2e/www/agent-app.js");

/// `GET /api/demo/chats`: the simulator's running chats, for the demo console's chat list; the
/// fake Agent Workspace's files (under `/api`, so `trunk serve` forwards them and they share the
/// widget's origin; its widget page under the widget's own policy); and the fake Agent App, at
/// the proxy's own origin (it frames the widget from another origin, as LiveChat's does).
fn chats_router(sim: Sim) -> Router<AppState> {
    Router::new()
        .route(
            "/agent-app.html",
            get(|| async { stand_in_console(AGENT_APP_HTML) }),
        )
        .route(
            "/agent-app.css",
            get(|| async { demo_file(CSS, AGENT_APP_CSS) }),
        )
        .route(
            "/agent-app.js",
            get(|| async { demo_file(JS, AGENT_APP_JS) }),
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
        .route(
            "/api/demo/agent-workspace",
            get(|| async { stand_in_console(AGENT_WORKSPACE_PAGE) }),
        )
        .route(
            "/api/demo/agent-workspace.css",
            get(|| async { demo_file(CSS, AGENT_WORKSPACE_CSS) }),
        )
        .route(
            "/api/demo/agent-workspace.js",
            get(|| async { demo_file(JS, AGENT_WORKSPACE_JS) }),
        )
        .route(
            "/api/demo/agent-workspace/widget",
            get(|State(policy): State<Arc<PagePolicy>>| async move {
                let mut response = demo_file(HTML, WORKSPACE_WIDGET_PAGE);
                policy.protect(Console::LivePerson, response.headers_mut());
                response
            }),
        )
        .route(
            "/api/demo/agent-workspace/widget.js",
            get(|| async { demo_file(JS, WORKSPACE_WIDGET_JS) }),
        )
        .route(
            "/api/demo/lp-agent-sdk-standin.js",
            get(|| async { demo_file(JS, LP_SDK_STANDIN) }),
        )
}
