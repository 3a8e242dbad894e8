//! `use_auth`: gets the agent signed in, the way this embedding allows, and keeps the sidebar's
//! [`Credentials`] filled.
//!
//! At start: a token from `mount()` is used as it is; a `getAccessToken()` callback is asked;
//! otherwise the proxy's `GET /auth/config` decides (asked once). Anonymous: nobody is asked to
//! sign in. Else, by embedding: in LiveChat's Agent App with a `livechat` mode, the accounts SDK
//! (silently, else the agent's click); with a `host` mode and allowed origins, the parent frame
//! (`visitor-sidebar:token-expired` asks it, `visitor-sidebar:auth` answers); with an `oidc`
//! mode, the "Sign in" button and its popup.
//!
//! When the proxy refuses a token it had accepted (401), the same way is asked again, once for
//! that token; the panels keep their data meanwhile and poll again when the new token arrives.
//! A token refused before it was ever accepted, given in answer to such a request, is not asked
//! about again: whoever gave it would give it again.

use crate::api::{ApiClient, Fetched};
use crate::auth::livechat::LiveChatSignIn;
use crate::auth::popup::{Outcome, Popup};
use crate::auth::{host, AuthConfig, Credentials, Refusal};
use crate::console::Console;
use crate::options::Options;
use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};
use yew::prelude::*;

/// A way the agent signs in by clicking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Way {
    /// Company sign-in: the proxy's popup.
    Company,
    /// LiveChat's own popup, from the accounts SDK.
    LiveChat,
}

/// Whom the sidebar is waiting on for a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Whom {
    /// The host console (its callback or its answer to our message).
    Host,
    /// LiveChat's accounts server, without a click.
    LiveChat,
}

/// Where signing in stands. `expired`: the agent was signed in before.
#[derive(Debug, Clone, PartialEq)]
pub enum AuthPhase {
    /// Finding out how agents sign in here.
    Checking,
    /// Nobody needs to sign in (anonymous access), or the proxy did not say.
    Open,
    SignedIn,
    /// Waiting for a token from `whom`.
    Asking {
        whom: Whom,
        expired: bool,
    },
    /// Only the agent can go on: the sign-in button. `problem`: why the last try failed.
    Needed {
        way: Way,
        expired: bool,
        problem: Option<String>,
    },
    /// The sign-in window is open.
    SigningIn {
        way: Way,
        expired: bool,
    },
    /// No way of signing in that this sidebar can offer worked.
    Stuck {
        expired: bool,
        problem: String,
    },
}

/// What [`use_auth`] shows.
#[derive(Debug, Clone, PartialEq)]
pub struct AuthState {
    pub phase: AuthPhase,
    /// A token has been in hand: panels stay mounted (with their data) whatever happens next.
    pub had_token: bool,
}

impl Default for AuthState {
    fn default() -> Self {
        AuthState {
            phase: AuthPhase::Checking,
            had_token: false,
        }
    }
}

impl AuthState {
    /// Whether the visitor panels belong on screen: not while the agent alone can go on.
    pub fn shows_panels(&self) -> bool {
        self.had_token
            || matches!(
                self.phase,
                AuthPhase::Checking
                    | AuthPhase::Open
                    | AuthPhase::SignedIn
                    | AuthPhase::Asking { .. }
            )
    }
}

impl Reducible for AuthState {
    type Action = AuthPhase;

    fn reduce(self: Rc<Self>, phase: AuthPhase) -> Rc<Self> {
        Rc::new(AuthState {
            had_token: self.had_token || phase == AuthPhase::SignedIn,
            phase,
        })
    }
}

/// What the sidebar needs from [`use_auth`].
pub struct UseAuthHandle {
    pub state: UseReducerHandle<AuthState>,
    /// The agent's click on the sign-in button.
    pub sign_in: Callback<()>,
    /// A `visitor-sidebar:auth` token from an allowed origin: `(token, origin)`.
    pub on_host_token: Callback<(String, String)>,
}

