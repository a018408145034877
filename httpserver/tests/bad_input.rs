//! Bad input gets a status and a closed connection: never a panic, a hang or a 500.

mod support;

use support::TestServer;

/// Sends `request` and returns the status line of the answer; the server must close.
fn status_of(server: &TestServer, request: &[u8]) -> String {
    let answer = server.exchange(request);
    answer.lines().next().unwrap_or("").to_string()
}

fn assert_refused(request: &[u8], status: &str) {
    let server = TestServer::start(|_| {});
    let line = status_of(&server, request);
    assert!(
        line.starts_with(&format!("HTTP/1.1 {status} ")),
        "{line:?} for {request:?}"
    );
}

#[test]
fn malformed_request_line_gets_400() {
    assert_refused(b"GET\r\n\r\n", "400");
    assert_refused(b"GET /x\r\n\r\n", "400");
    assert_refused(b"GET  /x HTTP/1.1\r\nHost: x\r\n\r\n", "400");
    assert_refused(b"G@T /x HTTP/1.1\r\nHost: x\r\n\r\n", "400");
    assert_refused(b"GET /x FTP/1.1\r\nHost: x\r\n\r\n", "400");
}

#[test]
fn unsupported_version_gets_505() {
    assert_refused(b"GET / HTTP/2.0\r\nHost: x\r\n\r\n", "505");
    assert_refused(b"GET / HTTP/3.0\r\nHost: x\r\n\r\n", "505");
    assert_refused(b"GET / HTTP/0.9\r\nHost: x\r\n\r\n", "505");
    assert_refused(b"GET / HTTP/0.1\r\nHost: x\r\n\r\n", "505");
    assert_refused(b"GET / HTTP/2.1\r\nHost: x\r\n\r\n", "505");
}

#[test]
fn higher_http1_minor_is_served_as_http11() {
    // RFC 9110 §2.5, RFC 9112 §2.3: processed as HTTP/1.1, answered with HTTP/1.1.
    let server = TestServer::start(|_| {});
    for minor in ["2", "3", "9"] {
        let mut conn = std::io::BufReader::new(server.connect());
        let request = format!("GET /env HTTP/1.{minor}\r\nHost: example.com\r\n\r\n");
        let r = support::send(&mut conn, request.as_bytes());
        assert!(r.head.starts_with("HTTP/1.1 200 "), "{minor}: {}", r.head);
        assert!(
            r.body_text().starts_with("HTTP/1.1 example.com "),
            "{minor}"
        );
        // Persistent by default and Host required, as for HTTP/1.1.
        let again = support::send(&mut conn, b"GET /hello HTTP/1.4\r\nHost: x\r\n\r\n");
        assert_eq!(
            (again.status, again.body_text()),
            (200, "hello".to_string())
        );
    }
    assert_refused(b"GET / HTTP/1.3\r\n\r\n", "400");
    // The newer minor does not excuse the rest of the line.
    assert_refused(b"G@T / HTTP/1.3\r\nHost: x\r\n\r\n", "400");
    assert_refused(b"GET /a b HTTP/1.3\r\nHost: x\r\n\r\n", "400");
    assert_refused(b"GET / HTTP/1.30\r\nHost: x\r\n\r\n", "400");
}

#[test]
fn header_line_without_colon_gets_400() {
    assert_refused(b"GET / HTTP/1.1\r\nHost: x\r\nNoColon\r\n\r\n", "400");
}

#[test]
fn whitespace_before_colon_gets_400() {
    assert_refused(b"GET / HTTP/1.1\r\nHost : x\r\n\r\n", "400");
}

#[test]
fn empty_header_name_gets_400() {
    assert_refused(b"GET / HTTP/1.1\r\nHost: x\r\n: value\r\n\r\n", "400");
}

#[test]
fn obs_fold_gets_400() {
    assert_refused(
        b"GET / HTTP/1.1\r\nHost: x\r\nX-A: a\r\n  folded\r\n\r\n",
        "400",
    );
}

