//! `Expect: 100-continue` (RFC 9110 §10.1.1): `100 Continue` as soon as the head is
//! accepted (the server then receives the body before the application runs), never when
//! the request is refused first, never to HTTP/1.0.

mod support;

use std::io::{BufRead, BufReader, Write};

use support::{read_response, TestServer};

fn read_line(conn: &mut BufReader<std::net::TcpStream>) -> String {
    let mut line = String::new();
    conn.read_line(&mut line).expect("a line");
    line
}

#[test]
fn expect_continue_sends_100_before_the_body_is_read() {
    for expect in ["100-continue", "100-Continue"] {
        let server = TestServer::start(|_| {});
        let mut conn = BufReader::new(server.connect());
        let head = format!(
            "POST /echo HTTP/1.1\r\nHost: x\r\nExpect: {expect}\r\nContent-Length: 3\r\n\r\n"
        );
        conn.get_mut().write_all(head.as_bytes()).expect("sent");
        // The client waits for the interim response before sending its body.
        assert_eq!(read_line(&mut conn), "HTTP/1.1 100 Continue\r\n");
        assert_eq!(read_line(&mut conn), "\r\n");
        conn.get_mut().write_all(b"abc").expect("sent");
        let r = read_response(&mut conn, false);
        assert_eq!((r.status, r.body.as_slice()), (200, &b"abc"[..]));
    }
}

#[test]
fn refused_request_gets_no_100_continue() {
    let server = TestServer::start(|c| c.max_body = 10);
    let mut conn = BufReader::new(server.connect());
    conn.get_mut()
        .write_all(
            b"POST /echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 11\r\n\r\n",
        )
        .expect("sent");
    let r = read_response(&mut conn, false);
    assert_eq!(r.status, 413);
}

#[test]
fn the_body_is_invited_and_received_before_the_app_even_if_it_never_reads_it() {
    // The server receives every body before the application runs, so an accepted head
    // gets its `100 Continue` at once; an application that ignores the body costs the
    // connection nothing.
    let server = TestServer::start(|_| {});
    let mut conn = BufReader::new(server.connect());
    conn.get_mut()
        .write_all(b"POST /noread HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n")
        .expect("sent");
    assert_eq!(read_line(&mut conn), "HTTP/1.1 100 Continue\r\n");
    assert_eq!(read_line(&mut conn), "\r\n");
    conn.get_mut().write_all(b"abc").expect("sent");
    let r = read_response(&mut conn, false);
    assert_eq!((r.status, r.body.as_slice()), (200, &b"ok"[..]));
    assert_eq!(r.header("connection"), None);
    conn.get_mut()
        .write_all(b"GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
        .expect("sent");
    assert_eq!(read_response(&mut conn, false).body, b"hello");
}

#[test]
fn http10_expect_gets_no_100_continue() {
    let server = TestServer::start(|_| {});
    let mut conn = BufReader::new(server.connect());
    conn.get_mut()
        .write_all(b"POST /echo HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\nabc")
        .expect("sent");
    let r = read_response(&mut conn, false);
    assert_eq!((r.status, r.body.as_slice()), (200, &b"abc"[..]));
    assert!(!r.head.contains("100 Continue"));
}
