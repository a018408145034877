//! PEP 3333, rule by rule: each test is named for the rule it checks, and runs a small
//! application of `tests/apps/conformance.py` (wrapped in `wsgiref.validate.validator`
//! where the application is a valid one) behind `pywsgi`, through real sockets.

mod support;

use std::io::{Read, Write};
use std::sync::mpsc;
use std::time::Duration;

use pyo3::prelude::*;
use support::{contains, exchange, get, parse, serve, status};

#[test]
fn environ_is_a_dict_of_native_strings_with_every_required_key() {
    let server = serve("conformance:environ_app", 2);
    let raw = get(server.local_addr(), "/a/b?x=1");
    let text = String::from_utf8_lossy(&parse(&raw, false).body).into_owned();
    assert_eq!(status(&raw), 200, "{text}");
    for line in [
        "REQUEST_METHOD='GET'",
        "SCRIPT_NAME=''",
        "PATH_INFO='/a/b'",
        "QUERY_STRING='x=1'",
        "SERVER_NAME=",
        "SERVER_PORT=",
        "SERVER_PROTOCOL='HTTP/1.1'",
        "HTTP_HOST='test'",
        "REMOTE_ADDR='127.0.0.1'",
        "wsgi.url_scheme='http'",
        "wsgi.version:tuple",
        "wsgi.input:",
        "wsgi.errors:",
        "wsgi.multithread:bool",
        "wsgi.multiprocess:bool",
        "wsgi.run_once:bool",
        "wsgi.input_terminated:bool",
        "wsgi.file_wrapper:type",
    ] {
        assert!(text.contains(line), "{line} missing from\n{text}");
    }
    // The request's keys only: the process's environment (granian#878) is not merged in.
    for key in ["PATH=", "HOME=", "PWD="] {
        assert!(
            !text.lines().any(|l| l.starts_with(key)),
            "{key} leaked into\n{text}"
        );
    }
    server.stop();
}

#[test]
fn content_length_and_content_type_are_absent_when_the_request_has_none() {
    let server = serve("conformance:environ_app", 1);
    let raw = get(server.local_addr(), "/");
    let text = String::from_utf8_lossy(&parse(&raw, false).body).into_owned();
    assert!(
        !text.contains("CONTENT_LENGTH") && !text.contains("CONTENT_TYPE"),
        "{text}"
    );
    let post = b"POST / HTTP/1.1\r\nHost: t\r\nContent-Type: text/plain\r\nContent-Length: 2\r\nConnection: close\r\n\r\nhi";
    let text = String::from_utf8_lossy(&parse(&exchange(server.local_addr(), post), false).body)
        .into_owned();
    assert!(
        text.contains("CONTENT_LENGTH='2'") && text.contains("CONTENT_TYPE='text/plain'"),
        "{text}"
    );
    assert!(!text.contains("HTTP_CONTENT_"), "{text}");
    server.stop();
}

#[test]
fn path_info_is_percent_decoded_then_latin1() {
    let server = serve("conformance:latin1_app", 1);
    let raw = get(server.local_addr(), "/caf%C3%A9%20%FF");
    let response = parse(&raw, false);
    assert_eq!(response.body, b"/caf\xc3\xa9 \xff|");
    server.stop();
}

#[test]
fn header_bytes_0x80_to_0xff_are_kept_both_ways() {
    let server = serve("conformance:latin1_app", 1);
    let request = b"GET / HTTP/1.1\r\nHost: t\r\nX-Name: caf\xe9 \xff\r\nConnection: close\r\n\r\n";
    let raw = exchange(server.local_addr(), request);
    assert_eq!(status(&raw), 200);
    // In: the app saw one character per byte; out: the same bytes in its header.
    assert!(
        contains(&raw, b"/|caf\xe9 \xff"),
        "{}",
        String::from_utf8_lossy(&raw)
    );
    assert!(
        contains(&raw, b"\r\nX-Echo: caf\xe9 \xff\r\n"),
        "{}",
        String::from_utf8_lossy(&raw)
    );
    server.stop();
}

#[test]
fn status_and_headers_must_be_latin1_and_hop_by_hop_headers_are_refused() {
    testkit::log::capture();
    let server = serve("conformance:bad_header_app", 1);
    for case in ["euro", "status", "hop"] {
        let raw = get(server.local_addr(), &format!("/?{case}"));
        assert_eq!(
            status(&raw),
            500,
            "{case}: {}",
            String::from_utf8_lossy(&raw)
        );
        assert!(!contains(&raw, b"never"), "{case}");
    }
    let log = testkit::log::text();
    assert!(
        log.contains("hop-by-hop header not allowed: Connection"),
        "{log}"
    );
    assert!(log.contains("is not Latin-1"), "{log}");
    server.stop();
}

