//! The quick examples run and print what their `//!` header promises.

use std::time::{Duration, Instant};

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
fn keep_alive_example_shows_starving_then_serving() {
    let out = run("keep_alive_holds_a_worker", &[]);
    let (pinned, engine) = out
        .split_once("engine (this crate)")
        .expect("both timelines");
    assert!(pinned.contains("NO ANSWER"), "{out}");
    assert!(engine.contains("client 3: answered after"), "{out}");
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

#[test]
fn the_three_designs_answer_hello_kept_alive() {
    use std::io::{Read, Write};
    for name in ["pinned_worker", "park_and_dispatch", "engine_hello"] {
        let served = Served::start(name, &["--port", "0", "--threads", "2"]);
        let mut stream = testkit::connect(served.addr.as_str());
        for _ in 0..3 {
            stream
                .write_all(b"GET /hello/load HTTP/1.1\r\nHost: x\r\n\r\n")
                .expect("sent");
            let mut answer = Vec::new();
            let mut byte = [0u8; 1];
            while !answer.ends_with(b"hello, load") {
                stream.read_exact(&mut byte).expect("an answer");
                answer.push(byte[0]);
            }
            let answer = String::from_utf8_lossy(&answer);
            assert!(
                answer.starts_with("HTTP/1.1 200 OK\r\n"),
                "{name}: {answer}"
            );
        }
    }
}

#[test]
fn timeout_flag_sets_the_keep_alive_timeout_too() {
    use std::io::{Read, Write};
    let served = Served::start("echo_server", &["--port", "0", "--timeout", "1"]);
    let mut stream = testkit::connect(served.addr.as_str());
    stream
        .write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        .expect("sent");
    let started = Instant::now();
    let mut rest = Vec::new();
    // The server closes the idle connection after 1 s, not the default 5 s.
    let _ = stream.read_to_end(&mut rest);
    let waited = started.elapsed();
    assert!(String::from_utf8_lossy(&rest).starts_with("HTTP/1.1 200 OK"));
    assert!(waited < Duration::from_secs(4), "closed after {waited:?}");
}

#[test]
fn slow_handlers_hold_workers_until_grow_or_a_bounded_queue_answers() {
    let out = run("slow_handlers", &[]);
    let (default, rest) = out.split_once("2. grow").expect("the grow run");
    let (grown, bounded) = rest
        .split_once("3. a bounded queue")
        .expect("the bounded run");
    // The default: the fast request is answered only once a slow handler is done.
    assert!(
        default.contains("fast: HTTP/1.1 200 OK") && default.contains("it waited for a worker"),
        "{out}"
    );
    // grow: the new worker answers it while both slow handlers still run.
    assert!(grown.contains("grow(1) started 1"), "{out}");
    assert!(
        grown.contains("while every slow handler still ran"),
        "{out}"
    );
    assert!(grown.contains("grow(1) again: started 0"), "{out}");
    // A bounded queue: both fast requests get a 503; the slow ones still get their 200.
    assert!(
        bounded.contains("fast 2: HTTP/1.1 503 Service Unavailable")
            && bounded.contains("fast 1: HTTP/1.1 503 Service Unavailable"),
        "{out}"
    );
    assert_eq!(out.matches("slow 1: HTTP/1.1 200 OK").count(), 3, "{out}");
    assert_eq!(out.matches("slow 2: HTTP/1.1 200 OK").count(), 3, "{out}");
}
