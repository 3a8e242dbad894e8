//! Waiting for what the proxy does in its own time (a cache entry expiring, Redis noticed down,
//! a sweep) without sleeping for a guess: poll, with a deadline.

use std::fmt::Debug;
use std::future::Future;
use std::time::{Duration, Instant};

/// The pause between two polls: short, and still leaves the shared cores to the servers.
const PAUSE: Duration = Duration::from_millis(10);

/// Polls `check` until it is done, for at most `within`: `Ok(value)` is done, and returned;
/// `Err(seen)` is "not yet", and what was last seen goes into the panic that names `what` (what
/// should have happened) once the deadline has passed.
pub async fn eventually<T, S, F, Fut>(within: Duration, what: &str, mut check: F) -> T
where
    S: Debug,
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, S>>,
{
    let deadline = Instant::now() + within;
    loop {
        match check().await {
            Ok(value) => return value,
            Err(seen) if Instant::now() >= deadline => {
                panic!("{what}: not within {within:?}; last seen: {seen:?}")
            }
            Err(_) => tokio::time::sleep(PAUSE).await,
        }
    }
}
