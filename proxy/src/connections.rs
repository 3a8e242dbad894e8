//! Serving connections on the open internet: the accept loop with a cap on open connections,
//! a deadline on every connection while it is not being answered, and the graceful shutdown.
//!
//! A client that opens a connection and sends half its headers, or goes quiet between requests,
//! holds a socket and a task; a few hundred of them would starve everyone else. So:
//!
//! - **headers** (`VS_HEADER_TIMEOUT_MS`, default 10 s): from a connection's first byte (or its
//!   opening), a request's head must be complete in time, however slowly it trickles;
//! - **idle** (`VS_IDLE_TIMEOUT_MS`, default 75 s): a keep-alive connection that neither sends
//!   a new request nor takes the answer's bytes for that long is closed. Longer than the 60 s
//!   load balancers keep idle connections to their backends by default, so the proxy is never
//!   the one to close a connection a load balancer is about to reuse;
//! - **the whole request** (`VS_REQUEST_TIMEOUT_MS`, default 30 s): tower-http's timeout layer
//!   in `app` answers 408 when a request (its body included) takes longer;
//! - **connections** (`VS_MAX_CONNECTIONS`, default 4096): past the cap the proxy stops
//!   accepting until one closes (the kernel's backlog holds the rest).
//!
//! Why not hyper's own `header_read_timeout`: its timer also runs while a keep-alive connection
//! waits for its next request (hyper 1.x starts it whenever it reads a head), so a 10 s header
//! limit would close every idle connection after 10 s, under a load balancer's feet. Here the
//! header deadline starts with the request's first byte and the idle one after each answer,
//! tracked by the connection's reads and writes ([`Watched`]) and by its service (busy while a
//! request is being answered, when no deadline runs).

use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::extract::ConnectInfo;
use axum::Router;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto::Builder;
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, Notify, Semaphore};
use tokio::time::Instant;
use tower::ServiceExt;

use crate::settings::{err, number, ConfigError, RawConfig};

pub const DEFAULT_HEADER_TIMEOUT_MS: u64 = 10_000;
pub const DEFAULT_IDLE_TIMEOUT_MS: u64 = 75_000;
pub const DEFAULT_REQUEST_TIMEOUT_MS: u64 = 30_000;
pub const DEFAULT_MAX_CONNECTIONS: u64 = 4096;

/// How long connections and requests may take, and how many connections may be open.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    pub header_timeout: Duration,
    pub idle_timeout: Duration,
    pub request_timeout: Duration,
    pub max_connections: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            header_timeout: Duration::from_millis(DEFAULT_HEADER_TIMEOUT_MS),
            idle_timeout: Duration::from_millis(DEFAULT_IDLE_TIMEOUT_MS),
            request_timeout: Duration::from_millis(DEFAULT_REQUEST_TIMEOUT_MS),
            max_connections: DEFAULT_MAX_CONNECTIONS as usize,
        }
    }
}

impl Limits {
    pub fn from_raw(raw: &RawConfig) -> Result<Limits, ConfigError> {
        let millis = |key: &str, default: u64| -> Result<Duration, ConfigError> {
            let ms = number(raw.value(key), key, default)?;
            if ms == 0 {
                return Err(err(key, "must be more than 0"));
            }
            Ok(Duration::from_millis(ms))
        };
        let max_connections = number(
            raw.value("VS_MAX_CONNECTIONS"),
            "VS_MAX_CONNECTIONS",
            DEFAULT_MAX_CONNECTIONS,
        )?;
        if !(1..=1_000_000).contains(&max_connections) {
            return Err(err("VS_MAX_CONNECTIONS", "must be from 1 to 1000000"));
        }
        Ok(Limits {
            header_timeout: millis("VS_HEADER_TIMEOUT_MS", DEFAULT_HEADER_TIMEOUT_MS)?,
            idle_timeout: millis("VS_IDLE_TIMEOUT_MS", DEFAULT_IDLE_TIMEOUT_MS)?,
            request_timeout: millis("VS_REQUEST_TIMEOUT_MS", DEFAULT_REQUEST_TIMEOUT_MS)?,
            max_connections: max_connections as usize,
        })
    }
}

/// Where a connection is, for its deadline.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    /// Waiting for (the rest of) a request's head: the header deadline runs.
    Head,
    /// Between requests, or sending an answer's body: the idle deadline runs.
    Idle,
}

struct State {
    phase: Phase,
    /// Requests being answered (HTTP/2 answers several at once); no deadline runs meanwhile.
    busy: usize,
    deadline: Instant,
}

/// One connection's deadline, moved by its reads, writes and requests.
struct Watch {
    limits: Limits,
    state: Mutex<State>,
    /// Woken when the phase or the busy count changes (a deadline only moving later does not
    /// need it: the watchdog looks again when it wakes).
    changed: Notify,
}

impl Watch {
    fn new(limits: Limits) -> Watch {
        Watch {
            limits,
            state: Mutex::new(State {
                phase: Phase::Head,
                busy: 0,
                deadline: Instant::now() + limits.header_timeout,
            }),
            changed: Notify::new(),
        }
    }

    /// Bytes arrived: between requests, they start a head, which must be complete in time.
    fn read(&self) {
        let mut state = self.state.lock().unwrap();
        if state.busy == 0 && state.phase == Phase::Idle {
            state.phase = Phase::Head;
            state.deadline = Instant::now() + self.limits.header_timeout;
            drop(state);
            self.changed.notify_one();
        }
    }

