//! Slow clients against the real server on loopback: connections that stall in their headers
//! (or trickle them) are closed by the header deadline while everyone else is answered, idle
//! keep-alive connections live as long as the idle deadline (not the header one) and no
//! longer, a request whose body never comes ends in 408, and the connection cap holds new
//! connections until one closes. Deadlines are shortened here so the file runs in seconds.

mod common;

use std::time::{Duration, Instant};

use common::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const HEADER_TIMEOUT_MS: u64 = 1500;
const IDLE_TIMEOUT_MS: u64 = 4000;

async fn proxy(extra: &[(&'static str, &'static str)]) -> Harness {
    let extra = extra.to_vec();
    start(move |raw, _| {
        raw.set("VS_HEADER_TIMEOUT_MS", HEADER_TIMEOUT_MS.to_string());
        raw.set("VS_IDLE_TIMEOUT_MS", IDLE_TIMEOUT_MS.to_string());
        for (k, v) in extra {
            raw.set(k, v);
        }
    })
    .await
}

/// Reads until the proxy closes the connection (or `within` passes): when it closed.
async fn closed_within(stream: &mut TcpStream, within: Duration) -> Option<Instant> {
    let mut buf = [0u8; 4096];
    let deadline = tokio::time::Instant::now() + within;
    loop {
        match tokio::time::timeout_at(deadline, stream.read(&mut buf)).await {
            Err(_) => return None,
            Ok(Ok(0)) | Ok(Err(_)) => return Some(Instant::now()),
            Ok(Ok(_)) => continue,
        }
    }
}

