//! `use_changes`: says to screen readers, once, what changed between two answers for the same
//! visitor in facts the glance does not carry (a LiveChat visitor's state: queued, then
//! chatting). The first answer for a visitor is not a change. (What the glance shows is
//! announced by the glance itself; new items are marked by `use_news`.)

use crate::context::use_announcer;
use yew::prelude::*;

/// Compares `facts` (label → value, e.g. `"State" → "chatting"`) with the previous answer for
/// the same `subject` (the visitor's identity), and announces each change politely as
/// "label: value".
#[hook]
pub fn use_changes(subject: AttrValue, facts: Vec<(&'static str, String)>) {
    let previous = use_mut_ref(|| None::<(AttrValue, Vec<(&'static str, String)>)>);
    let announce = use_announcer();
    use_effect_with((subject, facts), move |(subject, facts)| {
        let mut prev = previous.borrow_mut();
        if let Some((who, before)) = &*prev {
            if who == subject {
                // A handful of facts: a linear look-up beats a map, in code size too.
                let text = facts
                    .iter()
                    .filter(|(label, value)| !before.iter().any(|(l, v)| l == label && v == value))
                    .map(|(label, value)| format!("{label}: {value}"))
                    .collect::<Vec<_>>()
                    .join(". ");
                if !text.is_empty() {
                    announce.emit(format!("Updated. {text}."));
                }
            }
        }
        *prev = Some((subject.clone(), facts.clone()));
    });
}
