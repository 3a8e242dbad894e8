//! The proxy's own light layers, built from closures: [`GuardLayer`] (a check of the request
//! that either answers it at once, a refusal, or lets it through to the services inside) for
//! the host, origin and body-size checks, and [`ObserveLayer`] (a look at the request before
//! the services inside, and at the answer's status after) for request counting and the audit
//! line. They stand in for axum's `from_fn` middleware, which clones and boxes every service
//! inside it for every request.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use axum::extract::Request;
use axum::http::StatusCode;
use axum::response::Response;
use tower::{Layer, Service};

/// What a [`GuardLayer`] checks: `Some(refusal)` answers the request with it, `None` lets it
/// through.
pub trait Check {
    fn refusal(&self, request: &Request) -> Option<Response>;
}

impl<C: Check> Check for std::sync::Arc<C> {
    fn refusal(&self, request: &Request) -> Option<Response> {
        C::refusal(self, request)
    }
}

/// Wraps services in a [`Guard`] running the [`Check`].
#[derive(Clone)]
pub struct GuardLayer<C>(pub C);

impl<S, C: Check + Clone> Layer<S> for GuardLayer<C> {
    type Service = Guard<S, C>;

    fn layer(&self, inner: S) -> Guard<S, C> {
        Guard {
            check: self.0.clone(),
            inner,
        }
    }
}

/// [`GuardLayer`]'s service.
#[derive(Clone)]
pub struct Guard<S, C> {
    check: C,
    inner: S,
}

impl<S, C> Service<Request> for Guard<S, C>
where
    S: Service<Request, Response = Response>,
    C: Check,
{
    type Response = Response;
    type Error = S::Error;
    type Future = Guarded<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        match self.check.refusal(&request) {
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

/// What an [`ObserveLayer`] does: look at each request before the services inside, and at the
/// answer's status once it is ready.
pub trait Observer: Clone {
    /// What is kept from the request until its answer.
    type Seen;

    fn request(&self, request: &Request) -> Self::Seen;

    fn answered(&self, seen: Self::Seen, status: StatusCode);
}

/// Wraps services in an [`Observe`] running the [`Observer`].
#[derive(Clone)]
pub struct ObserveLayer<O>(pub O);

impl<S, O: Observer> Layer<S> for ObserveLayer<O> {
    type Service = Observe<S, O>;

    fn layer(&self, inner: S) -> Observe<S, O> {
        Observe {
            observer: self.0.clone(),
            inner,
        }
    }
}

/// [`ObserveLayer`]'s service.
#[derive(Clone)]
pub struct Observe<S, O> {
    observer: O,
    inner: S,
}

impl<S, O, B> Service<Request> for Observe<S, O>
where
    S: Service<Request, Response = axum::http::Response<B>>,
    O: Observer,
{
    type Response = axum::http::Response<B>;
    type Error = S::Error;
    type Future = Observed<S::Future, O>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        let seen = self.observer.request(&request);
        Observed {
            inner: self.inner.call(request),
            seen: Some((self.observer.clone(), seen)),
        }
    }
}

pin_project_lite::pin_project! {
    /// [`Observe`]'s answer: the inner services', its status shown to the observer.
    pub struct Observed<F, O: Observer> {
        #[pin]
        inner: F,
        seen: Option<(O, O::Seen)>,
    }
}

impl<F, O, B, E> Future for Observed<F, O>
where
    F: Future<Output = Result<axum::http::Response<B>, E>>,
    O: Observer,
{
    type Output = Result<axum::http::Response<B>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let response = std::task::ready!(this.inner.poll(cx))?;
        if let Some((observer, seen)) = this.seen.take() {
            observer.answered(seen, response.status());
        }
        Poll::Ready(Ok(response))
    }
}
