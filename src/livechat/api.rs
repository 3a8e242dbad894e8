//! The proxy's LiveChat endpoints: the visitors list, its count, one visitor, custom details,
//! and one v3 customer (the ID LiveChat's Agent App names).

use crate::api::segment;

/// The API can filter on these two states only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum StateFilter {
    #[default]
    All,
    Chatting,
    Queued,
}

impl StateFilter {
    pub fn query_value(self) -> Option<&'static str> {
        match self {
            StateFilter::All => None,
            StateFilter::Chatting => Some("chatting"),
            StateFilter::Queued => Some("queued"),
        }
    }
}

fn list_query(state: StateFilter, group: Option<u32>, count: bool) -> String {
    let mut params: Vec<String> = Vec::new();
    if let Some(state) = state.query_value() {
        params.push(format!("state={state}"));
    }
    if let Some(group) = group {
        params.push(format!("group[]={group}"));
    }
    if count {
        params.push("count=1".into());
    }
    if params.is_empty() {
        String::new()
    } else {
        format!("?{}", params.join("&"))
    }
}

/// `GET /livechat/visitors?state=..&group[]=..`
pub fn visitors_path(state: StateFilter, group: Option<u32>) -> String {
    format!("/livechat/visitors{}", list_query(state, group, false))
}

/// `GET /livechat/visitors?...&count=1`: the number of visitors only.
pub fn count_path(state: StateFilter, group: Option<u32>) -> String {
    format!("/livechat/visitors{}", list_query(state, group, true))
}

/// `GET /livechat/visitors/{id}`
pub fn visitor_path(visitor_id: &str) -> String {
    format!("/livechat/visitors/{}", segment(visitor_id))
}

/// `POST /livechat/visitors/{id}/details`
pub fn details_path(visitor_id: &str) -> String {
    format!("/livechat/visitors/{}/details", segment(visitor_id))
}

/// `GET /livechat/customers/{id}`: the Agent Chat API v3 customer.
pub fn customer_path(customer_id: &str) -> String {
    format!("/livechat/customers/{}", segment(customer_id))
}
