//! A simulator of the two upstream APIs the proxy calls — LivePerson's Domain and Visit Information
//! APIs and LiveChat's REST API v2 visitors calls — served over real HTTP for demos and tests.
//!
//! It checks credentials the way the vendors do (OAuth 1.0 HMAC-SHA1 signatures or a bearer token
//! for LivePerson, HTTP Basic plus `X-API-Version: 2` for LiveChat), answers with the documented
//! error codes, changes its generated visitors over time, sends LiveChat's `chat_started` webhook,
//! and has fault knobs (latency, errors, 429s, malformed or truncated bodies) for tests.
//!
//! For agents' sign-in it also plays LiveChat's accounts server (`GET /v2/info`, token checks),
//! an OpenID Connect provider (`/oidc/...`) and a custom console's JWKS (`/host/jwks`).
//!
//! ```no_run
//! # async fn demo() -> anyhow::Result<()> {
//! let sim = visitor_sidebar_sim::Sim::start(visitor_sidebar_sim::SimConfig::default()).await?;
//! println!("simulator on {}", sim.base_url());
//! # Ok(()) }
//! ```

mod accounts;
mod auth;
mod faults;
mod hostile;
mod keys;
mod livechat;
mod liveperson;
mod oidc;
mod requests;
mod world;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use rand::distributions::Alphanumeric;
use rand::Rng;
use serde::{Deserialize, Serialize};
use tokio::sync::watch;

pub use accounts::{AgentGrant, Authorization};
pub use faults::Knobs;
pub use hostile::{huge_payload, small_payloads, xss_payloads, HUGE_PAYLOAD_BYTES};
pub use keys::SigningKey;
pub use oidc::OidcUser;
pub use world::{customer_id_for, livechat_load_visitor, load_visitor, DemoChat};

/// The LivePerson seed visit's visitor ID (from `fixtures/liveperson-visit.json`'s monitoring ID).
pub const SEED_LP_VISITOR_ID: &str = "jnPABZYjQcOS2Uk5fp_HnA";
/// The LivePerson seed visit's session ID.
pub const SEED_LP_SID: &str = "c524460e4432e9f93cf700af590f16ef181f20e6";
/// The LiveChat seed visitor's ID (from `fixtures/livechat-visitors.json`).
pub const SEED_LC_VISITOR_ID: &str = "S148dea44981.d9443253fef2";

/// The LiveChat seed visitor's v3 customer ID (the one in LiveChat's Go SDK test data).
pub const SEED_LC_CUSTOMER_ID: &str = "b7eff798-f8df-4364-8059-649c35c9ed0c";

/// The credentials the simulator accepts. Generated at random unless given.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct SimCredentials {
    pub lp_account_id: String,
    pub lp_consumer_key: String,
    pub lp_consumer_secret: String,
    pub lp_access_token: String,
    pub lp_token_secret: String,
    pub lp_bearer_token: String,
    pub lc_login: String,
    pub lc_api_key: String,
    /// The LiveChat license the webhooks report, and that `POST /visitors/{id}/details` expects.
    pub lc_license_id: String,
    /// When set, LiveChat calls must carry `X-Region` with this value.
    pub lc_region: Option<String>,
    /// The Agent Chat API v3 (Personal Access Token) login: `account_id:pat` as HTTP Basic.
    #[serde(default = "random_id")]
    pub lc_account_id: String,
    #[serde(default = "random_id")]
    pub lc_pat: String,
    /// The OAuth client ID of the "Sign in with LiveChat" app whose agent tokens the accounts
    /// server issues by default ([`Sim::agent_grant`]).
    #[serde(default = "random_id")]
    pub lc_client_id: String,
    /// The LiveChat organization those agents belong to.
    #[serde(default = "random_id")]
    pub lc_organization_id: String,
    /// The OIDC provider's only client.
    #[serde(default = "random_id")]
    pub oidc_client_id: String,
    #[serde(default = "random_id")]
    pub oidc_client_secret: String,
}

fn random_id() -> String {
    random_token(32)
}

pub(crate) fn random_token(len: usize) -> String {
    rand::thread_rng()
        .sample_iter(&Alphanumeric)
        .take(len)
        .map(char::from)
        .collect()
}

