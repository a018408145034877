//! The examples, run and checked: `middleware_order` in-process, and the `conformance`
//! binary itself (its flags, the address it prints, its stop on SIGTERM); its routes are
//! covered by `conformance.rs`, which serves the example's app.

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

/// The example binary `cargo test` built beside this test's binary.
fn example(name: &str) -> std::path::PathBuf {
    let exe = std::env::current_exe().expect("the test binary's path");
    let profile = exe
        .parent()
        .and_then(|deps| deps.parent())
        .expect("target/<profile>/deps/<test>");
    profile.join("examples").join(name)
}

/// Reads stdout lines on a thread, so each wait for a line is bounded.
fn lines(stdout: std::process::ChildStdout) -> std::sync::mpsc::Receiver<String> {
    use std::io::BufRead;
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
        {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

#[cfg(unix)]
#[test]
fn conformance_binary_prints_its_address_serves_and_stops_on_sigterm() {
    use std::io::{Read, Write};
    use std::process::{Command, Stdio};
    use std::time::Duration;

    const WAIT: Duration = Duration::from_secs(30);
    let mut child = Command::new(example("conformance"))
        .args(["--port", "0", "--threads", "2", "--timeout", "3"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the example starts");
    let out = lines(child.stdout.take().expect("stdout is piped"));
    let first = out.recv_timeout(WAIT).unwrap_or_default();
    let addr = first.trim_start_matches("listening on http://").to_owned();
    let served = || {
        assert!(addr.starts_with("127.0.0.1:"), "printed {first:?}");
        assert!(!addr.ends_with(":0"), "the bound port, not the asked one");
        let mut stream = std::net::TcpStream::connect(&addr).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_secs(5)))
            .expect("read timeout");
        stream
            .set_write_timeout(Some(Duration::from_secs(5)))
            .expect("write timeout");
        stream
            .write_all(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            .expect("send");
        let mut response = Vec::new();
        let _ = stream.take(1 << 16).read_to_end(&mut response);
        String::from_utf8_lossy(&response).into_owned()
    };
    let response = std::panic::catch_unwind(served);
    // Stop it by its own id, whatever the assertions above said.
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let stopped = out.recv_timeout(WAIT).unwrap_or_default();
    // It exits by itself after "stopped"; killed only if it has not within WAIT.
    let start = std::time::Instant::now();
    while child.try_wait().ok().flatten().is_none() && start.elapsed() < WAIT {
        std::thread::sleep(Duration::from_millis(10));
    }
    let _ = child.kill();
    let status = child.wait().expect("the example exits");
    let response = response.expect("the example served");
    assert!(
        response.starts_with("HTTP/1.1 200 OK\r\n") && response.ends_with("Hello, world!\n"),
        "{response}"
    );
    assert_eq!(stopped, "stopped", "SIGTERM stops it gracefully");
    assert!(status.success(), "{status:?}");
}
