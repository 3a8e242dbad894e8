//! Inside LivePerson's Agent Workspace (`?console=liveperson`). The Agent Workspace embeds a
//! custom widget as a fixed URL in an iframe, so the widget learns about the open conversation
//! only through LivePerson's Agent Workspace Widget SDK (`lpTag.agentSDK`):
//!
//! 1. load the SDK from the page's `visitor-sidebar:liveperson-sdk-url` (LivePerson's CDN by
//!    default; never from the URL, so a crafted link cannot load a script), unless the page
//!    already has it;
//! 2. `init({})`, then bind the paths of the public model that describe the visitor (see
//!    [`BOUND_PATHS`]) and show what they give at once, in the LivePerson panel's own sections
//!    (read by [`crate::liveperson::sdk::bound`]) plus the chat's own facts;
//! 3. with the visitor and session IDs at the configured paths, poll the Visit Information API
//!    through the proxy, and show its fuller visit with the SDK's data filling its gaps; when it
//!    answers 404 for those IDs, keep the SDK's data and name the IDs tried in one sentence.
//!
//! A new conversation (other IDs) drops everything of the previous one (see [`state`]);
//! unmounting unbinds every path. A script that does not load, or an Agent Workspace that never
//! answers, is a notice, not a blank page.

pub mod bound;
mod connection;
mod conversation;
mod state;

pub use state::{Action, IdPaths, Link, WorkspaceState};

use crate::api::ApiError;
use crate::components::common::{Same, StatusBar};
use crate::components::panel::use_panel;
use crate::context::{use_settings, Settings};
use crate::hooks::Phase;
use crate::liveperson::api::visit_path;
use crate::liveperson::glance::Hints;
use crate::liveperson::model::{AppSession, Visit};
use crate::liveperson::view::VisitPanel;
use crate::options::WorkspaceOptions;
use crate::reply::{escape_html, Composer};
use bound::{covers, read};
use gloo_timers::callback::Timeout;
use std::cell::Cell;
use std::rc::Rc;
use visitor_sidebar_contract::check_id;
use yew::prelude::*;

/// How long the SDK may take to load and answer before the widget says it does not.
pub const CONNECT_TIMEOUT_MS: u32 = 10_000;

/// The public model's paths bound, parts rather than the `SDE` and `authenticatedData`
/// pseudo-objects (LivePerson's best practices: binding a parent binds every child behind the
/// scenes). The ID paths are added when no path here covers them.
pub const BOUND_PATHS: [&str; 17] = [
    "visitorInfo",
    "chatInfo",
    "SDE.customerDetails",
    "SDE.personalInfo",
    "SDE.marketingSource",
    "SDE.leadGeneration",
    "SDE.transaction",
    "SDE.viewedProducts",
    "SDE.shoppingCart",
    "SDE.serviceActivity",
    "SDE.error",
    "visitorJourney",
    "customVariables",
    "authenticatedData.customerDetails",
    "authenticatedData.personalInfo",
    "claimsAndAuthType",
    "surveyQuestions",
];

/// The ID paths the settings name.
pub fn id_paths(options: &WorkspaceOptions) -> IdPaths {
    IdPaths {
        visitor: options.visitor_id_path.clone(),
        session: options.session_id_path.clone(),
    }
}

/// [`BOUND_PATHS`], and each ID path none of them covers.
pub fn bound_paths(options: &WorkspaceOptions) -> Vec<String> {
    let mut paths: Vec<String> = BOUND_PATHS.iter().map(|p| (*p).to_owned()).collect();
    for id_path in [&options.visitor_id_path, &options.session_id_path] {
        if !paths.iter().any(|p| covers(p, id_path)) {
            paths.push(id_path.clone());
        }
    }
    paths
}

/// The SDK's address as the browser will load it: `http:` or `https:` only (the page's setting
/// may be relative to the page).
fn script_url(url: &str) -> Result<String, String> {
    let base = web_sys::window()
        .and_then(|w| w.location().href().ok())
        .unwrap_or_default();
    web_sys::Url::new_with_base(url, &base)
        .ok()
        .filter(|u| matches!(u.protocol().as_str(), "http:" | "https:"))
        .map(|u| u.href())
        .ok_or_else(|| {
            format!("The liveperson-sdk-url setting \"{url}\" is not an http or https address.")
        })
}

