//! Helpers for the widget's browser tests: a fresh element per test, the settings context the
//! panels expect, waiting on yew's scheduler (not on the clock), and DOM queries.

#![allow(dead_code)]

pub mod fetch;

use std::rc::Rc;
use visitor_sidebar::api::ApiClient;
use visitor_sidebar::context::Settings;
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Element, HtmlElement};
use yew::prelude::*;

/// The seed documents' samples.
pub const LIVEPERSON_VISIT: &str = include_str!("../../fixtures/liveperson-visit.json");
pub const LIVECHAT_VISITORS: &str = include_str!("../../fixtures/livechat-visitors.json");

/// Parses JSON the way the browser parses a response body.
pub fn js(json: &str) -> JsValue {
    js_sys::JSON::parse(json).expect("test JSON parses")
}

/// A sidebar mounted for one test and unmounted when the test lets go of it. The handle alone
/// leaves the sidebar mounted (as a page's does), and a sidebar left polling would answer into
/// the next test's fetch stubs.
pub struct Mounted(pub visitor_sidebar::SidebarHandle);

impl Drop for Mounted {
    fn drop(&mut self) {
        self.0.unmount();
    }
}

impl std::ops::Deref for Mounted {
    type Target = visitor_sidebar::SidebarHandle;
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl std::ops::DerefMut for Mounted {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.0
    }
}

/// `mount(root, options)` as a host page calls it, for one test.
pub fn mount(root: &Element, options: JsValue) -> Mounted {
    Mounted(visitor_sidebar::mount(root.clone(), options).expect("the options are accepted"))
}

/// A new, attached `<div>` to mount into.
pub fn fresh_root() -> Element {
    let document = gloo_document();
    let root = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&root).unwrap();
    root
}

pub fn gloo_document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

/// Lets yew's scheduler (which runs on microtasks) and pending promise callbacks finish.
pub async fn settle() {
    for _ in 0..8 {
        JsFuture::from(js_sys::Promise::resolve(&JsValue::NULL))
            .await
            .unwrap();
    }
}

/// Yields to the event loop once (a zero-delay macrotask), so fetch answers can arrive.
pub async fn next_task() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 0)
            .unwrap();
    });
    JsFuture::from(promise).await.unwrap();
}

/// Waits until `check` holds, yielding to the event loop between looks; panics with `what`
/// after many turns. This waits for a condition, not for time to pass.
pub async fn until(what: &str, mut check: impl FnMut() -> bool) {
    for _ in 0..2_000 {
        settle().await;
        if check() {
            return;
        }
        next_task().await;
    }
    panic!("timed out waiting for: {what}");
}

/// The text a user reads (`innerText`: rendered text, with line breaks between blocks).
pub fn text(root: &Element) -> String {
    wasm_bindgen::JsCast::unchecked_ref::<HtmlElement>(root).inner_text()
}

pub fn query_all(root: &Element, css: &str) -> Vec<Element> {
    let list = root.query_selector_all(css).unwrap();
    (0..list.length())
        .filter_map(|i| list.item(i))
        .map(wasm_bindgen::JsCast::unchecked_into)
        .collect()
}

/// Fires a bubbling event of type `kind` at `target`.
pub fn fire(target: &Element, kind: &str) {
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    let event = web_sys::Event::new_with_event_init_dict(kind, &init).unwrap();
    target.dispatch_event(&event).unwrap();
}

/// Types into an input as a user does: sets the value and fires `input`.
pub fn type_into(input: &Element, value: &str) {
    js_sys::Reflect::set(input, &"value".into(), &value.into()).unwrap();
    fire(input, "input");
}

/// Picks an option of a `<select>` and fires `change`.
pub fn choose(select: &Element, value: &str) {
    js_sys::Reflect::set(select, &"value".into(), &value.into()).unwrap();
    fire(select, "change");
}

/// Clicks an element.
pub fn click(element: &Element) {
    wasm_bindgen::JsCast::unchecked_ref::<HtmlElement>(element).click();
}

/// The first element matching `css`, or a panic naming it.
pub fn find(root: &Element, css: &str) -> Element {
    root.query_selector(css)
        .unwrap()
        .unwrap_or_else(|| panic!("no element matches {css}"))
}

/// The current value of an input.
pub fn value_of(input: &Element) -> String {
    js_sys::Reflect::get(input, &"value".into())
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_default()
}

thread_local! {
    /// What [`settings`] gives: the locale and how long `New` marks stay (tests change them).
    static LOCALE: std::cell::RefCell<String> = std::cell::RefCell::new("en-GB".into());
    static MARK_MS: std::cell::Cell<u32> = const { std::cell::Cell::new(visitor_sidebar::hooks::NEW_MARK_MS) };
}

/// The locale of the components rendered from now on (`en-GB` by default).
pub fn use_locale(locale: &str) {
    LOCALE.with(|l| *l.borrow_mut() = locale.to_owned());
}

/// How long `New` marks stay in the components rendered from now on.
pub fn use_mark_ms(ms: u32) {
    MARK_MS.with(|m| m.set(ms));
}

