//! Who the agent is talking to, at a glance: name, device, browser, place, IP, time on site
//! (ticking), and how they came (referrer, search, marketing). The technical rest of the visit
//! is in "About this visit", closed.

use super::{facts, humanise, rows, yes_no, SessionRef};
use crate::components::common::{Clock, Fact, SafeLink, Section, Ticking};
use crate::format;
use crate::format::join;
use crate::format::when;
use crate::user_agent;
use yew::prelude::*;

/// The header, with the glance right under the visitor's name.
pub fn header(session: &SessionRef, locale: Option<&str>, glance: Html) -> Html {
    let s = session.get();
    let name = s
        .personal()
        .and_then(|p| p.full_name())
        .unwrap_or_else(|| "Unnamed visitor".into());
    let software = s
        .user_agent
        .as_deref()
        .map(user_agent::parse)
        .unwrap_or_default();
    let family = s.device_family.as_deref().map(humanise);
    let os = s.device_os.as_deref().map(humanise);
    let mobile = s
        .mobile_device_info
        .as_ref()
        .and_then(|m| m.mobile)
        .filter(|&m| m)
        .map(|_| "mobile");
    let device = join(&[family.as_deref(), os.as_deref(), mobile], " · ");
    let search = s.search_engine.as_ref().and_then(|e| {
        let keywords = e.keywords.as_deref().map(|k| format!("“{k}”"));
        join(&[e.search_engine.as_deref(), keywords.as_deref()], " · ")
    });
    let marketing = s
        .marketing()
        .and_then(|m| join(&[m.affiliate.as_deref(), m.campaign_id.as_deref()], " · "));
    let location = s.geo.as_ref().and_then(|g| g.place());
    html! {
        <header class="vs-visitor-header vs-lp-header">
            <h2 class="vs-visitor-name vs-text">{ name }</h2>
            { glance }
            <dl class="vs-facts">
                { rows(vec![
                    ("Device", device),
                    ("Browser", software.summary()),
                    ("Location", location),
                    ("IP", s.ip().map(str::to_owned)),
                ]) }
                if let Some(start) = s.start_time {
                    <Fact label="On site">{ time_on_site(start, locale) }</Fact>
                }
                if let Some(referrer) = s.external_referrer.clone() {
                    <Fact label="Referrer"><SafeLink href={referrer} class="vs-text" /></Fact>
                }
                { rows(vec![("Search", search), ("Source", marketing)]) }
            </dl>
        </header>
    }
}

/// "3 min 20 s (since 14:05)": the time ticks every second, and re-renders nothing else.
fn time_on_site(start: f64, locale: Option<&str>) -> Html {
    let since = when(start, locale)
        .map(|t| format!(" (since {t})"))
        .unwrap_or_default();
    html! {
        <span class="vs-lp-on-site"><Ticking clock={Clock::Since(start)} />{ since }</span>
    }
}

/// The rest of what the API says about the visit, for the curious: IDs, the raw device codes,
/// the user agent, the network.
pub fn about(session: &SessionRef, locale: Option<&str>) -> Html {
    let s = session.get();
    let geo = s.geo.as_ref();
    let marketing = s.marketing();
    let mobile = s.mobile_device_info.as_ref();
    let Some(body) = facts(vec![
        ("Visit ID", session.visit.id.clone()),
        ("App session ID", s.id.clone()),
        ("Started", s.start_time.and_then(|t| when(t, locale))),
        ("User agent", s.user_agent.clone()),
        ("Device OS", s.device_os.clone()),
        ("Device family", s.device_family.clone()),
        ("Mobile device", yes_no(mobile.and_then(|m| m.mobile))),
        ("Device detected", yes_no(mobile.and_then(|m| m.detected))),
        ("IPv4", s.ipv4.clone()),
        ("LPv4", s.lpv4.clone()),
        ("Country code", geo.and_then(|g| g.country_code.clone())),
        ("ISP", geo.and_then(|g| g.isp.clone())),
        ("Organisation", geo.and_then(|g| g.org.clone())),
        ("Affiliate", marketing.and_then(|m| m.affiliate.clone())),
        ("Campaign", marketing.and_then(|m| m.campaign_id.clone())),
        (
            "Originating channel",
            marketing.and_then(|m| m.originating_channel.map(format::count)),
        ),
    ]) else {
        return Html::default();
    };
    html! {
        <Section title="About this visit" open={false} class="vs-lp-about">{ body }</Section>
    }
}
