//! The router: `app(state)` puts each provider's routes behind access control, adds health and
//! the webhook, and wraps them all in the shared layers (CORS, body limits, tracing, panics,
//! request metrics, request IDs).
//! Built separately from `main`, so tests drive it with `oneshot` or serve it on `127.0.0.1:0`.

use std::sync::Arc;

use axum::http::{header, HeaderValue, Method};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use axum::{Json, Router};
use serde_json::json;
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;
use visitor_sidebar_contract::ErrorCode;

use crate::access;
use crate::audit;
use crate::auth;
use crate::client_ip::{self, ClientIp};
use crate::error::AppError;
use crate::health;
use crate::layers::{Check, GuardLayer};
use crate::metrics;
use crate::request_id::{self, RequestId};
use crate::state::AppState;
use crate::{livechat, liveperson, pages, static_files};

/// The `Vary` of every answer: what CORS answers depend on (the layer's default list). The
/// cached answers and the precompressed files add their own `accept-encoding`.
const VARY: &str = "origin, access-control-request-method, access-control-request-headers";

/// Request bodies the proxy accepts (details and webhooks are small).
const MAX_REQUEST_BYTES: usize = 64 * 1024;

/// Every route and layer.
pub fn app(state: AppState) -> Router {
    app_with(state, Router::new())
}

/// [`app`] with more agent routes, behind the same access control (demo mode's chat list).
pub fn app_with(state: AppState, agent_routes: Router<AppState>) -> Router {
    let agents = Router::new()
        .merge(liveperson::router())
        .merge(livechat::router())
        .merge(agent_routes)
        // Inside access control, which sets the agent the audit line names.
        .route_layer(audit::layer())
        .route_layer(axum::middleware::from_fn_with_state(
            state.access.clone(),
            access::require_access,
        ));
    let api = agents
        .merge(livechat::webhook_router())
        .merge(auth::router())
        .route("/api/health", get(health))
        .merge(health::router())
        .route("/api", any(api_not_found))
        .route("/api/{*rest}", any(api_not_found))
        .method_not_allowed_fallback(method_not_allowed)
        .layer(GuardLayer(state.access.clone()));
    let router = match &state.config.static_dir {
        // The built widget: precompressed, cached by name (see static_files), every answer
        // carrying the pages' protective headers (see pages).
        Some(dir) => api.fallback_service(static_files::router(dir, state.pages.clone())),
        None => api.fallback(api_not_found),
    };
    // One `layer` call with the whole stack, outermost first: `Router::layer` boxes what it
    // wraps, and axum clones a route's service for every request, so twelve `layer` calls were
    // twelve boxes cloned and dropped per request (a third of a cache hit's cost in `make bench`).
    let shared = ServiceBuilder::new()
        .layer(request_id::AssignLayer(state.trust_request_id.clone()))
        // Outside the trace layer, so the span has the ID; outermost but for the ID, so every
        // answer (a panic's too) is counted and carries its ID.
        .layer(metrics::track(
            state.metrics.clone(),
            state.config.static_dir.is_some(),
        ))
        // Outside the trace layer, so the span names the client every limit and the audit use.
        .layer(client_ip::layer(state.trusted_proxies.clone()))
        .layer(
            TraceLayer::new_for_http()
                // The path only: queries can hold the webhook secret.
                .make_span_with(|request: &axum::http::Request<_>| {
                    let id = request.extensions().get::<RequestId>().map(RequestId::as_str).unwrap_or("");
                    let client = ClientIp::of(request.extensions());
                    tracing::info_span!("request", method = %request.method(), path = %request.uri().path(), request_id = %id, client = %client)
                })
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
        // A bug in one handler answers with the JSON error shape instead of a dropped connection.
        .layer(CatchPanicLayer::custom(|_panic: Box<dyn std::any::Any + Send>| {
            AppError::internal("a handler panicked").into_response()
        }))
        // The whole request, body included (the header and idle deadlines are the connection's,
        // see connections).
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            state.config.limits.request_timeout,
        ))
        // Before any other work: in anonymous mode, only the proxy's own host names (DNS
        // rebinding).
        .layer(GuardLayer(state.allowed_hosts.clone()))
        .layer(SetResponseHeaderLayer::appending(
            header::VARY,
            HeaderValue::from_static(VARY),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static(pages::REFERRER_POLICY),
        ))
        // An API answer opened as a page runs nothing, loads nothing and cannot be framed; its
        // URL (visitor IDs) is never sent on. The widget's pages and the sign-in pages set
        // their own (see pages).
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(pages::API_POLICY),
        ))
        // Browsers must not guess a type for JSON holding visitor-supplied text.
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(axum::extract::DefaultBodyLimit::max(MAX_REQUEST_BYTES))
        .layer(cors(&state.config.allowed_origins))
        // A body announced as too large is refused before any of it is read, rather than
        // waiting for bytes that may never come (inside CORS, so browsers can read the refusal).
        .layer(GuardLayer(AnnouncedSize));
    router.layer(shared).with_state(state)
}

