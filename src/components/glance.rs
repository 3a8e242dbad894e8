//! "At a glance": the few facts an agent acts on, right under the visitor's name, each with
//! Copy and Insert. Each provider says which facts its data holds (`liveperson::glance`,
//! `livechat::glance`) as a list of [`GlanceFact`]s, in the order an agent acts on them: now,
//! money, trouble, who, came from, where. This component shows them, marks the ones that are
//! new since the last answer for the same visitor (`New`, for the sidebar's `new_mark_ms` of
//! visible time), announces each change once to screen readers, and puts a fact's sentence into
//! the reply or on the clipboard.
//!
//! Visitor data reaches the DOM only as text nodes and `aria-label`/`title` attribute values.

use crate::components::common::{Clock, Ticking};
use crate::context::{use_announcer, use_settings};
use crate::hooks::{item_key, use_news};
use crate::reply::{act, Composer, Outcome};
use std::rc::Rc;
use yew::prelude::*;

/// At most this many characters of facts in all ("two or three short lines"); later facts are
/// left out once it is spent.
pub const BUDGET: usize = 400;
/// At most this many characters of one visitor-supplied value (a title, a search).
pub const VALUE_CHARS: usize = 60;

/// What a fact is about, in the order an agent acts on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Now,
    Money,
    Trouble,
    Who,
    CameFrom,
    Where,
}

impl Kind {
    /// The label before the fact.
    pub fn label(self) -> &'static str {
        match self {
            Kind::Now => "Now",
            Kind::Money => "Money",
            Kind::Trouble => "Trouble",
            Kind::Who => "Who",
            Kind::CameFrom => "Came from",
            Kind::Where => "Where",
        }
    }
}

/// One fact of the glance.
#[derive(Debug, Clone, PartialEq)]
pub struct GlanceFact {
    pub kind: Kind,
    /// Which fact this is, stable across answers (`"page"`, `"cart"`, `"error"`…): the
    /// `data-fact` attribute, and what a change is measured against.
    pub name: &'static str,
    /// What the agent reads.
    pub text: String,
    /// A live clock after the text (time on the page, the visitor's local time); it ticks on
    /// its own and is not part of the fact's identity.
    pub clock: Option<Clock>,
    /// What Copy and Insert put in the reply: a short sentence to the visitor.
    pub sentence: String,
    /// What screen readers hear when the fact changes ("Now on Checkout – Payment").
    pub change: String,
}

/// The User Timing measure each computation of a glance records (`make bench` reads it).
pub const GLANCE_MEASURE: &str = "visitor-sidebar:glance";

/// `facts()`, timed as a [`GLANCE_MEASURE`] in the page's performance timeline (the latest
/// one): what the glance costs a big visit shows in `make bench` and in the browser's
/// profiler alike.
pub fn measured(facts: impl FnOnce() -> Vec<GlanceFact>) -> Vec<GlanceFact> {
    let performance = web_sys::window().and_then(|w| w.performance());
    let start = performance.as_ref().map(|p| p.now());
    let facts = facts();
    if let (Some(performance), Some(start)) = (performance, start) {
        let options = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&options, &"start".into(), &start.into());
        let _ = js_sys::Reflect::set(&options, &"end".into(), &performance.now().into());
        if let Ok(measure) = js_sys::Reflect::get(&performance, &"measure".into()) {
            // Only the latest is kept: the timeline keeps every entry until cleared, and a
            // sidebar open all day computes glances for hours.
            performance.clear_measures_with_measure_name(GLANCE_MEASURE);
            let measure: js_sys::Function = wasm_bindgen::JsCast::unchecked_into(measure);
            let _ = measure.call2(&performance, &GLANCE_MEASURE.into(), &options);
        }
    }
    facts
}

/// `value` cut to [`VALUE_CHARS`] characters (with "…"), blanks folded: visitor text kept short.
pub fn clip(value: &str) -> String {
    let folded = value.split_whitespace().collect::<Vec<_>>().join(" ");
    if folded.chars().count() <= VALUE_CHARS {
        return folded;
    }
    let mut cut: String = folded.chars().take(VALUE_CHARS - 1).collect();
    cut.truncate(cut.trim_end().len());
    cut.push('…');
    cut
}