/// The Visit Information API's visit with the gaps of its newest app session filled from the
/// SDK's data; the SDK's data alone until the API answers.
pub fn merge(mut sdk: AppSession, api: Option<&Visit>) -> Visit {
    let Some(api) = api else {
        return Visit {
            id: None,
            app_sessions: vec![sdk],
        };
    };
    let mut visit = api.clone();
    let Some(newest) = visit.newest_session_index() else {
        visit.app_sessions.push(sdk);
        return visit;
    };
    let s = &mut visit.app_sessions[newest];
    macro_rules! fill {
        (opt: $($field:ident),*; list: $($list:ident),*) => {
            $(if s.$field.is_none() { s.$field = sdk.$field.take(); })*
            $(if s.$list.is_empty() { s.$list = std::mem::take(&mut sdk.$list); })*
        };
    }
    fill!(
        opt: personal_info, customer_info, cart, marketing_campaign_info, search_engine, geo,
             ipv4, device_os, device_family, start_time;
        list: purchases, leads, service_activity, viewed_product, visitor_error, pages
    );
    visit
}

/// Did the Visit Information API answer 404 (whatever its internal code: LivePerson also
/// answers 404 "invalid account" for IDs it does not know)?
fn not_found(phase: &Phase) -> bool {
    matches!(phase, Phase::Failed(ApiError::Proxy { error, .. }) if error.upstream_status == Some(404))
}

/// One sentence in the panel's notice style (`role` "status" or "alert").
fn notice(class: &'static str, role: &'static str, text: String) -> Html {
    html! { <p class={class} role={role}>{ text }</p> }
}

#[derive(Properties, PartialEq, Default)]
pub struct WorkspaceProps {
    #[prop_or_default]
    pub options: WorkspaceOptions,
}