/// A body announced as larger than [`MAX_REQUEST_BYTES`] is refused.
#[derive(Clone, Copy)]
struct AnnouncedSize;

impl Check for AnnouncedSize {
    fn refusal(&self, request: &axum::extract::Request) -> Option<Response> {
        let announced = request
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok());
        announced
            .is_some_and(|n| n > MAX_REQUEST_BYTES as u64)
            .then(|| AppError::payload_too_large().into_response())
    }
}

/// CORS for `allowed_origins` (`VS_ALLOWED_ORIGINS`).
fn cors(allowed_origins: &[String]) -> CorsLayer {
    let origins: Arc<[HeaderValue]> = allowed_origins
        .iter()
        .filter_map(|o| HeaderValue::from_str(o).ok())
        .collect();
    CorsLayer::new()
        // `AllowOrigin::list`'s test, the list behind an `Arc`: the layer is cloned for every
        // request (see `app_with`), and a `Vec` would be copied with it.
        .allow_origin(AllowOrigin::predicate(move |origin, _| {
            origins.contains(origin)
        }))
        .allow_methods([Method::GET, Method::POST])
        .allow_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::IF_NONE_MATCH,
        ])
        // WWW-Authenticate tells an expired token from an invalid one.
        // X-Request-Id: the widget quotes it in error notices ("reference: …").
        .expose_headers([
            header::ETAG,
            header::RETRY_AFTER,
            header::WWW_AUTHENTICATE,
            request_id::HEADER,
        ])
        .max_age(std::time::Duration::from_secs(600))
        // No `Vary` of its own: that is a list the layer copies and joins into a new header for
        // every request; `app_with` appends [`VARY`] as one static value instead.
        .vary(Vec::new())
}

/// `GET /api/health`: what is configured, never a credential.
async fn health(
    axum::extract::State(state): axum::extract::State<AppState>,
) -> Json<serde_json::Value> {
    // Degraded (Redis unreachable) still answers 200: the replica serves reads from its own
    // memory, and a load balancer that took every replica out would serve nothing.
    let (store_ok, store) = state.store.health();
    Json(json!({
        "status": if store_ok { "ok" } else { "degraded" },
        "version": env!("CARGO_PKG_VERSION"),
        "demo": state.demo,
        "access_control": !state.auth.allows_anonymous(),
        "anonymous": state.auth.allows_anonymous(),
        "sign_in": state.auth.health(),
        "upstreams": {
            "liveperson": state.liveperson.health(),
            "livechat": state.livechat.health(),
        },
        "store": store,
    }))
}

async fn api_not_found() -> AppError {
    AppError::not_found("No such API route.")
}

async fn method_not_allowed() -> AppError {
    AppError::new(
        ErrorCode::MethodNotAllowed,
        "This route does not take that method.",
    )
}
