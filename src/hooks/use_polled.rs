//! `use_polled`: keeps one proxy resource fresh. It polls on an interval with `If-None-Match`,
//! pauses while the page is hidden, backs off with jitter after errors (honouring
//! `Retry-After`), keeps the last good data on screen as "stale" while the proxy or upstream is
//! failing, and cancels everything in flight when the resource changes or the component goes.
//!
//! An unchanged poll (a 304, or a 200 equal to what is shown) changes no state, so it causes no
//! render and no DOM mutation.
//!
//! After the proxy refuses the agent's token (401) it does not ask again with the same token: it
//! keeps the data on screen and polls as soon as the sidebar's credentials change (a new token
//! from the sign-in) or the agent presses Refresh.

use crate::api::{ApiClient, ApiError, Fetched};
use crate::auth::Credentials;
use crate::lenient::decode;
use gloo_events::EventListener;
use gloo_timers::callback::Timeout;
use serde::de::DeserializeOwned;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::JsValue;
use web_sys::AbortController;
use yew::prelude::*;

/// Longest pause between attempts after errors.
pub const MAX_BACKOFF_MS: u32 = 60_000;

/// Where a polled resource stands.
#[derive(Debug, Clone, PartialEq)]
pub enum Phase {
    /// The first answer is awaited; nothing to show yet.
    Loading,
    /// The data shown is the latest answer.
    Ready,
    /// The agent asked for a refresh; the data stays while it runs.
    Refreshing,
    /// The proxy or upstream is failing; the data shown is the last good answer, from `since`
    /// (ms since the epoch) on.
    Stale { since: f64, error: ApiError },
    /// The proxy refused (or nothing was ever loaded); any data shown is older.
    Failed(ApiError),
}

/// A polled resource's state.
#[derive(Debug, PartialEq)]
pub struct Polled<T> {
    pub data: Option<Rc<T>>,
    pub phase: Phase,
}

/// What can happen to a polled resource (dispatched by the polling loop only).
pub enum Action<T> {
    Reset,
    Loaded(T),
    Unchanged,
    Refreshing,
    Failed(ApiError, f64),
}

impl<T: PartialEq> Reducible for Polled<T> {
    type Action = Action<T>;

    fn reduce(self: Rc<Self>, action: Self::Action) -> Rc<Self> {
        let ready = |data: Option<Rc<T>>| {
            Rc::new(Polled {
                data,
                phase: Phase::Ready,
            })
        };
        match action {
            Action::Reset => Rc::new(Polled {
                data: None,
                phase: Phase::Loading,
            }),
            Action::Loaded(value) => match &self.data {
                Some(old) if **old == value && self.phase == Phase::Ready => self,
                Some(old) if **old == value => ready(Some(old.clone())),
                _ => ready(Some(Rc::new(value))),
            },
            Action::Unchanged if self.phase == Phase::Ready => self,
            Action::Unchanged => ready(self.data.clone()),
            Action::Refreshing if self.data.is_some() => Rc::new(Polled {
                data: self.data.clone(),
                phase: Phase::Refreshing,
            }),
            Action::Refreshing => self,
            Action::Failed(error, now) => {
                let phase = match (&self.phase, &self.data) {
                    (Phase::Stale { since, .. }, Some(_)) if error.is_transient() => Phase::Stale {
                        since: *since,
                        error,
                    },
                    (_, Some(_)) if error.is_transient() => Phase::Stale { since: now, error },
                    _ => Phase::Failed(error),
                };
                if phase == self.phase {
                    return self;
                }
                Rc::new(Polled {
                    data: self.data.clone(),
                    phase,
                })
            }
        }
    }
}

/// What [`use_polled`] gives back.
pub struct UsePolledHandle<T: PartialEq + 'static> {
    /// Derefs to [`Polled`].
    pub state: UseReducerHandle<Polled<T>>,
    /// Fetches again now (the agent's refresh button).
    pub refresh: Callback<()>,
}

