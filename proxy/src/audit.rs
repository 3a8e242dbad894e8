//! The audit log: one line for every visitor read or details write, on the target
//! `visitor_sidebar_proxy::audit` at level info, with the agent (`mode:subject`), the client's
//! address (as `client_ip` judges it, behind trusted front ends), the provider,
//! the visitor ID (when the route has one), the route template, the method and the status.
//! Never a token and never a visitor's personal values: the route template, not the path with its
//! query, is logged. The line's timestamp is the subscriber's.

use axum::extract::{MatchedPath, Request};
use axum::http::{Method, StatusCode};
use percent_encoding::percent_decode_str;

use crate::auth::Agent;
use crate::client_ip::ClientIp;
use crate::layers::{ObserveLayer, Observer};

/// The layer for the agent routes, inside `require_access` (which sets the [`Agent`]).
pub fn layer() -> ObserveLayer<Audit> {
    ObserveLayer(Audit)
}

/// [`layer`]'s observer.
#[derive(Clone)]
pub struct Audit;

/// What the audit line says of a request, taken before it is answered.
pub struct Seen {
    agent: String,
    client: ClientIp,
    provider: String,
    visitor: Option<String>,
    route: String,
    method: Method,
}

impl Observer for Audit {
    type Seen = Seen;

    fn request(&self, request: &Request) -> Seen {
        let route = request
            .extensions()
            .get::<MatchedPath>()
            .map(|m| m.as_str().to_owned())
            .unwrap_or_default();
        Seen {
            agent: request
                .extensions()
                .get::<Agent>()
                .map(Agent::label)
                .unwrap_or_else(|| "unknown:".into()),
            client: ClientIp::of(request.extensions()),
            provider: route
                .strip_prefix("/api/")
                .and_then(|rest| rest.split('/').next())
                .unwrap_or("")
                .to_owned(),
            visitor: visitor_id(&route, request.uri().path()),
            method: request.method().clone(),
            route,
        }
    }

    fn answered(&self, seen: Seen, status: StatusCode) {
        // Debug formatting (`?`) escapes quotes and control characters, so a crafted path or
        // subject cannot forge a second log line.
        tracing::info!(
            agent = ?seen.agent,
            client = %seen.client,
            provider = %seen.provider,
            visitor = ?seen.visitor.as_deref().unwrap_or("-"),
            route = %seen.route,
            method = %seen.method,
            status = status.as_u16(),
            "visitor data"
        );
    }
}

/// The path segment where the route template has `{visitor_id}` (or a LiveChat v3
/// `{customer_id}`, the same person under another ID), decoded.
fn visitor_id(template: &str, path: &str) -> Option<String> {
    let index = template
        .split('/')
        .position(|s| s == "{visitor_id}" || s == "{customer_id}")?;
    let segment = path.split('/').nth(index)?;
    Some(percent_decode_str(segment).decode_utf8_lossy().into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_visitor_id_is_taken_where_the_template_has_it() {
        let template = "/api/livechat/visitors/{visitor_id}/details";
        assert_eq!(
            visitor_id(template, "/api/livechat/visitors/S1.a%20b/details").as_deref(),
            Some("S1.a b")
        );
        assert_eq!(
            visitor_id("/api/livechat/visitors", "/api/livechat/visitors"),
            None
        );
        assert_eq!(
            visitor_id(
                "/api/livechat/customers/{customer_id}",
                "/api/livechat/customers/b7eff798-f8df"
            )
            .as_deref(),
            Some("b7eff798-f8df")
        );
    }
}
