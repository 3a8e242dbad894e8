//! Inside LiveChat's Agent App (`?console=livechat`): the page is registered as a details widget,
//! a fixed URL in an iframe, and learns whose chat is open only through `@livechat/agent-app-sdk`
//! (bound in [`sdk`]). On every `customer_profile` event it shows that customer at once from the
//! event, then fills in the rest from the proxy (see
//! [`CustomerView`](crate::livechat::view::CustomerView)); `change_theme` sets the
//! sidebar's theme; outside the Agent App a notice says how to open it.
//!
//! Switching chats never shows the previous customer: the customer's view is keyed by the
//! customer ID, so another customer is a new subtree whose requests start afresh (and the old
//! one's are aborted as it unmounts).

pub mod sdk;

use crate::components::common::Same;
use crate::context::{use_announcer, use_settings, Settings};
use crate::livechat::v3::Profile;
use crate::livechat::view::{CustomerView, Drafts};
use crate::options::Theme;
use crate::reply::Composer;
use sdk::{Subscription, Unavailable};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::JsValue;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct AgentAppProps {
    /// Told the Agent App's theme (`change_theme`), so the sidebar follows it.
    pub on_theme: Callback<Theme>,
}

/// Where the link to the Agent App stands.
#[derive(Debug, Clone, PartialEq)]
enum Link {
    Connecting,
    Connected,
    Unavailable(Unavailable),
}

/// The customer the Agent App last named.
#[derive(Debug, Clone, PartialEq)]
enum Shown {
    Customer(Rc<Profile>),
    /// A `customer_profile` event whose data is not a profile: the agent moved on, to whom
    /// is unknown.
    Unreadable,
}

/// The view's one state machine.
#[derive(Debug, Clone, PartialEq)]
struct AgentApp {
    link: Link,
    shown: Option<Shown>,
}

enum Action {
    Connected,
    Unavailable(Unavailable),
    /// A `customer_profile` event (`None`: unreadable).
    Profile(Option<Profile>),
}

impl Reducible for AgentApp {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let next = match action {
            Action::Connected => AgentApp {
                link: Link::Connected,
                shown: self.shown.clone(),
            },
            Action::Unavailable(why) => AgentApp {
                link: Link::Unavailable(why),
                shown: None,
            },
            Action::Profile(profile) => {
                let shown = match profile {
                    Some(p) => match &self.shown {
                        // The same profile again (the SDK's latest, then the event): no render.
                        Some(Shown::Customer(current)) if **current == p => return self,
                        _ => Shown::Customer(Rc::new(p)),
                    },
                    None => Shown::Unreadable,
                };
                AgentApp {
                    link: self.link.clone(),
                    shown: Some(shown),
                }
            }
        };
        Rc::new(next)
    }
}

/// What the agent reads when there is no Agent App to talk to.
fn unavailable_text(why: &Unavailable) -> String {
    match why {
        Unavailable::NoHandshake => "LiveChat's Agent App did not answer. This page is the sidebar's details widget for LiveChat and works only inside the Agent App: open it from a chat in LiveChat's Agent App (https://my.livechatinc.com), with the app installed. An administrator registers this page's address, ending in ?console=livechat, in LiveChat's Developer Console (Apps → your app → Building blocks → Agent App widget, placement: Details).".to_owned(),
        Unavailable::NoSdk(why) => format!("LiveChat's Agent App SDK is missing from this deployment, so the sidebar cannot talk to the Agent App. {why}"),
        Unavailable::Failed(why) => format!("The sidebar could not connect to LiveChat's Agent App: {why}"),
    }
}

/// The theme named by a `change_theme` event's data (`{"theme": "dark"}`) or by `getTheme()`.
fn theme_named(value: &JsValue) -> Option<Theme> {
    let name = match value.as_string() {
        Some(name) => name,
        None => js_sys::Reflect::get(value, &"theme".into())
            .ok()?
            .as_string()?,
    };
    Theme::parse(&name).filter(|t| *t != Theme::Auto)
}

