//! Running the proxy: binds the configured address and serves the app in a background task, with
//! a graceful shutdown; and, when `VS_METRICS_LISTEN` is set, `/metrics` on a listener of its own
//! (never the API's), stopped with it.

use std::net::SocketAddr;

use axum::Router;
use tokio::sync::watch;

use crate::app::app_with;
use crate::config::Config;
use crate::connections;
use crate::health::Readiness;
use crate::metrics;
use crate::state::AppState;
use axum::extract::FromRef;

/// A running proxy server; stops when dropped or on [`RunningServer::shutdown`].
pub struct RunningServer {
    pub addr: SocketAddr,
    /// Where `/metrics` is served, when `VS_METRICS_LISTEN` is set.
    pub metrics_addr: Option<SocketAddr>,
    pub state: AppState,
    stop: watch::Sender<bool>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl RunningServer {
    /// Stops accepting, lets requests in flight finish, and waits for the server tasks.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        for task in std::mem::take(&mut self.tasks) {
            let _ = task.await;
        }
    }

    /// Readiness turns false now (503 `draining`); the server goes on serving, for the drain
    /// delay `main` waits before [`RunningServer::shutdown`].
    pub fn start_draining(&self) {
        self.state.health.start_draining();
    }
}

impl Drop for RunningServer {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
        // Graceful shutdown could wait on slow clients; a dropped server stops now.
        for task in &self.tasks {
            task.abort();
        }
    }
}

/// Binds `config.listen` and serves the app in a background task; returns once it accepts.
pub async fn serve(config: Config) -> anyhow::Result<RunningServer> {
    serve_with(config, None).await
}

/// [`serve`] with more agent routes (behind access control), as demo mode adds; `Some` marks
/// the state as a demo.
pub(crate) async fn serve_with(
    config: Config,
    demo_routes: Option<Router<AppState>>,
) -> anyhow::Result<RunningServer> {
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", config.listen))?;
    serve_on(listener, config, demo_routes).await
}

/// [`serve_with`] on a listener bound already (demo mode binds first, to know the address it
/// signs agents in at).
pub(crate) async fn serve_on(
    listener: tokio::net::TcpListener,
    config: Config,
    demo_routes: Option<Router<AppState>>,
) -> anyhow::Result<RunningServer> {
    let addr = listener.local_addr()?;
    // Bound before anything starts, so a busy metrics port stops the start like a busy API port.
    let metrics_listener = match config.metrics_listener.listen {
        Some(at) => Some(
            tokio::net::TcpListener::bind(at)
                .await
                .map_err(|e| anyhow::anyhow!("cannot listen on {at} (VS_METRICS_LISTEN): {e}"))?,
        ),
        None => None,
    };
    let metrics_token = config.metrics_listener.token.clone();
    // The address really bound (port 0 resolved): the Host check in anonymous mode names it.
    let mut config = config;
    config.listen = addr;
    let state = AppState::with_demo(config, demo_routes.is_some())?;
    let router = app_with(state.clone(), demo_routes.unwrap_or_default());
    let (stop, stop_rx) = watch::channel(false);
    let mut tasks = Vec::new();
    let mut metrics_addr = None;
    if let Some(listener) = metrics_listener {
        metrics_addr = Some(listener.local_addr()?);
        let readiness = Readiness::from_ref(&state);
        let router = metrics::listener::router(state.metrics.clone(), metrics_token, move || {
            let readiness = readiness.clone();
            Box::pin(async move {
                // vs_ready, vs_ready_check and vs_store_up as of this scrape.
                readiness.evaluate().await;
            })
        });
        let mut stop_rx = stop_rx.clone();
        tasks.push(tokio::spawn(async move {
            let shutdown = async move {
                let _ = stop_rx.wait_for(|s| *s).await;
            };
            if let Err(e) = axum::serve(listener, router)
                .with_graceful_shutdown(shutdown)
                .await
            {
                tracing::error!("metrics server failed: {e}");
            }
        }));
    }
    let limits = state.config.limits;
    tasks.push(tokio::spawn(connections::serve(
        listener, router, limits, stop_rx,
    )));
    Ok(RunningServer {
        addr,
        metrics_addr,
        state,
        stop,
        tasks,
    })
}
