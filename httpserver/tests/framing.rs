//! Response framing: the app's Content-Length, else chunked (1.1) or close-delimited
//! (1.0); no body for HEAD, 1xx, 204, 304; short and long bodies close the connection.

mod support;

use std::io::BufReader;

use support::{is_closed, send, TestServer};

#[test]
fn app_content_length_is_used() {
    let server = TestServer::start(|_| {});
    let mut conn = BufReader::new(server.connect());
    let r = send(&mut conn, b"GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_eq!((r.status, r.header("content-length")), (200, Some("5")));
    assert_eq!(r.header("transfer-encoding"), None);
    assert_eq!(r.body, b"hello");
}

#[test]
fn no_length_on_http11_is_chunked_with_empty_chunks_skipped() {
    let server = TestServer::start(|_| {});
    let answer = server.exchange(b"GET /chunks HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    assert!(
        answer.contains("\r\nTransfer-Encoding: chunked\r\n"),
        "{answer:?}"
    );
    assert!(
        answer.ends_with("\r\n\r\n2\r\nab\r\n2\r\ncd\r\n0\r\n\r\n"),
        "{answer:?}"
    );
}

#[test]
fn no_length_on_http10_is_close_delimited() {
    let server = TestServer::start(|_| {});
    let answer = server.exchange(b"GET /nolength HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
    assert!(!answer.contains("Transfer-Encoding"), "{answer:?}");
    assert!(answer.contains("\r\nConnection: close\r\n"), "{answer:?}");
    assert!(answer.ends_with("\r\n\r\nno length"), "{answer:?}");
}

#[test]
fn empty_response_gets_content_length_zero() {
    let server = TestServer::with_gateway(|_| {}, |_: &mut httpserver::HttpRequest| Ok(()));
    let mut conn = BufReader::new(server.connect());
    let r = send(&mut conn, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_eq!((r.status, r.header("content-length")), (200, Some("0")));
}

#[test]
fn head_gets_headers_but_no_body() {
    let server = TestServer::start(|_| {});
    let mut conn = BufReader::new(server.connect());
    let r = send(&mut conn, b"HEAD /hello HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_eq!((r.status, r.header("content-length")), (200, Some("5")));
    // The next response starts right after the head: no stray body bytes in between.
    let r = send(&mut conn, b"GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_eq!((r.status, r.body.as_slice()), (200, &b"hello"[..]));
}

#[test]
fn head_without_length_sends_no_chunked_body() {
    let server = TestServer::start(|_| {});
    let mut conn = BufReader::new(server.connect());
    let r = send(&mut conn, b"HEAD /chunks HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_eq!(r.status, 200);
    let r = send(&mut conn, b"GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_eq!((r.status, r.body.as_slice()), (200, &b"hello"[..]));
}

#[test]
fn status_204_and_304_have_no_body() {
    let server = TestServer::start(|_| {});
    let mut conn = BufReader::new(server.connect());
    let r = send(&mut conn, b"GET /204 HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_eq!((r.status, r.header("transfer-encoding")), (204, None));
    let r = send(&mut conn, b"GET /304 HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_eq!((r.status, r.header("transfer-encoding")), (304, None));
    let r = send(&mut conn, b"GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_eq!((r.status, r.body.as_slice()), (200, &b"hello"[..]));
}

#[test]
fn app_1xx_status_has_no_body_and_closes() {
    // A 1xx is interim: a client answered with only one keeps waiting for the final
    // response (and after a 101 it has switched protocols), so the server closes.
    let early_hints = |req: &mut httpserver::HttpRequest| {
        req.set_status(103, "Early Hints")?;
        req.add_header("Link", b"</style.css>; rel=preload")?;
        req.write(b"body!")
    };
    let server = TestServer::with_gateway(|_| {}, early_hints);
    let mut conn = BufReader::new(server.connect());
    let r = send(&mut conn, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_eq!((r.status, r.header("connection")), (103, Some("close")));
    assert_eq!(r.header("content-length"), None);
    assert!(is_closed(conn.get_mut()));
}

#[test]
fn short_body_closes_the_connection() {
    let server = TestServer::start(|_| {});
    let mut stream = server.connect();
    let answer = {
        use std::io::Write;
        stream
            .write_all(b"GET /short HTTP/1.1\r\nHost: x\r\n\r\n")
            .expect("sent");
        support::read_to_close(&mut stream)
    };
    assert!(answer.contains("\r\nContent-Length: 10\r\n"), "{answer:?}");
    assert!(answer.ends_with("\r\n\r\n12345"), "{answer:?}");
}

#[test]
fn long_body_is_cut_at_its_length_and_closes() {
    let server = TestServer::start(|_| {});
    let mut conn = BufReader::new(server.connect());
    let r = send(&mut conn, b"GET /long HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_eq!(r.body, b"12345");
    // The excess was never sent, so it cannot pass for a second response.
    assert!(is_closed(conn.get_mut()));
}

#[test]
fn date_and_server_headers_are_added() {
    let server = TestServer::start(|_| {});
    let mut conn = BufReader::new(server.connect());
    let r = send(&mut conn, b"GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
    let date = r.header("date").expect("a Date header");
    assert!(httpdate::parse_http_date(date).is_ok(), "{date:?}");
    assert!(r
        .header("server")
        .is_some_and(|s| s.starts_with("httpserver/")));
}

#[test]
fn header_injection_is_refused() {
    let server = TestServer::start(|_| {});
    let mut conn = BufReader::new(server.connect());
    let r = send(&mut conn, b"GET /inject HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_eq!(r.body_text(), "true / true / true");
    assert!(!r.head.contains("evil"), "{}", r.head);
    assert!(!r.head.contains("X-Control"), "{}", r.head);
}

#[test]
fn empty_head_response_gets_no_invented_length() {
    let server = TestServer::with_gateway(|_| {}, |_: &mut httpserver::HttpRequest| Ok(()));
    let mut conn = BufReader::new(server.connect());
    let r = send(&mut conn, b"HEAD / HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_eq!((r.status, r.header("content-length")), (200, None));
    let r = send(&mut conn, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_eq!((r.status, r.header("content-length")), (200, Some("0")));
}

#[test]
fn app_date_and_server_are_not_duplicated() {
    let own = |req: &mut httpserver::HttpRequest| {
        req.add_header("Server", b"mine")?;
        req.add_header("Date", b"Sun, 06 Nov 1994 08:49:37 GMT")?;
        req.write(b"x")
    };
    let server = TestServer::with_gateway(|_| {}, own);
    let mut conn = BufReader::new(server.connect());
    let r = send(&mut conn, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_eq!(r.header("server"), Some("mine"));
    assert_eq!(r.head.matches("Date:").count(), 1, "{}", r.head);
}