impl SimCredentials {
    /// Fresh random secrets, so that no demo shares credentials with another.
    pub fn generate() -> Self {
        SimCredentials {
            lp_account_id: "12345678".into(),
            lp_consumer_key: random_token(32),
            lp_consumer_secret: random_token(16),
            lp_access_token: random_token(32),
            lp_token_secret: random_token(16),
            lp_bearer_token: random_token(40),
            lc_login: "agent@example.com".into(),
            lc_api_key: random_token(32),
            lc_license_id: "9281545".into(),
            lc_region: None,
            lc_account_id: "c3a8e2f0-5b1d-4e7a-9f26-1d0b7c4e8a55".into(),
            lc_pat: format!("fra:{}", random_token(27)),
            lc_client_id: random_token(32),
            lc_organization_id: format!("org-{}", random_token(12)),
            oidc_client_id: format!("sidebar-{}", random_token(8)),
            oidc_client_secret: random_token(32),
        }
    }
}

/// How to start a simulator.
#[derive(Clone, Debug)]
pub struct SimConfig {
    /// Where to listen; `127.0.0.1:0` picks a free port.
    pub listen: SocketAddr,
    pub credentials: SimCredentials,
    /// How often generated visitors move on (new pages, cart changes, browsing → queued →
    /// chatting). `None`: only when [`Sim::tick`] is called, which tests use to stay deterministic.
    pub tick_interval: Option<Duration>,
    /// The fault knobs to start with.
    pub knobs: Knobs,
    /// Where to POST LiveChat's `chat_started` webhook (with its `?secret=`), if anywhere.
    pub webhook_url: Option<String>,
    /// Adds hostile visitors after the normal ones (LivePerson `hostile-lp-01`… with sids
    /// `666.001`…, LiveChat `S1666666666.hostile01`…): every visitor-set field carries a payload
    /// of the XSS corpus ([`xss_payloads`]). They are listed by [`Sim::chats`] with
    /// `hostile: true`.
    pub hostile: bool,
    /// Extra LivePerson visits for load tests, not listed by [`Sim::chats`]: number `n` (1 to
    /// this) is [`load_visitor`]`(n)`, `load-000001` with sid `load.000001`.
    pub load_visitors: usize,
    /// Extra LiveChat visitors for load tests and the bench, listed by `GET /visitors` (after
    /// the others, in order) but not by [`Sim::chats`]: number `n` (1 to this) is
    /// [`livechat_load_visitor`]`(n)`, `S1000000000.load000001`.
    pub lc_load_visitors: usize,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            credentials: SimCredentials::generate(),
            tick_interval: None,
            knobs: Knobs::default(),
            webhook_url: None,
            hostile: false,
            load_visitors: 0,
            lc_load_visitors: 0,
        }
    }
}

/// How many requests each simulated endpoint received (whatever it answered), and webhooks sent.
#[derive(Default, Debug)]
pub(crate) struct Counters {
    domain_api: AtomicU64,
    lp_visit: AtomicU64,
    lc_visitors: AtomicU64,
    lc_details: AtomicU64,
    lc_customers: AtomicU64,
    auth_failures: AtomicU64,
    webhooks_sent: AtomicU64,
    webhooks_failed: AtomicU64,
    lc_accounts_info: AtomicU64,
    host_jwks: AtomicU64,
    oidc_discovery: AtomicU64,
    oidc_jwks: AtomicU64,
    oidc_authorize: AtomicU64,
    oidc_token: AtomicU64,
}

/// A snapshot of the simulator's counters.
#[derive(Clone, Copy, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct CounterSnapshot {
    /// `GET .../service/smt/baseURI.json` calls.
    pub domain_api: u64,
    /// `GET .../visits/current/state` calls.
    pub lp_visit: u64,
    /// LiveChat `GET /visitors` calls.
    pub lc_visitors: u64,
    /// LiveChat `POST /visitors/{id}/details` calls.
    pub lc_details: u64,
    /// LiveChat v3.6 `get_customer` calls.
    pub lc_customers: u64,
    /// Requests refused for missing or wrong credentials.
    pub auth_failures: u64,
    /// `chat_started` webhooks delivered (2xx answer).
    pub webhooks_sent: u64,
    /// Webhooks that failed or got a non-2xx answer.
    pub webhooks_failed: u64,
    /// LiveChat accounts `GET /v2/info` calls (agent token checks).
    pub lc_accounts_info: u64,
    /// `GET /host/jwks` calls.
    pub host_jwks: u64,
    /// OIDC discovery document fetches.
    pub oidc_discovery: u64,
    /// OIDC JWKS fetches.
    pub oidc_jwks: u64,
    /// OIDC `authorize` requests.
    pub oidc_authorize: u64,
    /// OIDC `token` requests.
    pub oidc_token: u64,
}