/// The sign-in state machine; one per sidebar, living as long as it.
struct Engine {
    credentials: Credentials,
    proxy_url: String,
    console: Option<Console>,
    get_access_token: Option<js_sys::Function>,
    allowed_origins: Vec<String>,
    dispatcher: UseReducerDispatcher<AuthState>,
    this: Weak<Engine>,
    alive: Cell<bool>,
    phase: RefCell<AuthPhase>,
    /// The proxy's `/auth/config`, once read.
    config: RefCell<Option<AuthConfig>>,
    livechat: RefCell<Option<Rc<LiveChatSignIn>>>,
    popup: RefCell<Option<Popup>>,
    /// The token generation whose refusal was already acted on.
    asked_for: Cell<Option<u32>>,
    /// A new token was asked for after a refusal; the next one is its answer.
    answer_pending: Cell<bool>,
    /// The generation of that answer: refused before ever accepted, it is not asked about again.
    answered: Cell<Option<u32>>,
    /// Where the host's last token came from: the parent's origin to ask again.
    host_origin: RefCell<Option<String>>,
}

impl Engine {
    fn set_phase(&self, phase: AuthPhase) {
        if !self.alive.get() {
            return;
        }
        *self.phase.borrow_mut() = phase.clone();
        self.dispatcher.dispatch(phase);
    }

    fn expired(&self) -> bool {
        self.credentials.token().is_some()
    }