#[test]
fn nul_or_cr_in_value_gets_400() {
    assert_refused(b"GET / HTTP/1.1\r\nHost: x\r\nX-A: a\0b\r\n\r\n", "400");
    assert_refused(b"GET / HTTP/1.1\r\nHost: x\r\nX-A: a\rb\r\n\r\n", "400");
}

#[test]
fn missing_host_on_http11_gets_400() {
    assert_refused(b"GET /hello HTTP/1.1\r\n\r\n", "400");
}

#[test]
fn missing_host_on_http10_is_fine() {
    let server = TestServer::start(|_| {});
    assert!(status_of(&server, b"GET /hello HTTP/1.0\r\n\r\n").contains(" 200 "));
}

#[test]
fn duplicate_host_gets_400() {
    assert_refused(b"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", "400");
}

#[test]
fn content_length_not_digits_gets_400() {
    for value in [
        "-1",
        "+1",
        "1.0",
        "0x10",
        "1 2",
        "",
        "abc",
        "18446744073709551616",
    ] {
        let request = format!("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: {value}\r\n\r\n");
        assert_refused(request.as_bytes(), "400");
    }
}

#[test]
fn conflicting_content_lengths_get_400() {
    assert_refused(
        b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
        "400",
    );
    assert_refused(
        b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1, 2\r\n\r\nab",
        "400",
    );
}

#[test]
fn equal_duplicate_content_lengths_are_one() {
    let server = TestServer::start(|_| {});
    let answer = server.exchange(
        b"POST /echo HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\
          Content-Length: 2\r\nContent-Length: 2\r\n\r\nab",
    );
    assert!(
        answer.starts_with("HTTP/1.1 200 ") && answer.ends_with("\r\n\r\nab"),
        "{answer:?}"
    );
}

#[test]
fn content_length_with_chunked_gets_400() {
    assert_refused(
        b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\
          Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
        "400",
    );
}

#[test]
fn unknown_transfer_coding_gets_501() {
    assert_refused(
        b"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n",
        "501",
    );
    assert_refused(
        b"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
        "501",
    );
}

#[test]
fn chunked_not_last_gets_400() {
    assert_refused(
        b"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, gzip\r\n\r\n",
        "400",
    );
}

#[test]
fn bad_chunk_size_gets_400() {
    assert_refused(
        b"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nab\r\n0\r\n\r\n",
        "400",
    );
}

#[test]
fn chunk_size_overflowing_64_bits_gets_400() {
    assert_refused(
        b"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n\
          1ffffffffffffffff\r\nab\r\n0\r\n\r\n",
        "400",
    );
}

#[test]
fn missing_crlf_after_chunk_gets_400() {
    assert_refused(
        b"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabX\r\n0\r\n\r\n",
        "400",
    );
}

#[test]
fn unsupported_expectation_gets_417() {
    assert_refused(
        b"GET / HTTP/1.1\r\nHost: x\r\nExpect: the-unexpected\r\n\r\n",
        "417",
    );
}

#[test]
fn connect_gets_501_whatever_its_target() {
    // A 2xx to CONNECT means "tunnel open" (RFC 9110 §9.3.6): never let an app say it.
    assert_refused(
        b"CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n",
        "501",
    );
    assert_refused(b"CONNECT / HTTP/1.1\r\nHost: x\r\n\r\n", "501");
}

#[test]
fn authority_form_outside_connect_gets_400() {
    assert_refused(b"GET example.com:443 HTTP/1.1\r\nHost: x\r\n\r\n", "400");
}

#[test]
fn space_in_the_target_gets_400_not_505() {
    // The last word looks like a version, but the line has four words.
    assert_refused(b"GET /a b HTTP/1.1\r\nHost: x\r\n\r\n", "400");
    assert_refused(b"GET /a HTTP/2.0 HTTP/1.1\r\nHost: x\r\n\r\n", "400");
}

