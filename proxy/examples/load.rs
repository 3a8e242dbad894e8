//! The load test: `cargo run --release -p visitor-sidebar-proxy --example load`.
//!
//! The proxy runs as its own process (this program started again with `VS_LOAD_ROLE=proxy`, so
//! its memory is measured alone through `/proc/PID/status`), configured to call the simulator,
//! which runs in this process on loopback with 1,000 extra LivePerson visits (`load-000001` …,
//! `SimConfig::load_visitors`). Two runs of `LOAD_SECS` seconds each (default 30):
//!
//! 1. 100 concurrent keep-alive pollers of one visitor, each asking again as soon as it has its
//!    answer;
//! 2. 1,000 concurrent keep-alive pollers, each of a different visitor.
//!
//! For each: requests, errors (must be 0), requests/s, p50/p99 latency, the upstream calls the
//! simulator counted and the calls per cache TTL window (at most 1 per visitor and window, plus
//! a window boundary); and the proxy's resident memory before, after and at peak. The table is
//! printed and written to `artifacts/bench-load.txt` (or `LOAD_OUT`). The exit status is 1 when
//! a run had errors or more upstream calls than the TTL allows.
//!
//! The load comes from tokio tasks with hyper keep-alive connections (through reqwest) rather
//! than `wrk`: nothing to install, exact per-request error accounting, and the simulator's
//! counters read in-process at the run's edges. Settings: `LOAD_SECS` (1–600), `LOAD_TTL_MS`
//! (the proxy's `VS_CACHE_TTL_MS`, default 2000). Loopback only.

use std::time::Duration;

#[macro_use]
mod common;

use common::{env_u64, poll, runs_table, start_proxy, Polled};
use visitor_sidebar_proxy::sim::{load_visitor, Sim, SimConfig};

const SAME_VISITOR_POLLERS: usize = 100;
const DISTINCT_VISITORS: usize = 1000;

fn main() -> anyhow::Result<()> {
    common::main_with(load)
}

/// `VmRSS` and `VmHWM` of a process, in KiB.
fn memory_kib(pid: u32) -> (u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// The soft limit on open files: each poller holds a connection in this process and one in the
/// proxy.
fn open_files_limit() -> Option<u64> {
    let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = limits.lines().find(|l| l.starts_with("Max open files"))?;
    line.split_whitespace().nth(3)?.parse().ok()
}

struct Run {
    name: String,
    polled: Polled,
    upstream_calls: u64,
    visitors: usize,
    windows: u64,
}

impl Run {
    /// Most upstream calls the cache allows: one per visitor per TTL window the run touched
    /// (a run of k windows can straddle k + 1).
    fn allowed_calls(&self) -> u64 {
        self.visitors as u64 * (self.windows + 1)
    }
}

/// `paths.len()` pollers (one per path) ask back to back until `duration` has passed.
async fn run(
    name: &str,
    sim: &Sim,
    base: &str,
    paths: Vec<String>,
    visitors: usize,
    duration: Duration,
    ttl: Duration,
) -> anyhow::Result<Run> {
    let urls = paths
        .into_iter()
        .map(|path| format!("{base}{path}"))
        .collect();
    let before = sim.counters().lp_visit;
    let polled = poll(urls, duration).await?;
    let windows = (polled.elapsed.as_millis() as u64).div_ceil(ttl.as_millis().max(1) as u64);
    Ok(Run {
        name: name.to_owned(),
        polled,
        upstream_calls: sim.counters().lp_visit - before,
        visitors,
        windows,
    })
}

async fn load() -> anyhow::Result<bool> {
    let secs = env_u64("LOAD_SECS", 30, 1..=600);
    let ttl_ms = env_u64("LOAD_TTL_MS", 2000, 100..=60_000);
    let duration = Duration::from_secs(secs);
    let ttl = Duration::from_millis(ttl_ms);
    if let Some(limit) = open_files_limit() {
        anyhow::ensure!(
            limit >= 2 * DISTINCT_VISITORS as u64 + 200,
            "the open-files limit is {limit}; {DISTINCT_VISITORS} pollers need about {}: run `ulimit -n 4096` first",
            2 * DISTINCT_VISITORS + 200
        );
    }

    let sim = Sim::start(SimConfig {
        load_visitors: DISTINCT_VISITORS,
        ..SimConfig::default()
    })
    .await?;
    let (proxy, base) = start_proxy(&sim, ttl_ms, &[])?;
    let pid = proxy.id();
    let path = |n: usize| {
        let (visitor, sid) = load_visitor(n);
        format!("/api/liveperson/visitors/{visitor}/visit?sid={sid}")
    };
    // One request so that the Domain API lookup is done and the proxy is in its steady state.
    let warm = reqwest::get(format!("{base}{}", path(1))).await?;
    anyhow::ensure!(
        warm.status().is_success(),
        "warm-up failed: {}",
        warm.status()
    );
    let (rss_before, _) = memory_kib(pid);

    let mut out = String::new();
    say!(
        out,
        "visitor-sidebar-proxy load: {secs} s per run, cache TTL {ttl_ms} ms, loopback; proxy pid {pid} (its own process), simulator and load generator in this one"
    );
    let same = run(
        &format!("{SAME_VISITOR_POLLERS} pollers, one visitor"),
        &sim,
        &base,
        (0..SAME_VISITOR_POLLERS).map(|_| path(1)).collect(),
        1,
        duration,
        ttl,
    )
    .await?;
    let (rss_middle, _) = memory_kib(pid);
    let distinct = run(
        &format!("{DISTINCT_VISITORS} pollers, {DISTINCT_VISITORS} visitors"),
        &sim,
        &base,
        (1..=DISTINCT_VISITORS).map(path).collect(),
        DISTINCT_VISITORS,
        duration,
        ttl,
    )
    .await?;
    let (rss_after, rss_peak) = memory_kib(pid);

    say!(out, "");
    say!(
        out,
        "{}",
        runs_table(&[
            (&same.name, &same.polled, same.upstream_calls, same.windows),
            (
                &distinct.name,
                &distinct.polled,
                distinct.upstream_calls,
                distinct.windows
            )
        ])
    );
    let mut ok = true;
    for r in [&same, &distinct] {
        if r.polled.errors > 0 {
            ok = false;
        }
        if r.upstream_calls > r.allowed_calls() {
            ok = false;
        }
    }
    say!(out, "");
    for r in [&same, &distinct] {
        say!(
            out,
            "{}: {} upstream calls for {} visitor(s) over {} TTL windows: {:.2} per visitor per window (allowed at most {} in all); {}",
            r.name,
            r.upstream_calls,
            r.visitors,
            r.windows,
            r.upstream_calls as f64 / (r.visitors as f64 * r.windows as f64),
            r.allowed_calls(),
            if r.polled.errors == 0 { "no errors".to_owned() } else { format!("{} errors, first: {:?}", r.polled.errors, r.polled.first_errors) }
        );
    }
    say!(
        out,
        "proxy resident memory: {:.1} MiB before, {:.1} MiB after the first run, {:.1} MiB after both, peak {:.1} MiB",
        rss_before as f64 / 1024.0,
        rss_middle as f64 / 1024.0,
        rss_after as f64 / 1024.0,
        rss_peak as f64 / 1024.0
    );
    say!(
        out,
        "{}",
        if ok {
            "PASS: zero errors, upstream calls within the TTL bound"
        } else {
            "FAIL: errors or too many upstream calls (see above)"
        }
    );

    common::write_report("LOAD_OUT", "bench-load.txt", &out)?;
    drop(proxy);
    Ok(ok)
}
