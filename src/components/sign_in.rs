//! The sidebar's sign-in strip: what the agent needs to know about signing in, and the "Sign
//! in" button (a real `<button>`: the popup it opens needs the agent's click). Nothing at all
//! while the agent is signed in or nobody needs to be.

use crate::hooks::use_auth::{AuthPhase, Way, Whom};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct SignInProps {
    pub phase: AuthPhase,
    pub on_sign_in: Callback<()>,
}

fn lead(expired: bool, otherwise: &'static str) -> Html {
    if expired {
        html! { <><strong>{ "Sign-in expired." }</strong>{ " " }</> }
    } else if otherwise.is_empty() {
        Html::default()
    } else {
        html! { <><strong>{ otherwise }</strong>{ " " }</> }
    }
}

/// The strip above the panels.
#[function_component]
pub fn SignIn(props: &SignInProps) -> Html {
    let onclick = {
        let on_sign_in = props.on_sign_in.clone();
        Callback::from(move |_: MouseEvent| on_sign_in.emit(()))
    };
    let button = |way: Way, again: bool| {
        let label = match (way, again) {
            (Way::LiveChat, _) => "Sign in with LiveChat",
            (Way::Company, false) => "Sign in",
            (Way::Company, true) => "Open the sign-in window again",
        };
        html! {
            <button type="button" class="vs-button vs-button-primary vs-sign-in-button"
                    onclick={onclick.clone()}>{ label }</button>
        }
    };
    let (notice, button) = match &props.phase {
        AuthPhase::Checking | AuthPhase::Open | AuthPhase::SignedIn => return Html::default(),
        AuthPhase::Asking { whom, expired } => {
            let text = match whom {
                Whom::Host => "Waiting for the console to sign you in…",
                Whom::LiveChat => "Signing you in with LiveChat…",
            };
            (
                html! { <p class="vs-notice" role="status">{ lead(*expired, "") }{ text }</p> },
                Html::default(),
            )
        }
        AuthPhase::Needed {
            way,
            expired,
            problem,
        } => {
            let ask = if *expired {
                "Sign in again to see current visitor data."
            } else {
                "Visitor details are shown to signed-in agents only."
            };
            (
                html! {
                    <p class="vs-notice" role="status">
                        { lead(*expired, "") }{ ask }
                        if let Some(problem) = problem { { " " }{ problem.clone() } }
                    </p>
                },
                button(*way, false),
            )
        }
        AuthPhase::SigningIn { way, expired } => (
            html! {
                <p class="vs-notice" role="status">
                    { lead(*expired, "") }{ "Finish signing in in the window that opened." }
                </p>
            },
            button(*way, true),
        ),
        AuthPhase::Stuck { expired, problem } => (
            html! {
                <p class="vs-notice vs-notice-error" role="alert">
                    { lead(*expired, "Not signed in.") }{ problem.clone() }
                </p>
            },
            Html::default(),
        ),
    };
    html! {
        <div class="vs-status vs-sign-in">
            { notice }
            { button }
        </div>
    }
}
