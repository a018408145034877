//! Persistent connections (RFC 9112 §9.3), pipelining, and keep-alive that does not
//! starve the pool.

mod support;

use std::io::{BufReader, Write};
use std::time::Duration;

use support::{is_closed, read_response, send, TestServer};

const GET: &[u8] = b"GET /hello HTTP/1.1\r\nHost: x\r\n\r\n";

#[test]
fn http11_persists_by_default() {
    let server = TestServer::start(|_| {});
    let mut conn = BufReader::new(server.connect());
    for _ in 0..3 {
        let r = send(&mut conn, GET);
        assert_eq!((r.status, r.header("connection")), (200, None));
    }
}

#[test]
fn http10_closes_by_default() {
    let server = TestServer::start(|_| {});
    let mut conn = BufReader::new(server.connect());
    let r = send(&mut conn, b"GET /hello HTTP/1.0\r\n\r\n");
    assert_eq!(r.header("connection"), Some("close"));
    assert!(is_closed(conn.get_mut()));
}

#[test]
fn http10_keep_alive_persists() {
    let server = TestServer::start(|_| {});
    let mut conn = BufReader::new(server.connect());
    for _ in 0..2 {
        let r = send(
            &mut conn,
            b"GET /hello HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n",
        );
        assert_eq!(
            (r.status, r.header("connection")),
            (200, Some("keep-alive"))
        );
    }
}

#[test]
fn connection_close_tokens_are_case_insensitive_in_lists() {
    for value in ["close", "Close", "te, close", "keep-alive, CLOSE"] {
        let server = TestServer::start(|_| {});
        let mut conn = BufReader::new(server.connect());
        let request = format!("GET /hello HTTP/1.1\r\nHost: x\r\nConnection: {value}\r\n\r\n");
        let r = send(&mut conn, request.as_bytes());
        assert_eq!(r.header("connection"), Some("close"), "{value}");
        assert!(is_closed(conn.get_mut()), "{value}");
    }
}

#[test]
fn pipelined_requests_are_answered_in_order() {
    let server = TestServer::start(|_| {});
    let mut conn = BufReader::new(server.connect());
    conn.get_mut()
        .write_all(
            b"GET /target?1 HTTP/1.1\r\nHost: x\r\n\r\n\
              POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc\
              GET /target?3 HTTP/1.1\r\nHost: x\r\n\r\n",
        )
        .expect("sent");
    assert!(read_response(&mut conn, false).body_text().ends_with("|1"));
    assert_eq!(read_response(&mut conn, false).body, b"abc");
    assert!(read_response(&mut conn, false).body_text().ends_with("|3"));
}

#[test]
fn idle_connection_closes_after_keep_alive_timeout() {
    let server = TestServer::start(|c| c.keep_alive_timeout = Duration::from_millis(200));
    let mut conn = BufReader::new(server.connect());
    assert_eq!(send(&mut conn, GET).status, 200);
    // Idle: the server closes it (the read returns EOF before the 5 s socket timeout).
    assert!(is_closed(conn.get_mut()));
}

#[test]
fn idle_connections_do_not_hold_workers() {
    // Two workers, four kept-alive idle clients: in the notes' design the fifth client
    // would wait forever. Here idle connections wait on the poller, not on a worker, and
    // it is served.
    let server = TestServer::start(|c| c.threads = 2);
    let mut idle = Vec::new();
    for _ in 0..4 {
        let mut conn = BufReader::new(server.connect());
        assert_eq!(send(&mut conn, GET).status, 200);
        idle.push(conn);
    }
    let mut fresh = BufReader::new(server.connect());
    assert_eq!(send(&mut fresh, GET).status, 200);
    // And the idle ones are served when they speak again.
    for conn in &mut idle {
        assert_eq!(send(conn, GET).status, 200);
    }
}

#[test]
fn idle_cap_answers_connection_close() {
    let server = TestServer::start(|c| c.max_idle_connections = 1);
    let mut first = BufReader::new(server.connect());
    assert_eq!(send(&mut first, GET).header("connection"), None);
    // `first` counts as idle once its worker has put it back on the poller, just after
    // its answer went out: from then on the cap is reached, and the next answer says
    // `Connection: close` (until then, others are kept alive and count too).
    let mut answered_close = false;
    for _ in 0..50 {
        let mut other = BufReader::new(server.connect());
        if send(&mut other, GET).header("connection") == Some("close") {
            answered_close = true;
            assert!(is_closed(other.get_mut()));
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    assert!(answered_close);
}

#[test]
fn stop_closes_idle_connections() {
    let server = TestServer::start(|_| {});
    let mut conn = BufReader::new(server.connect());
    assert_eq!(send(&mut conn, GET).status, 200);
    server.stop();
    assert!(is_closed(conn.get_mut()));
}

#[test]
fn empty_lines_before_a_request_are_ignored() {
    // RFC 9112 §2.2: a server SHOULD ignore at least one empty line before the request
    // line (some clients send a CRLF after a POST body).
    let server = TestServer::start(|_| {});
    let mut conn = BufReader::new(server.connect());
    let r = send(&mut conn, b"\r\n\r\nGET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_eq!((r.status, r.body.as_slice()), (200, &b"hello"[..]));
}

#[test]
fn transfer_encoding_on_http10_closes_after_the_response() {
    // RFC 9112 §6.1: framing by Transfer-Encoding in an HTTP/1.0 message is suspect.
    let server = TestServer::start(|_| {});
    let mut conn = BufReader::new(server.connect());
    let r = send(
        &mut conn,
        b"POST /echo HTTP/1.0\r\nConnection: keep-alive\r\nTransfer-Encoding: chunked\r\n\r\n\
          3\r\nabc\r\n0\r\n\r\n",
    );
    assert_eq!(
        (r.body.as_slice(), r.header("connection")),
        (&b"abc"[..], Some("close"))
    );
    assert!(is_closed(conn.get_mut()));
}

#[test]
fn app_connection_close_is_honoured() {
    let close = |req: &mut httpserver::HttpRequest| {
        req.add_header("Connection", b"close")?;
        req.write(b"bye")
    };
    let server = TestServer::with_gateway(|_| {}, close);
    let mut conn = BufReader::new(server.connect());
    let r = send(&mut conn, GET);
    assert_eq!(r.header("connection"), Some("close"));
    assert_eq!(r.head.matches("Connection:").count(), 1, "{}", r.head);
    assert!(is_closed(conn.get_mut()));
}

#[test]
fn requests_pipelined_after_a_close_get_a_fin_not_a_reset() {
    // RFC 9112 §9.6: requests sent before the client read `Connection: close` are not
    // answered, but closing with them unread would send a reset, which can destroy the
    // response in the client's buffer. The server half-closes and reads them away first.
    let server = TestServer::start(|_| {});
    let mut stream = server.connect();
    let mut writer = stream.try_clone().expect("a second handle");
    let sender = std::thread::spawn(move || {
        let mut request = b"GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".to_vec();
        request.extend_from_slice(&GET.repeat(4000));
        let _ = writer.write_all(&request);
    });
    let mut answer = Vec::new();
    let end = std::io::Read::read_to_end(&mut stream, &mut answer);
    let _ = sender.join();
    let answer = String::from_utf8_lossy(&answer);
    assert_eq!(answer.matches("HTTP/1.1 200 OK").count(), 1, "{answer:?}");
    assert!(end.is_ok(), "the connection was reset: {end:?}");
}
