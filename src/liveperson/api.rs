//! The proxy's LivePerson endpoint: the current visit of one visitor.

use crate::api::segment;

/// `GET /liveperson/visitors/{visitorId}/visit?sid={sid}`
pub fn visit_path(visitor_id: &str, sid: &str) -> String {
    format!(
        "/liveperson/visitors/{}/visit?sid={}",
        segment(visitor_id),
        segment(sid)
    )
}
