//! The proxy's state and router: `app(state)` builds every route and layer, separately from
//! `main`, so tests drive it with `oneshot` or serve it on `127.0.0.1:0`.

use std::net::SocketAddr;
use std::ops::Deref;
use std::sync::Arc;

use axum::extract::rejection::{JsonRejection, PathRejection};
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use axum::{Json, Router};
use serde_json::json;
use tokio::sync::watch;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;
use visitor_sidebar_contract::{check_id, DetailsRequest};

use crate::access::{self, Access};
use crate::cache::ResponseCache;
use crate::config::{Config, LivePersonAuth};
use crate::error::AppError;
use visitor_sidebar_contract::ErrorCode;
use crate::upstream::Upstream;
use crate::webhook::{self, WebhookStore};
use crate::{livechat, liveperson};

/// Request bodies the proxy accepts (details and webhooks are small).
const MAX_REQUEST_BYTES: usize = 64 * 1024;

/// Everything the handlers share.
pub struct Inner {
    pub config: Config,
    pub upstream: Upstream,
    pub cache: ResponseCache,
    /// The LivePerson base URL found through the Domain API.
    pub lp_domain: moka::future::Cache<(), String>,
    pub webhooks: WebhookStore,
    pub access: Access,
    /// The simulator, in demo mode (for `/api/demo/chats`).
    pub demo: Option<visitor_sidebar_sim::Sim>,
}

/// Cheap to clone; derefs to [`Inner`].
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

impl Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl AppState {
    pub fn new(config: Config, demo: Option<visitor_sidebar_sim::Sim>) -> anyhow::Result<AppState> {
        let (capacity, ttl) = config
            .livechat
            .as_ref()
            .map(|lc| (lc.webhook_capacity, lc.webhook_ttl))
            .unwrap_or((1, std::time::Duration::from_secs(1)));
        Ok(AppState(Arc::new(Inner {
            upstream: Upstream::new(&config)?,
            cache: ResponseCache::new(config.cache_ttl),
            lp_domain: moka::future::Cache::builder()
                .max_capacity(1)
                .time_to_live(liveperson::DOMAIN_TTL)
                .build(),
            webhooks: WebhookStore::new(capacity, ttl),
            access: Access::new(&config),
            demo,
            config,
        })))
    }
}

/// Every route and layer.
pub fn app(state: AppState) -> Router {
    let protected = Router::new()
        .route("/api/liveperson/visitors/{visitor_id}/visit", get(lp_visit))
        .route("/api/livechat/visitors", get(lc_list))
        .route("/api/livechat/visitors/{visitor_id}", get(lc_visitor))
        .route(
            "/api/livechat/visitors/{visitor_id}/details",
            post(lc_details),
        )
        .route("/api/demo/chats", get(demo_chats))
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            access::require_access,
        ));
    let api = protected
        .route("/api/health", get(health))
        .route(
            "/api/livechat/webhooks/chat-started",
            post(webhook::chat_started),
        )
        .route("/api", any(api_not_found))
        .route("/api/{*rest}", any(api_not_found))
        .method_not_allowed_fallback(method_not_allowed)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            access::check_origin,
        ));
    let router = match &state.config.static_dir {
        // The built widget; unknown paths get index.html so client-side routes load.
        Some(dir) => api
            .fallback_service(ServeDir::new(dir).fallback(ServeFile::new(dir.join("index.html")))),
        None => api.fallback(api_not_found),
    };
    router
        // A body announced as too large is refused before any of it is read, rather than
        // waiting for bytes that may never come (inside CORS, so browsers can read the refusal).
        .layer(axum::middleware::from_fn(refuse_announced_oversize))
        .layer(cors(&state.config))
        .layer(axum::extract::DefaultBodyLimit::max(MAX_REQUEST_BYTES))
        // Browsers must not guess a type for JSON holding visitor-supplied text.
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        // A bug in one handler answers with the JSON error shape instead of a dropped connection.
        .layer(CatchPanicLayer::custom(|_panic: Box<dyn std::any::Any + Send>| {
            AppError::internal("a handler panicked").into_response()
        }))
        .layer(
            TraceLayer::new_for_http()
                // The path only: queries can hold the webhook secret.
                .make_span_with(|request: &axum::http::Request<_>| {
                    tracing::info_span!("request", method = %request.method(), path = %request.uri().path())
                })
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
        .with_state(state)
}

async fn refuse_announced_oversize(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let announced = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if announced.is_some_and(|n| n > MAX_REQUEST_BYTES as u64) {
        return payload_too_large().into_response();
    }
    next.run(request).await
}

fn payload_too_large() -> AppError {
    AppError::new(ErrorCode::PayloadTooLarge,
        "The request body is too large.",
    )
}

