//! Small building blocks every panel uses: links that only ever carry a safe scheme, labelled
//! facts, collapsible sections, ticking clocks, the loading / stale / error notices, and [`Same`]
//! (an `Rc` compared by identity) for props.
//!
//! Visitor data only ever reaches the DOM through these as text nodes or checked `href`s.

use crate::api::ApiError;
use crate::context::use_settings;
use crate::format;
use crate::hooks::{use_now, Phase};
use std::ops::Deref;
use std::rc::Rc;
use visitor_sidebar_contract::ErrorCode;
use yew::html::IntoPropValue;
use yew::prelude::*;

/// An `Rc` that props compare by identity (`Rc::ptr_eq`), never by walking what it holds: the
/// poller keeps the same `Rc` while the data is unchanged, so a prop holding a 5,000-page visit
/// compares in one step. A bare `Rc<T>` prop would compare the whole value on every render.
pub struct Same<T: ?Sized>(pub Rc<T>);

impl<T: ?Sized> PartialEq for Same<T> {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl<T: ?Sized> Clone for Same<T> {
    fn clone(&self) -> Self {
        Same(self.0.clone())
    }
}

impl<T: Default> Default for Same<T> {
    fn default() -> Self {
        Same(Rc::default())
    }
}

impl<T: ?Sized> Deref for Same<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

/// So a prop of type `Same<T>` takes an `Rc<T>` as it is: `<VisitPanel visit={rc} />`.
impl<T: ?Sized> IntoPropValue<Same<T>> for Rc<T> {
    fn into_prop_value(self) -> Same<T> {
        Same(self)
    }
}

/// The visible `New` mark of an item the last answer did not have (a word, not a colour alone).
pub fn new_mark(is_new: bool) -> Html {
    if is_new {
        html! { <span class="vs-new">{ "New" }</span> }
    } else {
        Html::default()
    }
}

/// The schemes a visitor-supplied address may be linked with.
const SAFE_SCHEMES: [&str; 4] = ["http:", "https:", "mailto:", "tel:"];

/// The address as the browser would follow it, if it parses as an absolute URL with a safe
/// scheme. The browser's own parser decides, so tricks such as `java\tscript:`, leading
/// spaces or upper case cannot slip past a string comparison.
pub fn safe_href(address: &str) -> Option<String> {
    let url = web_sys::Url::new(address.trim()).ok()?;
    SAFE_SCHEMES
        .contains(&url.protocol().as_str())
        .then(|| url.href())
}

#[derive(Properties, PartialEq)]
pub struct SafeLinkProps {
    /// Where the link should go; shown as plain text when it is not a safe absolute URL.
    pub href: AttrValue,
    /// The link text; the address itself when absent.
    #[prop_or_default]
    pub text: Option<AttrValue>,
    #[prop_or_default]
    pub class: Classes,
}

/// A link for a visitor-supplied address: opened in a new tab without handing over the
/// console's `window.opener` or referrer, or plain text when the scheme is not safe. The one
/// place an `<a href>` is made from visitor data; long lists call it directly rather than
/// mounting a [`SafeLink`] component per row.
pub fn safe_link(address: AttrValue, text: Option<AttrValue>, class: Classes) -> Html {
    let text = text.unwrap_or_else(|| address.clone());
    match safe_href(&address) {
        Some(href) => html! {
            <a class={classes!("vs-link", class)} href={href} title={address}
               target="_blank" rel="noopener noreferrer">{ text }</a>
        },
        None => html! {
            <span class={classes!("vs-unlinked", class)} title={address}>{ text }</span>
        },
    }
}

/// [`safe_link`] as a component.
#[function_component]
pub fn SafeLink(props: &SafeLinkProps) -> Html {
    safe_link(props.href.clone(), props.text.clone(), props.class.clone())
}

#[derive(Properties, PartialEq)]
pub struct FactProps {
    pub label: AttrValue,
    #[prop_or_default]
    pub children: Html,
}

/// One labelled fact in a `<dl class="vs-facts">`.
#[function_component]
pub fn Fact(props: &FactProps) -> Html {
    html! {
        <div class="vs-fact">
            <dt>{ props.label.clone() }</dt>
            <dd>{ props.children.clone() }</dd>
        </div>
    }
}

/// A fact only when there is a value: `fact_text("City", visitor.city.as_deref())`.
pub fn fact_text(label: &'static str, value: Option<&str>) -> Html {
    match value {
        Some(value) if !value.trim().is_empty() => html! {
            <Fact label={label}><span class="vs-text" title={value.to_owned()}>{ value.to_owned() }</span></Fact>
        },
        _ => Html::default(),
    }
}

#[derive(Properties, PartialEq)]
pub struct SectionProps {
    pub title: AttrValue,
    /// Open when first shown (the facts that matter first); closed ones are one click away.
    #[prop_or(true)]
    pub open: bool,
    /// A short figure beside the title, such as a count.
    #[prop_or_default]
    pub badge: Option<AttrValue>,
    #[prop_or_default]
    pub class: Classes,
    /// Told whether the section is open each time the agent opens or closes it, so a long body
    /// can be built only when it is seen.
    #[prop_or_default]
    pub on_toggle: Option<Callback<bool>>,
    #[prop_or_default]
    pub children: Html,
}

/// A collapsible section: a real `<details>`/`<summary>` (keyboard and screen-reader support
/// come with it) whose summary holds a heading.
#[function_component]
pub fn Section(props: &SectionProps) -> Html {
    let ontoggle = props.on_toggle.clone().map(|on_toggle| {
        Callback::from(move |e: Event| {
            let details: web_sys::HtmlDetailsElement = e.target_unchecked_into();
            on_toggle.emit(details.open());
        })
    });
    html! {
        <details class={classes!("vs-section", props.class.clone())} open={props.open} {ontoggle}>
            <summary>
                <h3 class="vs-section-title">{ props.title.clone() }</h3>
                if let Some(badge) = &props.badge {
                    <span class="vs-badge">{ badge.clone() }</span>
                }
            </summary>
            <div class="vs-section-body">{ props.children.clone() }</div>
        </details>
    }
}

/// Grey placeholder lines while the first answer is awaited.
#[function_component]
pub fn Skeleton() -> Html {
    html! {
        <div class="vs-skeleton" role="status" aria-busy="true">
            <span class="vs-sr-only">{ "Loading visitor data…" }</span>
            <div class="vs-skeleton-line vs-w60"></div>
            <div class="vs-skeleton-line vs-w90"></div>
            <div class="vs-skeleton-line vs-w75"></div>
            <div class="vs-skeleton-line vs-w40"></div>
        </div>
    }
}

/// The agent's words for a proxy error code, where the code calls for more than the proxy's
/// own message. Exhaustive, so a new code in the contract must be considered here.
fn code_words(code: ErrorCode) -> Option<&'static str> {
    use ErrorCode::*;
    match code {
        LivepersonSessionExpired => Some(
            "LivePerson does not know this visit's session, or it has expired: this API keeps sessions for 6 hours.",
        ),
        LivepersonNoPermission => {
            Some("The proxy's LivePerson key lacks permission for visit information.")
        }
        LivepersonInvalidVisitor => Some("LivePerson does not know this visitor ID."),
        LivepersonInvalidAccount => {
            Some("LivePerson does not know the proxy's account ID: check its configuration.")
        }
        LivepersonNotFound => {
            Some("LivePerson has no current visit for this visitor (sessions are kept for 6 hours).")
        }
        LivepersonBadRequest => Some("LivePerson refused the request as malformed."),
        Unauthorized => Some("The proxy refused the sidebar's access token."),
        Forbidden => Some("Your sign-in is valid, but not for this sidebar's account."),
        AuthUnavailable => Some("The sign-in service is not answering: try again in a moment."),
        UpstreamRateLimited | RateLimited => {
            Some("Too many requests: the sidebar will retry shortly.")
        }
        UpstreamTimeout => Some("The vendor's API is not answering in time."),
        // The proxy's own message says it all.
        InvalidId | InvalidQuery | InvalidBody | ValidationFailed | PayloadTooLarge | NotFound
        | MethodNotAllowed | OriginNotAllowed | NotConfigured | InternalError | StoreUnavailable
        | UpstreamUnreachable | UpstreamError | UpstreamBadResponse | LivechatUnauthorized
        | LivechatTokenRejected | NoWebhookToken | Unknown => None,
    }
}

