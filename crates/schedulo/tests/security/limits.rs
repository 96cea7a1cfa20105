//! Bodies too large, headers too slow, bodies too slow: each cut by its limit, promptly.

use crate::helpers::{answer, assert_no_secret, closed_within, send_raw, World, HOOK_TOKEN};
use crate::signatures::airtable_mac;
use std::time::Duration;
use tokio::io::AsyncWriteExt;

/// A sender's headers that pass each route's guard, so that the body limit is what refuses.
fn passing_headers(w: &World, path: &str) -> String {
    match path {
        "/webhooks/bubble" | "/uploads/sign" => format!("Authorization: Bearer {HOOK_TOKEN}\r\n"),
        "/webhooks/cloudinary" => format!(
            "X-Cld-Timestamp: {}\r\nX-Cld-Signature: 0123456789abcdef0123456789abcdef01234567\r\n",
            w.clock.now().timestamp()
        ),
        _ => format!("X-Airtable-Content-MAC: {}\r\n", airtable_mac(b"any", "{}")),
    }
}

/// On every webhook route, a body announced as 100 MB is refused with a 413 as soon as its
/// headers are in: the answer comes after a few bytes of it, before any timer had to fire, and the
/// connection is closed rather than read to the end. Nothing is kept.
#[tokio::test(start_paused = true)]
async fn an_oversized_body_is_refused_from_its_length_without_being_read() {
    let w = World::start(&[]).await;
    for path in [
        "/webhooks/bubble",
        "/uploads/sign",
        "/webhooks/cloudinary",
        "/webhooks/airtable",
    ] {
        let head = format!(
            "POST {path} HTTP/1.1\r\nHost: worker\r\nContent-Type: application/json\r\n{}Content-Length: 100000000\r\n\r\n{{\"event\":",
            passing_headers(&w, path)
        );
        let mut stream = send_raw(w.addr, &head).await;
        let (status, text) = answer(&mut stream, Duration::from_secs(1))
            .await
            .unwrap_or_else(|| panic!("{path}: no prompt answer"));
        assert_eq!(status, 413, "{path}: {text}");
        assert_no_secret(&text);
        assert!(
            closed_within(&mut stream, Duration::from_secs(1)).await,
            "{path}: the rest is not read"
        );
    }
    assert_eq!(w.kept().await, 0);
}

/// A body sent in chunks, without a length, is cut at the route's limit (8 KiB for Bubble): 413.
#[tokio::test(start_paused = true)]
async fn a_chunked_body_past_the_limit_is_cut_at_the_limit() {
    let w = World::start(&[]).await;
    let head = format!(
        "POST /webhooks/bubble HTTP/1.1\r\nHost: worker\r\nAuthorization: Bearer {HOOK_TOKEN}\r\nTransfer-Encoding: chunked\r\n\r\n"
    );
    let mut stream = send_raw(w.addr, &head).await;
    let chunk = "x".repeat(4096);
    for _ in 0..3 {
        let framed = format!("{:x}\r\n{chunk}\r\n", chunk.len());
        if stream.write_all(framed.as_bytes()).await.is_err() {
            break;
        }
    }
    let (status, text) = answer(&mut stream, Duration::from_secs(1)).await.expect("an answer");
    assert_eq!(status, 413, "{text}");
    assert_eq!(w.kept().await, 0);
}

/// Headers sent one byte a second (a slow-loris client) are cut by the header-read timeout: the
/// server closes the connection 10 s (SCHEDULO_HEADER_TIMEOUT_SECS) after it opened, without an
/// answer, though the client was still sending.
#[tokio::test(start_paused = true)]
async fn headers_sent_one_byte_at_a_time_are_cut_by_the_header_read_timeout() {
    let w = World::start(&[]).await;
    let stream = tokio::net::TcpStream::connect(w.addr).await.unwrap();
    let (mut read, mut write) = stream.into_split();
    let opened = tokio::time::Instant::now();
    let trickle = tokio::spawn(async move {
        let head = format!("POST /webhooks/bubble HTTP/1.1\r\nHost: worker\r\nAuthorization: Bearer {HOOK_TOKEN}\r\n");
        for byte in head.bytes() {
            if write.write_all(&[byte]).await.is_err() {
                return;
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    });
    let mut seen = Vec::new();
    let closed = tokio::time::timeout(Duration::from_secs(30), async {
        use tokio::io::AsyncReadExt;
        let mut buf = [0u8; 256];
        loop {
            match read.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => seen.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await;
    let after = opened.elapsed();
    assert!(closed.is_ok(), "the connection was not cut");
    assert!(
        after >= Duration::from_secs(10) && after < Duration::from_secs(12),
        "cut after {after:?}"
    );
    assert!(seen.is_empty(), "no answer: {}", String::from_utf8_lossy(&seen));
    trickle.abort();
    assert_eq!(w.kept().await, 0);
}

/// A body sent one byte a second, past SCHEDULO_REQUEST_TIMEOUT_SECS (30 s), is answered 408 at
/// that time and nothing is kept.
#[tokio::test(start_paused = true)]
async fn a_body_sent_slowly_is_cut_by_the_request_timeout() {
    let w = World::start(&[]).await;
    let head = format!(
        "POST /webhooks/bubble HTTP/1.1\r\nHost: worker\r\nAuthorization: Bearer {HOOK_TOKEN}\r\nContent-Length: 200\r\n\r\n"
    );
    let stream = send_raw(w.addr, &head).await;
    let opened = tokio::time::Instant::now();
    let (mut read, mut write) = stream.into_split();
    let trickle = tokio::spawn(async move {
        for _ in 0..200 {
            if write.write_all(b" ").await.is_err() {
                return;
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    });
    let got = tokio::time::timeout(Duration::from_secs(60), async {
        use tokio::io::AsyncReadExt;
        let mut buf = [0u8; 512];
        let n = read.read(&mut buf).await.unwrap_or(0);
        String::from_utf8_lossy(&buf[..n]).into_owned()
    })
    .await
    .expect("an answer");
    let after = opened.elapsed();
    assert!(got.starts_with("HTTP/1.1 408"), "{got}");
    assert!(
        after >= Duration::from_secs(30) && after < Duration::from_secs(32),
        "after {after:?}"
    );
    trickle.abort();
    assert_eq!(w.kept().await, 0);
}

/// Request headers past 16 KiB (a header stuffed with 32 KiB) are refused with a 431 before any
/// route sees them.
#[tokio::test(start_paused = true)]
async fn headers_too_large_are_refused_with_431() {
    let w = World::start(&[]).await;
    let head = format!(
        "POST /webhooks/bubble HTTP/1.1\r\nHost: worker\r\nX-Stuffing: {}\r\nAuthorization: Bearer {HOOK_TOKEN}\r\n\r\n",
        "x".repeat(32 * 1024)
    );
    let mut stream = tokio::net::TcpStream::connect(w.addr).await.unwrap();
    // The server may answer and close before the last bytes are written.
    let _ = stream.write_all(head.as_bytes()).await;
    let (status, text) = answer(&mut stream, Duration::from_secs(1)).await.expect("an answer");
    assert_eq!(status, 431, "{text}");
    assert_eq!(w.kept().await, 0);
}
