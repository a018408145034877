//! `WsgiGateway` over real sockets: the environ from the wire, streaming, failures before
//! and after the headers, close hooks, and the request body bridge.

mod support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use support::{eventually, serve, Client};
use wsgi::{app_fn, AppError, Body, Environ, SharedApp, StartResponse};

/// An app that records the environ's variables and answers 200 "ok".
fn recording(seen: Arc<Mutex<Vec<(String, String)>>>) -> SharedApp {
    app_fn(move |env, sr| {
        let mut vars: Vec<(String, String)> = env
            .vars()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        vars.push(("path_bytes".into(), format!("{:?}", env.path_info_bytes())));
        *seen.lock().expect("lock") = vars;
        sr.start_response(
            "200 OK",
            [("Content-Type", "text/plain"), ("Content-Length", "2")],
        )?;
        Ok(Body::from_bytes("ok"))
    })
}

fn var(seen: &Arc<Mutex<Vec<(String, String)>>>, key: &str) -> Option<String> {
    seen.lock()
        .expect("lock")
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.clone())
}

#[test]
fn environ_is_built_from_the_request_on_the_wire() {
    let seen = Arc::default();
    let server = serve(recording(Arc::clone(&seen)));
    let mut client = Client::connect(server.addr);
    client.send(
        b"GET /caf%C3%A9/a%2Fb?x=%41&y=2 HTTP/1.1\r\n\
          Host: example.test:8080\r\n\
          Accept: text/html\r\n\
          Accept: text/plain\r\n\
          Cookie: a=1\r\n\
          Cookie: b=2\r\n\
          X-Forwarded-For: 10.0.0.1\r\n\
          X_Forwarded_For: 6.6.6.6\r\n\
          Content-Type: text/plain\r\n\
          Content-Length: 0\r\n\
          \r\n",
    );
    assert_eq!(client.response(false).status, 200);
    let get = |k| var(&seen, k);
    assert_eq!(get("REQUEST_METHOD").as_deref(), Some("GET"));
    assert_eq!(get("PATH_INFO").as_deref(), Some("/café/a/b"));
    assert_eq!(get("QUERY_STRING").as_deref(), Some("x=%41&y=2"));
    assert_eq!(
        get("REQUEST_URI").as_deref(),
        Some("/caf%C3%A9/a%2Fb?x=%41&y=2")
    );
    assert_eq!(get("SCRIPT_NAME").as_deref(), Some(""));
    assert_eq!(get("SERVER_PROTOCOL").as_deref(), Some("HTTP/1.1"));
    assert_eq!(get("SERVER_NAME").as_deref(), Some("example.test"));
    assert_eq!(get("SERVER_PORT"), Some(server.addr.port().to_string()));
    assert_eq!(get("REMOTE_ADDR").as_deref(), Some("127.0.0.1"));
    assert!(get("REMOTE_PORT").is_some_and(|p| p.parse::<u16>().is_ok()));
    assert_eq!(get("HTTP_HOST").as_deref(), Some("example.test:8080"));
    assert_eq!(get("HTTP_ACCEPT").as_deref(), Some("text/html, text/plain"));
    assert_eq!(get("HTTP_COOKIE").as_deref(), Some("a=1; b=2"));
    assert_eq!(get("HTTP_X_FORWARDED_FOR").as_deref(), Some("10.0.0.1"));
    assert_eq!(get("CONTENT_TYPE").as_deref(), Some("text/plain"));
    assert_eq!(get("CONTENT_LENGTH").as_deref(), Some("0"));
    assert_eq!(get("HTTPS").as_deref(), Some("off"));
    assert_eq!(get("HTTP_CONTENT_TYPE"), None);
}

#[test]
fn server_protocol_is_the_request_version() {
    let seen = Arc::default();
    let server = serve(recording(Arc::clone(&seen)));
    let mut client = Client::connect(server.addr);
    client.send(b"GET / HTTP/1.0\r\n\r\n");
    assert_eq!(client.response(false).status, 200);
    assert_eq!(var(&seen, "SERVER_PROTOCOL").as_deref(), Some("HTTP/1.0"));
}