impl Counters {
    fn snapshot(&self) -> CounterSnapshot {
        let get = |c: &AtomicU64| c.load(Ordering::SeqCst);
        CounterSnapshot {
            domain_api: get(&self.domain_api),
            lp_visit: get(&self.lp_visit),
            lc_visitors: get(&self.lc_visitors),
            lc_details: get(&self.lc_details),
            lc_customers: get(&self.lc_customers),
            auth_failures: get(&self.auth_failures),
            webhooks_sent: get(&self.webhooks_sent),
            webhooks_failed: get(&self.webhooks_failed),
            lc_accounts_info: get(&self.lc_accounts_info),
            host_jwks: get(&self.host_jwks),
            oidc_discovery: get(&self.oidc_discovery),
            oidc_jwks: get(&self.oidc_jwks),
            oidc_authorize: get(&self.oidc_authorize),
            oidc_token: get(&self.oidc_token),
        }
    }

    fn reset(&self) {
        for c in [
            &self.domain_api,
            &self.lp_visit,
            &self.lc_visitors,
            &self.lc_details,
            &self.lc_customers,
            &self.auth_failures,
            &self.webhooks_sent,
            &self.webhooks_failed,
            &self.lc_accounts_info,
            &self.host_jwks,
            &self.oidc_discovery,
            &self.oidc_jwks,
            &self.oidc_authorize,
            &self.oidc_token,
        ] {
            c.store(0, Ordering::SeqCst);
        }
    }

    pub(crate) fn bump(counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::SeqCst);
    }
}

pub(crate) struct Shared {
    pub(crate) base_url: String,
    pub(crate) credentials: SimCredentials,
    pub(crate) knobs: Mutex<Knobs>,
    pub(crate) counters: Counters,
    pub(crate) world: Mutex<world::World>,
    pub(crate) webhook_url: Mutex<Option<String>>,
    pub(crate) http: reqwest::Client,
    pub(crate) nonces: Mutex<auth::NonceLog>,
    pub(crate) accounts: Mutex<accounts::Accounts>,
    pub(crate) oidc: Mutex<oidc::Provider>,
    pub(crate) request_ids: Mutex<requests::RequestIds>,
    /// What the Domain API answers as `baseURI` instead of the simulator's own address.
    pub(crate) domain_answer: Mutex<Option<String>>,
}

/// A running simulator: its address, credentials, knobs and counters. Cheap to clone; the server
/// stops when the last clone is dropped.
#[derive(Clone)]
pub struct Sim {
    shared: Arc<Shared>,
    addr: SocketAddr,
    _stop: Arc<StopOnDrop>,
}

struct StopOnDrop(watch::Sender<bool>);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        let _ = self.0.send(true);
    }
}

impl std::fmt::Debug for Sim {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Credentials stay out of debug output.
        f.debug_struct("Sim").field("addr", &self.addr).finish()
    }
}

