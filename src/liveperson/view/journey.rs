//! The pages the consumer visited: title, address (a link only when safe), time on page and when
//! it was opened; the current page marked. Newest first by default, with a real toggle button.
//! Long visits show the latest pages first and the rest on demand, so a 5,000-page visit costs
//! little until the agent asks for all of it.

use super::SessionListProps;
use crate::components::common::{new_mark, safe_link, Section};
use crate::format;
use crate::format::when;
use yew::prelude::*;

/// How many pages a long visit shows before "Show all".
pub const FIRST_PAGES: usize = 50;

#[function_component]
pub fn Journey(props: &SessionListProps) -> Html {
    let newest_first = use_state(|| true);
    let show_all = use_state(|| false);
    let s = props.session.get();
    let count = s.pages.len();
    if count == 0 {
        return Html::default();
    }
    let locale = props.locale.as_deref();
    let current = s.current_page_index();
    let mut order = s.pages_in_order();
    let limited = !*show_all && count > FIRST_PAGES;
    if limited {
        order.drain(..count - FIRST_PAGES);
    }
    if *newest_first {
        order.reverse();
    }
    let toggle = {
        let newest_first = newest_first.clone();
        Callback::from(move |_| newest_first.set(!*newest_first))
    };
    let more = {
        let show_all = show_all.clone();
        Callback::from(move |_| show_all.set(true))
    };
    let badge = format::count(count as f64);
    html! {
        <Section title="Journey" badge={badge.clone()} class="vs-lp-journey">
            if count > 1 {
                <div class="vs-lp-toolbar">
                    <button type="button" class="vs-button vs-lp-order" aria-pressed={newest_first.to_string()}
                            onclick={toggle}>{ "Newest first" }</button>
                </div>
            }
            <ol class="vs-journey">
                { for order.into_iter().map(|i| {
                    let page = &s.pages[i];
                    let is_current = current == Some(i);
                    let title = page.title().unwrap_or("Untitled page").to_owned();
                    let key = props.keys.get(i).copied().unwrap_or_default();
                    // Keyed: a new page is one inserted row, the others stay as they are.
                    html! {
                        <li key={key.to_string()} class={classes!("vs-page", is_current.then_some("vs-current"))}
                            aria-current={is_current.then_some("true")}>
                            <span class="vs-page-title vs-text">{ title }</span>
                            if is_current { <span class="vs-tag">{ "current" }</span> }
                            { new_mark(props.news.is_new(key)) }
                            { page.address().map(|a| safe_link(a.to_owned().into(), None, classes!("vs-page-url"))) }
                            <dl class="vs-facts vs-inline">
                                if let Some(ms) = page.time_on_page {
                                    <div class="vs-fact"><dt>{ "Time on page" }</dt><dd>{ format::duration(ms) }</dd></div>
                                }
                                if let Some(start) = page.opened().and_then(|t| when(t, locale)) {
                                    <div class="vs-fact"><dt>{ "Opened" }</dt><dd>{ start }</dd></div>
                                }
                                if let Some(from) = page.came_from() {
                                    <div class="vs-fact"><dt>{ "From" }</dt><dd>{ safe_link(from.to_owned().into(), None, Classes::new()) }</dd></div>
                                }
                            </dl>
                        </li>
                    }
                }) }
            </ol>
            if limited {
                <p class="vs-lp-more">
                    { format!("Showing the latest {FIRST_PAGES} of {badge} pages. ") }
                    <button type="button" class="vs-button" onclick={more}>{ format!("Show all {badge} pages") }</button>
                </p>
            }
        </Section>
    }
}
