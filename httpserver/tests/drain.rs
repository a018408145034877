//! An unread request body is drained (within `max_drain`) or the connection closes: it is
//! never parsed as the next request.

mod support;

use std::io::BufReader;

use support::{is_closed, send, TestServer};

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
fn body_over_max_drain_closes_the_connection() {
    let server = TestServer::start(|c| c.max_drain = 4);
    let mut conn = BufReader::new(server.connect());
    let r = send(
        &mut conn,
        b"POST /noread HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello",
    );
    // The server knows it will not drain 5 bytes with a budget of 4: it says so.
    assert_eq!(r.header("connection"), Some("close"));
    assert!(is_closed(conn.get_mut()));
}

#[test]
fn body_at_max_drain_keeps_the_connection() {
    let server = TestServer::start(|c| c.max_drain = 5);
    let mut conn = BufReader::new(server.connect());
    send(
        &mut conn,
        b"POST /noread HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello",
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
