//! The LiveChat visitors list: the count, state and group filters, a search box, and one page
//! of rows at a time.
//!
//! Paged rather than virtualised: a page of [`PAGE_SIZE`] rows keeps a list of thousands as
//! cheap to render as a short one, needs no fixed row height (visitor text wraps), and works
//! with the keyboard and screen readers without any scroll bookkeeping.

use super::visitor_row::visitor_row;
use crate::components::common::Same;
use crate::components::panel::use_panel;
use crate::format;
use crate::livechat::api::{count_path, visitors_path, StateFilter};
use crate::livechat::model::{lower, ListedVisitor, VisitorCount, VisitorList};
use yew::prelude::*;

/// Rows per page.
pub const PAGE_SIZE: usize = 50;

#[derive(Properties, PartialEq)]
pub struct VisitorsListProps {
    /// Called with the visitor's ID when the agent opens one.
    pub on_open: Callback<AttrValue>,
    /// The visitor last opened: its row gets the focus back when the list shows again.
    #[prop_or_default]
    pub return_to: Option<AttrValue>,
    /// False while a visitor is open (the list stays mounted, hidden, to keep its state).
    #[prop_or(true)]
    pub visible: bool,
}

fn input_value(e: &InputEvent) -> String {
    e.target_unchecked_into::<web_sys::HtmlInputElement>()
        .value()
}

fn select_value(e: &Event) -> String {
    e.target_unchecked_into::<web_sys::HtmlSelectElement>()
        .value()
}

