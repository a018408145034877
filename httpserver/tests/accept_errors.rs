//! An `accept` error is logged and survived, never fatal (tiny_http issue 283): here the
//! real one, `EMFILE`, provoked by running the `echo_server` example with a file table
//! of 16 descriptors and connecting more clients than it can hold.
#![cfg(unix)]

use std::process::Command;
use std::time::{Duration, Instant};

use testkit::{connect, example, exchange, Served, IO_TIMEOUT};

#[test]
fn emfile_on_accept_is_logged_and_survived() {
    // `ulimit` is the shell's: the limit applies to the server alone, not to this test.
    let mut command = Command::new("sh");
    command
        .arg("-c")
        .arg("ulimit -n 16 && exec \"$0\" --port 0 --threads 2")
        .arg(example("echo_server"));
    let served = Served::spawn(command);
    let addr = served.addr.as_str();

    // More clients than descriptors: the kernel completes them all (backlog 1024), and
    // `accept` fails with EMFILE once the table is full.
    let crowd: Vec<_> = (0..32).map(|_| connect(addr)).collect();
    let deadline = Instant::now() + IO_TIMEOUT;
    let mut failed = None;
    while failed.is_none() && Instant::now() < deadline {
        failed = served
            .stderr
            .recv_timeout(Duration::from_millis(100))
            .ok()
            .filter(|line| line.contains("accept failed"));
    }
    let failed = failed.expect("the server logs the failed accept");
    assert!(failed.contains("Too many open files"), "{failed}");

    // The crowd leaves; the server is still there for the next client.
    drop(crowd);
    let answer = exchange(
        addr,
        b"GET /after HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    );
    assert!(answer.starts_with("HTTP/1.1 200 OK\r\n"), "{answer:?}");
    assert!(answer.ends_with("GET /after HTTP/1.1\nHost: x\nConnection: close\n\n"));
}
