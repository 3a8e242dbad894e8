//! `use_changes`: what changed between two answers for the same visitor (a new page, a state
//! change, a cart change), so the panel can highlight it briefly and the sidebar can announce it
//! to screen readers. The first answer for a visitor is not a change.

use crate::context::use_announcer;
use gloo_timers::callback::Timeout;
use yew::prelude::*;

/// How long a change stays highlighted.
pub const HIGHLIGHT_MS: u32 = 3_000;

/// Compares `facts` (label → value, e.g. `"Current page" → "Checkout"`) with the previous answer
/// for the same `subject` (the visitor's identity). Returns the labels that changed, which stay
/// set for [`HIGHLIGHT_MS`]; each change is also announced politely as "label: value".
#[hook]
pub fn use_changes(subject: AttrValue, facts: Vec<(&'static str, String)>) -> Vec<&'static str> {
    let previous = use_mut_ref(|| None::<(AttrValue, Vec<(&'static str, String)>)>);
    let changed = use_state_eq(Vec::<&'static str>::new);
    let announce = use_announcer();
    {
        let changed = changed.clone();
        use_effect_with((subject, facts), move |(subject, facts)| {
            // A handful of facts: a linear look-up beats a map, in code size too.
            let mut prev = previous.borrow_mut();
            let diff: Vec<&'static str> = match &*prev {
                Some((who, before)) if who == subject => facts
                    .iter()
                    .filter(|(label, value)| !before.iter().any(|(l, v)| l == label && v == value))
                    .map(|(label, _)| *label)
                    .collect(),
                _ => Vec::new(),
            };
            *prev = Some((subject.clone(), facts.clone()));
            drop(prev);
            // Dropped (and so cleared) when the next answer or the unmount comes first.
            let mut unflash = None;
            if diff.is_empty() {
                // A new visitor (or the first answer): nothing to highlight.
                changed.set(Vec::new());
            } else {
                let text = facts
                    .iter()
                    .filter(|(label, _)| diff.contains(label))
                    .map(|(label, value)| format!("{label}: {value}"))
                    .collect::<Vec<_>>()
                    .join(". ");
                announce.emit(format!("Updated. {text}."));
                changed.set(diff);
                let changed = changed.clone();
                unflash = Some(Timeout::new(HIGHLIGHT_MS, move || changed.set(Vec::new())));
            }
            move || drop(unflash)
        });
    }
    (*changed).clone()
}
