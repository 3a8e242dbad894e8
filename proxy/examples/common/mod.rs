//! What the load and replica benchmarks share: each runs its proxies as child processes (the
//! benchmark program started again with `VS_LOAD_ROLE=proxy`), configured to call the simulator
//! in the parent, and reads its settings from the environment.

// Each benchmark uses a part of this module.
#![allow(dead_code)]

use std::future::Future;
use std::io::BufRead;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use visitor_sidebar_proxy::sim::Sim;

/// A setting from the environment, `default` when unset or not a number, kept within `range`.
/// Writes a run's report to the file named by `$variable`, else to `artifacts/{file}` at the
/// workspace's root (git-ignored), and says where.
pub fn write_report(variable: &str, file: &str, report: &str) -> anyhow::Result<()> {
    let path = std::env::var(variable)
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|_| {
            let proxy_dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
            proxy_dir
                .parent()
                .unwrap_or(proxy_dir)
                .join("artifacts")
                .join(file)
        });
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(&path, report)?;
    println!("written to {}", path.display());
    Ok(())
}

pub fn env_u64(name: &str, default: u64, range: std::ops::RangeInclusive<u64>) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
        .clamp(*range.start(), *range.end())
}

/// The benchmark's `main`: the proxy child's role when started as one, else `bench` on a
/// multi-threaded runtime; exit status 1 when it reports a failed run.
pub fn main_with<F>(bench: impl FnOnce() -> F) -> anyhow::Result<()>
where
    F: Future<Output = anyhow::Result<bool>>,
{
    if std::env::var("VS_LOAD_ROLE").as_deref() == Ok("proxy") {
        return proxy_role();
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    if !runtime.block_on(bench())? {
        std::process::exit(1);
    }
    Ok(())
}

/// The child: one proxy configured from the environment the parent set, printing its address.
/// No log subscriber, so no per-request log lines cost time. Ends when stdin closes (the parent
/// exits or drops it).
fn proxy_role() -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let config = visitor_sidebar_proxy::Config::from_raw(
            &visitor_sidebar_proxy::RawConfig::load(None)?,
        )?;
        let server = visitor_sidebar_proxy::serve(config).await?;
        println!("listening on http://{}", server.addr);
        tokio::task::spawn_blocking(|| {
            let mut sink = String::new();
            while std::io::stdin().read_line(&mut sink).unwrap_or(0) > 0 {}
        })
        .await?;
        server.shutdown().await;
        anyhow::Ok(())
    })
}

/// A child process killed when the run ends, however it ends; then its folder, if it has one,
/// is removed.
pub struct Killed {
    child: Child,
    _dir: Option<tempfile::TempDir>,
}

impl Killed {
    pub fn new(child: Child) -> Killed {
        Killed { child, _dir: None }
    }