    /// Runs `task` with the engine, while it lives.
    fn spawn<F: std::future::Future<Output = ()> + 'static>(
        &self,
        task: impl FnOnce(Rc<Engine>) -> F,
    ) {
        if let Some(engine) = self.this.upgrade() {
            wasm_bindgen_futures::spawn_local(task(engine));
        }
    }

    fn start(&self, has_token: bool) {
        if has_token {
            self.set_phase(AuthPhase::SignedIn);
        } else if self.get_access_token.is_some() {
            self.ask_callback(false);
        } else {
            self.read_config(false);
        }
    }

    /// Asks the proxy how agents sign in, then goes on that way.
    fn read_config(&self, expired: bool) {
        let base = self.proxy_url.clone();
        self.spawn(move |engine| {
            async move {
                // Its own client: the sidebar's waits for a token, and this is public.
                let answer = ApiClient::new(&base, None)
                    .get_json("/auth/config", None, None)
                    .await;
                if !engine.alive.get() {
                    return;
                }
                let config = match answer {
                    Ok(Fetched::Data { value, .. }) => AuthConfig::from_js(&value),
                    _ => None,
                };
                match config {
                    Some(value) => {
                        *engine.config.borrow_mut() = Some(value.clone());
                        engine.decide(&value, expired);
                    }
                    // An older proxy, or none answering: let the panels say what the proxy
                    // says; a refusal brings this back here.
                    _ => {
                        engine.set_phase(AuthPhase::Open);
                        engine.credentials.release();
                    }
                }
            }
        });
    }

    /// Goes on the way `config` and this embedding allow.
    fn decide(&self, config: &AuthConfig, expired: bool) {
        if config.anonymous {
            self.set_phase(AuthPhase::Open);
            self.credentials.release();
            return;
        }
        if self.console == Some(Console::LiveChat) {
            if let Some((client_id, accounts_url)) = config.livechat() {
                let (client_id, accounts_url) = (client_id.to_owned(), accounts_url.to_owned());
                self.livechat_silently(client_id, accounts_url, expired);
                return;
            }
        }
        let parent = config.host() && !self.allowed_origins.is_empty();
        if parent {
            host::ask_parent(&self.parent_targets());
        }
        if config.company().is_some() {
            self.set_phase(AuthPhase::Needed {
                way: Way::Company,
                expired,
                problem: None,
            });
        } else if parent {
            self.set_phase(AuthPhase::Asking {
                whom: Whom::Host,
                expired,
            });
        } else {
            self.set_phase(AuthPhase::Stuck {
                expired,
                problem: "This sidebar offers no way of signing in here: the proxy needs an \
                          agent's token, and this page gives none (see \"Signing agents in\" in \
                          the sidebar's README)."
                    .into(),
            });
            self.credentials.release();
        }
    }

    /// The origins a `token-expired` message is aimed at: the one the host's token came from,
    /// else every allowed one.
    fn parent_targets(&self) -> Vec<String> {
        match &*self.host_origin.borrow() {
            Some(origin) => vec![origin.clone()],
            None => self.allowed_origins.clone(),
        }
    }

    fn ask_callback(&self, expired: bool) {
        let Some(callback) = self.get_access_token.clone() else {
            return;
        };
        self.set_phase(AuthPhase::Asking {
            whom: Whom::Host,
            expired,
        });
        self.spawn(move |engine| async move {
            match host::call(&callback, expired).await {
                Ok(token) => engine.receive(&token),
                Err(problem) => {
                    engine.set_phase(AuthPhase::Stuck { expired, problem });
                    engine.credentials.release();
                }
            }
        });
    }

    fn livechat_silently(&self, client_id: String, accounts_url: String, expired: bool) {
        self.set_phase(AuthPhase::Asking {
            whom: Whom::LiveChat,
            expired,
        });
        self.spawn(move |engine| {
            async move {
                let loaded = engine.livechat.borrow().clone();
                let sdk = match loaded {
                    Some(sdk) => sdk,
                    None => match LiveChatSignIn::load(&client_id, &accounts_url).await {
                        Ok(sdk) => {
                            let sdk = Rc::new(sdk);
                            *engine.livechat.borrow_mut() = Some(sdk.clone());
                            sdk
                        }
                        Err(problem) => {
                            engine.set_phase(AuthPhase::Stuck { expired, problem });
                            engine.credentials.release();
                            return;
                        }
                    },
                };
                match sdk.silent().await {
                    Ok(token) => engine.receive(&token),
                    // Expected where the browser keeps LiveChat's cookies from frames: the
                    // agent's click opens the popup instead.
                    Err(_) => engine.set_phase(AuthPhase::Needed {
                        way: Way::LiveChat,
                        expired,
                        problem: None,
                    }),
                }
            }
        });
    }

    /// The agent clicked "Sign in".
    fn sign_in(&self) {
        let phase = self.phase.borrow().clone();
        let (way, expired) = match phase {
            AuthPhase::Needed { way, expired, .. } | AuthPhase::SigningIn { way, expired } => {
                (way, expired)
            }
            _ => return,
        };
        let failed = |problem: String| AuthPhase::Needed {
            way,
            expired,
            problem: Some(problem),
        };
        match way {
            Way::Company => {
                let Some(company) = self.config.borrow().as_ref().and_then(AuthConfig::company)
                else {
                    return;
                };
                // A second click replaces the first window.
                self.popup.borrow_mut().take();
                let this = self.this.clone();
                let opened = company.open(move |outcome| {
                    let Some(engine) = this.upgrade() else {
                        return;
                    };
                    engine.popup.borrow_mut().take();
                    match outcome {
                        Outcome::Token(token) => engine.receive(&token),
                        Outcome::Refused(problem) => engine.set_phase(AuthPhase::Needed {
                            way,
                            expired,
                            problem: Some(problem),
                        }),
                        Outcome::Closed => engine.set_phase(AuthPhase::Needed {
                            way,
                            expired,
                            problem: Some(
                                "The sign-in window was closed before you signed in.".into(),
                            ),
                        }),
                    }
                });
                match opened {
                    Ok(popup) => {
                        *self.popup.borrow_mut() = Some(popup);
                        self.set_phase(AuthPhase::SigningIn { way, expired });
                    }
                    Err(problem) => self.set_phase(failed(problem)),
                }
            }
            Way::LiveChat => {
                let Some(sdk) = self.livechat.borrow().clone() else {
                    return;
                };
                // Opened now, inside the click; answered later.
                let answer = {
                    let sdk = sdk.clone();
                    async move { sdk.popup().await }
                };
                self.set_phase(AuthPhase::SigningIn { way, expired });
                self.spawn(move |engine| async move {
                    match answer.await {
                        Ok(token) => engine.receive(&token),
                        Err(problem) => engine.set_phase(AuthPhase::Needed {
                            way,
                            expired,
                            problem: Some(problem),
                        }),
                    }
                });
            }
        }
    }

    /// A token, whoever gave it.
    fn receive(&self, token: &str) {
        if !self.alive.get() {
            return;
        }
        self.credentials.set(token);
        if self.answer_pending.replace(false) {
            self.answered.set(Some(self.credentials.generation()));
        }
        self.set_phase(AuthPhase::SignedIn);
    }

    fn receive_from_host(&self, token: &str, origin: &str) {
        *self.host_origin.borrow_mut() = Some(origin.to_owned());
        self.receive(token);
    }

    /// The proxy refused the token of `generation` (see the module's rules).
    fn refused(&self, generation: u32, _refusal: Refusal) {
        if !self.alive.get()
            || generation != self.credentials.generation()
            || self.asked_for.replace(Some(generation)) == Some(generation)
        {
            return;
        }
        if self.credentials.token().is_none() {
            // Refused without a token, although nobody seemed to need one: read the proxy's
            // sign-in settings again (once per refusal), they may have been missed or changed.
            if *self.phase.borrow() == AuthPhase::Open {
                self.read_config(false);
            }
            return;
        }
        if self.answered.get() == Some(generation) && !self.credentials.was_accepted(generation) {
            let problem = "The new sign-in was not accepted either.".to_owned();
            let phase = match self.phase.borrow().clone() {
                AuthPhase::SignedIn if self.interactive().is_some() => AuthPhase::Needed {
                    way: self.interactive().unwrap_or(Way::Company),
                    expired: true,
                    problem: Some(problem),
                },
                _ => AuthPhase::Stuck {
                    expired: true,
                    problem,
                },
            };
            self.set_phase(phase);
            return;
        }
        self.answer_pending.set(true);
        self.ask_again();
    }

    /// The way the agent's click signs in, if this sidebar has one.
    fn interactive(&self) -> Option<Way> {
        if self.livechat.borrow().is_some() {
            return Some(Way::LiveChat);
        }
        let config = self.config.borrow();
        config
            .as_ref()
            .and_then(AuthConfig::company)
            .map(|_| Way::Company)
    }

    /// After a refusal: the callback, else the way the proxy's settings give (read now if the
    /// sidebar started with a token and never needed them), asking the parent too if allowed.
    fn ask_again(&self) {
        let expired = self.expired();
        if self.get_access_token.is_some() {
            self.ask_callback(expired);
            return;
        }
        let config = self.config.borrow().clone();
        match config {
            Some(config) => self.decide(&config, expired),
            None if !self.allowed_origins.is_empty() => {
                host::ask_parent(&self.parent_targets());
                self.set_phase(AuthPhase::Asking {
                    whom: Whom::Host,
                    expired,
                });
            }
            None => self.read_config(expired),
        }
    }
}

