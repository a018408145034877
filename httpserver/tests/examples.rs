//! The quick examples run and print what their `//!` header promises.

use std::time::Duration;

use testkit::{exchange, run, Served};

#[test]
fn bind_step_by_step_prints_every_step() {
    let out = run("bind_step_by_step", &[]);
    for step in [
        "1. getaddrinfo",
        "2. socket()",
        "3. setsockopt()",
        "4. bind()",
        "5. listen(1024)",
        "accept()",
    ] {
        assert!(out.contains(step), "{step} missing in {out}");
    }
    assert!(!out.contains("bound to 127.0.0.1:0\n"), "{out}");
}

#[test]
fn keep_alive_example_shows_starving_then_parking() {
    let out = run("keep_alive_holds_a_worker", &[]);
    let (pinned, parked) = out
        .split_once("parked (this crate)")
        .expect("both timelines");
    assert!(pinned.contains("NO ANSWER"), "{out}");
    assert!(parked.contains("client 3: answered after"), "{out}");
}

#[test]
fn echo_server_echoes_and_stops_after_its_requests() {
    let mut served = Served::start(
        "echo_server",
        &["--port", "0", "--threads", "2", "--requests", "1"],
    );
    let answer = exchange(
        served.addr.as_str(),
        b"POST /x?y HTTP/1.1\r\nHost: here\r\nConnection: close\r\nContent-Length: 4\r\n\r\nbody",
    );
    assert!(
        answer.ends_with(
            "POST /x?y HTTP/1.1\nHost: here\nConnection: close\nContent-Length: 4\n\nbody"
        ),
        "{answer:?}"
    );
    let finished = served.wait(Duration::from_secs(10));
    assert!(
        finished.is_some(),
        "echo_server did not stop after --requests 1"
    );
}
