//! The visitor sidebar's proxy: it holds the LivePerson and LiveChat credentials, calls their
//! APIs, and gives the widget a small JSON API with caching, request coalescing, ETags, access
//! control and one error shape. See `README.md` for routes, configuration and error codes.
//!
//! Layers, each depending only on those below it (`scripts/module-cycles.py proxy/src`, run by
//! `make lint`, finds no import cycle): `main` and `demo` → `server` → `app` (the router; with
//! `static_files`, the built widget) → `state` → `config` (every part's own settings gathered;
//! no part imports it, each is built from its own) → `health` (readiness over the parts below)
//! → the providers (`liveperson`, `livechat`, each with its config, client and routes),
//! `access`, `host_check` and `audit` → `auth` (who the agent is; the sign-in routes) → `cache`
//! → `store`, `upstream` and `compression` (the cached answers' codings) → `request_id`,
//! `metrics`, `pages` (the pages' protective headers) → `extract` (the checked path IDs, JSON
//! bodies, query strings and `Authorization` header), `layers` (light layers from closures:
//! a guard, an observer) → `error`, `client_ip` (who the client is
//! behind trusted front ends, for every limit and log line), `connections` (the accept loop, its
//! cap and deadlines), `logging` (text or JSON lines) → `settings`, `secret`, `urls`. `metrics`
//! is one registry per `AppState`, counted by `app`, `access`, `auth`, `cache`, `store` and
//! `upstream`.

pub mod access;
pub mod app;
pub mod audit;
pub mod auth;
pub mod cache;
pub mod client_ip;
pub mod compression;
pub mod config;
pub mod connections;
#[cfg(feature = "demo")]
pub mod demo;
pub mod error;
pub mod extract;
pub mod health;
pub mod host_check;
pub mod layers;
pub mod livechat;
pub mod liveperson;
pub mod logging;
pub mod metrics;
pub mod pages;
pub mod request_id;
pub mod secret;
pub mod server;
pub mod settings;
pub mod state;
pub mod static_files;
pub mod store;
pub mod upstream;
pub mod urls;

pub use app::app;
pub use config::Config;
#[cfg(feature = "demo")]
pub use demo::{start_demo, start_demo_with, start_demo_with_sim, DemoServer};
pub use error::AppError;
pub use server::{serve, RunningServer};
pub use settings::{ConfigError, RawConfig};
pub use state::AppState;
/// The simulator crate, for demo callers that configure it (`start_demo_with_sim`) without
/// depending on it themselves, such as the end-to-end tests.
#[cfg(feature = "demo")]
pub use visitor_sidebar_sim as sim;
