//! Putting a fact into the agent's reply: **Copy** (the clipboard) and **Insert** (the text
//! added to the agent's message box through the console's own channel, for the agent to send).
//!
//! A [`Composer`] is one way into the message box. The consoles build theirs where their SDK
//! lives (`livechat::agent_app`: `putMessage`; `liveperson::sdk`: the `write` command, with the
//! text HTML-escaped for real-time chat); the root builds the host page's ([`host_composer`]):
//! `mount()`'s `onInsert(text)`, else a `visitor-sidebar:insert` message to the parent frame at
//! an allowed origin. Without any, Insert is not offered. Every insert either is confirmed
//! within [`INSERT_TIMEOUT_MS`] or counts as failed; then the text goes to the clipboard instead
//! ([`act`]).

use gloo_events::EventListener;
use gloo_timers::callback::Timeout;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// How long a console may take to confirm an insert.
pub const INSERT_TIMEOUT_MS: u32 = 3_000;
/// What the sidebar posts to its parent frame to insert text into the reply.
pub const INSERT: &str = "visitor-sidebar:insert";
/// What the parent answers (`{type, id}`, or `{type, id, error}` when it could not).
pub const INSERTED: &str = "visitor-sidebar:inserted";

/// Starts an insert of the text; the promise settles when the console confirms it (rejects
/// with what went wrong).
type Insert = dyn Fn(&str) -> js_sys::Promise;

/// One way into the agent's message box. Compared by identity.
#[derive(Clone)]
pub struct Composer {
    /// Who takes the text, for the agent's messages: "LiveChat's Agent App".
    pub name: &'static str,
    insert: Rc<Insert>,
}

impl PartialEq for Composer {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.insert, &other.insert)
    }
}

impl std::fmt::Debug for Composer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Composer")
            .field("name", &self.name)
            .finish()
    }
}

impl Composer {
    pub fn new(name: &'static str, insert: impl Fn(&str) -> js_sys::Promise + 'static) -> Self {
        Composer {
            name,
            insert: Rc::new(insert),
        }
    }

    /// Inserts `text`; `Err` with a short reason when the console refused it or did not answer
    /// within [`INSERT_TIMEOUT_MS`].
    pub async fn insert(&self, text: &str) -> Result<(), String> {
        let started = (self.insert)(text);
        let timeout = js_sys::Promise::new(&mut |_, reject| {
            let reject = reject.clone();
            Timeout::new(INSERT_TIMEOUT_MS, move || {
                let _ = reject.call1(&JsValue::NULL, &JsValue::from_str("no answer in 3 s"));
            })
            .forget();
        });
        let race = js_sys::Promise::race(&js_sys::Array::of2(&started, &timeout));
        JsFuture::from(race)
            .await
            .map(|_| ())
            .map_err(|e| reason(&e))
    }
}

/// What a rejection says, in at most 200 characters (an `Error`'s message, a string, or a
/// value's JSON).
pub fn reason(error: &JsValue) -> String {
    let text = error
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| error.as_string())
        .or_else(|| {
            js_sys::Reflect::get(error, &"message".into())
                .ok()
                .and_then(|m| m.as_string())
        })
        .or_else(|| js_sys::JSON::stringify(error).ok().map(String::from))
        .filter(|t| !t.trim().is_empty() && t != "null")
        .unwrap_or_else(|| "it gave no reason".into());
    text.chars().take(200).collect()
}

/// `text` safe to be read as HTML: what LivePerson's real-time chat does with a written line.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Puts `text` on the clipboard: the Clipboard API, else the older `execCommand("copy")` (which
/// also works in frames the console did not grant `clipboard-write`); `Err` when the browser
/// refuses both.
pub async fn copy(text: &str) -> Result<(), String> {
    let window = web_sys::window().ok_or("no window")?;
    let clipboard = js_sys::Reflect::get(&window.navigator(), &"clipboard".into())
        .ok()
        .filter(|c| c.is_object())
        .map(JsCast::unchecked_into::<web_sys::Clipboard>);
    if let Some(clipboard) = clipboard {
        if JsFuture::from(clipboard.write_text(text)).await.is_ok() {
            return Ok(());
        }
    }
    copy_by_selection(&window, text)
        .then_some(())
        .ok_or_else(|| {
            "The browser did not let the sidebar use the clipboard. Select the text and copy it \
         yourself."
                .to_owned()
        })
}