fn upload(addr: std::net::SocketAddr, how: &str, chunked: bool) -> Vec<u8> {
    let body = b"one\ntwo\nthree";
    let mut request =
        format!("POST /?{how} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n").into_bytes();
    if chunked {
        request.extend_from_slice(
            b"Transfer-Encoding: chunked\r\n\r\n5\r\none\nt\r\n8\r\nwo\nthree\r\n0\r\n\r\n",
        );
    } else {
        request.extend_from_slice(format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes());
        request.extend_from_slice(body);
    }
    parse(&exchange(addr, &request), false).body
}

#[test]
fn wsgi_input_reads_every_way_and_ends_with_empty_bytes() {
    let server = serve("conformance:input_app", 1);
    let addr = server.local_addr();
    for chunked in [false, true] {
        assert_eq!(upload(addr, "readn", chunked), b"one\n|two\n|thre|e#b''");
        assert_eq!(upload(addr, "readline", chunked), b"one\n|two\n|three#b''");
        assert_eq!(upload(addr, "readline2", chunked), b"on|e\n#b't'");
        assert_eq!(upload(addr, "readlines", chunked), b"one\n|two\n|three#b''");
        assert_eq!(upload(addr, "iter", chunked), b"one\n|two\n|three#b''");
    }
    server.stop();
    let server = serve("conformance:read_all_app", 1);
    for chunked in [false, true] {
        assert_eq!(
            upload(server.local_addr(), "", chunked),
            b"one\ntwo\nthree#b''"
        );
    }
    server.stop();
}

#[test]
fn start_response_returns_write_and_written_bytes_come_first() {
    let server = serve("conformance:write_app", 1);
    let response = parse(&get(server.local_addr(), "/"), false);
    assert_eq!(
        (response.status, response.body.as_slice()),
        (200, &b"first second"[..])
    );
    server.stop();
}

#[test]
fn headers_leave_with_the_first_non_empty_chunk_so_a_lazy_start_response_works() {
    let server = serve("conformance:lazy_app", 1);
    let response = parse(&get(server.local_addr(), "/"), false);
    assert_eq!(response.status, 201);
    assert_eq!(response.header("X-Lazy"), Some("yes"));
    assert_eq!(response.body, b"made");
    server.stop();
}

#[test]
fn exc_info_before_the_headers_are_sent_replaces_the_response() {
    let server = serve("conformance:exc_before_app", 1);
    let response = parse(&get(server.local_addr(), "/"), false);
    assert_eq!(
        (response.status, response.body.as_slice()),
        (500, &b"oops"[..])
    );
    assert!(response.head.contains("500 Oops"), "{}", response.head);
    server.stop();
}

#[test]
fn exc_info_after_the_headers_are_sent_is_reraised_and_the_connection_closed() {
    testkit::log::capture();
    let server = serve("conformance:exc_after_app", 1);
    let raw = get(server.local_addr(), "/");
    let response = parse(&raw, false);
    assert_eq!(response.status, 200);
    assert_eq!(response.body, b"partial");
    assert!(!response.complete, "a cut response must not look complete");
    assert!(testkit::log::text().contains("ValueError: late"));
    server.stop();
}

#[test]
fn a_second_start_response_without_exc_info_is_an_error() {
    testkit::log::capture();
    let server = serve("conformance:twice_app", 1);
    assert_eq!(status(&get(server.local_addr(), "/")), 500);
    assert!(testkit::log::text().contains("start_response called a second time without exc_info"));
    server.stop();
}

#[test]
fn an_exception_before_headers_is_a_500_with_the_traceback_logged_and_the_worker_lives() {
    testkit::log::capture();
    let server = serve("conformance:raise_app", 1);
    for _ in 0..3 {
        assert_eq!(status(&get(server.local_addr(), "/")), 500);
        // The one worker is still there to answer.
        assert_eq!(
            parse(&get(server.local_addr(), "/?ok"), false).body,
            b"alive"
        );
    }
    let log = testkit::log::text();
    assert!(log.contains("Traceback (most recent call last)"), "{log}");
    assert!(log.contains("KeyError: 'the application failed'"), "{log}");
    server.stop();
}

fn closed_count(addr: std::net::SocketAddr) -> u64 {
    let body = parse(&get(addr, "/?count"), false).body;
    String::from_utf8_lossy(&body).parse().expect("a count")
}

#[test]
fn close_is_called_on_every_path_errors_and_departed_clients_included() {
    let server = serve("conformance:closing_app", 1);
    let addr = server.local_addr();
    let before = closed_count(addr);
    // A normal body.
    assert_eq!(parse(&get(addr, "/?ok"), false).body, b"ab");
    assert_eq!(closed_count(addr), before + 1);
    // An exception after the headers: the connection is cut, close() still runs.
    let response = parse(&get(addr, "/?fail"), false);
    assert!(!response.complete);
    assert_eq!(closed_count(addr), before + 2);
    // A client that leaves mid-stream of an endless body.
    let mut stream = testkit::connect(addr);
    stream
        .write_all(b"GET /?endless HTTP/1.1\r\nHost: t\r\n\r\n")
        .expect("sent");
    let mut some = [0u8; 4096];
    assert!(stream.read(&mut some).expect("the stream starts") > 0);
    drop(stream);
    assert!(
        testkit::eventually(Duration::from_secs(10), || closed_count(addr) == before + 3),
        "close() after the client left"
    );
    server.stop();
}