#[test]
fn malformed_versions_get_400() {
    assert_refused(b"GET / http/1.1\r\nHost: x\r\n\r\n", "400");
    assert_refused(b"GET / HTTP/1.10\r\nHost: x\r\n\r\n", "400");
    assert_refused(b"GET / HTTP/01.1\r\nHost: x\r\n\r\n", "400");
    assert_refused(b"GET / HTTP/1.1 \r\nHost: x\r\n\r\n", "400");
}

#[test]
fn endless_empty_lines_before_the_request_line_get_400() {
    // RFC 9112 §2.2 asks a server to ignore *at least one* empty line: not an unbounded
    // number of them, which would be buffered until the connection is reset unanswered.
    let server = TestServer::start(|c| c.max_request_line = 100);
    let mut request = b"\r\n".repeat(51);
    request.extend_from_slice(b"GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
    assert!(status_of(&server, &request).starts_with("HTTP/1.1 400 "));
    let endless = b"\r\n".repeat(64 * 1024);
    assert!(status_of(&server, &endless).starts_with("HTTP/1.1 400 "));
}

#[test]
fn asterisk_form_outside_options_gets_400() {
    assert_refused(b"GET * HTTP/1.1\r\nHost: x\r\n\r\n", "400");
}

#[test]
fn refused_request_is_answered_with_connection_close() {
    let server = TestServer::start(|_| {});
    let answer = server.exchange(b"GET / HTTP/2.0\r\nHost: x\r\n\r\nGET /hello HTTP/1.1\r\n\r\n");
    assert!(answer.contains("\r\nConnection: close\r\n"), "{answer:?}");
    assert_eq!(answer.matches("HTTP/1.1 ").count(), 1, "{answer:?}");
}

#[test]
fn invalid_host_value_gets_400() {
    // RFC 9110 §7.2: "a Host header field with an invalid field value" is a 400.
    assert_refused(b"GET / HTTP/1.1\r\nHost: a b\r\n\r\n", "400");
    assert_refused(b"GET / HTTP/1.1\r\nHost: evil.example/x\r\n\r\n", "400");
    assert_refused(b"GET / HTTP/1.1\r\nHost: user@host\r\n\r\n", "400");
    assert_refused(b"GET / HTTP/1.0\r\nHost: a:b:c\r\n\r\n", "400");
    assert_refused(b"GET http://a:b:c/ HTTP/1.1\r\nHost: x\r\n\r\n", "400");
    assert_refused(b"GET http://user@x/ HTTP/1.1\r\nHost: x\r\n\r\n", "400");
}

#[test]
fn valid_host_values_are_served() {
    let server = TestServer::start(|_| {});
    for host in ["", "example.com:8080", "[::1]:80", "127.0.0.1"] {
        let request = format!("GET /hello HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
        assert!(
            status_of(&server, request.as_bytes()).contains(" 200 "),
            "{host:?}"
        );
    }
}

#[test]
fn fragment_in_the_target_gets_400() {
    // No request-target form has a `#` (RFC 9112 §3.2); cheroot refuses it the same way.
    assert_refused(
        b"GET /hello?test=something#fake HTTP/1.1\r\nHost: x\r\n\r\n",
        "400",
    );
    assert_refused(b"GET http://x/a#b HTTP/1.1\r\nHost: x\r\n\r\n", "400");
}

#[test]
fn body_cut_short_by_the_client_gets_400() {
    // The client closes its side 3 bytes into a 10-byte body: the request is incomplete
    // (RFC 9112 §8), its fault, and it may still read the answer.
    let server = TestServer::start(|_| {});
    let mut stream = server.connect();
    use std::io::Write;
    stream
        .write_all(b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc")
        .expect("sent");
    stream
        .shutdown(std::net::Shutdown::Write)
        .expect("half-closed");
    let answer = support::read_to_close(&mut stream);
    assert!(answer.starts_with("HTTP/1.1 400 "), "{answer:?}");
}