/// Every visitor on the tracked pages.
#[function_component]
pub fn VisitorsList(props: &VisitorsListProps) -> Html {
    let state_filter = use_state_eq(StateFilter::default);
    let group = use_state_eq(|| None::<u32>);
    let search = use_state_eq(String::new);
    let page = use_state_eq(|| 0usize);
    // Groups seen in any answer (sorted): filtering on one group must not hide the others.
    let groups_seen = use_mut_ref(Vec::<u32>::new);
    let rows_ref = use_node_ref();
    // The page's scroll offset when a visitor was opened from here: the page scrolls while the
    // visitor is shown, and the agent comes back to where they were.
    let saved_scroll = use_mut_ref(|| None::<f64>);
    let on_open = {
        let (on_open, saved_scroll) = (props.on_open.clone(), saved_scroll.clone());
        Callback::from(move |id: AttrValue| {
            *saved_scroll.borrow_mut() = web_sys::window().and_then(|w| w.scroll_y().ok());
            on_open.emit(id);
        })
    };

    let list = use_panel::<VisitorList<ListedVisitor>>(Some(visitors_path(*state_filter, *group)));
    let count = use_panel::<VisitorCount>(Some(count_path(*state_filter, *group)));
    // Compared by identity: filtering reruns only on new data, never on a deep comparison of
    // thousands of visitors.
    let data = list.data().cloned().map(Same);
    let needle = lower(search.trim());
    // Each listed visitor's index and lower-cased search text, built once per answer and only
    // while the agent searches (empty otherwise, which every visitor matches): a keystroke is
    // then a plain substring scan, and a list nobody searches costs no text per visitor (for
    // 5,000 visitors, most of the list's own render).
    let haystacks = use_memo((data.clone(), !needle.is_empty()), |(data, searching)| {
        data.as_ref().map_or_else(Vec::new, |Same(list)| {
            list.0
                .iter()
                .enumerate()
                .filter(|(_, v)| v.id.is_some())
                .map(|(i, v)| (i, searching.then(|| v.search_text()).unwrap_or_default()))
                .collect::<Vec<(usize, String)>>()
        })
    });
    let matching: Vec<usize> = haystacks
        .iter()
        .filter(|(_, text)| text.contains(&needle))
        .map(|(i, _)| *i)
        .collect();
    {
        let mut seen = groups_seen.borrow_mut();
        let listed = data
            .iter()
            .flat_map(|Same(list)| list.0.iter().filter_map(|v| v.group_number()));
        for g in listed.chain(*group) {
            if let Err(at) = seen.binary_search(&g) {
                seen.insert(at, g);
            }
        }
    }

    // Back from a visitor: the page scrolls back and the row that was opened takes the focus.
    {
        let rows_ref = rows_ref.clone();
        use_effect_with(
            (props.visible, props.return_to.clone()),
            move |(visible, return_to)| {
                if *visible {
                    let saved = saved_scroll.borrow_mut().take();
                    if let (Some(y), Some(window)) = (saved, web_sys::window()) {
                        window.scroll_to_with_x_and_y(0.0, y);
                    }
                }
                if let (true, Some(id), Some(rows)) =
                    (*visible, return_to, rows_ref.cast::<web_sys::Element>())
                {
                    let buttons = rows.get_elements_by_tag_name("button");
                    let found = (0..buttons.length())
                        .filter_map(|i| buttons.item(i))
                        .find(|b| b.get_attribute("data-visitor-id").as_deref() == Some(id));
                    if let Some(button) = found {
                        focus_without_scrolling(&button);
                    }
                }
            },
        );
    }

    let on_state = {
        let (state_filter, page) = (state_filter.clone(), page.clone());
        Callback::from(move |e: Event| {
            state_filter.set(match select_value(&e).as_str() {
                "chatting" => StateFilter::Chatting,
                "queued" => StateFilter::Queued,
                _ => StateFilter::All,
            });
            page.set(0);
        })
    };
    let on_group = {
        let (group, page) = (group.clone(), page.clone());
        Callback::from(move |e: Event| {
            group.set(select_value(&e).parse().ok());
            page.set(0);
        })
    };
    let on_search = {
        let (search, page) = (search.clone(), page.clone());
        Callback::from(move |e: InputEvent| {
            search.set(input_value(&e));
            page.set(0);
        })
    };

    let group_options: Vec<(String, String)> =
        std::iter::once((String::new(), "All groups".to_owned()))
            .chain(
                groups_seen
                    .borrow()
                    .iter()
                    .map(|g| (g.to_string(), format!("Group {g}"))),
            )
            .collect();
    let count_text = count
        .data()
        .map(|c| format!("{} visitors", format::count(c.0)));
    let body = list.view(|list| {
        let total = matching.len();
        let pages = total.div_ceil(PAGE_SIZE).max(1);
        let current = (*page).min(pages - 1);
        let start = current * PAGE_SIZE;
        let end = (start + PAGE_SIZE).min(total);
        let go = |to: usize| {
            let page = page.clone();
            Callback::from(move |_| page.set(to))
        };
        let summary = if total == 0 {
            if search.trim().is_empty() {
                "No visitors right now.".to_owned()
            } else {
                "No visitor matches the search.".to_owned()
            }
        } else {
            format!("{}–{} of {}", start + 1, end, format::count(total as f64))
        };
        html! {
            <>
                <p class="vs-list-summary" role="status">{ summary }</p>
                <ul class="vs-visitor-rows" ref={rows_ref.clone()}>
                    { for matching[start..end].iter().map(|&i| visitor_row(&list.0[i], &on_open)) }
                </ul>
                if pages > 1 {
                    <nav class="vs-pager" aria-label="Visitor list pages">
                        <button type="button" class="vs-button" disabled={current == 0}
                                onclick={go(current.saturating_sub(1))}>{ "‹ Previous" }</button>
                        <span class="vs-pager-at">{ format!("Page {} of {}", current + 1, pages) }</span>
                        <button type="button" class="vs-button" disabled={current + 1 >= pages}
                                onclick={go(current + 1)}>{ "Next ›" }</button>
                    </nav>
                }
            </>
        }
    });

    html! {
        <section class="vs-visitors" aria-labelledby="vs-visitors-title">
            <div class="vs-list-head">
                <h2 id="vs-visitors-title" class="vs-title">{ "Visitors" }</h2>
                if let Some(text) = count_text {
                    <span class="vs-count">{ text }</span>
                }
            </div>
            <div class="vs-filters">
                { select_field("State", &[("all", "All"), ("chatting", "Chatting"), ("queued", "Queued")]
                    .map(|(v, l)| (v.to_owned(), l.to_owned())),
                    state_filter.query_value().unwrap_or("all"), on_state) }
                { select_field("Group", &group_options, &group.map(|g| g.to_string()).unwrap_or_default(), on_group) }
                <label class="vs-field vs-search">
                    <span>{ "Search" }</span>
                    <input type="search" value={(*search).clone()} oninput={on_search}
                           placeholder="Name, city, country or page" />
                </label>
            </div>
            { body }
        </section>
    }
}

/// A labelled `<select>` of `(value, text)` options; one copy of the markup for every filter.
fn select_field(
    label: &'static str,
    options: &[(String, String)],
    selected: &str,
    onchange: Callback<Event>,
) -> Html {
    html! {
        <label class="vs-field">
            <span>{ label }</span>
            <select {onchange}>
                { for options.iter().map(|(value, text)| html! {
                    <option value={value.clone()} selected={value == selected}>{ text.clone() }</option>
                }) }
            </select>
        </label>
    }
}

/// `element.focus({preventScroll: true})`: the panel puts the page back where the agent left
/// the list, and the focus must not scroll it elsewhere.
fn focus_without_scrolling(element: &web_sys::Element) {
    use js_sys::{Function, Object, Reflect};
    use wasm_bindgen::{JsCast, JsValue};
    let options = Object::new();
    let _ = Reflect::set(
        &options,
        &JsValue::from_str("preventScroll"),
        &JsValue::TRUE,
    );
    if let Ok(focus) = Reflect::get(element, &JsValue::from_str("focus")) {
        if let Some(focus) = focus.dyn_ref::<Function>() {
            let _ = focus.call1(element, &options);
        }
    }
}