/// A sentence that tells the agent what an error means for them. Specific proxy codes get
/// specific words; anything else carries the proxy's own message.
pub fn error_text(error: &ApiError) -> String {
    match (error.code().and_then(code_words), error) {
        // The specific words, then the proxy's own message (it says what to do about it).
        (Some(words), ApiError::Proxy { error: detail, .. })
            if !detail.message.trim().is_empty() =>
        {
            format!("{words} {}", detail.message)
        }
        (Some(words), _) => words.to_owned(),
        (None, _) => error.to_string(),
    }
}

/// " Reference: <id>." when the failed answer carried the proxy's request ID (the agent quotes
/// it, and the proxy's logs and upstream calls carry it), else nothing.
pub fn reference_text(error: &ApiError) -> String {
    error
        .reference()
        .map(|id| format!(" Reference: {id}."))
        .unwrap_or_default()
}

#[derive(Properties, PartialEq)]
pub struct StatusProps {
    pub phase: Phase,
    pub has_data: bool,
    pub on_refresh: Callback<()>,
    #[prop_or_default]
    pub locale: Option<AttrValue>,
}

/// The `performance.mark` set once per page when visitor data is first on screen; the
/// benchmark reads it to time "navigation to first data painted".
pub const FIRST_DATA_MARK: &str = "visitor-sidebar:first-data";

