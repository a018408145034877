//! `wsgi.input` over real sockets: every body, small, large or chunked, received whole
//! by the server and owned by the environ; client faults answered with their status
//! before the app runs.

mod support;

use std::io::Read;
use std::sync::{Arc, Mutex};

use support::{echo, serve, Client};
use wsgi::{app_fn, Body, Input};

fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i % 251) as u8).collect()
}

#[test]
fn small_and_large_length_bodies_arrive_whole() {
    let server = serve(echo());
    for len in [1, 5_000, 64 * 1024, 64 * 1024 + 1, 300_000] {
        let body = pattern(len);
        let mut client = Client::connect(server.addr);
        client.send(
            format!("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: {len}\r\n\r\n").as_bytes(),
        );
        client.send(&body);
        let response = client.response(false);
        assert_eq!(response.status, 200, "len {len}");
        assert_eq!(response.body, body, "len {len}");
    }
}

#[test]
fn chunked_body_is_pumped_to_the_app() {
    let server = serve(echo());
    let mut client = Client::connect(server.addr);
    client.send(
        b"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n\
          5\r\nhello\r\n\
          7;ext=1\r\n, world\r\n\
          0\r\nTrailer: t\r\n\r\n\
          GET /after HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n",
    );
    assert_eq!(client.response(false).text(), "hello, world");
    // The pipelined request after the body is served: nothing was read past the body.
    assert_eq!(client.response(false).status, 200);
}

#[test]
fn bad_chunked_framing_is_the_clients_fault_400_not_500() {
    let server = serve(echo());
    let mut client = Client::connect(server.addr);
    client.send(b"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n");
    assert_eq!(client.response(false).status, 400);
}

#[test]
fn a_small_body_cut_short_never_gets_200_or_500() {
    // A Content-Length body cut short by the client closing its side.
    let server = serve(echo());
    let mut client = Client::connect(server.addr);
    client.send(b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc");
    let stream = client.reader_stream();
    let _ = stream.shutdown(std::net::Shutdown::Write);
    // The server cannot answer a request whose body never came; it must not say 200
    // or 500. Either it answers with a client-error status or it just closes.
    let mut raw = Vec::new();
    let _ = client.read_to_end(&mut raw);
    let text = String::from_utf8_lossy(&raw);
    assert!(
        raw.is_empty() || text.starts_with("HTTP/1.1 4"),
        "unexpected answer {text:?}"
    );
}

#[test]
fn continue_is_sent_only_when_the_app_reads() {
    let server = serve(echo());
    let mut client = Client::connect(server.addr);
    client.send(
        b"POST /echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n",
    );
    let mut interim = [0u8; 25];
    client.read_exact(&mut interim);
    assert_eq!(&interim, b"HTTP/1.1 100 Continue\r\n\r\n");
    client.send(b"hello");
    assert_eq!(client.response(false).text(), "hello");
}

#[test]
fn an_expect_continue_body_is_invited_before_the_app_and_the_app_may_ignore_it() {
    // The server receives the body before the app runs, so it sends `100 Continue` as
    // soon as the head is accepted; an app that answers without reading costs nothing.
    let refuse = app_fn(|_, sr| {
        sr.start_response(
            "403 Forbidden",
            [("Content-Type", "text/plain"), ("Content-Length", "2")],
        )?;
        Ok(Body::from_bytes("no"))
    });
    let server = serve(refuse);
    let mut client = Client::connect(server.addr);
    client.send(b"POST / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n");
    let mut interim = [0u8; 25];
    client.read_exact(&mut interim);
    assert_eq!(&interim, b"HTTP/1.1 100 Continue\r\n\r\n");
    client.send(b"hello");
    let response = client.response(false);
    assert_eq!(
        (response.status, response.body.as_slice()),
        (403, &b"no"[..])
    );
}

#[test]
fn an_input_kept_past_the_response_does_not_hang_the_server() {
    let kept: Arc<Mutex<Option<Input>>> = Arc::default();
    let keeper = Arc::clone(&kept);
    let app = app_fn(move |env, sr| {
        *keeper.lock().expect("lock") = Some(env.take_input());
        sr.start_response(
            "200 OK",
            [("Content-Type", "text/plain"), ("Content-Length", "4")],
        )?;
        Ok(Body::from_bytes("kept"))
    });
    let server = serve(app);
    let mut client = Client::connect(server.addr);
    client.send(
        b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
    );
    assert_eq!(client.response(false).text(), "kept");
    client.send(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_eq!(client.response(false).text(), "kept");
    // Reading the first request's input now fails cleanly: its response is over.
    let first = kept.lock().expect("lock").take();
    let mut input = first.expect("an input was kept");
    let mut buf = [0u8; 8];
    assert!(input.read(&mut buf).is_err() || input.read(&mut buf).is_ok_and(|n| n == 0));
}

#[test]
fn a_streaming_body_can_read_the_input_as_it_writes() {
    let app = app_fn(|env, sr| {
        let mut input = env.take_input();
        sr.start_response("200 OK", [("Content-Type", "text/plain")])?;
        // Upper-cases the request body 4 bytes at a time, while the response streams.
        Ok(Body::from_results(std::iter::from_fn(move || {
            let mut buf = [0u8; 4];
            match input.read(&mut buf) {
                Ok(0) => None,
                Ok(n) => Some(Ok(buf[..n].to_ascii_uppercase())),
                Err(e) => Some(Err(e.into())),
            }
        })))
    });
    let server = serve(app);
    let mut client = Client::connect(server.addr);
    client.send(b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nb\r\nhello world\r\n0\r\n\r\n");
    let response = client.response(false);
    assert!(response.complete);
    assert_eq!(response.text(), "HELLO WORLD");
}