/// The sidebar's body in LivePerson's Agent Workspace.
#[function_component]
pub fn WorkspaceView(props: &WorkspaceProps) -> Html {
    let settings = use_settings();
    let state = use_reducer(|| WorkspaceState::new(id_paths(&props.options)));
    let connection = use_mut_ref(|| None::<connection::Connection>);
    // Insert writes through the SDK once connected; whether the conversation is messaging
    // (plain text) is read at each insert.
    let reply_to = use_state(|| None::<Composer>);
    let messaging: Rc<Cell<Option<bool>>> = use_memo((), |()| Cell::new(None));

    {
        let dispatcher = state.dispatcher();
        let connection = connection.clone();
        let (reply_to, messaging) = (reply_to.clone(), messaging.clone());
        let options = props.options.clone();
        use_effect_with((), move |()| {
            let alive = Rc::new(Cell::new(true));
            let report = {
                let (dispatcher, alive) = (dispatcher.clone(), alive.clone());
                Callback::from(move |action| {
                    if alive.get() {
                        dispatcher.dispatch(action);
                    }
                })
            };
            let timer = {
                let (report, url) = (report.clone(), options.sdk_url.clone());
                Timeout::new(CONNECT_TIMEOUT_MS, move || {
                    let seconds = CONNECT_TIMEOUT_MS / 1000;
                    report.emit(Action::TimedOut(format!(
                        "LivePerson's Agent Workspace did not answer within {seconds} s. This page \
                         works only as a custom widget inside the Agent Workspace, with the SDK \
                         from {url}."
                    )));
                })
            };
            {
                let (report, alive, connection) =
                    (report.clone(), alive.clone(), connection.clone());
                let (reply_to, messaging) = (reply_to.clone(), messaging.clone());
                wasm_bindgen_futures::spawn_local(async move {
                    let found = match connection::find() {
                        Some(sdk) => Ok(sdk),
                        None => match script_url(&options.sdk_url) {
                            Ok(url) => match crate::console::load_script(&url).await {
                                Ok(()) => connection::find().ok_or_else(|| {
                                    format!("The script at {url} did not provide LivePerson's Agent Workspace SDK (lpTag.agentSDK).")
                                }),
                                Err(_) => Err(format!(
                                    "LivePerson's Agent Workspace SDK could not be loaded from {url}: check the liveperson-sdk-url setting and that the agent's browser can reach it."
                                )),
                            },
                            Err(problem) => Err(problem),
                        },
                    };
                    if !alive.get() {
                        return;
                    }
                    let opened = found.and_then(|found| {
                        connection::Connection::open(found, &bound_paths(&options), report.clone())
                    });
                    match opened {
                        Ok(opened) => {
                            let n = opened.len();
                            let (sdk, messaging) = (opened.sdk.clone(), messaging.clone());
                            reply_to.set(Some(Composer::new(
                                "LivePerson's Agent Workspace",
                                move |text| {
                                    // Real-time chat shows a written line as HTML: a visitor's
                                    // words in it must stay text. Messaging shows plain text.
                                    if messaging.get() == Some(true) {
                                        sdk.write(text)
                                    } else {
                                        sdk.write(&escape_html(text))
                                    }
                                },
                            )));
                            *connection.borrow_mut() = Some(opened);
                            report.emit(Action::Bound(n));
                        }
                        Err(problem) => report.emit(Action::Failed(problem)),
                    }
                });
            }
            move || {
                alive.set(false);
                drop(timer);
                // Unbinds every path, then frees the callbacks.
                connection.borrow_mut().take();
            }
        });
    }

    {
        // A new conversation: ask again for what the previous one had bound.
        let connection = connection.clone();
        let fresh = state.fresh.clone();
        use_effect_with(state.generation, move |generation| {
            if *generation > 0 {
                if let Some(connection) = connection.borrow().as_ref() {
                    connection.refresh(*generation, &fresh);
                }
            }
        });
    }

    let (visitor_id, session_id) = state.ids();
    let paths = &state.paths;
    let request = match (&visitor_id, &session_id) {
        (Some(v), Some(s)) if check_id(v).is_ok() && check_id(s).is_ok() => Some(visit_path(v, s)),
        _ => None,
    };
    let api = use_panel::<Visit>(request.clone());
    let unknown = request.is_some() && not_found(api.phase());
    let api_visit = api.data().filter(|_| !unknown).cloned().map(Same);
    // Read again when either changes (reading is cheap); the same `Rc` otherwise, so the panel
    // compares its props in one step.
    let shown = use_memo((Same(state.bound.clone()), api_visit), |(bound, api)| {
        let data = read(bound);
        let visit = Rc::new(merge(data.session, api.as_ref().map(|a| &*a.0)));
        (visit, data.chat)
    });

    let waiting = match &state.link {
        Link::Failed(problem) => Some(("vs-notice vs-notice-error", "alert", problem.clone())),
        Link::Loading | Link::Connecting => Some((
            "vs-notice",
            "status",
            "Connecting to LivePerson's Agent Workspace…".to_owned(),
        )),
        Link::Connected if state.bound.is_empty() => Some((
            "vs-notice",
            "status",
            "Connected to LivePerson's Agent Workspace; it has given nothing about this \
             conversation yet."
                .to_owned(),
        )),
        Link::Connected => None,
    };
    if let Some((class, role, text)) = waiting {
        return notice(class, role, text);
    }

    let locale = settings.locale.as_deref();
    // The conversation is the glance's subject: another one is never a change.
    let conversation_id = AttrValue::from(format!(
        "{}/{}",
        visitor_id.as_deref().unwrap_or_default(),
        session_id.as_deref().unwrap_or_default()
    ));
    let hints = Hints {
        time_zone: shown.1.time_zone.clone(),
        authenticated: shown.1.authenticated,
        customer_vouched: shown.1.customer_vouched,
    };
    let status = match (&visitor_id, &session_id, &request) {
        (Some(v), Some(s), Some(_)) if unknown => notice(
            "vs-notice vs-lp-ids",
            "status",
            format!(
                "LivePerson's Visit Information API has no visit for visitor ID {v} and session \
                 ID {s} (from {} and {}), so this shows only what the Agent Workspace gives.",
                paths.visitor, paths.session
            ),
        ),
        (_, _, Some(_)) => html! {
            <StatusBar phase={api.phase().clone()} has_data={api.data().is_some()}
                       on_refresh={api.refresh()} locale={settings.locale.clone()} />
        },
        _ => {
            let id_problem = |what: &str, path: &str, id: &Option<String>| match id {
                None => Some(format!("no {what} at {path}")),
                Some(id) => check_id(id)
                    .err()
                    .map(|e| format!("a {what} at {path} that the API cannot take (it {e})")),
            };
            let problems: Vec<String> = [
                id_problem("visitor ID", &paths.visitor, &visitor_id),
                id_problem("session ID", &paths.session, &session_id),
            ]
            .into_iter()
            .flatten()
            .collect();
            notice(
                "vs-notice vs-lp-ids",
                "status",
                format!(
                    "Only what the Agent Workspace gives is shown: the Visit Information API needs \
                     a visitor ID and a session ID, and the Agent Workspace has given {}.",
                    problems.join(" and ")
                ),
            )
        }
    };
    messaging.set(shown.1.is_messaging);
    // Insert writes through the Agent Workspace here, not through the host page.
    let context = Settings {
        reply_to: (*reply_to).clone(),
        ..settings.clone()
    };
    html! {
        <ContextProvider<Settings> {context}>
            <div class="vs-panel vs-liveperson vs-lp-workspace">
                { status }
                <VisitPanel visit={shown.0.clone()} extra={conversation::conversation(&shown.1, locale)}
                            subject={conversation_id} hints={hints} />
            </div>
        </ContextProvider<Settings>>
    }
}
