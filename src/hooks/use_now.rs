//! `use_now`: the current time, re-read every `every_ms`, for durations that tick on screen
//! ("time on site"). Only the component that shows the ticking text should call it, so the
//! tick re-renders that text alone.

use gloo_timers::callback::Interval;
use yew::prelude::*;

/// Milliseconds since the epoch, updated every `every_ms`.
///
/// ```ignore
/// let now = use_now(1_000);
/// html! { <span>{ format::duration(now - start) }</span> }
/// ```
#[hook]
pub fn use_now(every_ms: u32) -> f64 {
    let now = use_state(js_sys::Date::now);
    {
        let now = now.clone();
        use_effect_with(every_ms, move |every_ms| {
            let ticks = Interval::new(*every_ms, move || now.set(js_sys::Date::now()));
            // Dropping the interval clears it.
            move || drop(ticks)
        });
    }
    *now
}