/// The sidebar's body in LiveChat's Agent App.
#[function_component]
pub fn AgentAppView(props: &AgentAppProps) -> Html {
    let state = use_reducer(|| AgentApp {
        link: Link::Connecting,
        shown: None,
    });
    // Every customer's draft of the custom-details form, kept while the agent moves between
    // chats and back.
    let drafts = use_reducer(Drafts::default);
    // The parent makes a new callback on each render: the SDK's handlers read the latest
    // through this, so the connection is made once.
    let on_theme = use_mut_ref(|| props.on_theme.clone());
    *on_theme.borrow_mut() = props.on_theme.clone();
    let announce = use_announcer();
    // Insert goes through the Agent App's putMessage once connected.
    let reply_to = use_state(|| None::<Composer>);

    {
        let dispatcher = state.dispatcher();
        let reply_to = reply_to.setter();
        use_effect_with((), move |()| {
            let alive = Rc::new(Cell::new(true));
            let subscriptions: Rc<RefCell<Vec<Subscription>>> = Rc::default();
            let (running, held) = (alive.clone(), subscriptions.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let connected = sdk::connect().await;
                if !running.get() {
                    return;
                }
                let widget = match connected {
                    Ok(widget) => widget,
                    Err(why) => return dispatcher.dispatch(Action::Unavailable(why)),
                };
                dispatcher.dispatch(Action::Connected);
                let putter = widget.clone();
                reply_to.set(Some(Composer::new("LiveChat's Agent App", move |text| {
                    putter.put_message(text)
                })));
                let show = move |data: JsValue| {
                    let profile = Profile::from_event(data);
                    announce.emit(match profile.as_ref().map(|p| p.name.as_deref()) {
                        Some(Some(name)) => {
                            format!("Showing the customer of the open chat: {name}.")
                        }
                        Some(None) => "Showing the customer of the open chat.".to_owned(),
                        None => "The open chat's customer cannot be read.".to_owned(),
                    });
                    dispatcher.dispatch(Action::Profile(profile));
                };
                let follow = move |data: JsValue| {
                    if let Some(theme) = theme_named(&data) {
                        let on_theme = on_theme.borrow().clone();
                        on_theme.emit(theme);
                    }
                };
                // The SDK records the latest profile and theme from the start, so what came
                // before these handlers is not lost.
                if let Some(profile) = widget.customer_profile() {
                    show(profile);
                }
                if let Some(theme) = widget.theme() {
                    follow(JsValue::from_str(&theme));
                }
                let mut held = held.borrow_mut();
                held.push(widget.subscribe("customer_profile", show));
                held.push(widget.subscribe("change_theme", follow));
            });
            move || {
                alive.set(false);
                // Each subscription calls the widget's `off` as it goes.
                subscriptions.borrow_mut().clear();
            }
        });
    }

    let body = match (&state.link, &state.shown) {
        (Link::Connecting, _) => html! {
            <p class="vs-notice" role="status">{ "Connecting to LiveChat's Agent App…" }</p>
        },
        (Link::Unavailable(why), _) => html! {
            <p class="vs-notice vs-notice-error vs-agent-app-missing" role="alert">{ unavailable_text(why) }</p>
        },
        (Link::Connected, None) => html! {
            <p class="vs-notice" role="status">
                { "Connected to LiveChat's Agent App. Open a chat to see who you are talking to." }
            </p>
        },
        (Link::Connected, Some(Shown::Unreadable)) => html! {
            <p class="vs-notice vs-notice-error" role="alert">
                { "LiveChat's Agent App named a customer the sidebar cannot read. Open the chat again to retry." }
            </p>
        },
        (Link::Connected, Some(Shown::Customer(profile))) => {
            let key = profile.id.clone().unwrap_or_default();
            html! {
                <CustomerView key={key} profile={Same(profile.clone())} drafts={Some(drafts.clone())} />
            }
        }
    };
    // Insert goes through the Agent App here, not through the host page.
    let context = Settings {
        reply_to: (*reply_to).clone(),
        ..use_settings()
    };
    html! {
        <ContextProvider<Settings> {context}>
            <div class="vs-panel vs-agent-app">{ body }</div>
        </ContextProvider<Settings>>
    }
}
