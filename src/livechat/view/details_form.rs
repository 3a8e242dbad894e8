//! The custom-details form (`POST /livechat/visitors/{id}/details`): a data-set ID, rows of
//! name / value / optional link, an optional icon.
//!
//! Checked with the contract crate's own rules (the proxy applies exactly these), each message
//! beside its input. What the agent typed lives in [`Drafts`], a reducer of every visitor's
//! [`Draft`] (each edit is [`Draft::apply`]) held by the LiveChat panel, so it outlives the form:
//! an error, a refresh, or switching visitors and back loses nothing, and a send that finishes
//! after the agent has moved on still lands in the right visitor's draft (the edit names it).

use crate::api::ApiError;
use crate::components::common::{error_text, Section};
use crate::context::use_settings;
use crate::format;
use crate::lenient;
use crate::livechat::api::details_path;
use serde::Deserialize;
use std::cell::Cell;
use std::rc::Rc;
use visitor_sidebar_contract::details::MAX_FIELDS;
use visitor_sidebar_contract::{DetailsField, DetailsRequest, ErrorCode, FieldError};
use yew::prelude::*;

/// One row as typed.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct DraftRow {
    /// Stable while the row exists, so the row keeps its inputs (and the focus) when rows
    /// before it are added or removed.
    pub key: u32,
    pub name: String,
    pub value: String,
    pub url: String,
}

/// Where the last send stands.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Sending {
    #[default]
    Idle,
    Pending,
    /// Accepted by LiveChat at this time (ms since the epoch).
    Sent(f64),
    Failed(ApiError),
}

/// Everything the agent typed for one visitor, and what became of it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Draft {
    pub set_id: String,
    pub rows: Vec<DraftRow>,
    pub icon: String,
    /// Messages by input (`id`, `fields`, `fields[2].url`, `icon`), as the proxy names them.
    pub errors: Vec<FieldError>,
    /// Once a send was attempted, every edit checks again, so messages go as soon as fixed.
    pub checked: bool,
    pub sending: Sending,
    next_key: u32,
}

impl Draft {
    fn new(set_id: &str) -> Draft {
        Draft {
            set_id: set_id.to_owned(),
            rows: vec![DraftRow::default()],
            ..Draft::default()
        }
    }

    /// The request as it will be sent (trimmed, blank addresses dropped).
    pub fn request(&self) -> DetailsRequest {
        DetailsRequest {
            id: self.set_id.clone(),
            fields: self
                .rows
                .iter()
                .map(|r| DetailsField {
                    name: r.name.clone(),
                    value: r.value.clone(),
                    url: Some(r.url.clone()),
                })
                .collect(),
            icon: Some(self.icon.clone()),
        }
        .normalized()
    }

    fn error(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }
}

/// An edit, or a step of sending.
#[derive(Debug, Clone, PartialEq)]
pub enum Edit {
    SetId(String),
    SetIcon(String),
    Name(usize, String),
    Value(usize, String),
    Url(usize, String),
    AddRow,
    RemoveRow(usize),
    /// Validation failed before sending.
    Invalid(Vec<FieldError>),
    Pending,
    /// The proxy's answer, at this time.
    Done(Result<(), ApiError>, f64),
}

impl Draft {
    /// Applies one edit.
    pub fn apply(&mut self, edit: Edit) {
        let mut touched = true;
        match edit {
            Edit::SetId(s) => self.set_id = s,
            Edit::SetIcon(s) => self.icon = s,
            Edit::Name(i, s) => self
                .rows
                .get_mut(i)
                .into_iter()
                .for_each(|r| r.name = s.clone()),
            Edit::Value(i, s) => self
                .rows
                .get_mut(i)
                .into_iter()
                .for_each(|r| r.value = s.clone()),
            Edit::Url(i, s) => self
                .rows
                .get_mut(i)
                .into_iter()
                .for_each(|r| r.url = s.clone()),
            Edit::AddRow if self.rows.len() < MAX_FIELDS => {
                self.next_key += 1;
                self.rows.push(DraftRow {
                    key: self.next_key,
                    ..DraftRow::default()
                });
            }
            Edit::AddRow => {}
            Edit::RemoveRow(i) if i < self.rows.len() => {
                self.rows.remove(i);
            }
            Edit::RemoveRow(_) => {}
            Edit::Invalid(errors) => {
                touched = false;
                self.errors = errors;
                self.checked = true;
                self.sending = Sending::Idle;
            }
            Edit::Pending => {
                touched = false;
                self.errors.clear();
                self.sending = Sending::Pending;
            }
            Edit::Done(result, at) => {
                touched = false;
                self.sending = match result {
                    Ok(()) => Sending::Sent(at),
                    Err(error) => {
                        if let ApiError::Proxy { error: detail, .. } = &error {
                            if !detail.fields.is_empty() {
                                self.errors = detail.fields.clone();
                                self.checked = true;
                            }
                        }
                        Sending::Failed(error)
                    }
                };
            }
        }
        if touched {
            // "Sent" spoke of the values before this edit.
            if matches!(self.sending, Sending::Sent(_)) {
                self.sending = Sending::Idle;
            }
            if self.checked {
                self.errors = self.request().validate();
            }
        }
    }
}

