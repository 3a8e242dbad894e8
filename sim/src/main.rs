//! `visitor-sidebar-sim`: runs the upstream simulator on its own, printing its base URL and the
//! (generated or given) credentials it accepts, so a proxy can be pointed at it by hand.

use std::net::SocketAddr;
use std::time::Duration;

use clap::Parser;
use visitor_sidebar_sim::{Knobs, Sim, SimConfig, SimCredentials};

/// Simulates the LivePerson Visit Information API, the LiveChat v2 visitors API and the
/// LiveChat Agent Chat API v3.6 `get_customer`.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Args {
    /// Address to listen on (loopback by default: the simulator has no access control).
    #[arg(long, default_value = "127.0.0.1:9001")]
    listen: SocketAddr,
    /// Milliseconds between steps of the generated visitors; 0 disables the clock.
    #[arg(long, default_value_t = 3000)]
    tick_ms: u64,
    /// Where to POST LiveChat `chat_started` webhooks, e.g.
    /// http://127.0.0.1:3000/api/livechat/webhooks/chat-started?secret=...
    #[arg(long, env = "SIM_WEBHOOK_URL")]
    webhook_url: Option<String>,
    /// JSON file with the credentials to accept (fields as printed at start); random otherwise.
    #[arg(long)]
    credentials: Option<std::path::PathBuf>,
    /// Milliseconds added to every answer.
    #[arg(long, default_value_t = 0)]
    latency_ms: u64,
    /// Share (0..1) of requests answered 500.
    #[arg(long, default_value_t = 0.0)]
    error_rate: f64,
    /// Share (0..1) of requests answered 429.
    #[arg(long, default_value_t = 0.0)]
    rate_limit_rate: f64,
    /// Retry-After seconds on those 429s.
    #[arg(long, default_value_t = 1)]
    retry_after_secs: u64,
    /// Share (0..1) of successful answers with a body that is not JSON.
    #[arg(long, default_value_t = 0.0)]
    malformed_rate: f64,
    /// Share (0..1) of successful answers with the JSON cut in half.
    #[arg(long, default_value_t = 0.0)]
    truncated_rate: f64,
    /// LiveChat v2 answers carry Deprecation and Sunset headers.
    #[arg(long)]
    lc_v2_deprecated: bool,
    /// Add hostile visitors whose every visitor-set field is an XSS payload (see README).
    #[arg(long)]
    hostile: bool,
    /// Add this many unlisted LivePerson visits for load tests (load-000001 / load.000001, ...).
    #[arg(long, default_value_t = 0)]
    load_visitors: usize,
    /// Add this many LiveChat visitors to the visitor list, not to the demo console's chats
    /// (S1000000000.load000001, ...).
    #[arg(long, default_value_t = 0)]
    lc_load_visitors: usize,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "visitor_sidebar_sim=info".into()),
        )
        .init();
    let args = Args::parse();
    let credentials = match &args.credentials {
        Some(path) => serde_json::from_str(&std::fs::read_to_string(path)?)?,
        None => SimCredentials::generate(),
    };
    let sim = Sim::start(SimConfig {
        listen: args.listen,
        credentials,
        tick_interval: (args.tick_ms > 0).then(|| Duration::from_millis(args.tick_ms)),
        knobs: Knobs {
            latency_ms: args.latency_ms,
            error_rate: args.error_rate,
            rate_limit_rate: args.rate_limit_rate,
            retry_after_secs: args.retry_after_secs,
            malformed_rate: args.malformed_rate,
            truncated_rate: args.truncated_rate,
            lc_v2_deprecated: args.lc_v2_deprecated,
        },
        webhook_url: None,
        hostile: args.hostile,
        load_visitors: args.load_visitors,
        lc_load_visitors: args.lc_load_visitors,
    })
    .await?;
    if args.webhook_url.is_some() {
        sim.set_webhook_url(args.webhook_url.clone()).await;
    }
    println!("visitor-sidebar-sim listening on {}", sim.base_url());
    // A simulator's credentials are test values; printing them is how a proxy gets configured.
    println!("{}", serde_json::to_string_pretty(sim.credentials())?);
    tokio::signal::ctrl_c().await?;
    Ok(())
}
