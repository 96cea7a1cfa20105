//! A thousand connections held open: the cap holds, and the server stays reachable.

use crate::helpers::World;
use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

/// What a non-blocking read of `stream` finds now: `Some(bytes)` read, `Some(empty)` at the end
/// (or a reset), `None` when nothing is there yet.
fn peek(stream: &mut TcpStream) -> Option<Vec<u8>> {
    let mut buf = [0u8; 1024];
    match stream.read(&mut buf) {
        Ok(n) => Some(buf[..n].to_vec()),
        Err(e) if e.kind() == ErrorKind::WouldBlock => None,
        Err(_) => Some(Vec::new()),
    }
}

fn closed(stream: &mut TcpStream) -> bool {
    peek(stream).is_some_and(|b| b.is_empty())
}

/// 1,000 clients open connections and send half a request each, with the cap at 100
/// (SCHEDULO_MAX_CONNECTIONS). The worker serves 100 of them; the rest wait in the kernel's
/// queue, costing it nothing. A fresh `/healthz` waits its turn behind them (it is not answered
/// while the cap is full); 10 s on, the header-read timeout cuts exactly the 100 being served
/// (none of the others: they were never accepted), and the next 100 are taken. Once the clients
/// drop their connections, the fresh `/healthz` is answered 200.
///
/// The clients are plain blocking sockets in non-blocking mode, so that each look at one reads the
/// kernel's state at once; the server runs on the test's paused runtime whenever the test waits.
#[tokio::test(start_paused = true)]
async fn a_thousand_connections_held_open_meet_the_cap_and_healthz_answers_once_they_drop() {
    let w = World::start(&[("SCHEDULO_MAX_CONNECTIONS", "100")]).await;
    let mut held = Vec::new();
    for _ in 0..1000 {
        let mut s = TcpStream::connect(w.addr).unwrap();
        s.write_all(b"POST /webhooks/bubble HTTP/1.1\r\nHost: worker\r\n")
            .unwrap();
        s.set_nonblocking(true).unwrap();
        held.push(s);
    }
    let mut fresh = TcpStream::connect(w.addr).unwrap();
    fresh
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: worker\r\nConnection: close\r\n\r\n")
        .unwrap();
    fresh.set_nonblocking(true).unwrap();

    tokio::time::sleep(Duration::from_secs(5)).await;
    assert_eq!(
        (0..held.len()).filter(|&i| closed(&mut held[i])).count(),
        0,
        "nothing cut yet"
    );
    assert!(
        peek(&mut fresh).is_none(),
        "the fresh connection waits its turn at the cap"
    );

    tokio::time::sleep(Duration::from_secs(7)).await;
    let cut: Vec<usize> = (0..held.len()).filter(|&i| closed(&mut held[i])).collect();
    assert_eq!(
        cut.len(),
        100,
        "the 100 being served were cut by the header timeout, no others"
    );
    assert!(peek(&mut fresh).is_none(), "still queued behind the next 100");

    drop(held);
    let mut answer = Vec::new();
    for _ in 0..50 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        match peek(&mut fresh) {
            Some(bytes) if bytes.is_empty() => break,
            Some(bytes) => answer.extend(bytes),
            None => {}
        }
    }
    let text = String::from_utf8_lossy(&answer);
    assert!(text.starts_with("HTTP/1.1 200"), "healthz once they dropped: {text:?}");
    assert!(text.ends_with("ok"), "{text}");
}