/// The agent's drafts for every visitor opened this session, by visitor ID: the state of a
/// `use_reducer` in the LiveChat panel (which lives as long as the sidebar shows LiveChat), handed
/// to each visitor's form. Kept in memory only: the values are the agent's own work in progress,
/// and sessionStorage would keep them (possibly personal data) after the console tab is done with
/// them.
///
/// A session holds a handful of visitors: a list searched in order is smaller in the bundle than
/// a hash map, and as fast at this size.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Drafts(Vec<(AttrValue, Draft)>);

impl Drafts {
    pub fn get(&self, visitor_id: &str) -> Option<&Draft> {
        let found = self.0.iter().find(|(id, _)| id == visitor_id);
        found.map(|(_, draft)| draft)
    }
}

/// One edit of one visitor's draft.
#[derive(Debug, Clone, PartialEq)]
pub struct DraftEdit {
    pub visitor_id: AttrValue,
    /// The data-set ID a draft starts with, when this visitor has none yet.
    pub set_id: AttrValue,
    pub edit: Edit,
}

impl Reducible for Drafts {
    type Action = DraftEdit;

    /// [`Draft::apply`] on the visitor's draft, made first when there is none.
    fn reduce(self: Rc<Self>, action: DraftEdit) -> Rc<Self> {
        let mut drafts = Rc::unwrap_or_clone(self);
        let at = match drafts.0.iter().position(|(id, _)| *id == action.visitor_id) {
            Some(at) => at,
            None => {
                let draft = Draft::new(&action.set_id);
                drafts.0.push((action.visitor_id, draft));
                drafts.0.len() - 1
            }
        };
        drafts.0[at].1.apply(action.edit);
        Rc::new(drafts)
    }
}

/// [`Drafts`] as their owner holds them: read the latest (also from a callback), dispatch edits.
pub type DraftsHandle = UseReducerHandle<Drafts>;

thread_local! {
    static NEXT_FORM: Cell<u32> = const { Cell::new(0) };
}

/// The proxy's `{"result": "Visitor details added"}`; only its arrival matters.
#[derive(Deserialize)]
struct Accepted {
    #[serde(default, deserialize_with = "lenient::text")]
    #[allow(dead_code)]
    result: Option<String>,
}

/// Why a send failed, for the agent; the values are always kept.
fn failure_text(error: &ApiError) -> String {
    let why = match error.code() {
        Some(ErrorCode::NoWebhookToken) => "LiveChat has not told the sidebar's proxy about a chat with this visitor yet (no chat_started webhook seen for this chat), so details cannot be added until the chat has started.".to_owned(),
        Some(ErrorCode::LivechatTokenRejected) => "LiveChat refused this chat's token: the chat has probably ended.".to_owned(),
        Some(ErrorCode::ValidationFailed | ErrorCode::InvalidBody) => "The proxy refused some values: see the messages beside the fields.".to_owned(),
        _ => error_text(error),
    };
    format!("Not sent. {why} Your values are kept: fix what is needed and send again.")
}

#[derive(Properties, PartialEq)]
pub struct DetailsFormProps {
    pub visitor_id: AttrValue,
    /// The drafts that outlive this form (the LiveChat panel's); drafts of its own when absent.
    #[prop_or_default]
    pub drafts: Option<DraftsHandle>,
}

