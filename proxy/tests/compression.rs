//! The API's answers compressed by `Accept-Encoding` over real HTTP: brotli or gzip bytes that
//! decode to exactly the answer sent to a client that accepts neither, `Vary: Accept-Encoding`
//! beside CORS's own, a tag per representation that revalidates to a 304, and one compression
//! per answer and coding however many polls ask.

mod common;

use std::io::Read;

use common::*;

/// What one GET with these headers answered: status, `Content-Encoding`, `ETag`, the names in
/// its `Vary` headers, body.
async fn get(
    h: &Harness,
    path: &str,
    headers: &[(&str, &str)],
) -> (u16, String, String, Vec<String>, Vec<u8>) {
    let mut request = h.client.get(h.url(path));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let r = request.send().await.unwrap();
    let header = |name| {
        r.headers()
            .get(name)
            .map_or(String::new(), |v| v.to_str().unwrap().to_owned())
    };
    let (status, coding, etag) = (
        r.status().as_u16(),
        header("content-encoding"),
        header("etag"),
    );
    let vary = r
        .headers()
        .get_all("vary")
        .iter()
        .flat_map(|v| v.to_str().unwrap().split(','))
        .map(|v| v.trim().to_ascii_lowercase())
        .collect();
    (
        status,
        coding,
        etag,
        vary,
        r.bytes().await.unwrap().to_vec(),
    )
}

fn decoded(coding: &str, body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    match coding {
        "br" => brotli::Decompressor::new(body, 4096).read_to_end(&mut out),
        "gzip" => flate2::read::GzDecoder::new(body).read_to_end(&mut out),
        other => panic!("unexpected coding {other:?}"),
    }
    .unwrap();
    out
}

#[tokio::test(flavor = "multi_thread")]
async fn answers_are_compressed_by_accept_encoding_with_a_tag_per_representation() {
    let h = start(|_, _| {}).await;
    let origin = format!("http://{}", h.proxy.addr);
    for path in [
        h.seed_visit_path(),
        "/api/livechat/visitors".to_owned(),
        format!("/api/livechat/visitors/{SEED_LC_VISITOR_ID}"),
    ] {
        let (status, coding, plain_tag, vary, plain) = get(&h, &path, &[]).await;
        assert_eq!((status, coding.as_str()), (200, ""), "{path}");
        assert!(
            vary.iter().any(|v| v == "accept-encoding"),
            "{path}: {vary:?}"
        );
        // What CORS answers depend on is still named beside it.
        let named: Vec<&str> = vary.iter().flat_map(|v| v.split(", ")).collect();
        assert!(named.contains(&"origin"), "{path}: {vary:?}");
        for (accept, coding) in [
            ("gzip, deflate, br, zstd", "br"),
            ("br;q=0, gzip", "gzip"),
            ("gzip;q=0.5, br", "br"),
        ] {
            let (status, got, tag, vary, body) =
                get(&h, &path, &[("accept-encoding", accept)]).await;
            assert_eq!((status, got.as_str()), (200, coding), "{path} {accept}");
            assert_eq!(
                decoded(coding, &body),
                plain,
                "{path} {accept}: the same answer"
            );
            assert!(
                body.len() * 2 < plain.len(),
                "{path}: {} of {} bytes",
                body.len(),
                plain.len()
            );
            let own_tag = format!("{}-{coding}\"", &plain_tag[..plain_tag.len() - 1]);
            assert_eq!(tag, own_tag, "{path} {accept}");
            assert!(
                vary.iter().any(|v| v == "accept-encoding"),
                "{path}: {vary:?}"
            );
            // The poll after: its own tag revalidates it, the body's (another representation's)
            // does not.
            let (status, got, tag, vary, body) = get(
                &h,
                &path,
                &[("accept-encoding", accept), ("if-none-match", &own_tag)],
            )
            .await;
            assert_eq!(
                (status, got.as_str(), tag.as_str()),
                (304, "", own_tag.as_str())
            );
            assert!(body.is_empty() && vary.iter().any(|v| v == "accept-encoding"));
            let (status, ..) = get(
                &h,
                &path,
                &[("accept-encoding", accept), ("if-none-match", &plain_tag)],
            )
            .await;
            assert_eq!(
                status, 200,
                "{path}: the identity tag names another representation"
            );
        }
        // A browser's cross-origin request: CORS's `Vary` and the coding's side by side.
        let (status, _, _, vary, _) =
            get(&h, &path, &[("accept-encoding", "br"), ("origin", &origin)]).await;
        assert_eq!(status, 200, "{path}");
        assert!(
            vary.iter().any(|v| v == "accept-encoding"),
            "{path}: {vary:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_hundred_polls_cost_one_compression_per_coding() {
    let h = start(|_, _| {}).await;
    let mut polls = tokio::task::JoinSet::new();
    for i in 0..100 {
        let request = h
            .client
            .get(h.url(&h.seed_visit_path()))
            .header("accept-encoding", if i % 2 == 0 { "br" } else { "gzip" });
        polls.spawn(async move { request.send().await.unwrap().status().as_u16() });
    }
    while let Some(status) = polls.join_next().await {
        assert_eq!(status.unwrap(), 200);
    }
    let metrics = h.proxy.state.metrics.encode();
    for line in [
        r#"vs_cache_compressions_total{coding="br"} 1"#,
        r#"vs_cache_compressions_total{coding="gzip"} 1"#,
    ] {
        assert!(metrics.contains(line), "{line} not in\n{metrics}");
    }
    assert_eq!(h.sim.counters().lp_visit, 1);
}