#[test]
fn non_utf8_path_reaches_the_app_as_bytes() {
    let seen = Arc::default();
    let server = serve(recording(Arc::clone(&seen)));
    let mut client = Client::connect(server.addr);
    client.send(b"GET /%FF HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_eq!(client.response(false).status, 200);
    assert_eq!(var(&seen, "path_bytes").as_deref(), Some("[47, 255]"));
}

fn streaming(_: &mut Environ, sr: &mut StartResponse<'_>) -> Result<Body, AppError> {
    sr.start_response("200 OK", [("Content-Type", "text/plain")])?;
    Ok(Body::from_chunks(vec![
        b"one ".to_vec(),
        Vec::new(),
        b"two ".to_vec(),
        Vec::new(),
        b"three".to_vec(),
    ]))
}

#[test]
fn a_body_without_length_is_chunked_and_empty_chunks_do_not_end_it() {
    let server = serve(Arc::new(streaming));
    let mut client = Client::connect(server.addr);
    client.send(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    let response = client.response(false);
    assert!(response.chunked);
    assert!(response.complete);
    assert_eq!(response.text(), "one two three");
}

#[test]
fn panic_before_headers_is_500_and_the_connection_lives_on() {
    let app = app_fn(|env, sr| {
        if env.path_info_bytes() == b"/boom" {
            panic!("boom before headers (expected by the test)");
        }
        sr.start_response(
            "200 OK",
            [("Content-Type", "text/plain"), ("Content-Length", "2")],
        )?;
        Ok(Body::from_bytes("ok"))
    });
    let server = serve(app);
    let mut client = Client::connect(server.addr);
    client.send(b"GET /boom HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_eq!(client.response(false).status, 500);
    let second = client.response(false);
    assert_eq!(second.status, 200);
    assert_eq!(second.text(), "ok");
}

#[test]
fn app_error_before_headers_is_500() {
    let app = app_fn(|_, _| Err("the database is down".into()));
    let server = serve(app);
    let mut client = Client::connect(server.addr);
    client.send(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_eq!(client.response(false).status, 500);
}

#[test]
fn app_that_never_calls_start_response_gets_500() {
    let server = serve(app_fn(|_, _| Ok(Body::empty())));
    let mut client = Client::connect(server.addr);
    client.send(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_eq!(client.response(false).status, 500);
}

#[test]
fn second_start_response_with_error_replaces_the_headers() {
    let app = app_fn(|_, sr| {
        sr.start_response("200 OK", [("Content-Type", "text/plain"), ("X-First", "1")])?;
        sr.start_response_with_error(
            "503 Service Unavailable",
            [("Content-Type", "text/plain"), ("Content-Length", "4")],
            "late failure".into(),
        )?;
        Ok(Body::from_bytes("busy"))
    });
    let server = serve(app);
    let mut client = Client::connect(server.addr);
    client.send(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    let response = client.response(false);
    assert_eq!(response.status, 503);
    assert_eq!(response.header("X-First"), None);
    assert_eq!(response.text(), "busy");
}

/// An app whose body yields one chunk, then fails the way `how` says; counts closes.
fn failing_late(closes: Arc<AtomicUsize>, panic: bool) -> SharedApp {
    app_fn(move |_, sr| {
        sr.start_response("200 OK", [("Content-Type", "text/plain")])?;
        let closes = Arc::clone(&closes);
        let chunks = (0..2).map(move |i| -> Result<Vec<u8>, AppError> {
            match i {
                0 => Ok(b"first chunk".to_vec()),
                _ if panic => panic!("late panic (expected by the test)"),
                _ => Err("late error".into()),
            }
        });
        Ok(Body::from_results(chunks).on_close(move || {
            closes.fetch_add(1, Ordering::SeqCst);
        }))
    })
}

#[test]
fn failure_after_headers_truncates_and_closes_and_runs_close() {
    for panic in [true, false] {
        let closes = Arc::new(AtomicUsize::new(0));
        let server = serve(failing_late(Arc::clone(&closes), panic));
        let mut client = Client::connect(server.addr);
        client.send(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        let response = client.response(false);
        assert_eq!(response.status, 200);
        assert!(response.chunked);
        assert!(
            !response.complete,
            "panic={panic}: the body looked complete"
        );
        assert_eq!(response.text(), "first chunk");
        assert!(eventually(Duration::from_secs(2), || closes
            .load(Ordering::SeqCst)
            == 1));
    }
}

#[test]
fn close_runs_when_the_client_goes_away_mid_stream() {
    let closes = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&closes);
    let app = app_fn(move |_, sr| {
        sr.start_response("200 OK", [("Content-Type", "application/octet-stream")])?;
        let counted = Arc::clone(&counted);
        // Far more than the socket buffers hold: the writes must fail once the client
        // has gone, and the body must still be closed. Bounded, so the test ends anyway.
        Ok(
            Body::from_chunks((0..100_000).map(|_| vec![b'x'; 64 * 1024])).on_close(move || {
                counted.fetch_add(1, Ordering::SeqCst);
            }),
        )
    });
    let server = serve(app);
    let mut client = Client::connect(server.addr);
    client.send(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    // Read the start of the response, then hang up.
    assert!(client.read_some() > 0);
    client.shutdown();
    assert!(eventually(Duration::from_secs(10), || closes
        .load(Ordering::SeqCst)
        == 1));
}

#[test]
fn legacy_write_goes_out_before_the_returned_body() {
    let app = app_fn(|_, sr| {
        let mut write = sr.start_response("200 OK", [("Content-Type", "text/plain")])?;
        write.write(b"written ")?;
        write.write(b"")?;
        Ok(Body::from_bytes("returned"))
    });
    let server = serve(app);
    let mut client = Client::connect(server.addr);
    client.send(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    let response = client.response(false);
    assert!(response.complete);
    assert_eq!(response.text(), "written returned");
}

#[test]
fn the_gateway_builds_an_environ_the_validator_accepts() {
    let validator = wsgi::middleware::Validator::new(app_fn(|_, sr| {
        sr.start_response(
            "200 OK",
            [("Content-Type", "text/plain"), ("Content-Length", "2")],
        )?;
        Ok(Body::from_bytes("ok"))
    }));
    let findings = validator.findings();
    let server = serve(Arc::new(validator));
    let mut client = Client::connect(server.addr);
    client.send(b"GET /a?b=c HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\n\r\nPOST / HTTP/1.0\r\nContent-Length: 3\r\n\r\nabc");
    assert_eq!(client.response(false).status, 200);
    assert_eq!(client.response(false).status, 200);
    assert_eq!(findings.take(), vec![]);
}

#[test]
fn non_utf8_header_bytes_reach_the_app_as_latin_1() {
    let seen = Arc::default();
    let server = serve(recording(Arc::clone(&seen)));
    let mut client = Client::connect(server.addr);
    client.send(b"GET / HTTP/1.1\r\nHost: x\r\nX-Name: caf\xe9\r\nX-Utf8: caf\xc3\xa9\r\n\r\n");
    assert_eq!(client.response(false).status, 200);
    assert_eq!(var(&seen, "HTTP_X_NAME").as_deref(), Some("café"));
    assert_eq!(var(&seen, "HTTP_X_UTF8").as_deref(), Some("café"));
}

#[test]
fn the_environ_says_multithread_and_terminated_input() {
    // (multithread, multiprocess, run_once, input_terminated)
    type Flags = (bool, bool, bool, bool);
    let seen: Arc<Mutex<Option<Flags>>> = Arc::default();
    let keep = Arc::clone(&seen);
    let app = app_fn(move |env, sr| {
        let (thread, process, once) = env.concurrency();
        *keep.lock().expect("lock") = Some((thread, process, once, env.input_terminated()));
        sr.start_response(
            "200 OK",
            [("Content-Type", "text/plain"), ("Content-Length", "2")],
        )?;
        Ok(Body::from_bytes("ok"))
    });
    let server = serve(app);
    let mut client = Client::connect(server.addr);
    client.send(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_eq!(client.response(false).status, 200);
    assert_eq!(
        *seen.lock().expect("lock"),
        Some((true, false, false, true))
    );
}

#[test]
fn a_panic_after_a_legacy_write_truncates_instead_of_a_500() {
    let app = app_fn(|_, sr| {
        let mut write = sr.start_response("200 OK", [("Content-Type", "text/plain")])?;
        write.write(b"partial")?;
        panic!("a panic after the headers went out (expected)");
    });
    let server = serve(app);
    let mut client = Client::connect(server.addr);
    client.send(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    let response = client.response(false);
    assert_eq!(response.status, 200);
    assert!(!response.complete);
    assert_eq!(response.text(), "partial");
    assert!(client.closed_by_server());
}

/// An endless body (a stream of events) that counts its closes.
fn endless(status: &'static str, closes: Arc<AtomicUsize>) -> SharedApp {
    app_fn(move |_, sr| {
        sr.start_response(status, [("Content-Type", "text/event-stream")])?;
        let closes = Arc::clone(&closes);
        Ok(
            Body::from_chunks(std::iter::repeat_with(|| b"data: tick\n\n".to_vec())).on_close(
                move || {
                    closes.fetch_add(1, Ordering::SeqCst);
                },
            ),
        )
    })
}

#[test]
fn a_response_without_a_body_stops_pulling_chunks_once_its_headers_are_out() {
    // HEAD, 204 and 304 send no body, so writing never fails even when the client left:
    // pulling an endless body would hold the worker forever.
    for (status, method) in [
        ("200 OK", "HEAD"),
        ("204 No Content", "GET"),
        ("304 Not Modified", "GET"),
    ] {
        let closes = Arc::new(AtomicUsize::new(0));
        let server = serve(endless(status, Arc::clone(&closes)));
        let mut client = Client::connect(server.addr);
        let request =
            format!("{method} / HTTP/1.1\r\nHost: x\r\n\r\n{method} / HTTP/1.1\r\nHost: x\r\n\r\n");
        client.send(request.as_bytes());
        for _ in 0..2 {
            let response = client.response(method == "HEAD");
            assert_eq!(&response.head[9..12], &status[..3], "{method} {status}");
        }
        assert!(
            eventually(Duration::from_secs(5), || closes.load(Ordering::SeqCst)
                == 2),
            "{method} {status}: the body was never closed"
        );
    }
}

#[test]
fn a_head_response_the_server_stops_early_is_no_finding_against_the_app() {
    let validator = wsgi::middleware::Validator::new(app_fn(|_, sr| {
        sr.start_response(
            "200 OK",
            [("Content-Type", "text/plain"), ("Content-Length", "6")],
        )?;
        Ok(Body::from_chunks([b"abc".to_vec(), b"def".to_vec()]))
    }));
    let findings = validator.findings();
    let server = serve(Arc::new(validator));
    let mut client = Client::connect(server.addr);
    client.send(b"HEAD / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_eq!(client.response(true).header("Content-Length"), Some("6"));
    assert_eq!(client.response(false).text(), "abcdef");
    assert_eq!(findings.take(), vec![]);
}

#[test]
fn variables_an_app_keeps_past_its_request_are_not_reused_by_the_next() {
    // The gateway reuses a request's variables for the next one on the worker only when
    // nobody holds them; an app that keeps them sees them unchanged afterwards.
    let kept: Arc<Mutex<Vec<Arc<wsgi::Vars>>>> = Arc::default();
    let keeper = Arc::clone(&kept);
    let server = serve(app_fn(move |env, sr| {
        keeper.lock().expect("lock").push(env.shared_vars());
        sr.start_response("200 OK", [("Content-Length", "0")])?;
        Ok(Body::empty())
    }));
    let mut client = Client::connect(server.addr);
    for path in ["/first?a=1", "/second?b=2", "/third"] {
        let request = format!("GET {path} HTTP/1.1\r\nHost: h\r\nX-Path: {path}\r\n\r\n");
        client.send(request.as_bytes());
        assert_eq!(client.response(false).status, 200);
    }
    let kept = kept.lock().expect("lock");
    let seen: Vec<(&[u8], Option<&str>)> = kept
        .iter()
        .map(|vars| (vars.path_info_bytes(), vars.get("HTTP_X_PATH")))
        .collect();
    assert_eq!(
        seen,
        [
            (&b"/first"[..], Some("/first?a=1")),
            (&b"/second"[..], Some("/second?b=2")),
            (&b"/third"[..], Some("/third")),
        ]
    );
}
