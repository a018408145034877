//! The conformance example's app over loopback: a few routes, as a black-box client sees
//! them. (The example file is compiled in as a module, so this tests the very routes the
//! example serves.)

mod support;

#[allow(dead_code)]
#[path = "../examples/conformance.rs"]
mod conformance;

use sha2::{Digest, Sha256};
use support::{serve, Client};

#[test]
fn hello_has_content_length() {
    let server = serve(conformance::app());
    let mut client = Client::connect(server.addr);
    client.send(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    let response = client.response(false);
    assert_eq!(response.status, 200);
    assert_eq!(response.header("Content-Length"), Some("14"));
    assert_eq!(response.text(), "Hello, world!\n");
}

#[test]
fn echo_returns_the_body_with_its_length_and_sha256() {
    let server = serve(conformance::app());
    let mut client = Client::connect(server.addr);
    client.send(b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\nhello world");
    let response = client.response(false);
    assert_eq!(response.text(), "hello world");
    assert_eq!(response.header("X-Body-Length"), Some("11"));
    let digest = hex::encode(Sha256::digest(b"hello world"));
    assert_eq!(response.header("X-Body-Sha256"), Some(digest.as_str()));
}

#[test]
fn env_lists_keys_as_lines() {
    let server = serve(conformance::app());
    let mut client = Client::connect(server.addr);
    client.send(b"GET /env?q=1 HTTP/1.1\r\nHost: h\r\nX-Test: yes\r\n\r\n");
    let text = client.response(false).text();
    for line in [
        "QUERY_STRING=q=1",
        "HTTP_X_TEST=yes",
        "REQUEST_METHOD=GET",
        "wsgi.url_scheme=http",
    ] {
        assert!(text.lines().any(|l| l == line), "{line} missing in\n{text}");
    }
}

#[test]
fn stream_yields_k_chunks_without_length() {
    let server = serve(conformance::app());
    let mut client = Client::connect(server.addr);
    client.send(b"GET /stream?n=4 HTTP/1.1\r\nHost: x\r\n\r\n");
    let response = client.response(false);
    assert!(response.chunked && response.complete);
    assert_eq!(response.header("Content-Length"), None);
    assert_eq!(response.text(), "chunk 0\nchunk 1\nchunk 2\nchunk 3\n");
}

#[test]
fn status_route_answers_the_code_asked() {
    let server = serve(conformance::app());
    let mut client = Client::connect(server.addr);
    client.send(b"GET /status?code=404 HTTP/1.1\r\nHost: x\r\n\r\nGET /status?code=204 HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_eq!(client.response(false).status, 404);
    let no_content = client.response(false);
    assert_eq!(no_content.status, 204);
    assert!(no_content.body.is_empty());
}

#[test]
fn error_is_500_and_the_connection_serves_the_next_request() {
    let server = serve(conformance::app());
    let mut client = Client::connect(server.addr);
    client.send(b"GET /error HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_eq!(client.response(false).status, 500);
    assert_eq!(client.response(false).status, 200);
}

#[test]
fn error_late_is_truncated_never_complete() {
    let server = serve(conformance::app());
    let mut client = Client::connect(server.addr);
    client.send(b"GET /error-late HTTP/1.1\r\nHost: x\r\n\r\n");
    let response = client.response(false);
    assert_eq!(response.status, 200);
    assert!(!response.complete);
    assert!(client.closed_by_server());
}

#[test]
fn short_and_long_never_look_complete_and_right() {
    let server = serve(conformance::app());
    let mut short = Client::connect(server.addr);
    short.send(b"GET /short HTTP/1.1\r\nHost: x\r\n\r\n");
    assert!(!short.response(false).complete);
    let mut long = Client::connect(server.addr);
    long.send(b"GET /long HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n");
    let response = long.response(false);
    assert_eq!(response.text(), "12345");
    // The excess is not parsed as a response to the pipelined request: the connection
    // closes instead.
    assert!(long.closed_by_server());
}

#[test]
fn head_gets_no_body_even_if_the_app_yields_one() {
    let server = serve(conformance::app());
    let mut client = Client::connect(server.addr);
    client.send(b"HEAD /head HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n");
    let head = client.response(true);
    assert_eq!(head.status, 200);
    assert_eq!(head.header("Content-Length"), Some("22"));
    // The next response starts right after the HEAD's headers.
    assert_eq!(client.response(false).text(), "Hello, world!\n");
}

#[test]
fn big_sends_the_bytes_asked() {
    let server = serve(conformance::app());
    let mut client = Client::connect(server.addr);
    client.send(b"GET /big?bytes=200000 HTTP/1.1\r\nHost: x\r\n\r\n");
    let response = client.response(false);
    assert!(response.complete);
    assert_eq!(response.body.len(), 200_000);
}

#[test]
fn nolength_and_sleep_answer() {
    let server = serve(conformance::app());
    let mut client = Client::connect(server.addr);
    client.send(
        b"GET /nolength HTTP/1.1\r\nHost: x\r\n\r\nGET /sleep?ms=10 HTTP/1.1\r\nHost: x\r\n\r\n",
    );
    let nolength = client.response(false);
    assert!(nolength.chunked && nolength.complete);
    assert_eq!(client.response(false).text(), "slept 10 ms\n");
}