/// The custom-details form for one visitor. Render it keyed by the visitor ID.
#[function_component]
pub fn DetailsForm(props: &DetailsFormProps) -> Html {
    let settings = use_settings();
    let own = use_reducer(Drafts::default);
    let drafts = props.drafts.clone().unwrap_or(own);
    let uid = *use_state(|| {
        NEXT_FORM.with(|n| {
            n.set(n.get() + 1);
            n.get()
        })
    });
    let set_id = settings.details_set_id.clone();
    // The reducer is the only copy of what the agent typed: every edit lands there at once, so
    // nothing depends on this form staying (or even rendering) before the agent moves on.
    let draft = drafts
        .get(&props.visitor_id)
        .cloned()
        .unwrap_or_else(|| Draft::new(&set_id));
    let apply: Callback<Edit> = {
        let (drafts, visitor_id) = (drafts.dispatcher(), props.visitor_id.clone());
        Callback::from(move |edit: Edit| {
            drafts.dispatch(DraftEdit {
                visitor_id: visitor_id.clone(),
                set_id: set_id.clone(),
                edit,
            })
        })
    };
    let edit = |make: fn(String) -> Edit| {
        let apply = apply.clone();
        Callback::from(move |e: InputEvent| {
            let input: web_sys::HtmlInputElement = e.target_unchecked_into();
            apply.emit(make(input.value()));
        })
    };
    let row_edit = |i: usize, make: fn(usize, String) -> Edit| {
        let apply = apply.clone();
        Callback::from(move |e: InputEvent| {
            let input: web_sys::HtmlInputElement = e.target_unchecked_into();
            apply.emit(make(i, input.value()));
        })
    };
    let action = |edit: Edit| {
        let apply = apply.clone();
        Callback::from(move |_: MouseEvent| apply.emit(edit.clone()))
    };

    let on_submit = {
        let (apply, drafts) = (apply.clone(), drafts.clone());
        let (client, visitor_id) = (settings.client.clone(), props.visitor_id.clone());
        let set_id = settings.details_set_id.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            // The reducer's current state, not the last render, holds what was typed last (the
            // handle reads the current state).
            let current = drafts
                .get(&visitor_id)
                .cloned()
                .unwrap_or_else(|| Draft::new(&set_id));
            if current.sending == Sending::Pending {
                return;
            }
            let request = current.request();
            let errors = request.validate();
            if !errors.is_empty() {
                apply.emit(Edit::Invalid(errors));
                return;
            }
            apply.emit(Edit::Pending);
            let (client, apply, visitor_id) = (client.clone(), apply.clone(), visitor_id.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let result = client
                    .post::<_, Accepted>(&details_path(&visitor_id), &request, None)
                    .await
                    .map(drop);
                // Names this visitor's draft, whichever visitor is shown by then.
                apply.emit(Edit::Done(result, js_sys::Date::now()));
            });
        })
    };

    let d = &draft;
    let uid = format!("vs-details-{uid}");
    let pending = d.sending == Sending::Pending;
    // An input with its message: the message is tied to the input for screen readers.
    let field = |key: String,
                 label: String,
                 value: String,
                 hint: &'static str,
                 oninput: Callback<InputEvent>| {
        let input_id = format!("{uid}-{}", key.replace(['[', ']', '.'], "-"));
        let error = d.error(&key).map(str::to_owned);
        let message_id = format!("{input_id}-msg");
        html! {
            <div class={classes!("vs-field", error.is_some().then_some("vs-invalid"))}>
                <label for={input_id.clone()}>{ label }</label>
                <input id={input_id} type="text" value={value} {oninput} placeholder={hint}
                       aria-invalid={error.is_some().then_some("true")}
                       aria-describedby={error.is_some().then(|| message_id.clone())} />
                if let Some(error) = error {
                    <span id={message_id} class="vs-field-error">{ error }</span>
                }
            </div>
        }
    };
    let status = match &d.sending {
        Sending::Idle => Html::default(),
        Sending::Pending => {
            html! { <p class="vs-notice" role="status">{ "Sending the details to LiveChat…" }</p> }
        }
        Sending::Sent(at) => html! {
            <p class="vs-notice vs-notice-ok" role="status">
                { format!("Sent: LiveChat accepted the details at {}.", format::time(*at, settings.locale.as_deref()).unwrap_or_default()) }
            </p>
        },
        Sending::Failed(error) => html! {
            <p class="vs-notice vs-notice-error" role="alert">{ failure_text(error) }</p>
        },
    };
    let fields_error = d.error("fields").map(str::to_owned);

    html! {
        <Section title="Custom details" class="vs-details-form">
            <form onsubmit={on_submit} novalidate=true aria-busy={pending.then_some("true")}>
                <p class="vs-hint">{ "Shown to agents beside this visitor in LiveChat." }</p>
                { field("id".into(), "Data-set ID".into(), d.set_id.clone(), "my-app", edit(Edit::SetId)) }
                <fieldset class="vs-rows">
                    <legend>{ "Fields" }</legend>
                    // The keyed rows alone in their parent: mixed with the legend they would be
                    // diffed by position, and every add would rebuild every row's inputs.
                    <div class="vs-rows-list">
                    { for d.rows.iter().enumerate().map(|(i, row)| html! {
                        <div class="vs-details-row" key={row.key}>
                            { field(format!("fields[{i}].name"), format!("Name {}", i + 1), row.name.clone(), "Age", row_edit(i, Edit::Name)) }
                            { field(format!("fields[{i}].value"), format!("Value {}", i + 1), row.value.clone(), "36", row_edit(i, Edit::Value)) }
                            { field(format!("fields[{i}].url"), format!("Link {} (optional)", i + 1), row.url.clone(), "https://…", row_edit(i, Edit::Url)) }
                            if d.rows.len() > 1 {
                                <button type="button" class="vs-button vs-remove-row" onclick={action(Edit::RemoveRow(i))}
                                        aria-label={format!("Remove field {}", i + 1)}>{ "Remove" }</button>
                            }
                        </div>
                    }) }
                    </div>
                    if let Some(error) = fields_error {
                        <p class="vs-field-error" role="alert">{ error }</p>
                    }
                    <button type="button" class="vs-button vs-add-row" onclick={action(Edit::AddRow)}
                            disabled={d.rows.len() >= MAX_FIELDS}>{ "+ Add field" }</button>
                </fieldset>
                { field("icon".into(), "Icon address (optional, no http://)".into(), d.icon.clone(), "example.com/icon.png", edit(Edit::SetIcon)) }
                <div class="vs-form-actions">
                    <button type="submit" class="vs-button vs-button-primary vs-send" disabled={pending}>
                        { match d.sending {
                            Sending::Pending => "Sending…",
                            Sending::Failed(_) => "Send again",
                            _ => "Send details",
                        } }
                    </button>
                </div>
                { status }
            </form>
        </Section>
    }
}