/// A whole request on `stream`; the answer's status line.
async fn request(stream: &mut TcpStream, host: &str, path: &str) -> String {
    stream
        .write_all(format!("GET {path} HTTP/1.1\r\nHost: {host}\r\n\r\n").as_bytes())
        .await
        .unwrap();
    let mut answer = Vec::new();
    let mut buf = [0u8; 4096];
    // /api/health is small and has a Content-Length: read until the head and body are in.
    loop {
        let n = tokio::time::timeout(Duration::from_secs(5), stream.read(&mut buf))
            .await
            .expect("an answer in time")
            .unwrap();
        assert!(n > 0, "closed before answering");
        answer.extend_from_slice(&buf[..n]);
        let text = String::from_utf8_lossy(&answer);
        if let Some((head, body)) = text.split_once("\r\n\r\n") {
            let length: usize = head
                .lines()
                .find_map(|l| {
                    l.to_ascii_lowercase()
                        .strip_prefix("content-length:")
                        .map(|v| v.trim().parse().unwrap())
                })
                .unwrap_or(0);
            if body.len() >= length {
                return head.lines().next().unwrap().to_owned();
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn four_hundred_stalled_connections_starve_nobody_and_are_closed_in_time() {
    let h = proxy(&[]).await;
    let host = h.proxy.addr.to_string();
    let opened = Instant::now();
    let mut stalled = Vec::new();
    for _ in 0..400 {
        let mut stream = TcpStream::connect(h.proxy.addr).await.unwrap();
        stream
            .write_all(format!("GET /api/health HTTP/1.1\r\nHost: {host}\r\nX-Slow: ").as_bytes())
            .await
            .unwrap();
        stalled.push(stream);
    }
    // While all 400 hang in their headers, other clients are answered at once.
    for _ in 0..20 {
        let started = Instant::now();
        let r = h.get("/api/health").await;
        assert_eq!(r.status(), 200);
        assert!(
            started.elapsed() < Duration::from_secs(1),
            "{:?}",
            started.elapsed()
        );
    }
    assert!(
        opened.elapsed() < Duration::from_millis(HEADER_TIMEOUT_MS),
        "the others were answered while the stalled connections were still open"
    );
    // Every stalled connection is closed by the header deadline, well within 40 s.
    let mut last = opened;
    for stream in &mut stalled {
        let closed = closed_within(stream, Duration::from_secs(40))
            .await
            .expect("closed within 40 s");
        last = last.max(closed);
    }
    let took = last - opened;
    assert!(
        took >= Duration::from_millis(HEADER_TIMEOUT_MS - 100) && took < Duration::from_secs(40),
        "closed after {took:?}"
    );
    println!("400 stalled connections all closed {took:?} after opening");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_trickled_head_is_cut_off_however_slowly_it_keeps_coming() {
    let h = proxy(&[]).await;
    let mut stream = TcpStream::connect(h.proxy.addr).await.unwrap();
    let opened = Instant::now();
    let head = format!(
        "GET /api/health HTTP/1.1\r\nHost: {}\r\nX-Slow: {}",
        h.proxy.addr,
        "a".repeat(200)
    );
    let mut closed = false;
    for byte in head.bytes() {
        if stream.write_all(&[byte]).await.is_err() {
            closed = true;
            break;
        }
        // One byte every 100 ms: activity, but the head is never done in time.
        if closed_within(&mut stream, Duration::from_millis(100))
            .await
            .is_some()
        {
            closed = true;
            break;
        }
    }
    assert!(closed, "the trickle was never cut off");
    let took = opened.elapsed();
    assert!(
        took < Duration::from_millis(HEADER_TIMEOUT_MS + 1500),
        "cut off after {took:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn keep_alive_connections_outlive_the_header_deadline_but_not_the_idle_one() {
    let h = proxy(&[]).await;
    let host = h.proxy.addr.to_string();
    let mut stream = TcpStream::connect(h.proxy.addr).await.unwrap();
    assert!(request(&mut stream, &host, "/api/health")
        .await
        .contains(" 200 "));
    // Idle for longer than the header deadline: the connection is still there to be reused.
    assert_eq!(
        closed_within(&mut stream, Duration::from_millis(HEADER_TIMEOUT_MS + 500)).await,
        None,
        "closed by the header deadline while idle"
    );
    let answered = Instant::now();
    assert!(request(&mut stream, &host, "/api/health")
        .await
        .contains(" 200 "));
    let closed = closed_within(&mut stream, Duration::from_millis(IDLE_TIMEOUT_MS + 3000))
        .await
        .expect("an idle connection is closed");
    let idle = closed - answered;
    assert!(
        idle >= Duration::from_millis(IDLE_TIMEOUT_MS - 200),
        "closed after {idle:?} idle"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_request_whose_body_never_comes_ends_in_408() {
    let h = proxy(&[("VS_REQUEST_TIMEOUT_MS", "1000")]).await;
    let mut stream = TcpStream::connect(h.proxy.addr).await.unwrap();
    let started = Instant::now();
    stream
        .write_all(
            format!(
                "POST /api/livechat/visitors/{SEED_LC_VISITOR_ID}/details HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{{\"id\":",
                h.proxy.addr
            )
            .as_bytes(),
        )
        .await
        .unwrap();
    let mut answer = vec![0u8; 1024];
    let n = tokio::time::timeout(Duration::from_secs(10), stream.read(&mut answer))
        .await
        .expect("answered in time")
        .unwrap();
    let answer = String::from_utf8_lossy(&answer[..n]);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[tokio::test(flavor = "multi_thread")]
async fn past_the_connection_cap_new_connections_wait_for_a_free_one() {
    let h = proxy(&[("VS_MAX_CONNECTIONS", "5")]).await;
    let host = h.proxy.addr.to_string();
    let opened = Instant::now();
    let mut stalled = Vec::new();
    for _ in 0..5 {
        let mut stream = TcpStream::connect(h.proxy.addr).await.unwrap();
        stream
            .write_all(b"GET /api/health HTTP/1.1\r\n")
            .await
            .unwrap();
        stalled.push(stream);
    }
    // The kernel takes the sixth connection; the proxy answers it only once a stalled one is
    // closed by its header deadline.
    let mut sixth = TcpStream::connect(h.proxy.addr).await.unwrap();
    assert!(request(&mut sixth, &host, "/api/health")
        .await
        .contains(" 200 "));
    let waited = opened.elapsed();
    assert!(
        waited >= Duration::from_millis(HEADER_TIMEOUT_MS - 200),
        "answered after {waited:?}: the cap did not hold"
    );
}
