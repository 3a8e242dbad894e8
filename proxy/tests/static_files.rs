//! `--static`: what a browser gets for the built widget's files. Each precompressed twin is
//! sent, byte for byte, to a browser that accepts its encoding (brotli first), the plain file to
//! one that accepts neither; content-hashed names are cached for a year, the HTML and the
//! stable-named files revalidated every time.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use http_body_util::BodyExt;
use std::path::PathBuf;
use tower::ServiceExt;
use visitor_sidebar_proxy::{app, AppState, Config, RawConfig};

const HASHED_JS: &str = "visitor-sidebar-livechat-0123456789abcdef.js";

/// A static dir like `make build`'s: each twin's bytes differ, so a test can tell which was sent.
struct Dist(PathBuf);

impl Dist {
    fn new(name: &str) -> Dist {
        let dir = std::env::temp_dir().join(format!("vs-static-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        for (file, bytes) in [
            ("index.html", &b"<html>page</html>"[..]),
            ("index.html.gz", b"gzip of the page"),
            (HASHED_JS, b"export const plain = 1;"),
            (&format!("{HASHED_JS}.br"), b"brotli bytes"),
            (&format!("{HASHED_JS}.gz"), b"gzip bytes"),
            ("loader.js", b"loader"),
            ("loader.js.gz", b"gzip of the loader"),
            ("sidebar.css", b".vs-root {}"),
        ] {
            std::fs::write(dir.join(file), bytes).unwrap();
        }
        Dist(dir)
    }

    fn router(&self) -> axum::Router {
        let mut raw = RawConfig::default();
        assert!(raw.set("VS_STATIC_DIR", self.0.to_str().unwrap()));
        app(AppState::new(Config::from_raw(&raw).unwrap()).unwrap())
    }
}

impl Drop for Dist {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

struct Got {
    status: StatusCode,
    encoding: Option<String>,
    content_type: Option<String>,
    cache: Option<String>,
    vary: Option<String>,
    body: Vec<u8>,
}

async fn get(router: axum::Router, path: &str, accept_encoding: Option<&str>) -> Got {
    let mut request = Request::get(path);
    if let Some(accept) = accept_encoding {
        request = request.header(header::ACCEPT_ENCODING, accept);
    }
    let response = router
        .oneshot(request.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let header = |name| {
        response
            .headers()
            .get(name)
            .map(|v: &header::HeaderValue| v.to_str().unwrap().to_owned())
    };
    Got {
        status: response.status(),
        encoding: header(header::CONTENT_ENCODING),
        content_type: header(header::CONTENT_TYPE),
        cache: header(header::CACHE_CONTROL),
        vary: header(header::VARY),
        body: response
            .into_body()
            .collect()
            .await
            .unwrap()
            .to_bytes()
            .to_vec(),
    }
}

#[tokio::test]
async fn each_encoding_gets_its_own_twin() {
    let dist = Dist::new("encodings");
    let path = format!("/{HASHED_JS}");
    for (accept, encoding, body) in [
        (
            Some("gzip, deflate, br, zstd"),
            Some("br"),
            &b"brotli bytes"[..],
        ),
        (Some("br"), Some("br"), b"brotli bytes"),
        (Some("gzip"), Some("gzip"), b"gzip bytes"),
        (Some("gzip;q=1, br;q=0"), Some("gzip"), b"gzip bytes"),
        (None, None, b"export const plain = 1;"),
        (Some("identity"), None, b"export const plain = 1;"),
    ] {
        let got = get(dist.router(), &path, accept).await;
        assert_eq!(got.status, StatusCode::OK, "{accept:?}");
        assert_eq!(got.encoding.as_deref(), encoding, "{accept:?}");
        assert_eq!(got.body, body, "{accept:?}");
        // The type is the file's, whichever twin is sent.
        assert_eq!(
            got.content_type.as_deref(),
            Some("text/javascript"),
            "{accept:?}"
        );
        assert_eq!(got.vary.as_deref(), Some("accept-encoding"), "{accept:?}");
    }
}

#[tokio::test]
async fn a_file_without_a_twin_is_sent_as_it_is() {
    let dist = Dist::new("no-twin");
    let got = get(dist.router(), "/sidebar.css", Some("gzip, br")).await;
    assert_eq!(got.status, StatusCode::OK);
    assert_eq!(got.encoding, None);
    assert_eq!(got.body, b".vs-root {}");
    // loader.js has a gzip twin only: a brotli-only browser gets the plain file.
    let got = get(dist.router(), "/loader.js", Some("br")).await;
    assert_eq!((got.encoding, got.body), (None, b"loader".to_vec()));
    let got = get(dist.router(), "/loader.js", Some("br, gzip")).await;
    assert_eq!(
        (got.encoding.as_deref(), got.body),
        (Some("gzip"), b"gzip of the loader".to_vec())
    );
}

#[tokio::test]
async fn hashed_names_are_cached_for_a_year_and_the_rest_revalidated() {
    let dist = Dist::new("cache");
    for (path, cache) in [
        (
            format!("/{HASHED_JS}"),
            "public, max-age=31536000, immutable",
        ),
        ("/".into(), "no-cache"),
        ("/index.html".into(), "no-cache"),
        ("/loader.js".into(), "no-cache"),
        ("/sidebar.css".into(), "no-cache"),
        // An unknown path gets the page, which must not be cached for a year either.
        ("/somewhere/else".into(), "no-cache"),
        ("/missing-0123456789abcdef.js".into(), "no-cache"),
    ] {
        let got = get(dist.router(), &path, Some("gzip")).await;
        assert_eq!(got.status, StatusCode::OK, "{path}");
        assert_eq!(got.cache.as_deref(), Some(cache), "{path}");
    }
    // The page itself is precompressed too.
    let got = get(dist.router(), "/", Some("gzip")).await;
    assert_eq!(
        (got.encoding.as_deref(), got.body),
        (Some("gzip"), b"gzip of the page".to_vec())
    );
}

#[tokio::test]
async fn the_api_keeps_its_own_cache_headers() {
    let dist = Dist::new("api");
    let got = get(dist.router(), "/api/health", Some("gzip, br")).await;
    assert_eq!(got.status, StatusCode::OK);
    assert_eq!(got.cache, None);
    assert_eq!(got.encoding, None);
}
