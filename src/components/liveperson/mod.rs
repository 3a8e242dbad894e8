//! The LivePerson panel: fetches one visitor's current visit through the proxy and shows it.

mod visit_panel;

pub use visit_panel::VisitPanel;

use crate::api::liveperson::visit_path;
use crate::components::common::{Skeleton, StatusBar};
use crate::components::sidebar::use_settings;
use crate::hooks::{use_polled, Phase};
use crate::models::liveperson::Visit;
use visitor_sidebar_contract::check_id;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct LivePersonViewProps {
    pub visitor_id: Option<AttrValue>,
    pub sid: Option<AttrValue>,
}

/// Which visit to fetch, or what the host page got wrong.
fn request(visitor_id: Option<&str>, sid: Option<&str>) -> Result<String, String> {
    let (Some(visitor_id), Some(sid)) = (visitor_id, sid) else {
        return Err("No LivePerson visitor given. The host page must pass the visitor's visitorId and \
                    the session's sid (in the URL as ?provider=liveperson&visitorId=…&sid=…, or to show())."
            .into());
    };
    check_id(visitor_id).map_err(|e| format!("The visitorId {e}."))?;
    check_id(sid).map_err(|e| format!("The sid {e}."))?;
    Ok(visit_path(visitor_id, sid))
}

/// The current visit of one LivePerson visitor, kept fresh.
#[function_component]
pub fn LivePersonView(props: &LivePersonViewProps) -> Html {
    let settings = use_settings();
    let path = request(props.visitor_id.as_deref(), props.sid.as_deref());
    let visit = use_polled::<Visit>(
        settings.client.clone(),
        path.as_ref().ok().cloned(),
        settings.poll_interval_ms,
    );
    if let Err(problem) = path {
        return html! { <p class="vs-notice vs-notice-error" role="alert">{ problem }</p> };
    }
    let state = &visit.state;
    html! {
        <div class="vs-panel vs-liveperson">
            <StatusBar phase={state.phase.clone()} has_data={state.data.is_some()}
                       on_refresh={visit.refresh.clone()} locale={settings.locale.clone()} />
            if let Some(data) = &state.data {
                <VisitPanel visit={data.clone()} />
            } else if matches!(state.phase, Phase::Loading) {
                <Skeleton />
            }
        </div>
    }
}
