//! `--static DIR`: the built widget (`dist/`, `make build`) served beside the API. Files are sent
//! precompressed when the browser accepts it (the `.br` or `.gz` twin `make build` writes next to
//! each one), with `Vary: Accept-Encoding`. Files whose names carry a content hash are cached for
//! a year, since a change gives them a new name; everything else (the HTML, the loader, the
//! stable-named entry modules and CSS) is `no-cache`: browsers revalidate it on every load (a
//! cheap 304), so a new build is picked up at once.

use axum::extract::Request;
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use axum::Router;
use std::path::Path;
use std::sync::Arc;
use tower::ServiceBuilder;
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;

use crate::pages::{self, PagePolicy};

/// What a content-hashed file may be cached for: a year, never revalidated.
pub const HASHED: &str = "public, max-age=31536000, immutable";
/// Every other file: cached, but revalidated before each use.
pub const REVALIDATE: &str = "no-cache";

/// Serves `dir`; unknown paths get its `index.html`, so client-side routes load. Every answer
/// carries the pages' protective headers (`pages`: the Content-Security-Policy for its
/// `?console=`, the referrer, opener and permissions policies).
pub fn router(dir: &Path, policy: Arc<PagePolicy>) -> Router {
    // The page answers any unknown path, a hashed-looking one too: never cache it for a year.
    let page = ServiceBuilder::new()
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static(REVALIDATE),
        ))
        .service(
            ServeFile::new(dir.join("index.html"))
                .precompressed_br()
                .precompressed_gzip(),
        );
    let files = ServeDir::new(dir)
        .precompressed_br()
        .precompressed_gzip()
        .fallback(page);
    Router::new()
        .fallback_service(files)
        .layer(axum::middleware::from_fn(cache_headers))
        .layer(axum::middleware::from_fn_with_state(policy, pages::protect))
}

async fn cache_headers(request: Request, next: Next) -> Response {
    let hashed = is_content_hashed(request.uri().path());
    let mut response = next.run(request).await;
    let status = response.status();
    let cache = if hashed && (status.is_success() || status.as_u16() == 304) {
        HASHED
    } else {
        REVALIDATE
    };
    let headers = response.headers_mut();
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    }
    // The same URL answers differently by Accept-Encoding: caches must keep them apart.
    headers.append(header::VARY, HeaderValue::from_static("accept-encoding"));
    response
}

/// Does the last path segment name a content-hashed file, as `make build` names them:
/// `NAME-HASH.EXT` or `NAME-HASH_bg.EXT`, HASH being 16 lowercase hexadecimal digits?
pub fn is_content_hashed(path: &str) -> bool {
    let file = path.rsplit('/').next().unwrap_or_default();
    let Some((stem, _extension)) = file.rsplit_once('.') else {
        return false;
    };
    let stem = stem.strip_suffix("_bg").unwrap_or(stem);
    let Some((name, hash)) = stem.rsplit_once('-') else {
        return false;
    };
    !name.is_empty()
        && hash.len() == 16
        && hash.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

#[cfg(test)]
mod tests {
    use super::is_content_hashed;

    #[test]
    fn hashed_names_are_the_ones_make_build_writes() {
        for hashed in [
            "/visitor-sidebar-livechat-12ebffd2e68420a6.js",
            "/visitor-sidebar-livechat-12ebffd2e68420a6_bg.wasm",
            "/sidebar/visitor-sidebar-8d69cd4e4c67a9b3.js",
        ] {
            assert!(is_content_hashed(hashed), "{hashed}");
        }
        for stable in [
            "/",
            "/index.html",
            "/loader.js",
            "/visitor-sidebar.js",
            "/visitor-sidebar-livechat.js",
            "/visitor-sidebar_bg.wasm",
            "/sidebar.css",
            "/x-12ebffd2e68420a.js",
            "/x-12EBFFD2E68420A6.js",
            "/x-12ebffd2e68420g6.js",
            "/-12ebffd2e68420a6.js",
            "/x-12ebffd2e68420a6",
            "/x-12ebffd2e68420a6.js/",
        ] {
            assert!(!is_content_hashed(stable), "{stable}");
        }
    }
}
