//! A guard layer: a check of the request that either answers it at once (a refusal) or lets it
//! through to the services inside. Used for the host, origin and body-size checks instead of
//! axum's `from_fn` middleware, which clones and boxes every service inside it for every request.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use axum::extract::Request;
use axum::response::Response;
use tower::{Layer, Service};

/// Wraps services in a [`Guard`] running `check`: `Some(refusal)` answers the request with it.
#[derive(Clone)]
pub struct GuardLayer<F>(pub F);

impl<S, F: Clone> Layer<S> for GuardLayer<F> {
    type Service = Guard<S, F>;

    fn layer(&self, inner: S) -> Guard<S, F> {
        Guard {
            check: self.0.clone(),
            inner,
        }
    }
}

/// [`GuardLayer`]'s service.
#[derive(Clone)]
pub struct Guard<S, F> {
    check: F,
    inner: S,
}

impl<S, F> Service<Request> for Guard<S, F>
where
    S: Service<Request, Response = Response>,
    F: Fn(&Request) -> Option<Response>,
{
    type Response = Response;
    type Error = S::Error;
    type Future = Guarded<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        match (self.check)(&request) {
            Some(refusal) => Guarded::Refused {
                refusal: Some(refusal),
            },
            None => Guarded::Passed {
                inner: self.inner.call(request),
            },
        }
    }
}

pin_project_lite::pin_project! {
    /// [`Guard`]'s answer: the refusal, or the inner services' answer.
    #[project = GuardedProj]
    pub enum Guarded<F> {
        Refused { refusal: Option<Response> },
        Passed { #[pin] inner: F },
    }
}

impl<F, E> Future for Guarded<F>
where
    F: Future<Output = Result<Response, E>>,
{
    type Output = Result<Response, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project() {
            GuardedProj::Refused { refusal } => {
                Poll::Ready(Ok(refusal.take().expect("a guard's answer is polled once")))
            }
            GuardedProj::Passed { inner } => inner.poll(cx),
        }
    }
}
