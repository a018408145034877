//! The quick examples run and print what their `//!` header promises.

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// `target/<profile>/examples/<name>`: cargo builds the examples before the tests.
fn example(name: &str) -> PathBuf {
    let mut path = std::env::current_exe().expect("the test binary's path");
    path.pop();
    if path.ends_with("deps") {
        path.pop();
    }
    path.join("examples").join(name)
}

/// Runs an example to completion (at most 20 s) and returns its stdout.
fn run(name: &str, args: &[&str]) -> String {
    let mut child = Command::new(example(name))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the example starts");
    let started = Instant::now();
    while child.try_wait().expect("waitable").is_none() {
        if started.elapsed() > Duration::from_secs(20) {
            let _ = child.kill();
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let output = child.wait_with_output().expect("output");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

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
    let (pinned, engine) = out
        .split_once("engine (this crate)")
        .expect("both timelines");
    assert!(pinned.contains("NO ANSWER"), "{out}");
    assert!(engine.contains("client 3: answered after"), "{out}");
}

#[test]
fn echo_server_echoes_and_stops_after_its_requests() {
    use std::io::{Read, Write};
    let mut child = Command::new(example("echo_server"))
        .args(["--port", "0", "--threads", "2", "--requests", "1"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the example starts");
    let mut stdout = child.stdout.take().expect("stdout");
    let mut banner = Vec::new();
    let mut byte = [0u8; 1];
    while !banner.ends_with(b"\n") && stdout.read(&mut byte).unwrap_or(0) == 1 {
        banner.push(byte[0]);
    }
    let banner = String::from_utf8_lossy(&banner).into_owned();
    let addr = banner
        .split("http://")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .expect("the banner names the address")
        .to_string();
    let mut stream = std::net::TcpStream::connect(&addr).expect("connects");
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .expect("timeout");
    stream
        .set_write_timeout(Some(Duration::from_secs(5)))
        .expect("timeout");
    stream
        .write_all(b"POST /x?y HTTP/1.1\r\nHost: here\r\nConnection: close\r\nContent-Length: 4\r\n\r\nbody")
        .expect("sent");
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    assert!(
        answer.ends_with(
            "POST /x?y HTTP/1.1\nHost: here\nConnection: close\nContent-Length: 4\n\nbody"
        ),
        "{answer:?}"
    );
    let started = Instant::now();
    while child.try_wait().expect("waitable").is_none()
        && started.elapsed() < Duration::from_secs(10)
    {
        std::thread::sleep(Duration::from_millis(20));
    }
    let finished = child.try_wait().expect("waitable").is_some();
    let _ = child.kill();
    assert!(finished, "echo_server did not stop after --requests 1");
}

/// A server example running until dropped (killed), with the address it printed first.
struct Served {
    child: std::process::Child,
    addr: String,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(name: &str, args: &[&str]) -> Served {
    use std::io::Read;
    let mut child = Command::new(example(name))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the example starts");
    let mut stdout = child.stdout.take().expect("stdout");
    let mut banner = Vec::new();
    let mut byte = [0u8; 1];
    while !banner.ends_with(b"\n") && stdout.read(&mut byte).unwrap_or(0) == 1 {
        banner.push(byte[0]);
    }
    let banner = String::from_utf8_lossy(&banner).into_owned();
    let addr = banner
        .strip_prefix("listening on http://")
        .map(|rest| rest.trim().to_string())
        .unwrap_or_else(|| panic!("the first line is not `listening on http://ADDR`: {banner:?}"));
    Served { child, addr }
}

fn connect(addr: &str) -> std::net::TcpStream {
    let stream = std::net::TcpStream::connect(addr).expect("connects");
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .expect("timeout");
    stream
        .set_write_timeout(Some(Duration::from_secs(5)))
        .expect("timeout");
    stream
}

#[test]
fn the_three_designs_answer_hello_kept_alive() {
    use std::io::{Read, Write};
    for name in ["pinned_worker", "park_and_dispatch", "engine_hello"] {
        let served = serve(name, &["--port", "0", "--threads", "2"]);
        let mut stream = connect(&served.addr);
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
            assert!(answer.starts_with("HTTP/1.1 200 OK\r\n"), "{name}: {answer}");
        }
    }
}

#[test]
fn timeout_flag_sets_the_keep_alive_timeout_too() {
    use std::io::{Read, Write};
    let served = serve("echo_server", &["--port", "0", "--timeout", "1"]);
    let mut stream = connect(&served.addr);
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