/// A sleep that can be cut short: a manual refresh, the page becoming visible again, or the
/// resource going away all wake the polling loop at once.
#[derive(Default)]
struct Alarm {
    /// The sleep in progress: its timer (cleared when dropped) and what ends the sleep.
    sleeping: RefCell<Option<(Timeout, js_sys::Function)>>,
}

impl Alarm {
    /// Sleeps `ms`, or until woken; with `credentials`, also until they change.
    async fn sleep_or_change(&self, ms: u32, credentials: Option<&Credentials>) {
        let promise = js_sys::Promise::new(&mut |resolve, _reject| {
            if let Some(credentials) = credentials {
                credentials.wake_on_change(resolve.clone());
            }
            let ring = resolve.clone();
            // setTimeout takes an i32: a longer pause would wrap around and fire at once.
            let timer = Timeout::new(ms.min(i32::MAX as u32), move || {
                let _ = ring.call0(&JsValue::UNDEFINED);
            });
            *self.sleeping.borrow_mut() = Some((timer, resolve));
        });
        let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
        self.sleeping.borrow_mut().take();
    }

    async fn sleep(&self, ms: u32) {
        self.sleep_or_change(ms, None).await;
    }

    fn wake(&self) {
        let sleeping = self.sleeping.borrow_mut().take();
        if let Some((_timer, resolve)) = sleeping {
            let _ = resolve.call0(&JsValue::UNDEFINED);
        }
    }
}

fn now_ms() -> f64 {
    js_sys::Date::now()
}

fn page_hidden() -> bool {
    web_sys::window()
        .and_then(|w| w.document())
        .is_some_and(|d| d.hidden())
}

/// The pause before attempt `failures + 1`: the poll interval doubled per failure up to
/// [`MAX_BACKOFF_MS`], with "equal jitter" (half fixed, half random) so that many sidebars do
/// not retry in step, and never shorter than the server's `Retry-After`.
pub fn backoff_ms(interval_ms: u32, failures: u32, retry_after_s: Option<u32>, random: f64) -> u32 {
    let ceiling = interval_ms
        .saturating_mul(1u32 << failures.min(16))
        .min(MAX_BACKOFF_MS);
    let jittered = ceiling / 2 + ((ceiling / 2) as f64 * random.clamp(0.0, 1.0)) as u32;
    jittered.max(retry_after_s.unwrap_or(0).saturating_mul(1000))
}

/// What a poll brought, for the state to take in.
enum Report {
    /// A body as the browser parsed it, to decode.
    Data(JsValue),
    Unchanged,
    Failed(ApiError),
}

/// The polling loop: until `alive` is false, GETs `path` with the last ETag, tells `report`
/// what came (it answers `Err` when the state counts it as a failure: an error, or a body that
/// does not decode), and sleeps the interval or the backoff. `controller` holds the request in
/// flight (aborted from outside); `alarm` is the sleep that can be cut short.
async fn poll(
    client: ApiClient,
    path: String,
    interval_ms: u32,
    alive: Rc<Cell<bool>>,
    controller: Rc<RefCell<Option<AbortController>>>,
    alarm: Rc<Alarm>,
    report: Box<dyn Fn(Report) -> Result<(), ApiError>>,
) {
    let mut etag: Option<String> = None;
    let mut failures = 0u32;
    while alive.get() {
        if page_hidden() {
            // Woken by `visibilitychange`; the long timeout is only a backstop.
            alarm.sleep(MAX_BACKOFF_MS).await;
            continue;
        }
        let abort = AbortController::new().ok();
        let signal = abort.as_ref().map(AbortController::signal);
        *controller.borrow_mut() = abort;
        let result = client
            .get_json(&path, etag.as_deref(), signal.as_ref())
            .await;
        if !alive.get() {
            break;
        }
        let mut retry_after = None;
        let mut refused = false;
        let outcome = match result {
            Ok(Fetched::Data {
                value,
                etag: new_etag,
            }) => Some(report(Report::Data(value)).map(|()| etag = new_etag)),
            Ok(Fetched::NotModified) => Some(report(Report::Unchanged)),
            Err(ApiError::Aborted) => None,
            Err(error) => {
                refused = error.is_unauthorized();
                retry_after = error.retry_after();
                Some(report(Report::Failed(error)))
            }
        };
        match outcome {
            Some(Ok(())) => failures = 0,
            Some(Err(_)) => failures = failures.saturating_add(1),
            None => {}
        }
        if refused {
            // The same token would be refused again (and count against the agent at the
            // proxy): wait for another one, or for Refresh. A newer one may have come already,
            // while this answer was read.
            let credentials = client.credentials();
            if credentials.current_was_refused() {
                alarm
                    .sleep_or_change(i32::MAX as u32, Some(credentials))
                    .await;
            }
            continue;
        }
        let pause = if failures == 0 {
            interval_ms
        } else {
            backoff_ms(interval_ms, failures, retry_after, js_sys::Math::random())
        };
        alarm.sleep(pause).await;
    }
}

