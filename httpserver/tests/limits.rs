//! Every limit of `ServerConfig`, tested at the bound (served) and one past it (refused).

mod support;

use support::TestServer;

fn first_line(answer: &str) -> &str {
    answer.lines().next().unwrap_or("")
}

#[test]
fn request_line_at_limit_is_served_past_it_gets_414() {
    // "GET /hello?" + query + " HTTP/1.1" is the line, CRLF excluded.
    let fixed = "GET /hello? HTTP/1.1".len();
    let server = TestServer::start(|c| c.max_request_line = 100);
    let at = format!(
        "GET /hello?{} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        "q".repeat(100 - fixed)
    );
    assert!(first_line(&server.exchange(at.as_bytes())).contains(" 200 "));
    let past = format!(
        "GET /hello?{} HTTP/1.1\r\nHost: x\r\n\r\n",
        "q".repeat(101 - fixed)
    );
    assert!(first_line(&server.exchange(past.as_bytes())).contains(" 414 "));
}

#[test]
fn request_line_past_limit_with_a_bare_lf_gets_414() {
    // A bare LF ending is one byte shorter than CRLF: the limit counts the line, not
    // its ending, so one byte past it is 414 either way.
    let fixed = "GET /hello? HTTP/1.1".len();
    let server = TestServer::start(|c| c.max_request_line = 100);
    let at = format!(
        "GET /hello?{} HTTP/1.1\nHost: x\nConnection: close\n\n",
        "q".repeat(100 - fixed)
    );
    assert!(first_line(&server.exchange(at.as_bytes())).contains(" 200 "));
    let past = format!(
        "GET /hello?{} HTTP/1.1\nHost: x\n\n",
        "q".repeat(101 - fixed)
    );
    assert!(first_line(&server.exchange(past.as_bytes())).contains(" 414 "));
}

#[test]
fn endless_request_line_gets_414_without_its_end() {
    let server = TestServer::start(|c| c.max_request_line = 100);
    let answer = server.exchange(format!("GET /{}", "a".repeat(500)).as_bytes());
    assert!(first_line(&answer).contains(" 414 "), "{answer:?}");
}

#[test]
fn header_section_at_limit_is_served_past_it_gets_431() {
    let server = TestServer::start(|c| c.max_header_bytes = 200);
    // The section counts every field line with its CRLF, and the final CRLF.
    let fixed = "Host: x\r\nConnection: close\r\nX-Pad: \r\n\r\n".len();
    let at = format!(
        "GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-Pad: {}\r\n\r\n",
        "p".repeat(200 - fixed)
    );
    assert!(first_line(&server.exchange(at.as_bytes())).contains(" 200 "));
    let past = format!(
        "GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-Pad: {}\r\n\r\n",
        "p".repeat(201 - fixed)
    );
    assert!(first_line(&server.exchange(past.as_bytes())).contains(" 431 "));
}

#[test]
fn header_count_at_limit_is_served_past_it_gets_431() {
    let server = TestServer::start(|c| c.max_headers = 10);
    let fields = |n: usize| (0..n).map(|i| format!("X-{i}: v\r\n")).collect::<String>();
    let at = format!(
        "GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n{}\r\n",
        fields(8)
    );
    assert!(first_line(&server.exchange(at.as_bytes())).contains(" 200 "));
    let past = format!(
        "GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n{}\r\n",
        fields(9)
    );
    assert!(first_line(&server.exchange(past.as_bytes())).contains(" 431 "));
}

#[test]
fn body_at_limit_is_served_past_it_gets_413() {
    let server = TestServer::start(|c| c.max_body = 10);
    let at = b"POST /echo HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 10\r\n\r\n0123456789";
    let answer = server.exchange(at);
    assert!(first_line(&answer).contains(" 200 ") && answer.ends_with("0123456789"));
    let past = b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\n0123456789A";
    assert!(first_line(&server.exchange(past)).contains(" 413 "));
}

#[test]
fn chunked_body_at_limit_is_served_past_it_gets_413() {
    let server = TestServer::start(|c| c.max_body = 10);
    let at = b"POST /echo HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\
               Transfer-Encoding: chunked\r\n\r\n5\r\n01234\r\n5\r\n56789\r\n0\r\n\r\n";
    let answer = server.exchange(at);
    assert!(
        first_line(&answer).contains(" 200 ") && answer.ends_with("0123456789"),
        "{answer:?}"
    );
    let past = b"POST /echo HTTP/1.1\r\nHost: x\r\n\
                 Transfer-Encoding: chunked\r\n\r\n5\r\n01234\r\n6\r\n56789A\r\n0\r\n\r\n";
    assert!(first_line(&server.exchange(past)).contains(" 413 "));
}

#[test]
fn chunk_extensions_at_limit_are_served_past_it_get_400() {
    // Extensions are ignored, so without a bound on their sum a client makes the server
    // read kilobytes per byte of body. Here 3 size lines carry 10 bytes of them in all.
    let server = TestServer::start(|c| c.chunked.max_extensions = 10);
    let at = b"POST /echo HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\
               Transfer-Encoding: chunked\r\n\r\n\
               2;ab\r\nab\r\n2;de\r\ncd\r\n0;fgh\r\n\r\n";
    let answer = server.exchange(at);
    assert!(
        first_line(&answer).contains(" 200 ") && answer.ends_with("abcd"),
        "{answer:?}"
    );
    let past = b"POST /echo HTTP/1.1\r\nHost: x\r\n\
                 Transfer-Encoding: chunked\r\n\r\n\
                 2;abc\r\nab\r\n2;de\r\ncd\r\n0;fgh\r\n\r\n";
    assert!(first_line(&server.exchange(past)).contains(" 400 "));
}

#[test]
fn refused_body_is_closed_with_a_fin_not_a_reset() {
    // The client sent a body the server refuses unread. Closed at once, the socket would
    // answer the unread bytes with a reset, which on many stacks destroys the 413 before
    // the client reads it; closed gracefully, the client reads the 413 and then a clean EOF.
    let server = TestServer::start(|c| c.max_body = 1024);
    let mut stream = server.connect();
    use std::io::{Read, Write};
    let mut request = b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 65536\r\n\r\n".to_vec();
    request.extend_from_slice(&[b'x'; 65536]);
    stream.write_all(&request).expect("sent");
    let mut answer = Vec::new();
    let end = stream.read_to_end(&mut answer);
    let answer = String::from_utf8_lossy(&answer);
    assert!(first_line(&answer).contains(" 413 "), "{answer:?}");
    assert!(end.is_ok(), "the connection was reset: {end:?}");
}