#[test]
fn never_more_than_a_declared_content_length_is_sent() {
    let server = serve("conformance:length_app", 1);
    let mut stream = testkit::connect(server.local_addr());
    let request = b"GET / HTTP/1.1\r\nHost: t\r\n\r\n";
    let mut reader = std::io::BufReader::new(stream.try_clone().expect("clone"));
    for _ in 0..2 {
        stream.write_all(request).expect("sent");
        let response = testkit::read_response(&mut reader, false);
        assert_eq!(
            (response.status, response.body.as_slice()),
            (200, &b"hello"[..])
        );
    }
    server.stop();
}

#[test]
fn a_worker_keeps_one_python_thread_state_so_threading_local_survives() {
    let server = serve("conformance:local_app", 1);
    let mut idents = Vec::new();
    for n in 1..=3 {
        let body =
            String::from_utf8(parse(&get(server.local_addr(), "/"), false).body).expect("text");
        let (count, ident) = body.split_once(' ').expect("count and ident");
        assert_eq!(
            count,
            n.to_string(),
            "threading.local lost between requests"
        );
        idents.push(ident.to_owned());
    }
    assert!(idents.windows(2).all(|w| w[0] == w[1]));
    server.stop();
}

#[test]
fn the_gil_is_not_held_while_workers_wait() {
    let server = serve("conformance:local_app", 2);
    assert_eq!(status(&get(server.local_addr(), "/")), 200);
    // Both workers now wait on the poller; another thread must get the GIL at once.
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let two = Python::attach(|py| {
            py.eval(c"1 + 1", None, None)
                .and_then(|v| v.extract::<i64>())
        });
        let _ = tx.send(two.ok());
    });
    assert_eq!(rx.recv_timeout(Duration::from_secs(10)), Ok(Some(2)));
    server.stop();
}

#[test]
fn wsgi_file_wrapper_streams_a_file_like_object() {
    let server = serve("conformance:file_app", 1);
    let response = parse(&get(server.local_addr(), "/"), false);
    assert_eq!(response.body, b"0123456789".repeat(1000));
    server.stop();
}

#[test]
fn wsgi_errors_goes_to_the_log() {
    testkit::log::capture();
    let server = serve("conformance:errors_app", 1);
    assert_eq!(status(&get(server.local_addr(), "/")), 200);
    let log = testkit::log::text();
    assert!(
        log.contains("written to wsgi.errors") && log.contains("and a line list"),
        "{log}"
    );
    server.stop();
}

#[test]
fn a_head_request_gets_the_headers_and_no_body() {
    let server = serve("conformance:write_app", 1);
    let raw = exchange(
        server.local_addr(),
        b"HEAD / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
    );
    assert_eq!(status(&raw), 200);
    assert!(
        raw.ends_with(b"\r\n\r\n"),
        "{}",
        String::from_utf8_lossy(&raw)
    );
    server.stop();
}

#[test]
fn a_header_with_an_underscore_cannot_forge_its_dashed_twin() {
    let server = serve("conformance:environ_app", 1);
    let request = b"GET / HTTP/1.1\r\nHost: t\r\nX-Forwarded-For: 10.0.0.1\r\nX_Forwarded_For: 6.6.6.6\r\nConnection: close\r\n\r\n";
    let text = String::from_utf8_lossy(&parse(&exchange(server.local_addr(), request), false).body)
        .into_owned();
    assert!(text.contains("HTTP_X_FORWARDED_FOR='10.0.0.1'\n"), "{text}");
    assert!(!text.contains("6.6.6.6"), "{text}");
    server.stop();
}

#[test]
fn a_body_chunk_must_be_bytes_and_start_response_must_come_first() {
    testkit::log::capture();
    for (app, says) in [
        (
            "conformance:text_chunk_app",
            "the response body must yield bytes, not str",
        ),
        ("conformance:no_start_app", "never called start_response"),
    ] {
        let server = serve(app, 1);
        let raw = get(server.local_addr(), "/");
        assert_eq!(
            status(&raw),
            500,
            "{app}: {}",
            String::from_utf8_lossy(&raw)
        );
        assert!(
            !contains(&raw, b"a str") && !contains(&raw, b"without a status"),
            "{app}"
        );
        assert!(testkit::log::text().contains(says), "{app}: {says}");
        server.stop();
    }
}
