//! The benchmark: `cargo run --release -p visitor-sidebar-proxy --example bench`.
//!
//! Starts the simulator and the proxy in-process on loopback, warms the cache, then for a bounded
//! time (`BENCH_SECS`, default 10) hammers one cached visitor route with `BENCH_CLIENTS`
//! (default 64) concurrent keep-alive clients, and prints: cache-hit throughput and latency, the
//! same load sent to the simulator directly, the latency the proxy adds on a cache miss, and the
//! upstream calls the simulator counted while 100 pollers watched one visitor. The report also
//! goes to `artifacts/bench.txt` (or `BENCH_OUT`).

use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::header::{HeaderMap, HeaderValue, AUTHORIZATION};
use visitor_sidebar_proxy::{start_demo_with, RawConfig};
use visitor_sidebar_sim::{SEED_LP_SID, SEED_LP_VISITOR_ID};

struct Stats {
    requests: usize,
    errors: usize,
    elapsed: Duration,
    /// Sorted latencies, microseconds.
    latencies: Vec<u64>,
}

impl Stats {
    fn rps(&self) -> f64 {
        self.requests as f64 / self.elapsed.as_secs_f64()
    }

    fn percentile(&self, p: f64) -> f64 {
        if self.latencies.is_empty() {
            return 0.0;
        }
        let i = ((self.latencies.len() - 1) as f64 * p).round() as usize;
        self.latencies[i] as f64 / 1000.0
    }
}

/// `clients` tasks GET `url` back to back until `duration` has passed.
async fn hammer(
    client: &reqwest::Client,
    url: &str,
    headers: &HeaderMap,
    clients: usize,
    duration: Duration,
) -> Stats {
    let start = Instant::now();
    let deadline = start + duration;
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..clients {
        let client = client.clone();
        let url = url.to_owned();
        let headers = headers.clone();
        tasks.spawn(async move {
            let mut latencies = Vec::with_capacity(1 << 14);
            let mut errors = 0;
            while Instant::now() < deadline {
                let t = Instant::now();
                match client.get(&url).headers(headers.clone()).send().await {
                    Ok(r) if r.status().is_success() => {
                        let _ = r.bytes().await;
                        latencies.push(t.elapsed().as_micros() as u64);
                    }
                    _ => errors += 1,
                }
            }
            (latencies, errors)
        });
    }
    let mut latencies = Vec::new();
    let mut errors = 0;
    while let Some(done) = tasks.join_next().await {
        let (l, e) = done.expect("bench task");
        latencies.extend(l);
        errors += e;
    }
    let elapsed = start.elapsed();
    latencies.sort_unstable();
    Stats {
        requests: latencies.len(),
        errors,
        elapsed,
        latencies,
    }
}

/// One client, each request a cache miss: the entry is dropped (outside the timing) before each
/// GET, so every answer comes from an OAuth-signed call to the simulator.
async fn misses(
    demo: &visitor_sidebar_proxy::DemoServer,
    client: &reqwest::Client,
    url: &str,
    duration: Duration,
) -> Stats {
    let key = format!("lp:visit:{SEED_LP_VISITOR_ID}:{SEED_LP_SID}");
    let start = Instant::now();
    let mut latencies = Vec::new();
    let mut errors = 0;
    let mut busy = Duration::ZERO;
    while start.elapsed() < duration {
        demo.state().liveperson.cache().invalidate(&key).await;
        let t = Instant::now();
        match client.get(url).send().await {
            Ok(r) if r.status().is_success() => {
                let _ = r.bytes().await;
                latencies.push(t.elapsed().as_micros() as u64);
            }
            _ => errors += 1,
        }
        busy += t.elapsed();
    }
    latencies.sort_unstable();
    Stats {
        requests: latencies.len(),
        errors,
        elapsed: busy,
        latencies,
    }
}

fn row(name: &str, s: &Stats) -> String {
    format!(
        "| {name:<46} | {:>10.0} | {:>8.3} | {:>8.3} | {:>6} |",
        s.rps(),
        s.percentile(0.50),
        s.percentile(0.99),
        s.errors
    )
}

