//! The engagements offered to the consumer: state, campaign, engagement, channel and type, and
//! the impressions the consumer accepted. The codes are shown as LivePerson sends them (the API
//! documents no names for them).

use super::{count, facts};
use crate::components::common::Section;
use crate::format;
use crate::format::join;
use crate::format::when;
use crate::liveperson::model::AppSession;
use yew::prelude::*;

/// LivePerson's placeholder for "no skill".
const NO_SKILL: &str = "*!@NULL*!@";

pub fn engagements(s: &AppSession, locale: Option<&str>) -> Html {
    if s.engagements.is_empty() {
        return Html::default();
    }
    let accepted: usize = s
        .engagements
        .iter()
        .map(|e| e.impression_accepted.len())
        .sum();
    let badge = if accepted > 0 {
        format!(
            "{} · {} accepted",
            s.engagements.len(),
            format::count(accepted as f64)
        )
    } else {
        s.engagements.len().to_string()
    };
    html! {
        <Section title="Engagements" badge={badge} open={false} class="vs-lp-engagements">
            <ul class="vs-lp-items">
                { for s.engagements.iter().map(|slot| {
                    let e = slot.engagement.as_ref();
                    let entity = e.and_then(|e| e.engagement_entity.as_ref());
                    let campaign = e.and_then(|e| e.campaign_entity.as_ref());
                    let goal = e.and_then(|e| e.goal_entity.as_ref());
                    let title = entity.and_then(|x| x.id.as_deref())
                        .map(|id| format!("Engagement {id}"))
                        .unwrap_or_else(|| "Engagement".into());
                    let channel = entity.and_then(|x| {
                        let channel = x.channel.map(|c| format!("channel {}", format::count(c)));
                        let kind = x.kind.map(|k| format!("type {}", format::count(k)));
                        join(&[channel.as_deref(), kind.as_deref()], " · ")
                    });
                    let skill = entity
                        .and_then(|x| x.engagement_skill.as_ref())
                        .and_then(|k| k.skill_name.clone())
                        .filter(|n| n != NO_SKILL);
                    let campaign_text = campaign.and_then(|c| {
                        join(&[c.id.as_deref(), e.and_then(|e| e.campaign_control.as_deref())], " · ")
                    });
                    let accepted = slot.impression_accepted.iter().map(|i| {
                        let at = i.activity_time.and_then(|t| when(t, locale));
                        let page = i.page_id.as_deref().map(|p| format!("on page {p}"));
                        join(&[Some("Accepted"), at.as_deref(), page.as_deref()], " ")
                    });
                    html! {
                        <li class="vs-lp-item">
                            <span class="vs-text vs-lp-item-title">{ title }</span>
                            if !slot.impression_accepted.is_empty() {
                                { " " }<span class="vs-tag">{ "accepted" }</span>
                            }
                            { facts(vec![
                                ("State", count(e.and_then(|e| e.state))),
                                ("Campaign", campaign_text),
                                ("Channel", channel),
                                ("Skill", skill),
                                ("Goal", goal.and_then(|g| g.id.clone())),
                                ("Zone", e.and_then(|e| e.zone_id.clone())),
                                ("Page", e.and_then(|e| e.page_id.clone())),
                                ("Offsite", entity.and_then(|x| x.is_offsite_engagement)
                                    .filter(|&o| o).map(|_| "Yes".into())),
                                ("Slot", slot.id.clone()),
                            ]) }
                            if !slot.impression_accepted.is_empty() {
                                <ul class="vs-lp-impressions">
                                    { for accepted.map(|a| html! { <li class="vs-text">{ a }</li> }) }
                                </ul>
                            }
                        </li>
                    }
                }) }
            </ul>
        </Section>
    }
}
