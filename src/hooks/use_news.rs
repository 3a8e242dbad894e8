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
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use yew::prelude::*;

/// How long a `New` mark stays, in time the sidebar was visible.
pub const NEW_MARK_MS: u32 = 10_000;

/// A 64-bit FNV-1a hash of the parts that identify an item (cheaper than keeping strings for
/// a 10,000-event timeline; a collision only costs one missed mark).
pub fn item_key(parts: &[&str]) -> u64 {
    parts.iter().fold(0xcbf2_9ce4_8422_2325, |hash, part| {
        fnv(hash, part.bytes().chain([0x1f]))
    })
}

/// [`item_key`] of the parts and then a moment (ms since the epoch, or none), hashed as the
/// number's bits: a 12,000-item visit then formats no number as text to key its items.
pub fn item_key_at(parts: &[&str], at: Option<f64>) -> u64 {
    let bits = at.map_or([0xff; 8], |t| t.to_bits().to_le_bytes());
    fnv(item_key(parts), bits.into_iter().chain([0x1f]))
}

fn fnv(hash: u64, bytes: impl IntoIterator<Item = u8>) -> u64 {
    bytes.into_iter().fold(hash, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Sorts keys in place: a radix sort, one pass per byte, so linear in the number of keys, and a
/// few hundred bytes of wasm where the standard library's sort is some 3.6 KB. A big visit's
/// keys (2,000 pages, 10,000 events) are sorted three times per changed answer: 0.3 ms per
/// render in `bench --profile`, where the Shell sort before took 2.5 ms.
fn sort(keys: &mut [u64]) {
    let mut from = keys.to_vec();
    let mut to = vec![0; keys.len()];
    for shift in (0..64).step_by(8) {
        let digit = |key: u64| (key >> shift) as usize & 0xff;
        // Where each digit's keys start in `to`, then where its next key goes.
        let mut next = [0usize; 256];
        for &key in &from {
            next[digit(key)] += 1;
        }
        let mut start = 0;
        for slot in next.iter_mut() {
            (start, *slot) = (start + *slot, start);
        }
        for &key in &from {
            let slot = &mut next[digit(key)];
            to[*slot] = key;
            *slot += 1;
        }
        std::mem::swap(&mut from, &mut to);
    }
    keys.copy_from_slice(&from);
}

/// `keys` made unique: a key that comes again gets its occurrence mixed in (the same page
/// opened twice in the same millisecond stays two rows, each with its own key).
pub fn unique_keys(mut keys: Vec<u64>) -> Vec<u64> {
    let mut sorted = keys.clone();
    sort(&mut sorted);
    let mut again: Vec<(u64, u64)> = sorted
        .windows(2)
        .filter(|w| w[0] == w[1])
        .map(|w| (w[0], 0))
        .collect();
    again.dedup();
    if again.is_empty() {
        return keys;
    }
    for key in keys.iter_mut() {
        if let Some((_, seen)) = again.iter_mut().find(|(k, _)| k == key) {
            *seen += 1;
            if *seen > 1 {
                *key = key.rotate_left(17) ^ seen.wrapping_mul(0x9e37_79b9_7f4a_7c15);
            }
        }
    }
    keys
}

/// The marks now: each key with the visible time it was marked at. Compared by identity, so a
/// panel re-renders only when marks come or go.
#[derive(Clone, Default)]
pub struct News(Rc<Vec<(u64, f64)>>);

impl PartialEq for News {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl News {
    /// Is this item marked? (Marks are few: what one or two polls brought.)
    pub fn is_new(&self, key: u64) -> bool {
        self.0.iter().any(|(k, _)| *k == key)
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

fn page_visible() -> bool {
    web_sys::window()
        .and_then(|w| w.document())
        .is_none_or(|d| d.visibility_state() == web_sys::VisibilityState::Visible)
}

fn on_visibility_change(handler: impl FnMut(&Event) + 'static) -> Option<EventListener> {
    let document = web_sys::window()?.document()?;
    Some(EventListener::new(&document, "visibilitychange", handler))
}

/// How long the page has been visible in all, in ms (followed once per page, for every sidebar
/// on it).
pub fn visible_ms() -> f64 {
    let now = js_sys::Date::now();
    if !WATCHING.with(|w| w.replace(true)) {
        if page_visible() {
            VISIBLE_SINCE.with(|s| s.set(Some(now)));
        }
        let listener = on_visibility_change(|_| {
            let now = js_sys::Date::now();
            VISIBLE_SINCE.with(|since| match (since.get(), page_visible()) {
                (None, true) => since.set(Some(now)),
                (Some(start), false) => {
                    VISIBLE_BEFORE.with(|b| b.set(b.get() + (now - start)));
                    since.set(None);
                }
                _ => {}
            });
        });
        // The page's own listener: it lives as long as the page.
        if let Some(listener) = listener {
            listener.forget();
        }
    }
    VISIBLE_BEFORE.with(Cell::get) + VISIBLE_SINCE.with(Cell::get).map_or(0.0, |s| now - s)
}

/// What changes the marks.
enum Marks {
    /// These keys are new, as of this visible time.
    Add(Vec<u64>, f64),
    /// Drop the marks older than this much visible time (and look again).
    Expire(f64),
    /// Another subject: no marks.
    Clear,
}

#[derive(Default, PartialEq)]
struct State(News);

impl Reducible for State {
    type Action = Marks;

    fn reduce(self: Rc<Self>, action: Marks) -> Rc<Self> {
        let marks = &self.0 .0;
        let next: Vec<(u64, f64)> = match action {
            Marks::Add(keys, at) => marks
                .iter()
                .copied()
                .chain(keys.into_iter().map(|k| (k, at)))
                .collect(),
            Marks::Expire(lifetime) => {
                let seen = visible_ms();
                marks
                    .iter()
                    .copied()
                    .filter(|(_, at)| seen - at < lifetime)
                    .collect()
            }
            Marks::Clear if marks.is_empty() => return self,
            Marks::Clear => Vec::new(),
        };
        // A new value even when the same marks remain: the expiry effect then looks again.
        Rc::new(State(News(Rc::new(next))))
    }
}

/// Marks the `keys` that are new for `subject` since the previous call, and keeps each for the
/// sidebar's `new_mark_ms` of visible time.
///
/// ```ignore
/// let keys = Rc::new(session.pages.iter().map(page_key).collect());
/// let news = use_news(visitor_id.into(), keys);
/// html! { { new_mark(news.is_new(key)) } }
/// ```
#[hook]
pub fn use_news(subject: AttrValue, keys: Rc<Vec<u64>>) -> News {
    let lifetime = f64::from(use_settings().new_mark_ms);
    // The previous answer's subject and keys, sorted.
    let previous = use_mut_ref(|| None::<(AttrValue, Vec<u64>)>);
    let state = use_reducer(State::default);

    {
        let marks = state.dispatcher();
        use_effect_with((subject, keys), move |(subject, keys)| {
            let mut sorted = (**keys).clone();
            sort(&mut sorted);
            let mut previous = previous.borrow_mut();
            match &*previous {
                Some((who, before)) if who == subject => {
                    let fresh: Vec<u64> = sorted
                        .iter()
                        .copied()
                        .filter(|k| before.binary_search(k).is_err())
                        .collect();
                    if !fresh.is_empty() {
                        marks.dispatch(Marks::Add(fresh, visible_ms()));
                    }
                }
                // The first answer, or another visitor: nothing is new.
                _ => marks.dispatch(Marks::Clear),
            }
            *previous = Some((subject.clone(), sorted));
        });
    }

    {
        let marks = state.dispatcher();
        let news = state.0.clone();
        use_effect_with(news, move |news| {
            let held: Rc<RefCell<Option<Timeout>>> = Rc::default();
            let mut listener = None;
            if !news.is_empty() {
                let seen = visible_ms();
                let soonest = news
                    .0
                    .iter()
                    .map(|(_, at)| lifetime - (seen - at))
                    .fold(f64::INFINITY, f64::min);
                let expire = move || marks.dispatch(Marks::Expire(lifetime));
                if page_visible() {
                    let expire = expire.clone();
                    *held.borrow_mut() = Some(Timeout::new(soonest.ceil().max(1.0) as u32, expire));
                }
                // Hidden, or hidden before the timer runs out: look again when it shows.
                listener = on_visibility_change(move |_| expire());
            }
            move || drop((held, listener))
        });
    }
    state.0.clone()
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    /// Keys spread like the hashes they are, with repeats and extremes.
    fn keys(n: usize) -> Vec<u64> {
        let mut keys: Vec<u64> = (0..n as u64)
            .map(|i| {
                item_key_at(
                    &["event", "lead"],
                    Some(1.7e12 + (i % (n as u64 / 3 + 1)) as f64),
                )
            })
            .collect();
        keys.extend([0, u64::MAX, 1 << 63, 0xff, 0xff00]);
        keys
    }

    #[wasm_bindgen_test]
    fn sort_orders_every_key() {
        for n in [0, 1, 2, 7, 300, 12_000] {
            let mut sorted = keys(n);
            let mut expected = sorted.clone();
            expected.sort_unstable();
            sort(&mut sorted);
            assert_eq!(sorted, expected, "{n} keys");
        }
    }

    #[wasm_bindgen_test]
    fn unique_keys_keep_their_order_and_tell_repeats_apart() {
        let repeated = item_key(&["page", "1"]);
        let other = item_key(&["page", "2"]);
        let unique = unique_keys(vec![repeated, other, repeated, repeated]);
        assert_eq!(
            unique[..2],
            [repeated, other],
            "the first of each stays as it was"
        );
        let mut all = unique.clone();
        all.sort_unstable();
        all.dedup();
        assert_eq!(all.len(), 4, "{unique:?}");
        assert_eq!(
            unique_keys(vec![repeated, other, repeated, repeated]),
            unique,
            "the same list gets the same keys again"
        );
    }

    #[wasm_bindgen_test]
    fn a_moment_keys_by_its_value() {
        let at = |t| item_key_at(&["event", "lead"], t);
        assert_eq!(at(Some(1.7e12)), at(Some(1.7e12)));
        assert_ne!(at(Some(1.7e12)), at(Some(1.7e12 + 1.0)));
        assert_ne!(at(Some(0.0)), at(None));
        assert_ne!(item_key_at(&["a", "b"], None), item_key_at(&["ab"], None));
    }
}