/// Polls `path` on the proxy every `interval_ms` while mounted; `None` polls nothing.
///
/// ```ignore
/// let visit = use_polled::<Visit>(client, Some(visit_path(&id, &sid)), 3_000);
/// match &visit.state.phase { Phase::Loading => html! { <Skeleton /> }, _ => ... }
/// ```
#[hook]
pub fn use_polled<T>(
    client: ApiClient,
    path: Option<String>,
    interval_ms: u32,
) -> UsePolledHandle<T>
where
    T: DeserializeOwned + PartialEq + 'static,
{
    let state = use_reducer_eq(|| Polled::<T> {
        data: None,
        phase: Phase::Loading,
    });
    let alarm = use_mut_ref(|| Rc::new(Alarm::default()));

    {
        let dispatcher = state.dispatcher();
        let alarm_slot = alarm.clone();
        use_effect_with(
            (client, path, interval_ms),
            move |(client, path, interval_ms)| {
                dispatcher.dispatch(Action::Reset);
                let alive = Rc::new(Cell::new(true));
                let controller: Rc<RefCell<Option<AbortController>>> = Rc::default();
                let alarm = Rc::new(Alarm::default());
                *alarm_slot.borrow_mut() = alarm.clone();

                // Removed when dropped, with the rest of this effect.
                let on_visible = web_sys::window()
                    .and_then(|w| w.document())
                    .map(|document| {
                        let alarm = alarm.clone();
                        EventListener::new(&document, "visibilitychange", move |_| {
                            if !page_hidden() {
                                alarm.wake();
                            }
                        })
                    });

                if let Some(path) = path.clone() {
                    // The decoding and the state are the only parts that depend on `T`; the
                    // loop is one copy in the bundle whatever is polled.
                    let report = move |report: Report| -> Result<(), ApiError> {
                        let failed = match report {
                            Report::Data(body) => match decode::<T>(body) {
                                Ok(value) => {
                                    dispatcher.dispatch(Action::Loaded(value));
                                    return Ok(());
                                }
                                Err(why) => ApiError::BadResponse(why),
                            },
                            Report::Unchanged => {
                                dispatcher.dispatch(Action::Unchanged);
                                return Ok(());
                            }
                            Report::Failed(error) => error,
                        };
                        dispatcher.dispatch(Action::Failed(failed.clone(), now_ms()));
                        Err(failed)
                    };
                    wasm_bindgen_futures::spawn_local(poll(
                        client.clone(),
                        path,
                        *interval_ms,
                        alive.clone(),
                        controller.clone(),
                        alarm.clone(),
                        Box::new(report),
                    ));
                }

                move || {
                    alive.set(false);
                    if let Some(abort) = controller.borrow_mut().take() {
                        abort.abort();
                    }
                    alarm.wake();
                    drop(on_visible);
                }
            },
        );
    }

    let refresh = {
        let dispatcher = state.dispatcher();
        Callback::from(move |()| {
            dispatcher.dispatch(Action::Refreshing);
            alarm.borrow().wake();
        })
    };
    UsePolledHandle { state, refresh }
}
