//! One ID per request, to follow it from the agent's error notice through the log lines to the
//! upstream call it caused. The ID is the trusted reverse proxy's `X-Request-Id` when
//! `VS_TRUST_REQUEST_ID` says so and the value passes [`is_valid`], else a fresh UUID v4. It is
//! returned in the response's `X-Request-Id`, recorded on the request's tracing span (so every log
//! line of the request carries it), and kept in a task-local for the request's duration, which
//! `upstream.rs` reads to send it upstream as `X-Request-Id`.
//!
//! With cache coalescing, one upstream call serves several requests: it carries the ID of the
//! request that triggered it (the one whose task runs the load); the others find that ID in the
//! log line of the triggering request, not in the upstream's records.
//!
//! Why not `tower-http`'s `SetRequestIdLayer`: it keeps any incoming header, while here an
//! incoming ID is kept only from a trusted peer and only after validation, and the ID must also
//! enter a task-local around the handler.

use std::future::Future;
use std::net::IpAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll};

use axum::extract::Request;
use axum::http::Response;
use axum::http::{HeaderName, HeaderValue};
use tokio::task::futures::TaskLocalFuture;
use tower::{Layer, Service};

use crate::settings::{err, list, ConfigError, RawConfig};

/// The header, in both directions and upstream.
pub const HEADER: HeaderName = HeaderName::from_static("x-request-id");
/// The longest incoming ID kept.
pub const MAX_LEN: usize = 128;

tokio::task_local! {
    static CURRENT: RequestId;
}

/// A request's ID: what the response's `X-Request-Id` says. Cheap to clone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestId(Arc<str>);

impl RequestId {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// A UUID v4 from the thread's RNG (`rand`'s ChaCha, seeded from the OS), not `new_v4()`'s
    /// system call per request: the ID names a request, it guards nothing.
    fn generate() -> RequestId {
        let uuid = uuid::Builder::from_random_bytes(rand::random()).into_uuid();
        RequestId(uuid.to_string().into())
    }
}

impl std::fmt::Display for RequestId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The ID of the request this task is answering, if any (background tasks have none).
pub fn current() -> Option<RequestId> {
    CURRENT.try_with(RequestId::clone).ok()
}

/// Whether an incoming ID may be kept: 1 to [`MAX_LEN`] characters of `[A-Za-z0-9]` and
/// `-_.:+=/@~` (UUIDs, ULIDs, hex, base64, and the `Root=1-…` of some load balancers fit). So a
/// kept ID cannot break a log line, a header or the widget's notice.
pub fn is_valid(id: &str) -> bool {
    (1..=MAX_LEN).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.:+=/@~".contains(&b))
}

/// Whose `X-Request-Id` is kept (`VS_TRUST_REQUEST_ID`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum TrustRequestId {
    /// `false` (the default): every request gets a fresh ID.
    #[default]
    Nobody,
    /// `true`: every peer's, for a proxy reachable only through the reverse proxy.
    Everyone,
    /// A comma-separated list of addresses: those peers' only (the reverse proxies).
    Peers(Vec<IpAddr>),
}

