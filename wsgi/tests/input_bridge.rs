//! The `wsgi.input` bridge (the pump thread behind large and chunked bodies) when the app
//! does not play along: it reads none of the body, part of it, panics with it unread, or
//! hands the input to another thread. The next request on the connection must be parsed
//! from the right byte, nothing may hang, and no body byte may be lost or repeated.

mod support;

use std::io::Read;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc};
use std::time::Duration;

use support::{read_prefix, serve, Client, IO_TIMEOUT};
use wsgi::{app_fn, Body};

fn chunked(body: &[u8], piece: usize) -> Vec<u8> {
    let mut wire = Vec::new();
    for part in body.chunks(piece) {
        wire.extend_from_slice(format!("{:x}\r\n", part.len()).as_bytes());
        wire.extend_from_slice(part);
        wire.extend_from_slice(b"\r\n");
    }
    wire.extend_from_slice(b"0\r\n\r\n");
    wire
}

fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| b'a' + (i % 26) as u8).collect()
}

#[test]
fn an_unread_chunked_body_does_not_become_the_next_request() {
    let server = serve(read_prefix(0));
    let mut client = Client::connect(server.addr);
    let mut wire = b"POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
    // The body itself looks like a request: parsing it as one would answer it.
    wire.extend(chunked(b"GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n", 7));
    wire.extend_from_slice(b"POST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nxyz");
    client.send(&wire);
    assert_eq!(client.response(false).status, 200);
    let second = client.response(false);
    assert_eq!(second.status, 200);
    // /b's app read 0 bytes too; what matters is that exactly two responses came.
    assert!(second.body.is_empty());
    client.send(b"GET /c HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    assert_eq!(client.response(false).status, 200);
    assert!(client.closed_by_server());
}

#[test]
fn a_partly_read_pumped_body_gives_the_app_the_first_bytes_and_the_next_request_its_own() {
    let server = serve(read_prefix(10));
    for framing in ["length", "chunked"] {
        let body = pattern(200_000);
        let mut client = Client::connect(server.addr);
        let mut wire = format!("POST /{framing} HTTP/1.1\r\nHost: x\r\n").into_bytes();
        if framing == "length" {
            wire.extend_from_slice(format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes());
            wire.extend_from_slice(&body);
        } else {
            wire.extend_from_slice(b"Transfer-Encoding: chunked\r\n\r\n");
            wire.extend(chunked(&body, 3000));
        }
        wire.extend_from_slice(b"POST /next HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\nnext");
        client.send(&wire);
        let first = client.response(false);
        assert_eq!(first.body, &body[..10], "{framing}");
        // The server either drains the rest and serves the next request, or (past its
        // drain limit) closes; it never reads the rest of the body as a request.
        let mut rest = Vec::new();
        let _ = client.read_to_end(&mut rest);
        let rest = String::from_utf8_lossy(&rest);
        assert!(
            rest.is_empty() || (rest.starts_with("HTTP/1.1 200") && rest.ends_with("next")),
            "{framing}: {rest:?}"
        );
    }
}

#[test]
fn a_pumped_body_read_in_one_byte_reads_arrives_whole_and_in_order() {
    let app = app_fn(|env, sr| {
        let mut body = Vec::new();
        let mut byte = [0u8; 1];
        while env.input().read(&mut byte)? == 1 {
            body.push(byte[0]);
        }
        let length = body.len().to_string();
        sr.start_response(
            "200 OK",
            [
                ("Content-Type", "application/octet-stream"),
                ("Content-Length", length.as_str()),
            ],
        )?;
        Ok(Body::from_bytes(body))
    });
    let server = serve(app);
    let body = pattern(5_000);
    let mut client = Client::connect(server.addr);
    let mut wire = b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
    wire.extend(chunked(&body, 977));
    client.send(&wire);
    let response = client.response(false);
    assert!(response.complete);
    assert_eq!(response.body, body);
}

#[test]
fn a_panic_with_a_pumped_body_unread_is_500_and_the_server_goes_on() {
    let app = app_fn(|env, _| {
        if env.path_info_bytes() == b"/panic" {
            panic!("a panic before reading the body (expected)");
        }
        Err("unreachable in this test".into())
    });
    let server = serve(app);
    for _ in 0..3 {
        let mut client = Client::connect(server.addr);
        let mut wire =
            b"POST /panic HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
        wire.extend(chunked(&pattern(100_000), 4096));
        client.send(&wire);
        assert_eq!(client.response(false).status, 500);
    }
}

#[test]
fn an_input_read_on_another_thread_after_the_response_fails_instead_of_hanging() {
    let (kept_tx, kept_rx) = mpsc::channel();
    let kept_tx = std::sync::Mutex::new(kept_tx);
    let app = app_fn(move |env, sr| {
        let input = env.take_input();
        let _ = kept_tx.lock().expect("lock").send(input);
        sr.start_response(
            "200 OK",
            [("Content-Type", "text/plain"), ("Content-Length", "2")],
        )?;
        Ok(Body::from_bytes("ok"))
    });
    let server = serve(app);
    let mut client = Client::connect(server.addr);
    // The client sends the head and only the first chunk: the rest never comes.
    client.send(b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n");
    assert_eq!(client.response(false).text(), "ok");
    let mut input = kept_rx
        .recv_timeout(IO_TIMEOUT)
        .expect("the input was kept");
    let (done_tx, done_rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut buf = [0u8; 16];
        let _ = done_tx.send(input.read(&mut buf).map_err(|e| e.kind()));
    });
    let read = done_rx
        .recv_timeout(IO_TIMEOUT)
        .expect("a late read returns instead of blocking");
    assert!(read.is_err(), "{read:?}");
}

#[test]
fn close_runs_once_when_the_client_vanishes_during_a_pumped_body() {
    let closes = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&closes);
    let app = app_fn(move |env, sr| {
        let mut input = env.take_input();
        sr.start_response("200 OK", [("Content-Type", "text/plain")])?;
        let counter = Arc::clone(&counter);
        Ok(Body::from_results(std::iter::from_fn(move || {
            let mut buf = [0u8; 1024];
            match input.read(&mut buf) {
                Ok(0) => None,
                Ok(n) => Some(Ok(buf[..n].to_vec())),
                Err(e) => Some(Err(e.into())),
            }
        }))
        .on_close(move || {
            counter.fetch_add(1, Ordering::SeqCst);
        }))
    });
    let server = serve(app);
    let mut client = Client::connect(server.addr);
    client.send(b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n");
    assert!(client.read_some() > 0);
    client.shutdown();
    assert!(support::eventually(Duration::from_secs(5), || closes
        .load(Ordering::SeqCst)
        == 1));
    assert_eq!(closes.load(Ordering::SeqCst), 1);
}

#[test]
fn reading_the_body_after_the_headers_went_out_sends_no_late_continue() {
    // 100 Continue is an interim response: once the final response has started, it
    // would land in the middle of the body.
    let app = app_fn(|env, sr| {
        let mut write = sr.start_response("200 OK", [("Content-Type", "text/plain")])?;
        write.write(b"started;")?;
        let mut body = Vec::new();
        env.input().read_to_end(&mut body)?;
        write.write(&body)?;
        Ok(Body::empty())
    });
    let server = serve(app);
    let mut client = Client::connect(server.addr);
    client.send(b"POST / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n");
    // The client gives up waiting for 100 Continue once the final response starts.
    let mut seen = vec![0u8; 17];
    client.read_exact(&mut seen);
    assert_eq!(seen, b"HTTP/1.1 200 OK\r\n");
    client.send(b"hello");
    client.send(b"GET /x HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    let _ = client.read_to_end(&mut seen);
    let seen = String::from_utf8_lossy(&seen);
    assert!(!seen.contains("100 Continue"), "{seen:?}");
    // The body still reached the app, and went back out as the second chunk.
    assert!(seen.contains("8\r\nstarted;\r\n5\r\nhello\r\n"), "{seen:?}");
}