fn cors(config: &Config) -> CorsLayer {
    let origins: Vec<HeaderValue> = config
        .allowed_origins
        .iter()
        .filter_map(|o| HeaderValue::from_str(o).ok())
        .collect();
    CorsLayer::new()
        .allow_origin(AllowOrigin::list(origins))
        .allow_methods([Method::GET, Method::POST])
        .allow_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::IF_NONE_MATCH,
        ])
        .expose_headers([header::ETAG, header::RETRY_AFTER])
        .max_age(std::time::Duration::from_secs(600))
}

fn checked_id(path: Result<Path<String>, PathRejection>, what: &str) -> Result<String, AppError> {
    let Path(id) = path.map_err(|_| AppError::invalid_id(what, "is not valid"))?;
    check_id(&id).map_err(|why| AppError::invalid_id(what, why))?;
    Ok(id)
}

async fn lp_visit(
    State(state): State<AppState>,
    path: Result<Path<String>, PathRejection>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let visitor_id = checked_id(path, "visitor ID")?;
    let sid = form_urlencoded::parse(query.as_deref().unwrap_or("").as_bytes())
        .find(|(k, _)| k == "sid")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default();
    check_id(&sid).map_err(|why| AppError::invalid_id("session ID (sid)", why))?;
    let cached = liveperson::visit(&state, &visitor_id, &sid).await?;
    Ok(cached.respond(&headers))
}

async fn lc_list(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let query = livechat::ListQuery::parse(query.as_deref())?;
    let cached = livechat::list(&state, &query).await?;
    Ok(cached.respond(&headers))
}

async fn lc_visitor(
    State(state): State<AppState>,
    path: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let visitor_id = checked_id(path, "visitor ID")?;
    let cached = livechat::visitor(&state, &visitor_id).await?;
    Ok(cached.respond(&headers))
}

async fn lc_details(
    State(state): State<AppState>,
    path: Result<Path<String>, PathRejection>,
    body: Result<Json<DetailsRequest>, JsonRejection>,
) -> Result<Response, AppError> {
    let visitor_id = checked_id(path, "visitor ID")?;
    let Json(request) = body.map_err(|rejection| match rejection.status() {
        StatusCode::PAYLOAD_TOO_LARGE => payload_too_large(),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => AppError::invalid_body(
            "Send the details as JSON with Content-Type: application/json.",
        ),
        _ => AppError::invalid_body(
            "The body must be JSON like {\"id\": \"my-app\", \"fields\": [{\"name\": \"...\", \"value\": \"...\"}]}.",
        )
        .detail(rejection.body_text()),
    })?;
    let request = request.normalized();
    let problems = request.validate();
    if !problems.is_empty() {
        return Err(AppError::validation(problems));
    }
    livechat::add_details(&state, &visitor_id, &request).await
}

async fn health(State(state): State<AppState>) -> Json<serde_json::Value> {
    let config = &state.config;
    let liveperson = match &config.liveperson {
        Some(lp) => json!({
            "configured": true,
            "auth": match lp.auth { LivePersonAuth::OAuth1 { .. } => "oauth1", LivePersonAuth::Bearer(_) => "bearer" },
            "domain": if lp.domain.is_some() { "configured" } else { "domain_api" },
        }),
        None => json!({"configured": false}),
    };
    let livechat = match &config.livechat {
        Some(lc) => json!({"configured": true, "webhook": lc.webhook_secret.is_some()}),
        None => json!({"configured": false}),
    };
    Json(json!({
        "status": "ok",
        "version": env!("CARGO_PKG_VERSION"),
        "demo": state.demo.is_some(),
        "access_control": config.access_control(),
        "upstreams": {"liveperson": liveperson, "livechat": livechat},
    }))
}

async fn demo_chats(State(state): State<AppState>) -> Result<Response, AppError> {
    match &state.demo {
        Some(sim) => {
            let mut response = Json(sim.chats()).into_response();
            response
                .headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
            Ok(response)
        }
        None => Err(AppError::not_found("Demo chats exist only in demo mode.")),
    }
}

async fn api_not_found() -> AppError {
    AppError::not_found("No such API route.")
}

async fn method_not_allowed() -> AppError {
    AppError::new(ErrorCode::MethodNotAllowed,
        "This route does not take that method.",
    )
}

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
pub async fn serve(
    config: Config,
    demo: Option<visitor_sidebar_sim::Sim>,
) -> anyhow::Result<RunningServer> {
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", config.listen))?;
    let addr = listener.local_addr()?;
    let state = AppState::new(config, demo)?;
    let router = app(state.clone());
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
