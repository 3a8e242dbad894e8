//! The sidebar's root: the `<aside>` landmark, the theme, the providers of the shared settings
//! and announcer every panel reads through context (their types are in [`crate::context`]), and
//! the switch between the LivePerson and LiveChat panels. Hosts steer it through a
//! [`Controller`] (what `mount()`'s handle calls). Its [`Credentials`] are the one token source
//! of its requests, filled by [`use_auth`]; the [`SignIn`] strip says where signing in stands.

use crate::api::ApiClient;
use crate::auth::Credentials;
use crate::components::common::Same;
use crate::components::sign_in::SignIn;
use crate::console::Console;
use crate::context::{Announcer, Settings};
use crate::hooks::{use_auth, use_host_messages};
use crate::options::{Options, Provider, Selection, Theme};
use crate::reply::{host_composer, Outcome};
use crate::{livechat, liveperson};
use gloo_timers::callback::Timeout;
use std::cell::RefCell;
use yew::prelude::*;

/// How long the outcome of a Copy or Insert stays on screen.
const FEEDBACK_MS: u32 = 8_000;

/// A command from the host page.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    Show(Selection),
    SetTheme(Theme),
}

#[derive(Default)]
struct ControllerInner {
    target: Option<Callback<Command>>,
    pending: Vec<Command>,
}

/// The host's handle on one mounted sidebar. Commands sent before the sidebar has rendered
/// are queued, not lost. Each sidebar has its own, so sidebars on one page share nothing.
#[derive(Clone, Default, PartialEq)]
pub struct Controller(Same<RefCell<ControllerInner>>);

impl Controller {
    pub fn send(&self, command: Command) {
        let target = self.0.borrow().target.clone();
        match target {
            Some(target) => target.emit(command),
            None => self.0.borrow_mut().pending.push(command),
        }
    }

    fn attach(&self, target: Callback<Command>) {
        let pending = {
            let mut inner = self.0.borrow_mut();
            inner.target = Some(target.clone());
            std::mem::take(&mut inner.pending)
        };
        for command in pending {
            target.emit(command);
        }
    }

    fn detach(&self) {
        self.0.borrow_mut().target = None;
    }
}

#[derive(Properties, PartialEq)]
pub struct SidebarProps {
    pub options: Options,
    #[prop_or_default]
    pub controller: Controller,
}

/// The whole sidebar.
#[function_component]
pub fn Sidebar(props: &SidebarProps) -> Html {
    let selection = use_state_eq(|| props.options.selection.clone());
    let theme = use_state_eq(|| props.options.theme);
    let announcement = use_state_eq(String::new);
    let announcer = {
        let announcement = announcement.clone();
        use_memo((), move |()| {
            Announcer(Callback::from(move |text| announcement.set(text)))
        })
    };

    // One token source for the sidebar's life: a new token changes no prop and restarts no poll.
    let credentials = {
        let token = props.options.access_token.clone();
        use_memo((), move |()| match token {
            Some(token) => Credentials::fixed(Some(&token)),
            None => Credentials::pending(),
        })
    };
    let auth = use_auth(&props.options, &credentials);

    {
        let selection = selection.clone();
        use_host_messages(
            props.options.allowed_origins.clone(),
            Callback::from(move |next| selection.set(next)),
            auth.on_host_token.clone(),
        );
    }

    {
        let (selection, theme) = (selection.clone(), theme.clone());
        use_effect_with(props.controller.clone(), move |controller| {
            controller.attach(Callback::from(move |command| match command {
                Command::Show(next) => selection.set(next),
                Command::SetTheme(next) => theme.set(next),
            }));
            let controller = controller.clone();
            move || controller.detach()
        });
    }

    // How the last Copy or Insert went, shown until the next one (or for a while).
    // Numbered, so the same outcome twice is said (and timed) twice.
    let outcome = use_state_eq(|| None::<(u32, Outcome)>);
    let feedback = {
        let outcome = outcome.clone();
        let count = std::cell::Cell::new(0u32);
        use_memo((), move |()| {
            Callback::from(move |o| {
                count.set(count.get().wrapping_add(1));
                outcome.set(Some((count.get(), o)));
            })
        })
    };
    {
        let outcome = outcome.clone();
        use_effect_with((*outcome).clone(), move |shown| {
            let clear = shown
                .as_ref()
                .map(|_| Timeout::new(FEEDBACK_MS, move || outcome.set(None)));
            move || drop(clear)
        });
    }
    let settings = {
        let o = &props.options;
        let credentials = (*credentials).clone();
        let feedback = (*feedback).clone();
        use_memo(o.clone(), move |o| Settings {
            client: ApiClient::with_credentials(&o.proxy_url, credentials),
            locale: o.locale.clone().map(AttrValue::from),
            poll_interval_ms: o.poll_interval_ms,
            details_set_id: o.details_set_id.clone().into(),
            new_mark_ms: crate::hooks::NEW_MARK_MS,
            // The host page's way into the reply (a console's view provides its own instead).
            reply_to: host_composer(o.on_insert.clone(), &o.allowed_origins),
            feedback,
        })
    };

    let body = match props.options.console {
        // In a console, its SDK names the chat; hosts' show() and messages have nothing to say.
        // The Agent App's theme is the sidebar's.
        Some(Console::LiveChat) => {
            let theme = theme.clone();
            livechat::agent_app_body(Callback::from(move |t| theme.set(t)))
        }
        Some(Console::LivePerson) => liveperson::workspace_body(&props.options.workspace),
        None => match selection.provider {
            Provider::LivePerson => liveperson::panel(
                selection.visitor_id.clone().map(AttrValue::from),
                selection.sid.clone().map(AttrValue::from),
            ),
            Provider::LiveChat => {
                livechat::panel(selection.visitor_id.clone().map(AttrValue::from))
            }
        },
    };

    html! {
        <ContextProvider<Settings> context={(*settings).clone()}>
        <ContextProvider<Announcer> context={(*announcer).clone()}>
            <aside class="vs-root" data-theme={theme.as_str()} aria-label="Visitor details">
                <SignIn phase={auth.state.phase.clone()} on_sign_in={auth.sign_in.clone()} />
                // A console's view starts its SDK at once (its handshake does not wait); its
                // requests wait for the token instead.
                if props.options.console.is_some() || auth.state.shows_panels() { { body } }
                <div class="vs-sr-only" aria-live="polite" aria-atomic="true">{ (*announcement).clone() }</div>
                // The status line for Copy and Insert: a live region there from the start (one
                // added with its text is not reliably read), held at the bottom of the view so
                // nothing moves under the pointer when it shows.
                <div class="vs-feedback-line" aria-live="polite">
                    if let Some((_, outcome)) = &*outcome {
                        <p class={classes!("vs-notice", "vs-feedback", outcome.failed().then_some("vs-notice-error"))}
                           role={outcome.failed().then_some("alert")}>{ outcome.text() }</p>
                    }
                </div>
            </aside>
        </ContextProvider<Announcer>>
        </ContextProvider<Settings>>
    }
}
