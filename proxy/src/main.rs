//! `visitor-sidebar-proxy`: parses the command line, loads the configuration (exiting with one
//! line naming the bad key), serves, and prints the address it listens on (and the metrics
//! listener's, when there is one). On SIGTERM or Ctrl-C it drains: readiness turns false, the
//! proxy serves on for `VS_DRAIN_SECS` (a second signal cuts that short), then stops accepting
//! and lets the requests in flight finish.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Parser;
use visitor_sidebar_proxy::logging::{init_tracing_with, LogFormat};
use visitor_sidebar_proxy::{serve, AppState, Config, RawConfig};

/// The credential-holding proxy between the visitor sidebar widget and LivePerson / LiveChat.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Cli {
    /// Start the upstream simulator in-process and call it instead of the real APIs (only in
    /// builds with the `demo` feature, as `make serve` makes).
    #[arg(long)]
    demo: bool,
    /// With --demo: add hostile visitors, whose every visitor-set field is an XSS payload
    /// (listed in /api/demo/chats with "hostile": true).
    #[arg(long, requires = "demo")]
    hostile: bool,
    /// Address to listen on (overrides VS_LISTEN; default 127.0.0.1:3000).
    #[arg(long)]
    listen: Option<SocketAddr>,
    /// Directory of the built widget to serve at / (overrides VS_STATIC_DIR).
    #[arg(long = "static", value_name = "DIR")]
    static_dir: Option<PathBuf>,
    /// TOML configuration file; environment variables override its keys.
    #[arg(long, value_name = "PATH")]
    config: Option<PathBuf>,
}

fn fail(message: impl std::fmt::Display) -> ! {
    eprintln!("visitor-sidebar-proxy: {message}");
    std::process::exit(2);
}

#[tokio::main]
async fn main() {
    let cli = Cli::parse();
    let mut raw = RawConfig::load(cli.config.as_deref()).unwrap_or_else(|e| fail(e));
    init_tracing_with(
        cli.demo,
        LogFormat::from_raw(&raw).unwrap_or_else(|e| fail(e)),
    );
    for key in &raw.secrets_in_file {
        tracing::warn!(
            "{key} is set in the configuration file; prefer the environment for secrets"
        );
    }
    if let Some(listen) = cli.listen {
        raw.set("VS_LISTEN", listen.to_string());
    }
    if let Some(dir) = &cli.static_dir {
        raw.set("VS_STATIC_DIR", dir.to_string_lossy());
    }
    let running = if cli.demo {
        start_demo(&raw, &cli).await
    } else {
        let config = Config::from_raw(&raw).unwrap_or_else(|e| fail(e));
        warn_about_sign_in(&config);
        Running::Proxy(serve(config).await.unwrap_or_else(|e| fail(e)))
    };
    println!(
        "visitor-sidebar-proxy listening on http://{}",
        running.addr()
    );
    if let Some(addr) = running.state().metrics_addr {
        println!("visitor-sidebar-proxy metrics on http://{addr}/metrics");
    }
    shutdown_signal().await;
    let state = running.state().state;
    state.health.start_draining();
    let drain = state.config.drain;
    if !drain.is_zero() {
        tracing::info!(
            secs = drain.as_secs(),
            "draining: serving on until load balancers stop sending requests"
        );
        tokio::select! {
            _ = tokio::time::sleep(drain) => {}
            _ = shutdown_signal() => tracing::info!("second signal: not waiting for the drain"),
        }
    }
    tracing::info!("shutting down");
    match running {
        #[cfg(feature = "demo")]
        Running::Demo(demo) => demo.shutdown().await,
        Running::Proxy(server) => server.shutdown().await,
    }
}

/// What an operator must know about sign-in before the first request (demo mode is anonymous by
/// design and says nothing).
fn warn_about_sign_in(config: &Config) {
    if config.auth.allow_anonymous {
        tracing::warn!(
            "VS_ALLOW_ANONYMOUS=true: callers without a credential read and write visitor data; keep this address reachable only through something that decides who gets in"
        );
    } else if !config.access_control() {
        tracing::warn!(
            "no way to sign agents in is configured: every visitor route answers 401 (set VS_ACCESS_TOKENS, VS_JWT_SECRET, VS_JWKS_URL, LIVECHAT_CLIENT_ID or VS_OIDC_ISSUER)"
        );
    }
    if config.auth.oidc.is_some() && config.auth.session_secret.is_none() {
        tracing::info!(
            "session tokens are signed with a key made at start: a restart signs agents out, and replicas need a shared VS_SESSION_SECRET"
        );
    }
}

#[cfg(feature = "demo")]
async fn start_demo(raw: &RawConfig, cli: &Cli) -> Running {
    let listen = match raw.get("VS_LISTEN") {
        Some(text) => text.parse().unwrap_or_else(|_| {
            fail(format!(
                "configuration error: VS_LISTEN: '{text}' is not an address such as 127.0.0.1:3000"
            ))
        }),
        None => SocketAddr::from(([127, 0, 0, 1], 3000)),
    };
    let sim = visitor_sidebar_proxy::sim::SimConfig {
        tick_interval: Some(visitor_sidebar_proxy::demo::DEMO_TICK),
        hostile: cli.hostile,
        ..Default::default()
    };
    let demo = visitor_sidebar_proxy::start_demo_with_sim(
        raw.clone(),
        listen,
        cli.static_dir.clone(),
        sim,
    )
    .await
    .unwrap_or_else(|e| fail(e));
    Running::Demo(demo)
}

#[cfg(not(feature = "demo"))]
async fn start_demo(_raw: &RawConfig, _cli: &Cli) -> Running {
    fail("--demo needs a build with the demo feature: cargo run -p visitor-sidebar-proxy --features demo -- --demo")
}

enum Running {
    #[cfg(feature = "demo")]
    Demo(visitor_sidebar_proxy::DemoServer),
    Proxy(visitor_sidebar_proxy::RunningServer),
}

/// What `main` needs of a running server, demo or not.
struct Serving<'a> {
    state: &'a AppState,
    metrics_addr: Option<SocketAddr>,
}

impl Running {
    fn addr(&self) -> SocketAddr {
        match self {
            #[cfg(feature = "demo")]
            Running::Demo(demo) => demo.addr,
            Running::Proxy(server) => server.addr,
        }
    }

    fn state(&self) -> Serving<'_> {
        match self {
            #[cfg(feature = "demo")]
            Running::Demo(demo) => Serving {
                state: demo.state(),
                metrics_addr: demo.metrics_addr(),
            },
            Running::Proxy(server) => Serving {
                state: &server.state,
                metrics_addr: server.metrics_addr,
            },
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = terminate => {}
    }
}
