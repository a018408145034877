//! A failing or panicking application: 500 while the headers are unsent (the connection
//! lives on), a cut connection once they are sent (never a complete-looking response).

mod support;

use std::io::BufReader;

use support::{is_closed, send, TestServer};

const NEXT: &[u8] = b"GET /hello HTTP/1.1\r\nHost: x\r\n\r\n";

#[test]
fn panic_before_headers_gets_500_and_the_connection_lives() {
    let server = TestServer::start(|_| {});
    let mut conn = BufReader::new(server.connect());
    let r = send(&mut conn, b"GET /panic HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_eq!((r.status, r.header("connection")), (500, None));
    assert_eq!(send(&mut conn, NEXT).body, b"hello");
}

#[test]
fn app_error_before_headers_gets_500() {
    let server = TestServer::start(|_| {});
    let mut conn = BufReader::new(server.connect());
    assert_eq!(
        send(&mut conn, b"GET /fail HTTP/1.1\r\nHost: x\r\n\r\n").status,
        500
    );
    assert_eq!(send(&mut conn, NEXT).status, 200);
}

#[test]
fn panic_after_headers_cuts_the_chunked_body() {
    let server = TestServer::start(|_| {});
    let mut conn = BufReader::new(server.connect());
    let r = send(&mut conn, b"GET /panic-late HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_eq!((r.status, r.body.as_slice()), (200, &b"partial"[..]));
    assert!(!r.complete, "the terminating chunk must not be sent");
    assert!(is_closed(conn.get_mut()));
}

#[test]
fn workers_survive_many_panics() {
    let server = TestServer::start(|c| c.threads = 1);
    for _ in 0..5 {
        let mut conn = BufReader::new(server.connect());
        assert_eq!(
            send(&mut conn, b"GET /panic HTTP/1.1\r\nHost: x\r\n\r\n").status,
            500
        );
    }
    let mut conn = BufReader::new(server.connect());
    assert_eq!(send(&mut conn, NEXT).status, 200);
}

#[test]
fn app_io_error_before_headers_gets_500_and_closes() {
    // A native gateway's `?` on its own I/O (a missing template) is an `Error::Io`, not a
    // dead client: it gets a 500, not a connection closed without a word.
    let missing_file = |_: &mut httpserver::HttpRequest| -> Result<(), httpserver::Error> {
        Err(std::io::Error::new(std::io::ErrorKind::NotFound, "no such template").into())
    };
    let server = TestServer::with_gateway(|_| {}, missing_file);
    let mut conn = BufReader::new(server.connect());
    let r = send(&mut conn, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_eq!((r.status, r.header("connection")), (500, Some("close")));
    assert!(is_closed(conn.get_mut()));
}
