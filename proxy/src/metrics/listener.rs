//! The metrics listener: `GET /metrics` in the Prometheus text format on a listener of its own
//! (`VS_METRICS_LISTEN`, never the public API port), with an optional bearer token
//! (`VS_METRICS_TOKEN`, required on a non-loopback address). `server` binds it and serves
//! [`router`] there.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use super::Metrics;
use crate::extract::Authorization;
use crate::secret::{secrets_equal, Secret};
use crate::settings::{err, ConfigError, RawConfig};
use crate::urls::is_loopback;

/// `VS_METRICS_LISTEN` and `VS_METRICS_TOKEN`, checked.
#[derive(Clone, Debug, Default)]
pub struct MetricsListenerConfig {
    /// `None`: no metrics listener (the default).
    pub listen: Option<SocketAddr>,
    /// Bearer token `/metrics` asks for, when set.
    pub token: Option<Secret>,
}

impl MetricsListenerConfig {
    pub fn from_raw(
        raw: &RawConfig,
        api_listen: SocketAddr,
    ) -> Result<MetricsListenerConfig, ConfigError> {
        let token = match raw.value("VS_METRICS_TOKEN") {
            Some(t) if t.len() < 16 => {
                return Err(err("VS_METRICS_TOKEN", "must be at least 16 characters"))
            }
            Some(t) if !t.bytes().all(|b| b.is_ascii_graphic()) => {
                return Err(err(
                    "VS_METRICS_TOKEN",
                    "may contain only visible ASCII characters",
                ))
            }
            other => other.map(Secret::new),
        };
        let listen = match raw.value("VS_METRICS_LISTEN") {
            None => None,
            Some(text) => Some(text.parse::<SocketAddr>().map_err(|_| {
                err(
                    "VS_METRICS_LISTEN",
                    format!("'{text}' is not an address such as 127.0.0.1:9090"),
                )
            })?),
        };
        if let Some(addr) = listen {
            if !is_loopback(addr.ip()) && token.is_none() {
                return Err(err(
                    "VS_METRICS_LISTEN",
                    format!("refusing /metrics on non-loopback {addr} without VS_METRICS_TOKEN: set a token, or listen on loopback"),
                ));
            }
            if addr.port() != 0 && addr == api_listen {
                return Err(err(
                    "VS_METRICS_LISTEN",
                    "must differ from VS_LISTEN: metrics are never served on the API port",
                ));
            }
        }
        Ok(MetricsListenerConfig { listen, token })
    }
}

/// What the metrics listener needs to answer.
#[derive(Clone)]
struct Exposition {
    metrics: Metrics,
    token: Option<Secret>,
    /// Brings the gauges that are read rather than counted (readiness, stores) up to date.
    refresh: Arc<dyn Fn() -> BoxFuture + Send + Sync>,
}

/// What the scrape's `refresh` returns.
pub type BoxFuture = std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>>;

/// The metrics listener's router: `GET /metrics`, and 404 for anything else. `refresh` runs
/// before each scrape (readiness and store gauges).
pub fn router(
    metrics: Metrics,
    token: Option<Secret>,
    refresh: impl Fn() -> BoxFuture + Send + Sync + 'static,
) -> axum::Router {
    let exposition = Exposition {
        metrics,
        token,
        refresh: Arc::new(refresh),
    };
    axum::Router::new()
        .route("/metrics", axum::routing::get(scrape))
        .fallback(|| async { StatusCode::NOT_FOUND })
        .with_state(exposition)
}

async fn scrape(State(exposition): State<Exposition>, headers: HeaderMap) -> Response {
    if let Some(token) = &exposition.token {
        let given = match Authorization::of(&headers) {
            Authorization::Bearer(token) => token,
            Authorization::Absent | Authorization::Malformed => "",
        };
        if !secrets_equal(given, token.expose()) {
            return (
                StatusCode::UNAUTHORIZED,
                [(
                    header::WWW_AUTHENTICATE,
                    HeaderValue::from_static(r#"Bearer realm="visitor-sidebar-metrics""#),
                )],
            )
                .into_response();
        }
    }
    (exposition.refresh)().await;
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static(
                    prometheus_client::encoding::prometheus_text::CONTENT_TYPE,
                ),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        exposition.metrics.encode(),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_non_loopback_listener_needs_a_token() {
        let api: SocketAddr = "127.0.0.1:3000".parse().unwrap();
        let mut raw = RawConfig::default();
        raw.set("VS_METRICS_LISTEN", "0.0.0.0:9090");
        assert_eq!(
            MetricsListenerConfig::from_raw(&raw, api).unwrap_err().key,
            "VS_METRICS_LISTEN"
        );
        raw.set("VS_METRICS_TOKEN", "short");
        assert_eq!(
            MetricsListenerConfig::from_raw(&raw, api).unwrap_err().key,
            "VS_METRICS_TOKEN"
        );
        raw.set("VS_METRICS_TOKEN", "metrics-token-0123456789");
        let c = MetricsListenerConfig::from_raw(&raw, api).unwrap();
        assert_eq!(c.listen.unwrap().port(), 9090);
        raw.set("VS_METRICS_LISTEN", "127.0.0.1:3000");
        assert_eq!(
            MetricsListenerConfig::from_raw(&raw, api).unwrap_err().key,
            "VS_METRICS_LISTEN"
        );
        assert!(MetricsListenerConfig::from_raw(&RawConfig::default(), api)
            .unwrap()
            .listen
            .is_none());
    }
}