/// The old way: a hidden text area, selected, and `document.execCommand("copy")`.
fn copy_by_selection(window: &web_sys::Window, text: &str) -> bool {
    let Some(document) = window.document() else {
        return false;
    };
    // Inside the sidebar (the clicked one, else any), where its scoped styles reach: the
    // stylesheet has no rule outside `.vs-root`, so none can touch the host page.
    let inside = document
        .active_element()
        .and_then(|a| a.closest(".vs-root").ok().flatten())
        .or_else(|| document.query_selector(".vs-root").ok().flatten());
    let Some(container) = inside.or_else(|| document.body().map(Into::into)) else {
        return false;
    };
    let Ok(area) = document.create_element("textarea") else {
        return false;
    };
    let area: web_sys::HtmlTextAreaElement = area.unchecked_into();
    area.set_value(text);
    let _ = area.set_attribute("readonly", "");
    let _ = area.set_attribute("aria-hidden", "true");
    // A class, not a style attribute: the pages' policy forbids inline styles.
    area.set_class_name("vs-copy-area");
    // Where the focus was, to give it back (the agent clicked a button in the glance).
    let active = document.active_element();
    if container.append_child(&area).is_err() {
        return false;
    }
    area.select();
    let html: &web_sys::HtmlDocument = document.unchecked_ref();
    let copied = html.exec_command("copy").unwrap_or(false);
    area.remove();
    if let Some(active) = active.and_then(|a| a.dyn_into::<web_sys::HtmlElement>().ok()) {
        let _ = active.focus();
    }
    copied
}

/// How an insert or copy went, for the sidebar's status line.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Copied,
    CopyRefused(String),
    Inserted {
        into: &'static str,
    },
    /// The insert failed; the text went to the clipboard (or not, with why).
    InsertFailed {
        into: &'static str,
        why: String,
        copied: Result<(), String>,
    },
}

impl Outcome {
    /// The sentence the agent reads.
    pub fn text(&self) -> String {
        match self {
            Outcome::Copied => "Copied.".into(),
            Outcome::CopyRefused(why) => why.clone(),
            Outcome::Inserted { into } => {
                format!("Added to your reply in {into}: check it, then send it.")
            }
            Outcome::InsertFailed { into, why, copied } => {
                let fallback = match copied {
                    Ok(()) => "The text is on the clipboard: paste it into your reply.".to_owned(),
                    Err(refused) => refused.clone(),
                };
                format!("Insert failed: {into} did not take the text ({why}). {fallback}")
            }
        }
    }

    pub fn failed(&self) -> bool {
        matches!(self, Outcome::CopyRefused(_) | Outcome::InsertFailed { .. })
    }
}

/// Inserts `text` through `composer`, falling back to the clipboard when that fails; or, with
/// no composer, copies it. (One future for both buttons: each async fn is a state machine of
/// its own in the bundle.)
pub async fn act(composer: Option<Composer>, text: String) -> Outcome {
    let Some(composer) = composer else {
        return match copy(&text).await {
            Ok(()) => Outcome::Copied,
            Err(why) => Outcome::CopyRefused(why),
        };
    };
    match composer.insert(&text).await {
        Ok(()) => Outcome::Inserted {
            into: composer.name,
        },
        Err(why) => Outcome::InsertFailed {
            into: composer.name,
            why,
            copied: copy(&text).await,
        },
    }
}