/// The facts that fit in [`BUDGET`], in order.
pub fn within_budget(facts: Vec<GlanceFact>) -> Vec<GlanceFact> {
    let mut spent = 0;
    facts
        .into_iter()
        .filter(|f| {
            spent += f.kind.label().len() + f.text.chars().count() + 1;
            spent <= BUDGET
        })
        .collect()
}

/// The site's name in an address (`bing.com` for `https://www.bing.com/search?q=…`), for
/// http(s) addresses only.
pub fn site_of(address: &str) -> Option<String> {
    let url = web_sys::Url::new(address.trim()).ok()?;
    if !matches!(url.protocol().as_str(), "http:" | "https:") {
        return None;
    }
    let host = url.hostname();
    let host = host.strip_prefix("www.").unwrap_or(&host);
    (!host.is_empty()).then(|| host.to_owned())
}

/// A page's name for the agent: its title, else its address's path (`/pricing`), else the
/// address as given.
pub fn page_name(title: Option<&str>, address: Option<&str>) -> Option<String> {
    if let Some(title) = title.filter(|t| !t.trim().is_empty()) {
        return Some(clip(title));
    }
    let address = address.map(str::trim).filter(|a| !a.is_empty())?;
    let path = web_sys::Url::new(address)
        .ok()
        .map(|u| u.pathname())
        .or_else(|| {
            // Addresses without a scheme (`testFile.com/pricing`), as the APIs send some.
            web_sys::Url::new(&format!("https://{address}"))
                .ok()
                .map(|u| u.pathname())
        })
        .filter(|p| p != "/")
        .unwrap_or_else(|| address.to_owned());
    Some(clip(&path))
}

/// "Pricing ×2" when the page was seen more than once in the visit.
pub fn with_count(name: &str, seen: usize) -> String {
    if seen > 1 {
        format!("{name} ×{seen}")
    } else {
        name.to_owned()
    }
}

/// The "Now" fact: the page the visitor is on, how often they saw it, how long they have been
/// there.
pub fn now_fact(name: String, seen: usize, opened_ms: Option<f64>) -> GlanceFact {
    GlanceFact {
        kind: Kind::Now,
        name: "page",
        text: with_count(&name, seen),
        clock: opened_ms.map(Clock::Since),
        sentence: format!("I can see you're on the page “{name}”."),
        change: format!("Now on {name}"),
    }
}

/// The "Came from" fact: search words, a campaign, or the referring site.
pub fn came_from_fact(
    search: Option<&str>,
    campaign: Option<&str>,
    referrer: Option<&str>,
) -> Option<GlanceFact> {
    let blank = |v: &Option<&str>| v.is_none_or(|v| v.trim().is_empty());
    let (text, sentence) = if !blank(&search) {
        let words = clip(search?);
        (
            format!("Searched “{words}”"),
            format!("I can see you searched for “{words}”."),
        )
    } else if !blank(&campaign) {
        let campaign = clip(campaign?);
        (
            format!("Campaign {campaign}"),
            format!("I can see you came to us through {campaign}."),
        )
    } else {
        let site = site_of(referrer?)?;
        (
            site.clone(),
            format!("I can see you came to us from {site}."),
        )
    };
    Some(GlanceFact {
        kind: Kind::CameFrom,
        name: "from",
        change: format!("Came from {text}"),
        text,
        clock: None,
        sentence,
    })
}

/// The "Where" fact: the visitor's place, with their local time when their time zone is known.
pub fn where_fact(place: Option<&str>, zone: Option<&str>) -> Option<GlanceFact> {
    let place = place.map(str::trim).filter(|p| !p.is_empty()).map(clip)?;
    // Only a zone the browser knows: an unknown one would show no time.
    let zone = zone
        .map(str::trim)
        .filter(|z| crate::format::time_in_zone(js_sys::Date::now(), z, None).is_some());
    Some(GlanceFact {
        kind: Kind::Where,
        name: "where",
        sentence: format!("I can see you're in {place}."),
        change: format!("In {place}"),
        clock: zone.map(|z| Clock::TheirTime(AttrValue::from(z.to_owned()))),
        text: place,
    })
}

