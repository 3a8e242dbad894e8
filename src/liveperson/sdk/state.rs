//! The Agent Workspace connection as a reducer: how far the SDK got (script, `init`, first
//! answer), what it has bound, and which conversation that is.
//!
//! A new conversation shows nothing of the previous one (the rule `show()` follows): the
//! visitor and session IDs at the configured paths name the conversation, and when a bound value
//! changes either of them, everything else bound so far is dropped and asked for again with the
//! SDK's `get` (the `generation` says which round of asking an answer belongs to). The SDK
//! updates paths one by one, in no promised order, so a value of the new conversation that came
//! before its IDs is dropped too, and then comes back through `get`.

use crate::liveperson::sdk::bound::{id_text, Bound};
use std::rc::Rc;
use wasm_bindgen::JsValue;
use yew::prelude::*;

/// Where the SDK stands.
#[derive(Debug, Clone, PartialEq)]
pub enum Link {
    /// The SDK's script is loading.
    Loading,
    /// `init` was called and the paths bound; nothing has answered yet.
    Connecting,
    /// The Agent Workspace answered (a bind completed or gave data).
    Connected,
    /// It cannot work: the sentence says why.
    Failed(String),
}

/// The bound paths that carry the Visit Information API's visitor and session IDs.
#[derive(Debug, Clone, PartialEq)]
pub struct IdPaths {
    pub visitor: String,
    pub session: String,
}

#[derive(Debug, Clone)]
pub struct WorkspaceState {
    pub link: Link,
    /// Compared by identity: a new `Rc` whenever a value changes.
    pub bound: Rc<Bound>,
    /// Bumped on each new conversation; see the module's notes.
    pub generation: u32,
    /// The keys set since the last new conversation: a `get` answer for them is older news.
    pub fresh: Vec<String>,
    pub paths: IdPaths,
    /// How many paths were bound, and how many binds the SDK refused.
    bound_paths: usize,
    refused: usize,
    last_refusal: String,
}

/// What happens to the connection (dispatched by the SDK's callbacks and the view's timers).
#[derive(Debug)]
pub enum Action {
    /// `init` was called and `n` paths bound.
    Bound(usize),
    /// The script, `init` or every bind failed; or nothing answered in time.
    Failed(String),
    /// No answer in time: fails with the sentence unless something answered.
    TimedOut(String),
    /// A bind's callback: the value at `key` (null when it went away).
    Update { key: String, value: JsValue },
    /// A `get`'s answer, asked for in round `generation`.
    Got {
        key: String,
        value: JsValue,
        generation: u32,
    },
    /// A bind completed (`error` is `None`) or was refused.
    Done { error: Option<String> },
}

impl WorkspaceState {
    pub fn new(paths: IdPaths) -> WorkspaceState {
        WorkspaceState {
            link: Link::Loading,
            bound: Rc::default(),
            generation: 0,
            fresh: Vec::new(),
            paths,
            bound_paths: 0,
            refused: 0,
            last_refusal: String::new(),
        }
    }

    /// The visitor and session IDs the configured paths hold now.
    pub fn ids(&self) -> (Option<String>, Option<String>) {
        ids_in(&self.bound, &self.paths)
    }

    fn with(&self, change: impl FnOnce(&mut WorkspaceState)) -> Rc<WorkspaceState> {
        let mut next = self.clone();
        change(&mut next);
        Rc::new(next)
    }

    /// Stores `value` under `key`; starts a new conversation when that changes the IDs.
    fn apply(&self, key: String, value: JsValue) -> Rc<WorkspaceState> {
        let before = self.ids();
        let mut bound = (*self.bound).clone();
        bound.set(&key, value);
        let after = ids_in(&bound, &self.paths);
        let moved = |was: &Option<String>, now: &Option<String>| was.is_some() && was != now;
        let switched = moved(&before.0, &after.0) || moved(&before.1, &after.1);
        self.with(|next| {
            if switched {
                bound.retain_only(&key);
                next.generation += 1;
                next.fresh.clear();
            }
            if !next.fresh.contains(&key) {
                next.fresh.push(key);
            }
            next.bound = Rc::new(bound);
            next.link = Link::Connected;
        })
    }
}

impl WorkspaceState {
    /// Fails once every bound path was refused and nothing answered (a bind may be refused
    /// before the view learns how many there are, so this runs on both).
    fn check_refusals(&mut self, error: Option<String>) {
        if let Some(error) = error {
            self.last_refusal = error;
        }
        let all = self.bound_paths > 0 && self.refused >= self.bound_paths;
        if all && matches!(self.link, Link::Loading | Link::Connecting) {
            self.link = Link::Failed(format!(
                "LivePerson's Agent Workspace refused every request of this widget: {}",
                self.last_refusal
            ));
        }
    }
}

fn ids_in(bound: &Bound, paths: &IdPaths) -> (Option<String>, Option<String>) {
    let id = |path: &str| bound.resolve(path).as_ref().and_then(id_text);
    (id(&paths.visitor), id(&paths.session))
}

impl Reducible for WorkspaceState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        match action {
            Action::Bound(n) => self.with(|next| {
                next.bound_paths = n;
                if next.link == Link::Loading {
                    next.link = Link::Connecting;
                }
                next.check_refusals(None);
            }),
            Action::Failed(why) => self.with(|next| next.link = Link::Failed(why)),
            Action::TimedOut(why) => match self.link {
                Link::Loading | Link::Connecting => self.with(|next| next.link = Link::Failed(why)),
                _ => self,
            },
            Action::Update { key, value } => self.apply(key, value),
            Action::Got {
                key,
                value,
                generation,
            } => {
                if generation != self.generation || self.fresh.contains(&key) {
                    return self;
                }
                self.apply(key, value)
            }
            Action::Done { error: None } => match self.link {
                Link::Connected => self,
                _ => self.with(|next| next.link = Link::Connected),
            },
            Action::Done { error: Some(error) } => self.with(|next| {
                next.refused += 1;
                next.check_refusals(Some(error));
            }),
        }
    }
}