/// The strip above a panel: the refresh button, and the stale or error notice when there is
/// one. Its text changes only when the phase does, so quiet polls leave it untouched.
///
/// Every panel shows one, so it is also where the first-data mark is set.
#[function_component]
pub fn StatusBar(props: &StatusProps) -> Html {
    use_effect_with(props.has_data, |has_data| {
        if *has_data {
            if let Some(performance) = web_sys::window().and_then(|w| w.performance()) {
                if performance
                    .get_entries_by_name_with_entry_type(FIRST_DATA_MARK, "mark")
                    .length()
                    == 0
                {
                    let _ = performance.mark(FIRST_DATA_MARK);
                }
            }
        }
    });
    let on_click = {
        let on_refresh = props.on_refresh.clone();
        Callback::from(move |_| on_refresh.emit(()))
    };
    let refreshing = matches!(props.phase, Phase::Refreshing);
    let notice = match &props.phase {
        Phase::Stale { since, error } => {
            let since = format::time(*since, props.locale.as_deref()).unwrap_or_default();
            html! {
                <p class="vs-notice vs-notice-stale" role="status">
                    <strong>{ "Stale" }</strong>{ format!(" since {since}: ") }{ error_text(error) }
                    { " Showing the last data received; retrying automatically." }
                    { reference_text(error) }
                </p>
            }
        }
        // The sign-in strip above says what is being done about it; the data stays.
        Phase::Failed(error) if error.is_unauthorized() => html! {
            <p class="vs-notice vs-notice-stale" role="status">
                if props.has_data {
                    <strong>{ "Sign-in expired." }</strong>
                    { " Showing the data received before; it is refreshed once you are signed in again." }
                } else {
                    <strong>{ "Not signed in." }</strong>
                    { " Visitor data is shown once you are signed in." }
                }
            </p>
        },
        Phase::Failed(error) => html! {
            <p class="vs-notice vs-notice-error" role="alert">
                <strong>{ "Error: " }</strong>{ error_text(error) }
                if props.has_data { { " The data below is older." } }
                { reference_text(error) }
            </p>
        },
        _ => Html::default(),
    };
    html! {
        <div class="vs-status">
            <button type="button" class="vs-button vs-refresh" onclick={on_click} disabled={refreshing}
                    aria-label="Refresh visitor data">
                { if refreshing { "Refreshing…" } else { "Refresh" } }
            </button>
            { notice }
        </div>
    }
}

/// What a [`Ticking`] shows.
#[derive(Debug, Clone, PartialEq)]
pub enum Clock {
    /// How long ago this was (ms since the epoch): "3 min 20 s", every second.
    Since(f64),
    /// The time now in this IANA zone (the visitor's), with the zone's name; the name alone
    /// when the browser does not know the zone.
    InZone(AttrValue),
    /// The time now in this IANA zone alone, short ("14:05 CET"): the glance's "their time";
    /// nothing for a zone the browser does not know.
    TheirTime(AttrValue),
}

#[derive(Properties, PartialEq)]
pub struct TickingProps {
    pub clock: Clock,
}

/// A clock that re-renders only its own text, not the row or the panel around it: the one
/// ticking text of the sidebar (time on site, time in the queue, the visitor's local time).
#[function_component]
pub fn Ticking(props: &TickingProps) -> Html {
    let settings = use_settings();
    let every = match props.clock {
        Clock::Since(_) => 1_000,
        Clock::InZone(_) | Clock::TheirTime(_) => 15_000,
    };
    let now = use_now(every);
    let text = match &props.clock {
        Clock::Since(start) => format::duration((now - start).max(0.0)),
        Clock::InZone(zone) => format::time_in_zone(now, zone, settings.locale.as_deref())
            .map(|t| format!("{t} ({zone})"))
            .unwrap_or_else(|| zone.to_string()),
        Clock::TheirTime(zone) => format::time_in_zone(now, zone, settings.locale.as_deref())
            .map(|t| format!("{t} their time"))
            .unwrap_or_default(),
    };
    // `data-ticking`: changes by itself, not because of a poll (the no-mutation checks skip it).
    html! { <span class="vs-text vs-ticking" data-ticking="">{ text }</span> }
}