/// The host page's way into the reply, when it has one: `mount()`'s `onInsert(text)` (its
/// return value, or the promise's, confirms it; a throw or rejection fails it); else, in a
/// frame whose parent is at one of `allowed_origins`, a `{type: "visitor-sidebar:insert", id,
/// text}` message that the parent confirms with `{type: "visitor-sidebar:inserted", id}`. A
/// top-level page without `onInsert` has none.
pub fn host_composer(
    on_insert: Option<js_sys::Function>,
    allowed_origins: &[String],
) -> Option<Composer> {
    if let Some(on_insert) = on_insert {
        return Some(Composer::new("the console", move |text| {
            match on_insert.call1(&JsValue::UNDEFINED, &JsValue::from_str(text)) {
                Ok(answer) => js_sys::Promise::resolve(&answer),
                Err(thrown) => js_sys::Promise::reject(&thrown),
            }
        }));
    }
    let window = web_sys::window()?;
    let parent = window.parent().ok().flatten()?;
    if parent == window {
        return None;
    }
    let origins: Vec<String> = allowed_origins
        .iter()
        .map(|o| o.trim().trim_end_matches('/').to_owned())
        .filter(|o| !o.is_empty() && o != "*")
        .collect();
    if origins.is_empty() {
        return None;
    }
    let origins = Rc::new(origins);
    let sequence = Rc::new(std::cell::Cell::new(0u32));
    Some(Composer::new("the console", move |text| {
        let id = format!(
            "vs-{}-{}",
            sequence.replace(sequence.get() + 1),
            js_sys::Math::random().to_bits()
        );
        post_insert(&window, &parent, &origins, &id, text)
    }))
}

/// Posts one insert to the parent and waits for its confirmation (at most
/// [`INSERT_TIMEOUT_MS`], after which the listener goes).
fn post_insert(
    window: &web_sys::Window,
    parent: &web_sys::Window,
    origins: &Rc<Vec<String>>,
    id: &str,
    text: &str,
) -> js_sys::Promise {
    let message = js_sys::Object::new();
    for (key, value) in [("type", INSERT), ("id", id), ("text", text)] {
        let _ = js_sys::Reflect::set(&message, &key.into(), &value.into());
    }
    let (window, parent, origins, id) = (
        window.clone(),
        parent.clone(),
        origins.clone(),
        id.to_owned(),
    );
    js_sys::Promise::new(&mut move |resolve, reject| {
        let held: Rc<RefCell<Option<(EventListener, Timeout)>>> = Rc::default();
        let done = held.clone();
        let (origins_in, id_in) = (origins.clone(), id.clone());
        let parent_in = JsValue::from(parent.clone());
        let listener = EventListener::new(&window, "message", move |event| {
            let event: &web_sys::MessageEvent = event.unchecked_ref();
            // Compared as values: a parent at another origin is not `instanceof Window` in this
            // frame's realm, so a cast to `Window` would refuse every answer from it.
            let from_parent = event
                .source()
                .is_some_and(|s| JsValue::from(s) == parent_in);
            if !from_parent || !origins_in.iter().any(|o| *o == event.origin()) {
                return;
            }
            let data = event.data();
            let field = |name: &str| {
                js_sys::Reflect::get(&data, &name.into())
                    .ok()
                    .and_then(|v| v.as_string())
            };
            if field("type").as_deref() != Some(INSERTED) || field("id") != Some(id_in.clone()) {
                return;
            }
            match field("error") {
                Some(error) => {
                    let _ = reject.call1(&JsValue::NULL, &error.into());
                }
                None => {
                    let _ = resolve.call0(&JsValue::NULL);
                }
            }
            // Settled: stop listening (dropped after this call returns).
            let done = done.clone();
            wasm_bindgen_futures::spawn_local(async move {
                done.borrow_mut().take();
            });
        });
        let expire = {
            let held = held.clone();
            Timeout::new(INSERT_TIMEOUT_MS + 500, move || {
                held.borrow_mut().take();
            })
        };
        *held.borrow_mut() = Some((listener, expire));
        for origin in origins.iter() {
            let _ = parent.post_message(&message, origin);
        }
    })
}
