//! `wsgi.input` when the app does not play along: it reads none of the body, part of it,
//! panics with it unread, or hands the input to another thread; or the client vanishes
//! mid-body. The body is the server's owned copy, received whole before the app ran: the
//! next request on the connection is parsed from the right byte, nothing hangs, and no
//! body byte is lost or repeated.

mod support;

use std::io::Read;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc};

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
fn an_input_read_on_another_thread_after_the_response_reads_the_whole_body() {
    // The input is the server's owned copy of the body: it outlives the response, and a
    // late read on another thread gets the bytes, never a blocked socket.
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
    client.send(b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n");
    client.send(&chunked(b"abcdef", 3));
    assert_eq!(client.response(false).text(), "ok");
    let mut input = kept_rx
        .recv_timeout(IO_TIMEOUT)
        .expect("the input was kept");
    let (done_tx, done_rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut body = Vec::new();
        let _ = done_tx.send(input.read_to_end(&mut body).map(|_| body));
    });
    let read = done_rx
        .recv_timeout(IO_TIMEOUT)
        .expect("a late read returns instead of blocking");
    assert_eq!(read.expect("readable"), b"abcdef");
}

#[test]
fn a_client_that_vanishes_mid_body_never_reaches_the_app() {
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&calls);
    let app = app_fn(move |_, sr| {
        counter.fetch_add(1, Ordering::SeqCst);
        sr.start_response("200 OK", [("Content-Type", "text/plain")])?;
        Ok(Body::from_bytes("called"))
    });
    let server = serve(app);
    let mut client = Client::connect(server.addr);
    client.send(b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n");
    client.shutdown();
    // The server goes on, and the app runs for a whole request only.
    let mut next = Client::connect(server.addr);
    next.send(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    assert_eq!(next.response(false).text(), "called");
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}

#[test]
fn continue_comes_before_the_final_response_never_inside_it() {
    // 100 Continue is an interim response: it goes out when the head is accepted, before
    // the app runs, so it can never land in the middle of the final response.
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
    let mut interim = vec![0u8; 25];
    client.read_exact(&mut interim);
    assert_eq!(interim, b"HTTP/1.1 100 Continue\r\n\r\n");
    client.send(b"hello");
    client.send(b"GET /x HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    let mut seen = Vec::new();
    let _ = client.read_to_end(&mut seen);
    let seen = String::from_utf8_lossy(&seen);
    assert!(!seen.contains("100 Continue"), "{seen:?}");
    // The body reached the app, and went back out as the second chunk.
    assert!(seen.contains("8\r\nstarted;\r\n5\r\nhello\r\n"), "{seen:?}");
}