    pub fn id(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One proxy child calling `sim` with its LivePerson credentials, caching for `ttl_ms`, with
/// `more` settings; returns it and its base URL once it listens. Anonymous (loopback only; the
/// benchmarks are not about sign-in), without a rate limit, its webhook tokens in a temporary
/// folder of its own (two proxies cannot share one).
pub fn start_proxy(
    sim: &Sim,
    ttl_ms: u64,
    more: &[(&str, &str)],
) -> anyhow::Result<(Killed, String)> {
    let creds = sim.credentials();
    let data = tempfile::tempdir()?;
    let mut command = Command::new(std::env::current_exe()?);
    command
        .env_clear()
        .env("VS_DATA_DIR", data.path())
        .env("VS_LOAD_ROLE", "proxy")
        .env("VS_LISTEN", "127.0.0.1:0")
        .env("VS_ALLOW_ANONYMOUS", "true")
        .env("VS_RATE_LIMIT_PER_SEC", "0")
        .env("VS_CACHE_TTL_MS", ttl_ms.to_string())
        .env("LIVEPERSON_ACCOUNT_ID", &creds.lp_account_id)
        .env("LIVEPERSON_DOMAIN_API_URL", sim.base_url())
        .env("LIVEPERSON_CONSUMER_KEY", &creds.lp_consumer_key)
        .env("LIVEPERSON_CONSUMER_SECRET", &creds.lp_consumer_secret)
        .env("LIVEPERSON_ACCESS_TOKEN", &creds.lp_access_token)
        .env("LIVEPERSON_TOKEN_SECRET", &creds.lp_token_secret)
        .envs(more.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    let mut child = command.spawn()?;
    let stdout = child.stdout.take().expect("piped stdout");
    let child = Killed {
        child,
        _dir: Some(data),
    };
    let mut line = String::new();
    std::io::BufReader::new(stdout).read_line(&mut line)?;
    let url = line
        .trim()
        .strip_prefix("listening on ")
        .ok_or_else(|| anyhow::anyhow!("a proxy did not start: {line:?}"))?
        .to_owned();
    Ok((child, url))
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

/// What a set of pollers measured.
pub struct Polled {
    pub requests: u64,
    pub errors: u64,
    /// The first error of each poller that had one, at most five.
    pub first_errors: Vec<String>,
    pub elapsed: Duration,
    /// Sorted, microseconds.
    pub latencies: Vec<u32>,
}

impl Polled {
    pub fn percentile_ms(&self, p: f64) -> f64 {
        if self.latencies.is_empty() {
            return 0.0;
        }
        let i = ((self.latencies.len() - 1) as f64 * p).round() as usize;
        self.latencies[i] as f64 / 1000.0
    }

    pub fn per_second(&self) -> f64 {
        self.requests as f64 / self.elapsed.as_secs_f64()
    }
}

/// The table both load benchmarks print (Markdown, one line per run): requests, errors,
/// throughput, p50 and p99, and upstream calls in all and per TTL window. A row is a run's
/// name, what its pollers measured, the upstream calls the simulator counted, and the TTL
/// windows the run touched.
pub fn runs_table(rows: &[(&str, &Polled, u64, u64)]) -> String {
    let w = rows.iter().map(|r| r.0.len()).max().unwrap_or(0).max(3);
    let mut table = format!(
        "| {:<w$} | {:>9} | {:>6} | {:>8} | {:>7} | {:>7} | {:>8} | {:>7} | {:>12} |\n",
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
    let rule = [w, 9, 6, 8, 7, 7, 8, 7, 12].map(|n| "-".repeat(n + 2));
    table.push_str(&format!("|{}|\n", rule.join("|")));
    for &(name, polled, upstream_calls, windows) in rows {
        table.push_str(&format!(
            "| {:<w$} | {:>9} | {:>6} | {:>8.0} | {:>7.2} | {:>7.2} | {:>8} | {:>7} | {:>12.2} |\n",
            name,
            polled.requests,
            polled.errors,
            polled.per_second(),
            polled.percentile_ms(0.50),
            polled.percentile_ms(0.99),
            upstream_calls,
            windows,
            upstream_calls as f64 / windows as f64,
        ));
    }
    table.pop();
    table
}

/// One keep-alive poller per URL, each asking again as soon as it has its answer, until
/// `duration` has passed.
pub async fn poll(urls: Vec<String>, duration: Duration) -> anyhow::Result<Polled> {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(urls.len())
        .timeout(Duration::from_secs(10))
        .build()?;
    let start = Instant::now();
    let deadline = start + duration;
    let mut tasks = tokio::task::JoinSet::new();
    for url in urls {
        let client = client.clone();
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
    let (mut latencies, mut errors, mut first_errors) = (Vec::new(), 0, Vec::new());
    while let Some(done) = tasks.join_next().await {
        let (l, e, first) = done?;
        latencies.extend(l);
        errors += e;
        if let Some(first) = first {
            if first_errors.len() < 5 {
                first_errors.push(first);
            }
        }
    }
    let elapsed = start.elapsed();
    latencies.sort_unstable();
    Ok(Polled {
        requests: latencies.len() as u64 + errors,
        errors,
        first_errors,
        elapsed,
        latencies,
    })
}
