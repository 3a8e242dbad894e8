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

#[macro_use]
mod common;

use common::{env_u64, poll, runs_table, start_proxy, Killed, Polled};
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
    polled: Polled,
    upstream_calls: u64,
    windows: u64,
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
    let urls = (0..POLLERS)
        .map(|poller| format!("{}{path}", proxies[poller % REPLICAS].1))
        .collect();
    let before = sim.counters().lp_visit;
    let polled = poll(urls, duration).await?;
    let upstream_calls = sim.counters().lp_visit - before;
    drop(proxies);
    Ok(Run {
        name: name.to_owned(),
        windows: (polled.elapsed.as_millis() as u64).div_ceil(ttl_ms),
        polled,
        upstream_calls,
    })
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
        "{}",
        runs_table(&[
            (
                &alone.name,
                &alone.polled,
                alone.upstream_calls,
                alone.windows
            ),
            (
                &shared.name,
                &shared.polled,
                shared.upstream_calls,
                shared.windows
            )
        ])
    );
    say!(out, "");
    for r in [&alone, &shared] {
        if let Some(e) = r.polled.first_errors.first() {
            say!(out, "{}: {} errors, first: {e}", r.name, r.polled.errors);
        }
    }
    // A run of k windows can straddle k + 1.
    let ok = shared.polled.errors == 0 && shared.upstream_calls <= shared.windows + 1;
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
    common::write_report("REPLICAS_OUT", "bench-replicas.txt", &out)?;
    Ok(ok)
}
