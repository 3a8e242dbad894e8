//! `use_news`: which items of a visitor's data are new since the agent last saw it (a page, an
//! event, a changed glance fact), so each can carry a visible `New` mark. An item is new when
//! an answer for the same subject (the visitor) has it and the previous answer did not; the
//! first answer for a subject, and a switch to another, mark nothing.
//!
//! A mark stays for the sidebar's `new_mark_ms` (10 s) of time *visible*: marks made while the
//! agent was on another tab wait for the agent to come back, then stay that long. Items are
//! told apart by a key the caller derives from what identifies them ([`item_key`]).

use crate::context::use_settings;
use gloo_events::EventListener;
use gloo_timers::callback::Timeout;
use std::cell::Cell;
use std::rc::Rc;
use yew::prelude::*;

/// How long a `New` mark stays, in time the sidebar was visible.
pub const NEW_MARK_MS: u32 = 10_000;

/// A 64-bit FNV-1a hash of the parts that identify an item (cheaper than keeping strings for
/// a 10,000-event timeline; a collision only costs one missed mark).
pub fn item_key(parts: &[&str]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for byte in part.bytes().chain([0x1f]) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    hash
}

/// The keys marked new now; compared by identity, so a panel re-renders only when marks come
/// or go.
#[derive(Clone, Default)]
pub struct News(Rc<Vec<u64>>);

impl PartialEq for News {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl News {
    pub fn is_new(&self, key: u64) -> bool {
        self.0.binary_search(&key).is_ok()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

thread_local! {
    /// Milliseconds the page has been visible before `VISIBLE_SINCE`, and when it last became
    /// visible (`None`: hidden now).
    static VISIBLE_BEFORE: Cell<f64> = const { Cell::new(0.0) };
    static VISIBLE_SINCE: Cell<Option<f64>> = const { Cell::new(None) };
    static WATCHING: Cell<bool> = const { Cell::new(false) };
}

fn now() -> f64 {
    js_sys::Date::now()
}

fn page_visible() -> bool {
    web_sys::window()
        .and_then(|w| w.document())
        .is_none_or(|d| d.visibility_state() == web_sys::VisibilityState::Visible)
}

/// Follows the page's visibility once per page, for every sidebar on it.
fn watch_visibility() {
    if WATCHING.with(|w| w.replace(true)) {
        return;
    }
    if page_visible() {
        VISIBLE_SINCE.with(|s| s.set(Some(now())));
    }
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let listener = EventListener::new(&document, "visibilitychange", |_| {
        let visible = page_visible();
        VISIBLE_SINCE.with(|since| match (since.get(), visible) {
            (None, true) => since.set(Some(now())),
            (Some(start), false) => {
                VISIBLE_BEFORE.with(|b| b.set(b.get() + (now() - start)));
                since.set(None);
            }
            _ => {}
        });
    });
    // The page's own listener: it lives as long as the page.
    listener.forget();
}

/// How long the page has been visible in all, in ms.
pub fn visible_ms() -> f64 {
    watch_visibility();
    let before = VISIBLE_BEFORE.with(Cell::get);
    before
        + VISIBLE_SINCE
            .with(Cell::get)
            .map_or(0.0, |since| now() - since)
}

/// A counter whose every bump re-runs the expiry check.
#[derive(Default, PartialEq)]
struct Recheck(u32);

impl Reducible for Recheck {
    type Action = ();

    fn reduce(self: Rc<Self>, (): ()) -> Rc<Self> {
        Rc::new(Recheck(self.0.wrapping_add(1)))
    }
}

/// One mark: the key, and the visible time when it was made.
type Mark = (u64, f64);

/// Marks the `keys` that are new for `subject` since the previous call, and keeps each for
/// [`NEW_MARK_MS`] of visible time.
///
/// ```ignore
/// let keys = Rc::new(session.pages.iter().map(page_key).collect());
/// let news = use_news(visitor_id.into(), keys);
/// html! { if news.is_new(key) { <span class="vs-new">{ "New" }</span> } }
/// ```
#[hook]
pub fn use_news(subject: AttrValue, keys: Rc<Vec<u64>>) -> News {
    let lifetime = f64::from(use_settings().new_mark_ms);
    let previous = use_mut_ref(|| None::<(AttrValue, Vec<u64>)>);
    let marks = use_state(Vec::<Mark>::new);
    // Bumped to look at the marks again (a timer ran out, the page became visible).
    let recheck = use_reducer(Recheck::default);

    {
        let marks = marks.clone();
        use_effect_with((subject, keys), move |(subject, keys)| {
            let mut sorted = (**keys).clone();
            sorted.sort_unstable();
            sorted.dedup();
            let mut previous = previous.borrow_mut();
            match &*previous {
                Some((who, before)) if who == subject => {
                    let stamp = visible_ms();
                    let fresh: Vec<Mark> = sorted
                        .iter()
                        .filter(|k| before.binary_search(k).is_err())
                        .map(|&k| (k, stamp))
                        .collect();
                    if !fresh.is_empty() {
                        let mut next: Vec<Mark> = (*marks)
                            .iter()
                            .filter(|(k, _)| sorted.binary_search(k).is_ok())
                            .copied()
                            .collect();
                        next.extend(fresh);
                        marks.set(next);
                    }
                }
                // The first answer, or another visitor: nothing is new.
                _ => {
                    if !marks.is_empty() {
                        marks.set(Vec::new());
                    }
                }
            }
            *previous = Some((subject.clone(), sorted));
        });
    }

    {
        let (marks, recheck) = (marks.clone(), recheck.clone());
        use_effect_with((marks.clone(), recheck.0), move |(current, _)| {
            let mut timer = None;
            let mut listener = None;
            if !current.is_empty() {
                let seen = visible_ms();
                let left: Vec<Mark> = current
                    .iter()
                    .filter(|(_, at)| seen - at < lifetime)
                    .copied()
                    .collect();
                if left.len() != current.len() {
                    marks.set(left);
                } else {
                    let soonest = left
                        .iter()
                        .map(|(_, at)| lifetime - (seen - at))
                        .fold(f64::INFINITY, f64::min);
                    let bump = {
                        let recheck = recheck.dispatcher();
                        move || recheck.dispatch(())
                    };
                    if page_visible() {
                        let bump = bump.clone();
                        timer = Some(Timeout::new(soonest.ceil().max(1.0) as u32, bump));
                    }
                    // Hidden, or hidden before the timer runs out: look again when it shows.
                    listener = web_sys::window()
                        .and_then(|w| w.document())
                        .map(|document| {
                            EventListener::new(&document, "visibilitychange", move |_| bump())
                        });
                }
            }
            move || drop((timer, listener))
        });
    }

    let keys: Vec<u64> = {
        let mut keys: Vec<u64> = marks.iter().map(|(k, _)| *k).collect();
        keys.sort_unstable();
        keys
    };
    let memo = use_memo(keys, |keys| keys.clone());
    News(memo)
}
