//! What the simulator's test files share.

/// A test's request sent, and its answer's body as JSON; panics if either fails.
pub async fn json_of<T: serde::de::DeserializeOwned>(request: reqwest::RequestBuilder) -> T {
    request.send().await.unwrap().json().await.unwrap()
}
