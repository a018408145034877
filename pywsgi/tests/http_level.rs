//! The HTTP layer's rules, with a Python application on top: what the server answers
//! itself (bad input, limits, `100 Continue`) never reaches Python, and what reaches
//! Python is framed as for a Rust application (pipelining, HTTP/1.0, chunked uploads).

mod support;

use std::io::{BufReader, Write};

use httpserver::{HttpServer, ServerConfig};
use pyo3::prelude::*;
use pywsgi::{load_app, AppSpec, PyGateway};
use support::{exchange, parse, python, serve, status};

#[test]
fn pipelined_requests_are_answered_in_order_on_one_connection() {
    let server = serve("conformance:latin1_app", 1);
    let mut stream = testkit::connect(server.local_addr());
    stream
        .write_all(b"GET /one HTTP/1.1\r\nHost: t\r\n\r\nGET /two HTTP/1.1\r\nHost: t\r\n\r\nGET /three HTTP/1.1\r\nHost: t\r\n\r\n")
        .expect("sent");
    let mut reader = BufReader::new(stream);
    for path in ["/one|", "/two|", "/three|"] {
        let response = testkit::read_response(&mut reader, false);
        assert_eq!((response.status, response.text()), (200, path.to_owned()));
    }
    server.stop();
}

#[test]
fn a_malformed_request_is_a_400_and_never_reaches_python() {
    testkit::log::capture();
    let server = serve("conformance:raise_app", 1);
    let raw = exchange(
        server.local_addr(),
        b"GET / HTTP/1.1\r\nHost: t\r\nBad Header\r\n\r\n",
    );
    assert_eq!(status(&raw), 400);
    // The application raises on every call but `?ok`: no traceback means no call.
    assert_eq!(
        parse(&support::get(server.local_addr(), "/?ok"), false).body,
        b"alive"
    );
    assert!(!testkit::log::text().contains("Traceback"));
    server.stop();
}

#[test]
fn a_body_over_the_limit_is_a_413_before_the_application_runs() {
    python();
    let spec = AppSpec::parse("conformance:read_all_app").expect("spec");
    let gateway = Python::attach(|py| PyGateway::new(py, load_app(py, &spec)?, 1)).expect("loads");
    let mut config = ServerConfig::new("127.0.0.1:0");
    config.threads = 1;
    config.max_body = 10;
    let server = HttpServer::spawn(config, gateway).expect("starts");
    let raw = exchange(
        server.local_addr(),
        b"POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 11\r\nConnection: close\r\n\r\nhello world",
    );
    assert_eq!(status(&raw), 413);
    server.stop();
}

#[test]
fn expect_100_continue_is_answered_by_the_server_then_the_body_reaches_wsgi_input() {
    let server = serve("conformance:read_all_app", 1);
    let mut stream = testkit::connect(server.local_addr());
    stream
        .write_all(b"POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n")
        .expect("sent");
    let mut reader = BufReader::new(stream.try_clone().expect("clone"));
    let interim = testkit::read_response(&mut reader, false);
    assert_eq!(interim.status, 100);
    stream.write_all(b"hello").expect("body sent");
    let response = testkit::read_response(&mut reader, false);
    assert_eq!(
        (response.status, response.body.as_slice()),
        (200, &b"hello#b''"[..])
    );
    server.stop();
}

#[test]
fn an_http_1_0_client_gets_a_body_it_can_frame() {
    let server = serve("conformance:write_app", 1);
    let raw = exchange(server.local_addr(), b"GET / HTTP/1.0\r\n\r\n");
    assert!(
        raw.starts_with(b"HTTP/1.1 200 OK\r\n"),
        "{}",
        String::from_utf8_lossy(&raw)
    );
    // No chunked framing for 1.0: the body runs to the close.
    assert!(!support::contains(&raw, b"chunked"));
    assert!(
        raw.ends_with(b"\r\n\r\nfirst second"),
        "{}",
        String::from_utf8_lossy(&raw)
    );
    server.stop();
}
