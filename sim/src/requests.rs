//! What the simulator remembers of the requests it received: the `X-Request-Id` each endpoint
//! was sent (the last [`KEPT`] per endpoint), so a test can follow one request from the proxy's
//! answer through its log lines to the upstream call it caused.

use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;

use crate::Shared;

/// Request IDs kept per endpoint (the oldest go first).
pub const KEPT: usize = 100;

/// Endpoint name → the request IDs it received, oldest first. Requests without an ID are not
/// recorded.
#[derive(Default, Debug)]
pub(crate) struct RequestIds(BTreeMap<&'static str, VecDeque<String>>);

impl RequestIds {
    fn record(&mut self, endpoint: &'static str, id: String) {
        let ids = self.0.entry(endpoint).or_default();
        if ids.len() == KEPT {
            ids.pop_front();
        }
        ids.push_back(id);
    }

    pub(crate) fn of(&self, endpoint: &str) -> Vec<String> {
        self.0
            .get(endpoint)
            .map(|ids| ids.iter().cloned().collect())
            .unwrap_or_default()
    }

    pub(crate) fn all(&self) -> BTreeMap<String, Vec<String>> {
        self.0
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.iter().cloned().collect()))
            .collect()
    }

    pub(crate) fn clear(&mut self) {
        self.0.clear();
    }
}

/// The endpoint a path is, by the same names as the counters.
fn endpoint(path: &str) -> Option<&'static str> {
    Some(if path.ends_with("/baseURI.json") {
        "domain_api"
    } else if path.ends_with("/visits/current/state") {
        "lp_visit"
    } else if path.ends_with("/details") {
        "lc_details"
    } else if path == "/visitors" {
        "lc_visitors"
    } else if path.ends_with("/get_customer") {
        "lc_customers"
    } else if path == "/v2/info" {
        "lc_accounts_info"
    } else if path == "/host/jwks" {
        "host_jwks"
    } else if path.ends_with("/openid-configuration") {
        "oidc_discovery"
    } else if path == "/oidc/jwks" {
        "oidc_jwks"
    } else if path == "/oidc/authorize" {
        "oidc_authorize"
    } else if path == "/oidc/token" {
        "oidc_token"
    } else {
        return None;
    })
}

/// Middleware on every vendor and sign-in route: records the request's `X-Request-Id`.
pub(crate) async fn record(
    State(shared): State<Arc<Shared>>,
    request: Request,
    next: Next,
) -> Response {
    let id = request
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    if let (Some(endpoint), Some(id)) = (endpoint(request.uri().path()), id) {
        shared.request_ids.lock().unwrap().record(endpoint, id);
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_ids_are_kept_per_endpoint() {
        let mut ids = RequestIds::default();
        for n in 0..KEPT + 2 {
            ids.record("lp_visit", format!("id-{n}"));
        }
        ids.record("domain_api", "d".into());
        let kept = ids.of("lp_visit");
        assert_eq!(kept.len(), KEPT);
        assert_eq!(kept[0], "id-2");
        assert_eq!(kept[KEPT - 1], format!("id-{}", KEPT + 1));
        assert_eq!(ids.of("domain_api"), ["d"]);
        assert!(ids.of("lc_visitors").is_empty());
        assert_eq!(
            endpoint("/api/account/1/service/smt/baseURI.json"),
            Some("domain_api")
        );
        assert_eq!(endpoint("/_sim/knobs"), None);
    }
}