impl Sim {
    /// Binds, starts serving and returns once the listener accepts connections.
    pub async fn start(config: SimConfig) -> anyhow::Result<Sim> {
        let listener = tokio::net::TcpListener::bind(config.listen).await?;
        let addr = listener.local_addr()?;
        let base_url = format!("http://{addr}");
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(5))
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        let shared = Arc::new(Shared {
            world: Mutex::new(world::World::new(
                &config.credentials,
                world::Extras {
                    hostile: config.hostile,
                    load_visitors: config.load_visitors,
                    lc_load_visitors: config.lc_load_visitors,
                },
            )),
            base_url,
            credentials: config.credentials,
            knobs: Mutex::new(config.knobs),
            counters: Counters::default(),
            webhook_url: Mutex::new(config.webhook_url),
            http,
            nonces: Mutex::new(auth::NonceLog::default()),
            accounts: Mutex::new(accounts::Accounts::default()),
            oidc: Mutex::new(oidc::Provider::new()),
            request_ids: Mutex::new(requests::RequestIds::default()),
            domain_answer: Mutex::new(None),
        });
        let (stop_tx, mut stop_rx) = watch::channel(false);
        let router = router(shared.clone());
        tokio::spawn(async move {
            let shutdown = async move {
                let _ = stop_rx.wait_for(|stop| *stop).await;
            };
            if let Err(e) = axum::serve(listener, router)
                .with_graceful_shutdown(shutdown)
                .await
            {
                tracing::error!("simulator server failed: {e}");
            }
        });
        let sim = Sim {
            shared,
            addr,
            _stop: Arc::new(StopOnDrop(stop_tx)),
        };
        if let Some(every) = config.tick_interval {
            let weak = Arc::downgrade(&sim.shared);
            let mut stop_rx = sim._stop.0.subscribe();
            tokio::spawn(async move {
                let mut interval = tokio::time::interval(every);
                interval.tick().await;
                loop {
                    tokio::select! {
                        _ = interval.tick() => {}
                        _ = stop_rx.wait_for(|stop| *stop) => return,
                    }
                    let Some(shared) = weak.upgrade() else { return };
                    tick_shared(&shared).await;
                }
            });
        }
        Ok(sim)
    }

    /// The listening address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`: the base of both the LivePerson and the LiveChat routes, and of
    /// the Domain API.
    pub fn base_url(&self) -> &str {
        &self.shared.base_url
    }

    /// The credentials this simulator accepts.
    pub fn credentials(&self) -> &SimCredentials {
        &self.shared.credentials
    }

    /// The current fault knobs.
    pub fn knobs(&self) -> Knobs {
        self.shared.knobs.lock().unwrap().clone()
    }

    /// Replaces the fault knobs; the next request sees them.
    pub fn set_knobs(&self, knobs: Knobs) {
        *self.shared.knobs.lock().unwrap() = knobs;
    }

    /// Counters since start or the last [`reset_counters`](Self::reset_counters).
    pub fn counters(&self) -> CounterSnapshot {
        self.shared.counters.snapshot()
    }

    /// Resets the counters and forgets the request IDs received.
    pub fn reset_counters(&self) {
        self.shared.counters.reset();
        self.shared.request_ids.lock().unwrap().clear();
    }

    /// The `X-Request-Id`s an endpoint received, oldest first (the last 100; requests without
    /// one are not listed). Endpoints have the counters' names: `domain_api`, `lp_visit`,
    /// `lc_visitors`, `lc_details`, `lc_customers`, `lc_accounts_info`, `host_jwks`,
    /// `oidc_discovery`, `oidc_jwks`, `oidc_authorize`, `oidc_token`.
    pub fn request_ids(&self, endpoint: &str) -> Vec<String> {
        self.shared.request_ids.lock().unwrap().of(endpoint)
    }

    /// Every endpoint's request IDs, as `GET /_sim/request-ids` answers.
    pub fn all_request_ids(&self) -> std::collections::BTreeMap<String, Vec<String>> {
        self.shared.request_ids.lock().unwrap().all()
    }

    /// Moves every generated visitor one step on, and returns once the webhooks of any chats
    /// that started or ended were delivered (or failed).
    pub async fn tick(&self) {
        tick_shared(&self.shared).await;
    }

    /// Sets where `chat_started` webhooks go and sends one for every chat already running (as
    /// LiveChat would have when those chats started). Returns how many were delivered.
    pub async fn set_webhook_url(&self, url: Option<String>) -> usize {
        *self.shared.webhook_url.lock().unwrap() = url;
        let started = self.shared.world.lock().unwrap().running_chats();
        livechat::send_webhooks(&self.shared, started).await
    }

    /// Every simulated chat: LivePerson visits (seed first) then LiveChat visitors (seed first).
    pub fn chats(&self) -> Vec<DemoChat> {
        self.shared.world.lock().unwrap().chats()
    }

    /// Ends a LivePerson visit's session, as after LivePerson's 6 hours: the API then answers
    /// 404 with internal code 12. Returns false for an unknown visitor.
    pub fn expire_visit(&self, visitor_id: &str) -> bool {
        self.shared.world.lock().unwrap().expire_lp(visitor_id)
    }

    /// Starts a LiveChat chat for a visitor (state `chatting`, a new webhook token) and delivers
    /// the `chat_started` webhook. Returns false for an unknown visitor.
    pub async fn start_chat(&self, visitor_id: &str) -> bool {
        let started = self.shared.world.lock().unwrap().start_lc_chat(visitor_id);
        match started {
            Some(chat) => {
                livechat::send_webhooks(&self.shared, vec![chat]).await;
                true
            }
            None => false,
        }
    }

    /// The custom details posted for a LiveChat visitor so far (each the JSON body accepted).
    pub fn visitor_details(&self, visitor_id: &str) -> Vec<serde_json::Value> {
        self.shared.world.lock().unwrap().details(visitor_id)
    }

    /// The webhook token of the visitor's running chat, if one is running (for tests).
    pub fn chat_token(&self, visitor_id: &str) -> Option<String> {
        self.shared.world.lock().unwrap().chat_token(visitor_id)
    }

    /// A grant for an agent of this simulator's LiveChat organization and client
    /// (`credentials().lc_organization_id`, `lc_client_id`), valid 8 hours; change fields to
    /// make tokens of other organizations, other clients, or short-lived ones.
    pub fn agent_grant(&self) -> AgentGrant {
        accounts::demo_agent(&self.shared.credentials)
    }

    /// `true`: nobody is signed in to LiveChat in the browser, so LiveChat's sign-in page
    /// (what `@livechat/accounts-sdk` opens) answers `unauthorized`.
    pub fn set_livechat_signed_out(&self, signed_out: bool) {
        self.shared.accounts.lock().unwrap().signed_out = signed_out;
    }

    /// `true`: the browser keeps LiveChat's cookies from frames, so the SDK's hidden iframe is
    /// answered `unauthorized` and only its popup signs the agent in.
    pub fn set_livechat_frames_blocked(&self, blocked: bool) {
        self.shared.accounts.lock().unwrap().frames_blocked = blocked;
    }

    /// Every LiveChat sign-in page answered so far, oldest first.
    pub fn livechat_authorizations(&self) -> Vec<Authorization> {
        self.shared.accounts.lock().unwrap().authorizations.clone()
    }

    /// Issues a LiveChat access token (opaque, `dal:…`) that `GET /v2/info` answers for.
    pub fn issue_livechat_token(&self, grant: AgentGrant) -> String {
        self.shared.accounts.lock().unwrap().issue(grant)
    }

    /// `Some(status)`: LiveChat's `GET /v2/info` answers that status (500, 503…) to every
    /// token, as an accounts server that is down; `None` restores it.
    /// Makes LivePerson's Domain API answer `base_uri` as the account's `baseURI` (`None`: the
    /// simulator's own address again), to play a Domain API answer that must not be followed.
    pub fn set_domain_answer(&self, base_uri: Option<&str>) {
        *self.shared.domain_answer.lock().unwrap() = base_uri.map(str::to_owned);
    }

    pub fn set_accounts_failure(&self, status: Option<u16>) {
        self.set_accounts_failure_with_retry_after(status, None);
    }

    /// [`Sim::set_accounts_failure`] with a `Retry-After` header (seconds) on the failures,
    /// as a rate-limited accounts server answers 429.
    pub fn set_accounts_failure_with_retry_after(&self, status: Option<u16>, secs: Option<u64>) {
        let mut accounts = self.shared.accounts.lock().unwrap();
        accounts.fail_with = status;
        accounts.fail_retry_after = secs;
    }

    /// The OIDC provider's issuer, `http://127.0.0.1:PORT/oidc` (discovery under it).
    pub fn oidc_issuer(&self) -> String {
        oidc::issuer(&self.shared)
    }

    /// Registers a redirect URI for the OIDC client (`authorize` refuses any other).
    pub fn register_oidc_redirect_uri(&self, uri: &str) {
        self.shared
            .oidc
            .lock()
            .unwrap()
            .redirect_uris
            .push(uri.to_owned());
    }

    /// Who `authorize` signs in; `None`: the user refuses (`error=access_denied`).
    pub fn set_oidc_user(&self, user: Option<OidcUser>) {
        self.shared.oidc.lock().unwrap().user = user;
    }

    /// The OIDC provider's signing key (to forge or re-sign ID tokens in tests).
    pub fn oidc_key(&self) -> SigningKey {
        self.shared.oidc.lock().unwrap().key.clone()
    }

    /// The host JWKS's URL, `http://127.0.0.1:PORT/host/jwks`.
    pub fn host_jwks_url(&self) -> String {
        format!("{}/host/jwks", self.shared.base_url)
    }

    /// The first host key of an algorithm: `RS256` (the fixed test key, kid `host-rsa-1`) or
    /// `ES256` (kid `host-ec-1`). Sign a custom console's agent tokens with it.
    pub fn host_key(&self, alg: jsonwebtoken::Algorithm) -> SigningKey {
        self.shared
            .oidc
            .lock()
            .unwrap()
            .host_keys
            .iter()
            .find(|k| k.alg() == alg)
            .cloned()
            .expect("the host JWKS has an RS256 and an ES256 key")
    }

    /// Adds a new ES256 key to the host JWKS (a key rotation) and returns it.
    pub fn add_host_key(&self, kid: &str) -> SigningKey {
        let key = SigningKey::generate_es256(kid);
        self.shared.oidc.lock().unwrap().host_keys.push(key.clone());
        key
    }
}

