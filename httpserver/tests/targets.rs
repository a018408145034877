//! Request targets (RFC 9112 §3.2): origin-form, absolute-form, `OPTIONS *`, and
//! percent-decoding that never panics and keeps `%2F` visible.

mod support;

use std::io::BufReader;

use support::{send, TestServer};

/// `method|uri|raw_path|decoded path|query` as the `/target` route reports it.
fn target_of(server: &TestServer, request: &[u8]) -> String {
    let mut conn = BufReader::new(server.connect());
    let r = send(&mut conn, request);
    assert_eq!(r.status, 200, "{}", r.head);
    r.body_text()
}

fn serve_any_path(req: &mut httpserver::HttpRequest) -> Result<(), httpserver::Error> {
    let text = format!(
        "{}|{}|{}|{}|{}",
        req.method(),
        req.uri(),
        req.raw_path(),
        String::from_utf8_lossy(req.path()),
        req.query_string()
    );
    req.write(text.as_bytes())
}

#[test]
fn origin_form_splits_path_and_query() {
    let server = TestServer::start(|_| {});
    let got = target_of(
        &server,
        b"GET /target?a=1&b=%20 HTTP/1.1\r\nHost: x\r\n\r\n",
    );
    assert_eq!(got, "GET|/target?a=1&b=%20|/target|/target|a=1&b=%20");
}

#[test]
fn absolute_form_is_accepted() {
    let server = TestServer::start(|_| {});
    let got = target_of(
        &server,
        b"GET http://example.com/target?q HTTP/1.1\r\nHost: example.com\r\n\r\n",
    );
    assert_eq!(got, "GET|http://example.com/target?q|/target|/target|q");
}

#[test]
fn options_asterisk_is_accepted() {
    let server = TestServer::with_gateway(|_| {}, serve_any_path);
    let got = target_of(&server, b"OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_eq!(got, "OPTIONS|*|*|*|");
}

#[test]
fn double_slash_is_a_path() {
    let server = TestServer::with_gateway(|_| {}, serve_any_path);
    let got = target_of(&server, b"GET //x/y HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_eq!(got, "GET|//x/y|//x/y|//x/y|");
}

#[test]
fn encoded_slash_stays_distinguishable() {
    let server = TestServer::with_gateway(|_| {}, serve_any_path);
    let got = target_of(&server, b"GET /a%2Fb/c HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_eq!(got, "GET|/a%2Fb/c|/a%2Fb/c|/a/b/c|");
}

#[test]
fn broken_percent_escapes_do_not_panic() {
    let server = TestServer::with_gateway(|_| {}, serve_any_path);
    for (target, decoded) in [
        ("/%", "/%"),
        ("/%4", "/%4"),
        ("/%zz", "/%zz"),
        ("/%41", "/A"),
    ] {
        let request = format!("GET {target} HTTP/1.1\r\nHost: x\r\n\r\n");
        let got = target_of(&server, request.as_bytes());
        assert!(got.ends_with(&format!("|{decoded}|")), "{got:?}");
    }
}

#[test]
fn environ_facts_are_exposed() {
    let server = TestServer::start(|_| {});
    let mut conn = BufReader::new(server.connect());
    let r = send(
        &mut conn,
        b"GET /env HTTP/1.1\r\nHost: example.org:8080\r\n\r\n",
    );
    assert_eq!(r.body_text(), "HTTP/1.1 example.org 127.0.0.1 http");
    let r = send(
        &mut conn,
        b"GET /env HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
    );
    assert_eq!(r.body_text(), "HTTP/1.0 127.0.0.1 127.0.0.1 http");
}
