//! The examples, run and checked: `middleware_order` in-process; the server examples as
//! the binaries `cargo test` builds (the address each prints, a response, its stop on
//! SIGTERM). The conformance routes are covered by `conformance.rs`, which serves the
//! example's app.

use testkit::{Served, WAIT};

#[allow(dead_code)]
#[path = "../examples/middleware_order.rs"]
mod middleware_order;

#[test]
fn middleware_order_example_shows_the_last_middleware_outermost() {
    let (trace, via) = middleware_order::run().expect("the example runs");
    let trimmed: Vec<&str> = trace.iter().map(|l| l.trim()).collect();
    assert_eq!(
        trimmed,
        [
            "c: request in",
            "b: request in",
            "a: request in",
            "app",
            "a: response out",
            "b: response out",
            "c: response out"
        ]
    );
    assert_eq!(via, ["a", "b", "c"]);
}

#[cfg(unix)]
#[test]
fn conformance_binary_prints_its_address_serves_and_stops_on_sigterm() {
    let mut served = Served::start(
        "conformance",
        &["--port", "0", "--threads", "2", "--timeout", "3"],
    );
    assert!(served.addr.starts_with("127.0.0.1:"), "{}", served.addr);
    assert!(
        !served.addr.ends_with(":0"),
        "the bound port, not the asked one"
    );
    let response = served.get("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    assert!(
        response.starts_with("HTTP/1.1 200 OK\r\n") && response.ends_with("Hello, world!\n"),
        "{response}"
    );
    let status = served.terminate();
    assert_eq!(
        served.stdout.recv_timeout(WAIT).ok().as_deref(),
        Some("stopped")
    );
    assert!(status.success(), "{status:?}");
}

#[cfg(unix)]
#[test]
fn hello_world_binary_serves_hello_on_the_port_given() {
    let mut served = Served::start("hello_world", &["--port", "0"]);
    assert!(served.addr.starts_with("127.0.0.1:"), "{}", served.addr);
    let response = served.get("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    assert!(
        response.starts_with("HTTP/1.1 200 OK\r\n") && response.ends_with("\r\n\r\nhello\n"),
        "{response}"
    );
    // It installs its handler only as it starts waiting, so a SIGTERM may beat it and
    // end the process the default way: either way it is gone.
    let _ = served.terminate();
}

#[cfg(unix)]
#[test]
fn static_files_binary_serves_revalidates_refuses_traversal_and_logs() {
    let dir = std::env::temp_dir().join(format!("wsgi-example-static-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let root = dir.join("static");
    let mut served = Served::start(
        "static_files",
        &[root.to_str().expect("UTF-8 temp dir"), "--port", "0"],
    );
    let index =
        served.get("GET /static/index.html HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    assert!(index.starts_with("HTTP/1.1 200 OK\r\n"), "{index}");
    assert!(
        index.contains("Content-Type: text/html; charset=utf-8\r\n"),
        "{index}"
    );
    let etag = index
        .lines()
        .find_map(|l| l.strip_prefix("ETag: "))
        .expect("an ETag")
        .to_owned();
    let again = served.get(&format!(
        "GET /static/index.html HTTP/1.1\r\nHost: x\r\nIf-None-Match: {etag}\r\nConnection: close\r\n\r\n"
    ));
    assert!(
        again.starts_with("HTTP/1.1 304 Not Modified\r\n"),
        "{again}"
    );
    std::fs::write(dir.join("secret.txt"), "outside").expect("write");
    for target in ["/static/../secret.txt", "/static/%2e%2e/secret.txt"] {
        let refused = served.get(&format!(
            "GET {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        ));
        assert!(!refused.contains("outside"), "{target}: {refused}");
    }
    let log = served.stderr.recv_timeout(WAIT).unwrap_or_default();
    assert!(
        log.contains("\"GET /static/index.html HTTP/1.1\" 200 "),
        "{log}"
    );
    let status = served.terminate();
    let _ = std::fs::remove_dir_all(&dir);
    assert!(status.success(), "{status:?}");
}