    /// Bytes left: an answer's body still being taken keeps the connection alive.
    fn wrote(&self) {
        let mut state = self.state.lock().unwrap();
        if state.busy == 0 && state.phase == Phase::Idle {
            state.deadline = Instant::now() + self.limits.idle_timeout;
        }
    }

    fn begin(self: &Arc<Self>) -> Busy {
        self.state.lock().unwrap().busy += 1;
        self.changed.notify_one();
        Busy(self.clone())
    }

    /// Resolves when the connection's deadline passed while no request was being answered.
    async fn expired(&self) {
        loop {
            let (busy, deadline) = {
                let state = self.state.lock().unwrap();
                (state.busy, state.deadline)
            };
            if busy > 0 {
                self.changed.notified().await;
                continue;
            }
            if Instant::now() >= deadline {
                return;
            }
            tokio::select! {
                _ = tokio::time::sleep_until(deadline) => {}
                _ = self.changed.notified() => {}
            }
        }
    }
}

/// A request being answered; dropped when its response is ready (or the request is dropped).
struct Busy(Arc<Watch>);

impl Drop for Busy {
    fn drop(&mut self) {
        let mut state = self.0.state.lock().unwrap();
        state.busy -= 1;
        if state.busy == 0 {
            state.phase = Phase::Idle;
            state.deadline = Instant::now() + self.0.limits.idle_timeout;
        }
        drop(state);
        self.0.changed.notify_one();
    }
}

/// The TCP stream, reporting its reads and writes to the connection's [`Watch`].
struct Watched {
    stream: TcpStream,
    watch: Arc<Watch>,
}

impl AsyncRead for Watched {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let result = Pin::new(&mut self.stream).poll_read(cx, buf);
        if matches!(result, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            self.watch.read();
        }
        result
    }
}

impl AsyncWrite for Watched {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let result = Pin::new(&mut self.stream).poll_write(cx, buf);
        if matches!(result, Poll::Ready(Ok(n)) if n > 0) {
            self.watch.wrote();
        }
        result
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        let result = Pin::new(&mut self.stream).poll_write_vectored(cx, bufs);
        if matches!(result, Poll::Ready(Ok(n)) if n > 0) {
            self.watch.wrote();
        }
        result
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}

/// Serves `router` on `listener` until `stop` turns true, then stops accepting, lets the
/// connections finish their requests (each closes once answered), and returns when all have.
/// The router sees each connection's peer as `ConnectInfo<SocketAddr>`.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: Limits,
    mut stop: watch::Receiver<bool>,
) {
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let mut builder = Builder::new(TokioExecutor::new());
    // The header deadline is the Watch's: hyper's would also close idle keep-alive connections.
    builder.http1().header_read_timeout(None);
    let builder = Arc::new(builder);
    loop {
        let slot = tokio::select! {
            slot = slots.clone().acquire_owned() => slot.expect("the semaphore is never closed"),
            _ = stopped(&mut stop) => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors and the like: wait a little rather than spin.
                    tracing::warn!("accept failed: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = stopped(&mut stop) => break,
        };
        let _ = stream.set_nodelay(true);
        let watch = Arc::new(Watch::new(limits));
        let io = TokioIo::new(Watched {
            stream,
            watch: watch.clone(),
        });
        let service = {
            let (router, watch) = (router.clone(), watch.clone());
            tower::service_fn(
                move |mut request: axum::http::Request<hyper::body::Incoming>| {
                    request.extensions_mut().insert(ConnectInfo(peer));
                    let busy = watch.begin();
                    let router = router.clone();
                    async move {
                        let response = router.oneshot(request).await;
                        drop(busy);
                        response
                    }
                },
            )
        };
        let builder = builder.clone();
        let mut stop = stop.clone();
        tokio::spawn(async move {
            let connection =
                builder.serve_connection_with_upgrades(io, TowerToHyperService::new(service));
            tokio::pin!(connection);
            let expired = watch.expired();
            tokio::pin!(expired);
            let mut stopping = false;
            loop {
                tokio::select! {
                    _ = connection.as_mut() => break,
                    // Dropping the connection closes the socket.
                    _ = &mut expired => {
                        tracing::debug!(%peer, "closing a connection past its deadline");
                        break;
                    }
                    _ = stopped(&mut stop), if !stopping => {
                        connection.as_mut().graceful_shutdown();
                        stopping = true;
                    }
                }
            }
            drop(slot);
        });
    }
    drop(listener);
    // Every connection holds a slot until it ends: all slots back means all have ended.
    let _ = slots.acquire_many(limits.max_connections as u32).await;
}

/// Resolves once `stop` says true (or its sender is gone).
async fn stopped(stop: &mut watch::Receiver<bool>) {
    let _ = stop.wait_for(|s| *s).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_have_defaults_and_bad_values_name_their_key() {
        assert_eq!(
            Limits::from_raw(&RawConfig::default()).unwrap(),
            Limits::default()
        );
        for (key, value) in [
            ("VS_HEADER_TIMEOUT_MS", "0"),
            ("VS_IDLE_TIMEOUT_MS", "soon"),
            ("VS_REQUEST_TIMEOUT_MS", "0"),
            ("VS_MAX_CONNECTIONS", "0"),
        ] {
            let mut raw = RawConfig::default();
            raw.set(key, value);
            assert_eq!(Limits::from_raw(&raw).unwrap_err().key, key);
        }
    }
}