async fn tick_shared(shared: &Arc<Shared>) {
    let started = shared.world.lock().unwrap().tick();
    livechat::send_webhooks(shared, started).await;
}

fn router(shared: Arc<Shared>) -> Router {
    let vendor = Router::new()
        .route(
            "/api/account/{account_id}/service/smt/baseURI.json",
            get(liveperson::domain_api),
        )
        .route(
            "/api/account/{account_id}/monitoring/visitors/{visitor_id}/visits/current/state",
            get(liveperson::visit_state),
        )
        .route("/visitors", get(livechat::list_visitors))
        .route(
            "/visitors/{visitor_id}/details",
            post(livechat::add_details),
        )
        .route(
            "/v3.6/agent/action/get_customer",
            post(livechat::get_customer),
        )
        .layer(axum::middleware::from_fn_with_state(
            shared.clone(),
            faults::apply,
        ));
    // Sign-in services: no fault knobs (their failures have settings of their own).
    let sign_in = Router::new()
        .route("/", get(accounts::authorize))
        .route("/v2/info", get(accounts::info))
        .route(
            "/oidc/.well-known/openid-configuration",
            get(oidc::discovery),
        )
        .route("/oidc/authorize", get(oidc::authorize))
        .route("/oidc/token", post(oidc::token))
        .route("/oidc/jwks", get(oidc::jwks))
        .route("/host/jwks", get(oidc::host_jwks));
    // Outside the fault knobs: a request answered 500 on purpose still shows whose it was.
    let recorded = vendor
        .merge(sign_in)
        .layer(axum::middleware::from_fn_with_state(
            shared.clone(),
            requests::record,
        ));
    let admin = Router::new()
        .route("/_sim/knobs", get(get_knobs).put(put_knobs))
        .route("/_sim/counters", get(get_counters))
        .route("/_sim/counters/reset", post(reset_counters))
        .route("/_sim/tick", post(post_tick))
        .route("/_sim/chats", get(get_chats))
        .route("/_sim/request-ids", get(get_request_ids));
    recorded.merge(admin).with_state(shared)
}

