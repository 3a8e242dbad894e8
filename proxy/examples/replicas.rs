//! The replica benchmark: `cargo run --release -p visitor-sidebar-proxy --features demo --example replicas`.
//!
//! Four proxies, each its own process (this program started again with `VS_LOAD_ROLE=proxy`),
//! call one simulator (in this process, on loopback). 100 keep-alive pollers of one visitor,
//! spread evenly over the four, ask again as soon as they have their answer, for
//! `REPLICAS_SECS` (default 30), twice: the four proxies on their own (each with its own cache),
//! then the four sharing one Redis (`VS_REDIS_URL`; a `redis-server` this program starts on a
//! free loopback port, with no persistence, and stops). For each run: requests, errors (target
//! 0), requests/s, p50/p99 latency, the upstream calls the simulator counted and the calls per
//! cache TTL window in total across the replicas (target with Redis: 1). The table is printed
//! and written to `artifacts/bench-replicas.txt` (or `REPLICAS_OUT`); the exit status is 1 when
//! the Redis run had errors or more than one upstream call per TTL window (plus one window for
//! the boundary). Settings: `REPLICAS_SECS` (1–600), `REPLICAS_TTL_MS` (default 2000).

use std::net::TcpListener;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

mod common;

use common::{env_u64, start_proxy, Killed};
use visitor_sidebar_proxy::sim::{Sim, SimConfig, SEED_LP_SID, SEED_LP_VISITOR_ID};

const REPLICAS: usize = 4;
const POLLERS: usize = 100;

fn main() -> anyhow::Result<()> {
    common::main_with(bench)
}