/// Settings as the root sidebar would provide them, with the locale fixed for stable text.
pub fn settings() -> Settings {
    Settings {
        client: ApiClient::new("/api", None),
        locale: Some(LOCALE.with(|l| l.borrow().clone()).into()),
        poll_interval_ms: 3_000,
        details_set_id: "visitor-sidebar".into(),
        new_mark_ms: MARK_MS.with(|m| m.get()),
        reply_to: None,
        feedback: Callback::from(|_| ()),
    }
}

/// What a test renders; compared by identity.
#[derive(Clone)]
pub struct Content(pub Rc<dyn Fn() -> Html>);

impl PartialEq for Content {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

#[derive(Properties, PartialEq)]
pub struct HostProps {
    pub content: Content,
}

/// Renders `content` inside the settings context, as the sidebar root does.
#[function_component]
pub fn Host(props: &HostProps) -> Html {
    html! {
        <ContextProvider<Settings> context={settings()}>
            { (props.content.0)() }
        </ContextProvider<Settings>>
    }
}

/// Mounts `content` into a fresh element and waits for the first render.
pub async fn render(content: impl Fn() -> Html + 'static) -> Element {
    let root = fresh_root();
    yew::Renderer::<Host>::with_root_and_props(
        root.clone(),
        HostProps {
            content: Content(Rc::new(content)),
        },
    )
    .render();
    let first = root.clone();
    until("the first render", move || first.child_element_count() > 0).await;
    root
}

/// Where a mounted [`Driven`] keeps the setter of the value it shows.
type Slot<T> = Rc<std::cell::RefCell<Option<UseStateSetter<T>>>>;

#[derive(Properties)]
pub struct DrivenProps<T: 'static> {
    first: T,
    view: fn(&T) -> Html,
    slot: Slot<T>,
}

impl<T> PartialEq for DrivenProps<T> {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.slot, &other.slot)
    }
}

/// Shows `view(value)`, where the test replaces `value` from outside.
#[function_component]
pub fn Driven<T: Clone + 'static>(props: &DrivenProps<T>) -> Html {
    let value = use_state(|| props.first.clone());
    *props.slot.borrow_mut() = Some(value.setter());
    (props.view)(&value)
}

/// Mounts `view(first)` and gives back a function that re-renders the same components with
/// another value, as a parent does when its data changes (the components stay mounted, with
/// their hooks).
pub async fn render_driven<T: Clone + 'static>(
    first: T,
    view: fn(&T) -> Html,
) -> (Element, impl Fn(T)) {
    let slot: Slot<T> = Rc::default();
    let mounted = slot.clone();
    let root = render(move || {
        html! { <Driven<T> first={first.clone()} view={view} slot={mounted.clone()} /> }
    })
    .await;
    let set = move |next: T| {
        slot.borrow()
            .as_ref()
            .expect("the driven component is mounted")
            .set(next)
    };
    (root, set)
}

/// Records DOM mutations under an element, leaving out those inside `[data-ticking]` elements
/// (clocks such as "time on site" that change by themselves).
pub struct MutationLog {
    observer: web_sys::MutationObserver,
    seen: Rc<std::cell::RefCell<Vec<String>>>,
    _callback: wasm_bindgen::closure::Closure<dyn FnMut(js_sys::Array)>,
}

impl MutationLog {
    pub fn watch(root: &Element) -> MutationLog {
        use wasm_bindgen::JsCast;
        let seen: Rc<std::cell::RefCell<Vec<String>>> = Rc::default();
        let log = seen.clone();
        let callback = wasm_bindgen::closure::Closure::<dyn FnMut(js_sys::Array)>::new(
            move |records: js_sys::Array| {
                for record in records.iter() {
                    let record: web_sys::MutationRecord = record.unchecked_into();
                    let Some(target) = record.target() else {
                        continue;
                    };
                    let element = target
                        .dyn_ref::<Element>()
                        .cloned()
                        .or_else(|| target.parent_element());
                    let ticking = element
                        .and_then(|e| e.closest("[data-ticking]").ok().flatten())
                        .is_some();
                    if !ticking {
                        log.borrow_mut().push(format!(
                            "{} on {}",
                            record.type_(),
                            target.node_name()
                        ));
                    }
                }
            },
        );
        let observer = web_sys::MutationObserver::new(callback.as_ref().unchecked_ref()).unwrap();
        let init = web_sys::MutationObserverInit::new();
        init.set_subtree(true);
        init.set_child_list(true);
        init.set_attributes(true);
        init.set_character_data(true);
        observer.observe_with_options(root, &init).unwrap();
        MutationLog {
            observer,
            seen,
            _callback: callback,
        }
    }

    /// Stops watching and returns what was seen (including records still queued).
    pub fn stop(self) -> Vec<String> {
        let pending = self.observer.take_records();
        self.observer.disconnect();
        let mut seen = self.seen.borrow().clone();
        seen.extend(pending.iter().map(|r| {
            let r: web_sys::MutationRecord = wasm_bindgen::JsCast::unchecked_into(r);
            format!("{} (queued)", r.type_())
        }));
        seen
    }
}