/// Prints a line and keeps it for the report file.
macro_rules! say {
    ($out:expr) => {{
        println!();
        $out.push('\n');
    }};
    ($out:expr, $($arg:tt)*) => {{
        let line = format!($($arg)*);
        println!("{line}");
        $out.push_str(&line);
        $out.push('\n');
    }};
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let secs: u64 = std::env::var("BENCH_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10)
        .clamp(1, 120);
    let clients: usize = std::env::var("BENCH_CLIENTS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(64)
        .clamp(1, 512);
    let duration = Duration::from_secs(secs);
    let mut out = String::new();

    // No per-client rate limit (all load comes from one address) and no clock ticking, so every
    // request asks for the same unchanged visit.
    let mut raw = RawConfig::default();
    raw.set("VS_RATE_LIMIT_PER_SEC", "0");
    let demo = start_demo_with(raw, "127.0.0.1:0".parse()?, None, None).await?;
    let path = format!("/api/liveperson/visitors/{SEED_LP_VISITOR_ID}/visit?sid={SEED_LP_SID}");
    let proxy_url = format!("{}{path}", demo.url());
    let creds = demo.sim.credentials().clone();
    let sim_url = format!(
        "{}/api/account/{}/monitoring/visitors/{SEED_LP_VISITOR_ID}/visits/current/state?v=1&filter=agent&sid={SEED_LP_SID}",
        demo.sim.base_url(),
        creds.lp_account_id
    );
    let mut sim_headers = HeaderMap::new();
    sim_headers.insert(
        AUTHORIZATION,
        HeaderValue::from_str(&format!("Bearer {}", creds.lp_bearer_token))?,
    );
    let none = HeaderMap::new();

    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(clients)
        .timeout(Duration::from_secs(10))
        .build()?;
    // Warm the cache (and the Domain API lookup) and the connection pools.
    anyhow::ensure!(
        client.get(&proxy_url).send().await?.status().is_success(),
        "warm-up failed"
    );

    say!(out, "visitor-sidebar-proxy bench: {clients} keep-alive clients, {secs} s per run, loopback only");
    say!(out);
    say!(
        out,
        "| {:<46} | {:>10} | {:>8} | {:>8} | {:>6} |",
        "run",
        "req/s",
        "p50 ms",
        "p99 ms",
        "errors"
    );
    say!(
        out,
        "|{:-<48}|{:->12}|{:->10}|{:->10}|{:->8}|",
        "",
        "",
        "",
        "",
        ""
    );
    let hits = hammer(&client, &proxy_url, &none, clients, duration).await;
    say!(out, "{}", row("proxy, cached visitor (cache hits)", &hits));
    let direct = hammer(&client, &sim_url, &sim_headers, clients, duration).await;
    say!(
        out,
        "{}",
        row("simulator directly (same route, bearer)", &direct)
    );

    // Latency added by the proxy, one client at a time so queueing does not blur it.
    let single = Duration::from_secs((secs / 3).max(1));
    let direct_1 = hammer(&client, &sim_url, &sim_headers, 1, single).await;
    say!(out, "{}", row("simulator directly, 1 client", &direct_1));
    let hit_1 = hammer(&client, &proxy_url, &none, 1, single).await;
    say!(out, "{}", row("proxy cache hit, 1 client", &hit_1));
    let miss_1 = misses(&demo, &client, &proxy_url, single).await;
    say!(
        out,
        "{}",
        row("proxy cache miss (OAuth-signed call), 1 client", &miss_1)
    );
    say!(out);
    say!(
        out,
        "latency the proxy adds on a miss (p50): {:.3} ms over calling the simulator directly",
        miss_1.percentile(0.5) - direct_1.percentile(0.5)
    );
    say!(
        out,
        "a cache hit answers in {:.3} ms (p50), {:.1}x the simulator's own p50",
        hit_1.percentile(0.5),
        hit_1.percentile(0.5) / direct_1.percentile(0.5).max(0.001)
    );

    // 100 agents polling one visitor every 100 ms for a bounded time: upstream calls per TTL.
    let poll_for = Duration::from_secs(secs.clamp(2, 6));
    let ttl_ms = visitor_sidebar_proxy::config::DEFAULT_CACHE_TTL_MS;
    demo.sim.reset_counters();
    let served = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let deadline = Instant::now() + poll_for;
    let mut pollers = tokio::task::JoinSet::new();
    for _ in 0..100 {
        let client = client.clone();
        let url = proxy_url.clone();
        let served = served.clone();
        pollers.spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_millis(100));
            while Instant::now() < deadline {
                tick.tick().await;
                if let Ok(r) = client.get(&url).send().await {
                    if r.status().is_success() {
                        served.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    }
                }
            }
        });
    }
    while pollers.join_next().await.is_some() {}
    let calls = demo.sim.counters().lp_visit;
    say!(out,
        "100 pollers x {:.0} s (every 100 ms): {} answers served, {} upstream calls counted by the simulator (TTL {} ms: at most {})",
        poll_for.as_secs_f64(),
        served.load(std::sync::atomic::Ordering::Relaxed),
        calls,
        ttl_ms,
        poll_for.as_millis() as u64 / ttl_ms + 1
    );
    demo.shutdown().await;

    // `make bench` keeps the figures (artifacts/ is git-ignored); BENCH_OUT picks another file.
    let path = std::env::var("BENCH_OUT").unwrap_or_else(|_| {
        concat!(env!("CARGO_MANIFEST_DIR"), "/../artifacts/bench.txt").to_owned()
    });
    let path = std::path::Path::new(&path);
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(path, out)?;
    println!("(written to {})", path.display());
    Ok(())
}
