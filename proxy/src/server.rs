//! Running the proxy: binds the configured address and serves the app in a background task, with
//! a graceful shutdown.

use std::net::SocketAddr;

use axum::Router;
use tokio::sync::watch;

use crate::app::app_with;
use crate::config::Config;
use crate::state::AppState;

/// A running proxy server; stops when dropped or on [`RunningServer::shutdown`].
pub struct RunningServer {
    pub addr: SocketAddr,
    pub state: AppState,
    stop: watch::Sender<bool>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl RunningServer {
    /// Stops accepting, lets requests in flight finish, and waits for the server task.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for RunningServer {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
        // Graceful shutdown could wait on slow clients; a dropped server stops now.
        if let Some(task) = &self.task {
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
    let mut state = AppState::new(config)?;
    state.demo = demo_routes.is_some();
    let router = app_with(state.clone(), demo_routes.unwrap_or_default());
    let (stop, mut stop_rx) = watch::channel(false);
    let task = tokio::spawn(async move {
        let shutdown = async move {
            let _ = stop_rx.wait_for(|s| *s).await;
        };
        if let Err(e) = axum::serve(
            listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown)
        .await
        {
            tracing::error!("server failed: {e}");
        }
    });
    Ok(RunningServer {
        addr,
        state,
        stop,
        task: Some(task),
    })
}