/// Signs the agent in for the sidebar whose requests use `credentials`.
///
/// ```ignore
/// let auth = use_auth(&props.options, &credentials);
/// html! { <SignIn state={(*auth.state).clone()} on_sign_in={auth.sign_in.clone()} /> }
/// ```
#[hook]
pub fn use_auth(options: &Options, credentials: &Credentials) -> UseAuthHandle {
    let state = use_reducer_eq(AuthState::default);
    let engine = {
        let dispatcher = state.dispatcher();
        let credentials = credentials.clone();
        let options = options.clone();
        use_memo((), move |()| {
            Rc::new_cyclic(|this| Engine {
                credentials,
                proxy_url: options.proxy_url,
                console: options.console,
                get_access_token: options.get_access_token,
                allowed_origins: options.allowed_origins,
                dispatcher,
                this: this.clone(),
                alive: Cell::new(true),
                phase: RefCell::new(AuthPhase::Checking),
                config: RefCell::default(),
                livechat: RefCell::default(),
                popup: RefCell::default(),
                asked_for: Cell::default(),
                answer_pending: Cell::default(),
                answered: Cell::default(),
                host_origin: RefCell::default(),
            })
        })
    };
    {
        let engine = (*engine).clone();
        use_effect_with((), move |()| {
            let listener = Rc::downgrade(&engine);
            engine
                .credentials
                .on_refused(Some(Rc::new(move |generation, refusal| {
                    if let Some(engine) = listener.upgrade() {
                        engine.refused(generation, refusal);
                    }
                })));
            engine.start(engine.credentials.token().is_some());
            move || {
                engine.alive.set(false);
                engine.credentials.on_refused(None);
                // Closes a sign-in window still open.
                engine.popup.borrow_mut().take();
            }
        });
    }
    let sign_in = {
        let engine = (*engine).clone();
        Callback::from(move |()| engine.sign_in())
    };
    let on_host_token = {
        let engine = (*engine).clone();
        Callback::from(move |(token, origin): (String, String)| {
            engine.receive_from_host(&token, &origin)
        })
    };
    UseAuthHandle {
        state,
        sign_in,
        on_host_token,
    }
}
