//! An unread request body is never parsed as the next request: the server receives every
//! body whole before the application runs, so the next request starts where it ended.

mod support;

use std::io::BufReader;

use support::{send, TestServer};

const NEXT: &[u8] = b"GET /hello HTTP/1.1\r\nHost: x\r\n\r\n";

#[test]
fn unread_content_length_body_is_drained() {
    let server = TestServer::start(|_| {});
    let mut conn = BufReader::new(server.connect());
    let r = send(
        &mut conn,
        b"POST /noread HTTP/1.1\r\nHost: x\r\nContent-Length: 27\r\n\r\nGET /evil HTTP/1.1\r\nX: y\r\n\r\n",
    );
    assert_eq!(r.body, b"ok");
    let r = send(&mut conn, NEXT);
    assert_eq!((r.status, r.body.as_slice()), (200, &b"hello"[..]));
}

#[test]
fn unread_chunked_body_with_trailers_is_drained() {
    let server = TestServer::start(|_| {});
    let mut conn = BufReader::new(server.connect());
    let r = send(
        &mut conn,
        b"POST /noread HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n\
          5;ext=1\r\nhello\r\n0\r\nX-Trailer: t\r\n\r\n",
    );
    assert_eq!(r.body, b"ok");
    let r = send(&mut conn, NEXT);
    assert_eq!((r.status, r.body.as_slice()), (200, &b"hello"[..]));
}

#[test]
fn an_unread_body_larger_than_any_buffer_keeps_the_connection() {
    // The body is received whole before the application runs, so one it does not read
    // costs nothing afterwards: the next request is where the body ended.
    let server = TestServer::start(|_| {});
    let mut conn = BufReader::new(server.connect());
    let mut request =
        b"POST /noread HTTP/1.1\r\nHost: x\r\nContent-Length: 300000\r\n\r\n".to_vec();
    request.extend(std::iter::repeat_n(b'G', 300_000));
    let r = send(&mut conn, &request);
    assert_eq!(
        (r.body.as_slice(), r.header("connection")),
        (&b"ok"[..], None)
    );
    assert_eq!(send(&mut conn, NEXT).body, b"hello");
}

#[test]
fn chunked_trailers_reach_the_gateway() {
    let server = TestServer::start(|_| {});
    let mut conn = BufReader::new(server.connect());
    let r = send(
        &mut conn,
        b"POST /trailers HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n\
          3\r\nabc\r\n0\r\nX-Sum: 42\r\n\r\n",
    );
    assert_eq!(r.body_text(), "abc|X-Sum=42");
}
