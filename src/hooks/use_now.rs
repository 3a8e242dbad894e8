//! `use_now`: the current time, re-read every `every_ms`, for durations that tick on screen
//! ("time on site"). Only the component that shows the ticking text should call it, so the
//! tick re-renders that text alone.

use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// Milliseconds since the epoch, updated every `every_ms`.
#[hook]
pub fn use_now(every_ms: u32) -> f64 {
    let now = use_state(js_sys::Date::now);
    {
        let now = now.clone();
        use_effect_with(every_ms, move |every_ms| {
            let tick = Closure::<dyn Fn()>::new(move || now.set(js_sys::Date::now()));
            let window = web_sys::window();
            let id = window.as_ref().and_then(|w| {
                w.set_interval_with_callback_and_timeout_and_arguments_0(
                    tick.as_ref().unchecked_ref(),
                    *every_ms as i32,
                )
                .ok()
            });
            move || {
                if let (Some(window), Some(id)) = (window, id) {
                    window.clear_interval_with_handle(id);
                }
                drop(tick);
            }
        });
    }
    *now
}
