//! The conformance example's app over loopback: a few routes, as a black-box client sees
//! them. (The example file is compiled in as a module, so this tests the very routes the
//! example serves.)

mod support;

#[allow(dead_code)]
#[path = "../examples/conformance.rs"]
mod conformance;

use sha2::{Digest, Sha256};
use support::{serve, Client};
use wsgi::{Environ, WsgiServer};

fn args(list: &[&str]) -> impl Iterator<Item = String> {
    list.iter()
        .map(|a| a.to_string())
        .collect::<Vec<_>>()
        .into_iter()
}

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

#[test]
fn port_threads_and_timeout_flags_configure_the_server() {
    let options =
        conformance::parse_args(args(&["--port", "0", "--threads", "2", "--timeout", "1"]))
            .expect("flags parse");
    let config = options.config();
    assert_eq!(config.bind_addr, "127.0.0.1:0");
    assert_eq!(config.threads, 2);
    let running = WsgiServer::with_config(config, conformance::app())
        .start()
        .expect("starts");
    let addr = running.local_addr();
    assert_ne!(addr.port(), 0, "the bound address, not the asked one");
    let mut client = Client::connect(addr);
    client.send(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_eq!(client.response(false).status, 200);
    // A head that never ends meets the 1 s --timeout, well before the client's own
    // IO_TIMEOUT (the server's default would be 10 s): 408.
    let mut slow = Client::connect(addr);
    slow.send(b"GET / HTTP/1.1\r\nHost:");
    let mut raw = Vec::new();
    let _ = slow.read_to_end(&mut raw);
    assert!(
        raw.starts_with(b"HTTP/1.1 408"),
        "{:?}",
        String::from_utf8_lossy(&raw)
    );
    running.stop();
}

#[test]
fn bad_flags_are_errors_that_name_the_flag() {
    for (list, word) in [
        (&["--port", "http"][..], "--port"),
        (&["--port", "70000"][..], "--port"),
        (&["--threads"][..], "--threads"),
        (&["--timeout", "-1"][..], "--timeout"),
        (&["--verbose", "1"][..], "--verbose"),
    ] {
        let error = conformance::parse_args(args(list))
            .expect_err("an error")
            .to_string();
        assert!(error.contains(word), "{list:?}: {error}");
    }
}

#[test]
fn stream_sends_no_zero_size_chunk_before_the_last() {
    let server = serve(conformance::app());
    let mut client = Client::connect(server.addr);
    client.send(b"GET /stream?n=3 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    let mut raw = Vec::new();
    let _ = client.read_to_end(&mut raw);
    let raw = String::from_utf8_lossy(&raw);
    let body = raw.split_once("\r\n\r\n").expect("a head").1;
    assert_eq!(
        body,
        "8\r\nchunk 0\n\r\n8\r\nchunk 1\n\r\n8\r\nchunk 2\n\r\n0\r\n\r\n"
    );
}

#[test]
fn echo_takes_a_chunked_body_too() {
    let server = serve(conformance::app());
    let mut client = Client::connect(server.addr);
    client.send(
        b"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n\
          6\r\nhello \r\n\
          5\r\nworld\r\n\
          0\r\n\r\n",
    );
    let response = client.response(false);
    assert_eq!(response.text(), "hello world");
    assert_eq!(response.header("X-Body-Length"), Some("11"));
    let digest = hex::encode(Sha256::digest(b"hello world"));
    assert_eq!(response.header("X-Body-Sha256"), Some(digest.as_str()));
}

#[test]
fn env_lists_every_pep_3333_key() {
    let server = serve(conformance::app());
    let mut client = Client::connect(server.addr);
    client.send(
        b"POST /env HTTP/1.1\r\nHost: h\r\nContent-Type: text/plain\r\nContent-Length: 0\r\n\r\n",
    );
    let text = client.response(false).text();
    let keys: Vec<&str> = text
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, _)| k)
        .collect();
    for key in [
        "REQUEST_METHOD",
        "SCRIPT_NAME",
        "PATH_INFO",
        "QUERY_STRING",
        "REQUEST_URI",
        "SERVER_PROTOCOL",
        "SERVER_NAME",
        "SERVER_PORT",
        "SERVER_SOFTWARE",
        "REMOTE_ADDR",
        "REMOTE_PORT",
        "CONTENT_TYPE",
        "CONTENT_LENGTH",
        "HTTP_HOST",
        "HTTPS",
        "wsgi.version",
        "wsgi.url_scheme",
        "wsgi.input",
        "wsgi.input_terminated",
        "wsgi.errors",
        "wsgi.multithread",
        "wsgi.multiprocess",
        "wsgi.run_once",
    ] {
        assert!(keys.contains(&key), "{key} missing in\n{text}");
    }
    assert!(text.lines().any(|l| l == "wsgi.multithread=True"), "{text}");
}

#[test]
fn huge_sleep_and_big_parameters_are_bounded_not_a_panic() {
    let huge = "18446744073709551615";
    let beyond = "99999999999999999999999999";
    for value in [huge, beyond] {
        let env = Environ::from_target("GET", &format!("/sleep?ms={value}&bytes={value}"));
        assert!(conformance::sleep_ms(&env) <= conformance::MAX_SLEEP_MS);
        assert!(conformance::big_bytes(&env) <= conformance::MAX_BIG);
    }
    let server = serve(conformance::app());
    let mut client = Client::connect(server.addr);
    let request = format!("GET /big?bytes={beyond} HTTP/1.1\r\nHost: x\r\n\r\n");
    client.send(request.as_bytes());
    let response = client.response(false);
    assert_eq!(response.status, 200);
    assert!(response.complete);
    assert!(response.body.len() as u64 <= conformance::MAX_BIG);
}

#[test]
fn status_route_refuses_codes_out_of_range() {
    let server = serve(conformance::app());
    let mut client = Client::connect(server.addr);
    for code in ["99", "600", "abc", "99999999999999999999999"] {
        let request = format!("GET /status?code={code} HTTP/1.1\r\nHost: x\r\n\r\n");
        client.send(request.as_bytes());
        assert_eq!(client.response(false).status, 400, "code={code}");
    }
}

#[test]
fn nolength_on_http_1_0_is_delimited_by_the_close() {
    let server = serve(conformance::app());
    let mut client = Client::connect(server.addr);
    client.send(b"GET /nolength HTTP/1.0\r\n\r\n");
    let response = client.response(false);
    assert_eq!(response.header("Content-Length"), None);
    assert!(!response.chunked);
    assert_eq!(response.text(), "no Content-Length here\n");
}