/// Debian's `redis-server` on a free loopback port, in a temporary folder, saving nothing.
fn start_redis() -> anyhow::Result<(Killed, String, tempfile::TempDir)> {
    let dir = tempfile::tempdir()?;
    let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let child = Command::new("redis-server")
        .args([
            "--port",
            &port.to_string(),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ])
        .arg("--dir")
        .arg(dir.path())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .spawn()
        .map_err(|e| {
            anyhow::anyhow!(
                "cannot run redis-server ({e}): install it with scripts/install-tools.sh"
            )
        })?;
    let child = Killed::new(child);
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        anyhow::ensure!(
            Instant::now() < deadline,
            "redis-server did not start on port {port}"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    Ok((child, format!("redis://127.0.0.1:{port}/0"), dir))
}

struct Run {
    name: String,
    requests: u64,
    errors: u64,
    first_error: Option<String>,
    elapsed: Duration,
    /// Sorted, microseconds.
    latencies: Vec<u32>,
    upstream_calls: u64,
    windows: u64,
}

impl Run {
    fn percentile_ms(&self, p: f64) -> f64 {
        if self.latencies.is_empty() {
            return 0.0;
        }
        let i = ((self.latencies.len() - 1) as f64 * p).round() as usize;
        self.latencies[i] as f64 / 1000.0
    }
}

/// Four proxies (with or without Redis) and 100 pollers over them for `duration`.
async fn run(
    name: &str,
    sim: &Sim,
    redis: Option<&str>,
    duration: Duration,
    ttl_ms: u64,
) -> anyhow::Result<Run> {
    let mut proxies = Vec::new();
    for _ in 0..REPLICAS {
        let more: Vec<(&str, &str)> = redis.map(|url| ("VS_REDIS_URL", url)).into_iter().collect();
        proxies.push(start_proxy(sim, ttl_ms, &more)?);
    }
    let path = format!("/api/liveperson/visitors/{SEED_LP_VISITOR_ID}/visit?sid={SEED_LP_SID}");
    // Each replica asks the Domain API once and is then in its steady state.
    for (_, base) in &proxies {
        let warm = reqwest::get(format!("{base}/api/health")).await?;
        anyhow::ensure!(
            warm.status().is_success(),
            "warm-up failed: {}",
            warm.status()
        );
    }
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(POLLERS)
        .timeout(Duration::from_secs(10))
        .build()?;
    let before = sim.counters().lp_visit;
    let start = Instant::now();
    let deadline = start + duration;
    let mut tasks = tokio::task::JoinSet::new();
    for poller in 0..POLLERS {
        let client = client.clone();
        let url = format!("{}{path}", proxies[poller % REPLICAS].1);
        tasks.spawn(async move {
            let mut latencies: Vec<u32> = Vec::with_capacity(4096);
            let (mut errors, mut first_error) = (0u64, None);
            while Instant::now() < deadline {
                let t = Instant::now();
                let outcome = match client.get(&url).send().await {
                    Ok(r) if r.status().is_success() => {
                        r.bytes().await.map(|_| ()).map_err(|e| e.to_string())
                    }
                    Ok(r) => Err(format!("status {}", r.status())),
                    Err(e) => Err(e.to_string()),
                };
                match outcome {
                    Ok(()) => latencies.push(t.elapsed().as_micros().min(u32::MAX as u128) as u32),
                    Err(e) => {
                        errors += 1;
                        first_error.get_or_insert(e);
                    }
                }
            }
            (latencies, errors, first_error)
        });
    }
    let (mut latencies, mut errors, mut first_error) = (Vec::new(), 0, None);
    while let Some(done) = tasks.join_next().await {
        let (l, e, first) = done?;
        latencies.extend(l);
        errors += e;
        first_error = first_error.or(first);
    }
    let elapsed = start.elapsed();
    let upstream_calls = sim.counters().lp_visit - before;
    latencies.sort_unstable();
    drop(proxies);
    Ok(Run {
        name: name.to_owned(),
        requests: latencies.len() as u64 + errors,
        errors,
        first_error,
        elapsed,
        latencies,
        upstream_calls,
        windows: (elapsed.as_millis() as u64).div_ceil(ttl_ms),
    })
}

/// Prints a line and keeps it for the report file.
macro_rules! say {
    ($out:expr, $($arg:tt)*) => {{
        let line = format!($($arg)*);
        println!("{line}");
        $out.push_str(&line);
        $out.push('\n');
    }};
}

async fn bench() -> anyhow::Result<bool> {
    let secs = env_u64("REPLICAS_SECS", 30, 1..=600);
    let ttl_ms = env_u64("REPLICAS_TTL_MS", 2000, 100..=60_000);
    let duration = Duration::from_secs(secs);
    let sim = Sim::start(SimConfig::default()).await?;
    let (_redis, redis_url, _redis_dir) = start_redis()?;

    let mut out = String::new();
    say!(out, "visitor-sidebar-proxy replicas: {REPLICAS} proxies (own processes), {POLLERS} pollers of one visitor spread over them, {secs} s per run, cache TTL {ttl_ms} ms, loopback");
    let alone = run(
        &format!("{REPLICAS} replicas, no Redis"),
        &sim,
        None,
        duration,
        ttl_ms,
    )
    .await?;
    let shared = run(
        &format!("{REPLICAS} replicas + Redis"),
        &sim,
        Some(&redis_url),
        duration,
        ttl_ms,
    )
    .await?;

    say!(out, "");
    say!(
        out,
        "| {:<24} | {:>9} | {:>6} | {:>7} | {:>7} | {:>7} | {:>8} | {:>7} | {:>12} |",
        "run",
        "requests",
        "errors",
        "req/s",
        "p50 ms",
        "p99 ms",
        "upstream",
        "windows",
        "calls/window"
    );
    say!(
        out,
        "| {:-<24} | {:->9} | {:->6} | {:->7} | {:->7} | {:->7} | {:->8} | {:->7} | {:->12} |",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        ""
    );
    for r in [&alone, &shared] {
        say!(
            out,
            "| {:<24} | {:>9} | {:>6} | {:>7.0} | {:>7.2} | {:>7.2} | {:>8} | {:>7} | {:>12.2} |",
            r.name,
            r.requests,
            r.errors,
            r.requests as f64 / r.elapsed.as_secs_f64(),
            r.percentile_ms(0.50),
            r.percentile_ms(0.99),
            r.upstream_calls,
            r.windows,
            r.upstream_calls as f64 / r.windows as f64,
        );
    }
    say!(out, "");
    for r in [&alone, &shared] {
        if let Some(e) = &r.first_error {
            say!(out, "{}: {} errors, first: {e}", r.name, r.errors);
        }
    }
    // A run of k windows can straddle k + 1.
    let ok = shared.errors == 0 && shared.upstream_calls <= shared.windows + 1;
    say!(
        out,
        "{}",
        if ok {
            format!("PASS: with Redis, zero errors and {} upstream calls in {} TTL windows (at most one per window across all {REPLICAS} replicas)", shared.upstream_calls, shared.windows)
        } else {
            "FAIL: with Redis, errors or more than one upstream call per TTL window (see above)"
                .to_owned()
        }
    );
    let path = std::env::var("REPLICAS_OUT")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|_| {
            let proxy_dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
            proxy_dir
                .parent()
                .unwrap_or(proxy_dir)
                .join("artifacts/bench-replicas.txt")
        });
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(&path, &out)?;
    println!("written to {}", path.display());
    Ok(ok)
}