/// A button's click: insert `sentence` through `composer` (copy it, with none), then tell the
/// sidebar's status line how it went.
fn action(
    composer: Option<Composer>,
    sentence: &str,
    feedback: &Callback<Outcome>,
) -> Callback<MouseEvent> {
    let (sentence, feedback) = (sentence.to_owned(), feedback.clone());
    Callback::from(move |_| {
        let (composer, sentence, feedback) = (composer.clone(), sentence.clone(), feedback.clone());
        wasm_bindgen_futures::spawn_local(async move {
            feedback.emit(act(composer, sentence).await);
        });
    })
}

#[derive(Properties, PartialEq)]
pub struct GlanceProps {
    /// Whose facts (the visitor's ID): another subject is a first answer, not a change.
    pub subject: AttrValue,
    pub facts: Rc<Vec<GlanceFact>>,
}

/// The glance: nothing at all when no fact is known.
#[function_component]
pub fn Glance(props: &GlanceProps) -> Html {
    // A handful of facts: computed at each render (a render comes with new facts anyway).
    let keys: Rc<Vec<u64>> = Rc::new(
        props
            .facts
            .iter()
            .map(|f| item_key(&[f.name, &f.text]))
            .collect(),
    );
    let news = use_news(props.subject.clone(), keys.clone());
    let settings = use_settings();
    let (composer, feedback) = (settings.reply_to, settings.feedback);
    let announce = use_announcer();
    {
        // Each change is said once: the facts whose text is new for the same subject.
        let previous = use_mut_ref(|| None::<(AttrValue, Rc<Vec<GlanceFact>>)>);
        use_effect_with(
            (props.subject.clone(), props.facts.clone()),
            move |(subject, facts)| {
                let mut previous = previous.borrow_mut();
                if let Some((who, before)) = &*previous {
                    if who == subject {
                        let said: Vec<&str> = facts
                            .iter()
                            .filter(|f| {
                                !before.iter().any(|b| b.name == f.name && b.text == f.text)
                            })
                            .map(|f| f.change.as_str())
                            .collect();
                        if !said.is_empty() {
                            announce.emit(format!("{}.", said.join(". ")));
                        }
                    }
                }
                *previous = Some((subject.clone(), facts.clone()));
            },
        );
    }
    if props.facts.is_empty() {
        return Html::default();
    }
    html! {
        <section class="vs-glance" aria-label="At a glance">
            <ul class="vs-glance-facts">
                { for props.facts.iter().zip(keys.iter()).map(|(fact, key)| {
                    let copy = action(None, &fact.sentence, &feedback);
                    let insert = composer
                        .clone()
                        .map(|composer| action(Some(composer), &fact.sentence, &feedback));
                    let label = fact.kind.label();
                    html! {
                        <li key={fact.name} class="vs-glance-fact" data-fact={fact.name}>
                            <span class="vs-glance-kind">{ label }</span>
                            <span class="vs-glance-text">
                                <span class="vs-text" title={fact.text.clone()}>{ fact.text.clone() }</span>
                                if let Some(clock) = &fact.clock {
                                    <span class="vs-glance-clock">{ " · " }<Ticking clock={clock.clone()} /></span>
                                }
                                if news.is_new(*key) {
                                    <span class="vs-new">{ "New" }</span>
                                }
                            </span>
                            <span class="vs-glance-actions">
                                <button type="button" class="vs-glance-copy" onclick={copy}
                                        aria-label={format!("Copy {label}: {}", fact.text)}>{ "Copy" }</button>
                                if let Some(insert) = insert {
                                    <button type="button" class="vs-glance-insert" onclick={insert}
                                            aria-label={format!("Insert {label} into the reply: {}", fact.text)}>{ "Insert" }</button>
                                }
                            </span>
                        </li>
                    }
                }) }
            </ul>
        </section>
    }
}
