//! The visitor sidebar's proxy: it holds the LivePerson and LiveChat credentials, calls their
//! APIs, and gives the widget a small JSON API with caching, request coalescing, ETags, access
//! control and one error shape. See `README.md` for routes, configuration and error codes.

pub mod access;
pub mod app;
pub mod cache;
pub mod config;
pub mod demo;
pub mod error;
pub mod livechat;
pub mod liveperson;
pub mod oauth1;
pub mod upstream;
pub mod webhook;

pub use app::{app, serve, AppState, RunningServer};
pub use config::{Config, ConfigError, RawConfig};
pub use demo::{start_demo, start_demo_with, start_demo_with_sim, DemoServer};
pub use error::AppError;
/// The simulator crate, for demo callers that configure it (`start_demo_with_sim`) without
/// depending on it themselves, such as the end-to-end tests.
pub use visitor_sidebar_sim as sim;

/// Logs to stderr; `RUST_LOG` overrides the default filter.
pub fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| "visitor_sidebar_proxy=info,tower_http=info".into());
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}
