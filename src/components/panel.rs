//! The one shape of every polled panel (the LivePerson visit, the LiveChat list, one LiveChat
//! visitor): poll a proxy resource with the sidebar's settings, show the [`StatusBar`] (refresh,
//! stale and error notices), the [`Skeleton`] until the first answer, then the data.

use crate::components::common::{Skeleton, StatusBar};
use crate::context::use_settings;
use crate::hooks::{use_polled, Phase, UsePolledHandle};
use serde::de::DeserializeOwned;
use std::rc::Rc;
use yew::prelude::*;

/// A polled resource and what its panel needs to show it; see [`use_panel`].
pub struct PanelHandle<T: PartialEq + 'static> {
    polled: UsePolledHandle<T>,
    locale: Option<AttrValue>,
}

impl<T: PartialEq + 'static> PanelHandle<T> {
    /// The last good answer, if any.
    pub fn data(&self) -> Option<&Rc<T>> {
        self.polled.state.data.as_ref()
    }

    /// Where the resource stands, for a panel that shows more than this resource.
    pub fn phase(&self) -> &Phase {
        &self.polled.state.phase
    }

    /// Fetches again now (what the status bar's Refresh does).
    pub fn refresh(&self) -> Callback<()> {
        self.polled.refresh.clone()
    }

    /// The status bar, then `render(data)` once there is data, the skeleton while the first
    /// answer is awaited, or nothing (the status bar says what went wrong).
    pub fn view(&self, render: impl FnOnce(&Rc<T>) -> Html) -> Html {
        let body = self.data().map(render);
        shell(
            &self.polled.state.phase,
            body,
            &self.polled.refresh,
            &self.locale,
        )
    }
}

/// [`PanelHandle::view`] without the type parameter, so the markup is in the bundle once.
fn shell(
    phase: &Phase,
    body: Option<Html>,
    refresh: &Callback<()>,
    locale: &Option<AttrValue>,
) -> Html {
    let has_data = body.is_some();
    html! {
        <>
            <StatusBar phase={phase.clone()} {has_data} on_refresh={refresh.clone()}
                       locale={locale.clone()} />
            if let Some(body) = body {
                { body }
            } else if matches!(phase, Phase::Loading) {
                <Skeleton />
            }
        </>
    }
}

/// Polls `path` through the sidebar's proxy client at its poll interval (`None` polls nothing),
/// for a panel that shows it with [`PanelHandle::view`].
///
/// ```ignore
/// let visit = use_panel::<Visit>(Some(visit_path(&id, &sid)));
/// html! { <div class="vs-panel">{ visit.view(|v| html! { <VisitPanel visit={v.clone()} /> }) }</div> }
/// ```
#[hook]
pub fn use_panel<T>(path: Option<String>) -> PanelHandle<T>
where
    T: DeserializeOwned + PartialEq + 'static,
{
    let settings = use_settings();
    let polled = use_polled::<T>(settings.client, path, settings.poll_interval_ms);
    PanelHandle {
        polled,
        locale: settings.locale,
    }
}