async fn get_knobs(State(shared): State<Arc<Shared>>) -> Json<Knobs> {
    Json(shared.knobs.lock().unwrap().clone())
}

async fn put_knobs(State(shared): State<Arc<Shared>>, Json(knobs): Json<Knobs>) -> Json<Knobs> {
    *shared.knobs.lock().unwrap() = knobs.clone();
    Json(knobs)
}

async fn get_counters(State(shared): State<Arc<Shared>>) -> Json<CounterSnapshot> {
    Json(shared.counters.snapshot())
}

async fn get_request_ids(
    State(shared): State<Arc<Shared>>,
) -> Json<std::collections::BTreeMap<String, Vec<String>>> {
    Json(shared.request_ids.lock().unwrap().all())
}

async fn reset_counters(State(shared): State<Arc<Shared>>) -> Json<CounterSnapshot> {
    shared.counters.reset();
    shared.request_ids.lock().unwrap().clear();
    Json(shared.counters.snapshot())
}

async fn post_tick(State(shared): State<Arc<Shared>>) -> Json<Vec<DemoChat>> {
    tick_shared(&shared).await;
    Json(shared.world.lock().unwrap().chats())
}

async fn get_chats(State(shared): State<Arc<Shared>>) -> Json<Vec<DemoChat>> {
    Json(shared.world.lock().unwrap().chats())
}
