//! An `accept` error is logged and survived, never fatal (tiny_http issue 283): here the
//! real one, `EMFILE`, provoked by running the `echo_server` example with a file table
//! of 16 descriptors and connecting more clients than it can hold.
#![cfg(unix)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

const IO_TIMEOUT: Duration = Duration::from_secs(5);

/// `target/<profile>/examples/<name>`: cargo builds the examples before the tests.
fn example(name: &str) -> PathBuf {
    let mut path = std::env::current_exe().expect("the test binary's path");
    path.pop();
    if path.ends_with("deps") {
        path.pop();
    }
    path.join("examples").join(name)
}

fn connect(addr: &str) -> TcpStream {
    let stream = TcpStream::connect(addr).expect("the backlog takes the connection");
    stream.set_read_timeout(Some(IO_TIMEOUT)).expect("timeout");
    stream.set_write_timeout(Some(IO_TIMEOUT)).expect("timeout");
    stream
}

/// Kills the example when the test ends, passed or failed.
struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn emfile_on_accept_is_logged_and_survived() {
    // `ulimit` is the shell's: the limit applies to the server alone, not to this test.
    let mut child = Command::new("sh")
        .arg("-c")
        .arg("ulimit -n 16 && exec \"$0\" --port 0 --threads 2")
        .arg(example("echo_server"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the example starts");
    let stdout = child.stdout.take().expect("stdout");
    let stderr = child.stderr.take().expect("stderr");
    let _child = Killed(child);
    let mut banner = String::new();
    BufReader::new(stdout)
        .read_line(&mut banner)
        .expect("the banner");
    let addr = banner
        .split("http://")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("no address in {banner:?}"))
        .to_string();
    let (lines, log) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if lines.send(line).is_err() {
                break;
            }
        }
    });

    // More clients than descriptors: the kernel completes them all (backlog 1024), and
    // `accept` fails with EMFILE once the table is full.
    let crowd: Vec<TcpStream> = (0..32).map(|_| connect(&addr)).collect();
    let deadline = Instant::now() + IO_TIMEOUT;
    let mut failed = None;
    while failed.is_none() && Instant::now() < deadline {
        failed = log
            .recv_timeout(Duration::from_millis(100))
            .ok()
            .filter(|line| line.contains("accept failed"));
    }
    let failed = failed.expect("the server logs the failed accept");
    assert!(failed.contains("Too many open files"), "{failed}");

    // The crowd leaves; the server is still there for the next client.
    drop(crowd);
    let mut client = connect(&addr);
    client
        .write_all(b"GET /after HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .expect("sent");
    let mut answer = String::new();
    let _ = client.read_to_string(&mut answer);
    assert!(answer.starts_with("HTTP/1.1 200 OK\r\n"), "{answer:?}");
    assert!(answer.ends_with("GET /after HTTP/1.1\nHost: x\nConnection: close\n\n"));
}