impl TrustRequestId {
    pub fn from_raw(raw: &RawConfig) -> Result<TrustRequestId, ConfigError> {
        let Some(value) = raw.value("VS_TRUST_REQUEST_ID") else {
            return Ok(TrustRequestId::Nobody);
        };
        if value.eq_ignore_ascii_case("false") {
            return Ok(TrustRequestId::Nobody);
        }
        if value.eq_ignore_ascii_case("true") {
            return Ok(TrustRequestId::Everyone);
        }
        let peers = list(Some(value))
            .iter()
            .map(|p| {
                p.parse::<IpAddr>().map_err(|_| {
                    err(
                        "VS_TRUST_REQUEST_ID",
                        format!("'{p}' is neither true, false nor an IP address"),
                    )
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(TrustRequestId::Peers(peers))
    }

    fn trusts(&self, peer: Option<IpAddr>) -> bool {
        match self {
            TrustRequestId::Nobody => false,
            TrustRequestId::Everyone => true,
            TrustRequestId::Peers(peers) => peer.is_some_and(|p| peers.contains(&p)),
        }
    }
}

/// The layer, outermost: picks the request's ID, puts it in the request (header and
/// extensions, for the tracing span), runs the rest inside the task-local, and returns it in
/// the response. A service of its own rather than a `from_fn` middleware, which clones and
/// boxes everything inside it for every request.
#[derive(Clone)]
pub struct AssignLayer(pub Arc<TrustRequestId>);

impl<S> Layer<S> for AssignLayer {
    type Service = Assign<S>;

    fn layer(&self, inner: S) -> Assign<S> {
        Assign {
            trust: self.0.clone(),
            inner,
        }
    }
}

/// [`AssignLayer`]'s service.
#[derive(Clone)]
pub struct Assign<S> {
    trust: Arc<TrustRequestId>,
    inner: S,
}

impl<S, B> Service<Request> for Assign<S>
where
    S: Service<Request, Response = Response<B>>,
{
    type Response = Response<B>;
    type Error = S::Error;
    type Future = Assigned<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request) -> Self::Future {
        let peer = crate::client_ip::peer(request.extensions());
        let incoming = request
            .headers()
            .get(&HEADER)
            .and_then(|v| v.to_str().ok())
            .filter(|v| is_valid(v));
        let id = match incoming {
            Some(v) if self.trust.trusts(peer) => RequestId(v.into()),
            _ => RequestId::generate(),
        };
        let value = HeaderValue::from_str(id.as_str()).expect("a valid ID is header text");
        request.headers_mut().insert(HEADER, value.clone());
        request.extensions_mut().insert(id.clone());
        // The inner services' `call`s only build their futures; the work runs when polled,
        // inside the scope.
        Assigned {
            inner: CURRENT.scope(id, self.inner.call(request)),
            value: Some(value),
        }
    }
}

pin_project_lite::pin_project! {
    /// [`Assign`]'s answer: the rest of the stack's, in the task-local, with the ID added.
    pub struct Assigned<F> {
        #[pin]
        inner: TaskLocalFuture<RequestId, F>,
        value: Option<HeaderValue>,
    }
}

impl<F, B, E> Future for Assigned<F>
where
    F: Future<Output = Result<Response<B>, E>>,
{
    type Output = Result<Response<B>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let mut response = ready!(this.inner.poll(cx))?;
        if let Some(value) = this.value.take() {
            response.headers_mut().insert(HEADER, value);
        }
        Poll::Ready(Ok(response))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn incoming_ids_are_checked() {
        for ok in [
            "0f8fad5b-d9cb-469f-a165-70867728950e",
            "Root=1-67891233-abcdef012345678912345678",
            "01HZX3J5K2",
            "a",
            &"x".repeat(MAX_LEN),
        ] {
            assert!(is_valid(ok), "{ok}");
        }
        for bad in [
            "",
            "two words",
            "line\nbreak",
            "quote\"",
            "<script>",
            "a,b",
            "é",
            &"x".repeat(MAX_LEN + 1),
        ] {
            assert!(!is_valid(bad), "{bad:?}");
        }
    }

    #[test]
    fn trust_is_false_true_or_a_list_of_peers() {
        let parse = |v: &str| {
            let mut raw = RawConfig::default();
            raw.set("VS_TRUST_REQUEST_ID", v);
            TrustRequestId::from_raw(&raw)
        };
        assert_eq!(parse("false").unwrap(), TrustRequestId::Nobody);
        assert_eq!(parse("TRUE").unwrap(), TrustRequestId::Everyone);
        let peers = parse("10.0.0.5, ::1").unwrap();
        assert!(peers.trusts(Some("10.0.0.5".parse().unwrap())));
        assert!(peers.trusts(Some("::1".parse().unwrap())));
        assert!(!peers.trusts(Some("10.0.0.6".parse().unwrap())));
        assert!(!peers.trusts(None));
        assert_eq!(parse("yes").unwrap_err().key, "VS_TRUST_REQUEST_ID");
        assert_eq!(
            TrustRequestId::from_raw(&RawConfig::default()).unwrap(),
            TrustRequestId::Nobody
        );
    }
}
