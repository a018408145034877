//! The application behind the real server: a few behaviours over loopback sockets.

mod support;

use std::sync::{Arc, Mutex};
use std::thread;

use application::{ctx, unloadhook, web, Application, Args, Body, Target};
use support::Server;

fn app() -> Application {
    Application::new([
        ("/", Target::func(|_: &Args| Ok("Hello, world!".into()))),
        ("/echo", Target::func(|_: &Args| Ok(web::data()?.into()))),
        (
            "/path/(.*)",
            Target::func(|_: &Args| Ok(ctx::with(|c| c.path.clone())?.into())),
        ),
        (
            "/panic",
            Target::func(|_: &Args| panic!("handler bug under the server")),
        ),
        ("/checks", Target::func(counts_header_checks)),
        (
            "/stream",
            Target::func(|_: &Args| {
                Ok(Body::stream(
                    ["one ", "two ", "three"].map(|s| s.as_bytes().to_vec()),
                ))
            }),
        ),
    ])
    .expect("valid patterns")
}

/// Sets one header, then answers with a stream whose second chunk, produced after the
/// headers went out, is how many header checks this thread made since the handler began.
fn counts_header_checks(_: &Args) -> application::Outcome {
    let before = wsgi::rules::headers_checked_on_this_thread();
    web::header("X-Checked", "once")?;
    // Lazy: the second chunk is made when the gateway asks for it.
    let chunks = [false, true].into_iter().map(move |count| match count {
        false => b"checks ".to_vec(),
        true => (wsgi::rules::headers_checked_on_this_thread() - before)
            .to_string()
            .into_bytes(),
    });
    Ok(Body::stream(chunks))
}

#[test]
fn a_header_set_by_a_handler_is_checked_once_on_its_way_to_the_socket() {
    // `web::header` checks it; `start_response_checked`, the connection's sink and
    // httpserver's `Response` take it as checked. A layer that checked it again would
    // make the count 2 (the counter counts in debug builds, as tests are built).
    let once = if cfg!(debug_assertions) { "1" } else { "0" };
    let server = Server::start(&app());
    let r = server.exchange(
        b"GET /checks HTTP/1.1\r\n\
          Host: h\r\n\
          Connection: close\r\n\
          \r\n",
    );
    assert!(r.contains("X-Checked: once\r\n"), "{r}");
    assert!(
        r.ends_with(&format!("checks \r\n1\r\n{once}\r\n0\r\n\r\n")),
        "{r}"
    );
    // In process too: `request()`'s recorder takes them as they are.
    let r = app().request("/checks").send();
    assert_eq!(r.text(), format!("checks {once}"));
}

#[test]
fn hello_over_a_socket_has_status_length_and_body() {
    let server = Server::start(&app());
    let r = server.exchange(
        b"GET / HTTP/1.1\r\n\
          Host: example.com\r\n\
          Connection: close\r\n\
          \r\n",
    );
    assert!(r.starts_with("HTTP/1.1 200 OK\r\n"), "{r}");
    assert!(r.contains("Content-Length: 13\r\n"), "{r}");
    assert!(r.ends_with("\r\n\r\nHello, world!"), "{r}");
}

#[test]
fn head_sends_the_get_headers_and_no_body_and_the_connection_stays_usable() {
    let server = Server::start(&app());
    let r = server.exchange(
        b"HEAD / HTTP/1.1\r\n\
          Host: h\r\n\
          \r\n\
          GET / HTTP/1.1\r\n\
          Host: h\r\n\
          Connection: close\r\n\
          \r\n",
    );
    assert_eq!(r.matches("HTTP/1.1 200 OK").count(), 2, "{r}");
    assert_eq!(
        r.matches("Hello, world!").count(),
        1,
        "only the GET has a body: {r}"
    );
}

#[test]
fn a_non_ascii_body_comes_back_whole() {
    let server = Server::start(&app());
    let body = "h\u{e9}llo w\u{f6}rld \u{1f600}";
    let request = format!(
        "POST /echo HTTP/1.1\r\nHost: h\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let r = server.exchange(request.as_bytes());
    assert!(r.starts_with("HTTP/1.1 200 OK\r\n"), "{r}");
    assert!(r.ends_with(body), "{r}");
}

#[test]
fn a_chunked_request_body_is_read_to_its_end() {
    let server = Server::start(&app());
    let r = server.exchange(
        b"POST /echo HTTP/1.1\r\n\
          Host: h\r\n\
          Transfer-Encoding: chunked\r\n\
          Connection: close\r\n\
          \r\n\
          5\r\nhello\r\n\
          7\r\n, world\r\n\
          0\r\n\r\n",
    );
    assert!(r.starts_with("HTTP/1.1 200 OK\r\n"), "{r}");
    assert!(r.ends_with("\r\n\r\nhello, world"), "{r}");
}

#[test]
fn a_panicking_handler_is_a_500_and_the_server_goes_on() {
    let server = Server::start(&app());
    let r = server.exchange(
        b"GET /panic HTTP/1.1\r\n\
          Host: h\r\n\
          \r\n\
          GET / HTTP/1.1\r\n\
          Host: h\r\n\
          Connection: close\r\n\
          \r\n",
    );
    assert!(
        r.starts_with("HTTP/1.1 500 Internal Server Error\r\n"),
        "{r}"
    );
    assert!(
        r.ends_with("Hello, world!"),
        "the next request on the connection is served: {r}"
    );
}

#[test]
fn a_stream_is_sent_chunked_and_the_unload_hook_runs_after_it() {
    let log = Arc::new(Mutex::new(Vec::new()));
    let mut app = app();
    let l = Arc::clone(&log);
    app.add_processor(unloadhook(move || {
        let path = ctx::with(|c| c.path.clone()).unwrap_or_default();
        l.lock().expect("log lock").push(path);
    }));
    let server = Server::start(&app);
    let r = server.exchange(
        b"GET /stream HTTP/1.1\r\n\
          Host: h\r\n\
          Connection: close\r\n\
          \r\n",
    );
    assert!(r.contains("Transfer-Encoding: chunked\r\n"), "{r}");
    assert!(
        r.contains("one ") && r.contains("three") && r.ends_with("0\r\n\r\n"),
        "{r}"
    );
    drop(server);
    assert_eq!(*log.lock().expect("log lock"), ["/stream"]);
}

#[test]
fn concurrent_clients_each_see_their_own_path() {
    let server = Arc::new(Server::start(&app()));
    let clients: Vec<_> = (0..4)
        .map(|t| {
            let server = Arc::clone(&server);
            thread::spawn(move || {
                for i in 0..10 {
                    let request = format!(
                        "GET /path/{t}-{i} HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"
                    );
                    let r = server.exchange(request.as_bytes());
                    assert!(r.ends_with(&format!("\r\n\r\n/path/{t}-{i}")), "{r}");
                }
            })
        })
        .collect();
    for c in clients {
        c.join().expect("a client saw another request's path");
    }
}
