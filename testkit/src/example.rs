//! The example binaries, run as a user would: found beside the test binary, started with
//! their command line, their address read from what they print, stopped by a signal.
//!
//! The convention every server example follows: the first line it prints on stdout is
//! `listening on http://ADDR` (the bound address, so `--port 0` tells the real port).

use std::io::{BufRead, BufReader, Read};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, ChildStderr, ChildStdout, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

use crate::net::exchange;

/// How long any wait on an example may take: to print its address, to finish, to stop.
pub const WAIT: Duration = Duration::from_secs(30);

/// `target/<profile>/examples/<name>`: the example binary `cargo test` built (it builds
/// a crate's examples before its integration tests) beside this test's binary.
pub fn example(name: &str) -> PathBuf {
    let mut path = std::env::current_exe().expect("the test binary's path");
    path.pop();
    if path.ends_with("deps") {
        path.pop();
    }
    path.join("examples").join(name)
}

/// Runs example `name` with `args` to its end (killed after [`WAIT`]) and returns its
/// stdout.
///
/// # Panics
/// When the example does not exit successfully in time; the message has its stderr.
pub fn run(name: &str, args: &[&str]) -> String {
    let mut command = Command::new(example(name));
    command.args(args);
    let (mut child, stdout, stderr) = spawn_piped(&mut command);
    let (stdout, stderr) = (collect(stdout), collect(stderr));
    let status = wait_for_exit(&mut child.0, WAIT);
    // Killed if still running, so its pipes close and the readers finish.
    drop(child);
    let stdout = stdout.recv_timeout(WAIT).unwrap_or_default();
    let stderr = stderr.recv_timeout(WAIT).unwrap_or_default();
    match status {
        Some(status) if status.success() => stdout,
        Some(status) => panic!("example {name} failed ({status}):\n{stderr}"),
        None => panic!("example {name} did not finish within {WAIT:?}:\n{stdout}\n{stderr}"),
    }
}

/// Sends SIGTERM to process `pid` (with the `kill` command); whether it was sent.
pub fn sigterm(pid: u32) -> bool {
    Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .is_ok_and(|s| s.success())
}

/// A child process killed (by its own id) and reaped when this is dropped, whether the
/// test passed or failed: a failing test never leaves a server running.
pub struct Killed(pub Child);

impl Drop for Killed {
    fn drop(&mut self) {
        if self.0.try_wait().ok().flatten().is_none() {
            let _ = self.0.kill();
        }
        let _ = self.0.wait();
    }
}

/// A started server example and the address it printed; killed when dropped.
pub struct Served {
    /// The running example.
    pub child: Killed,
    /// Its stdout after the first line, a line at a time.
    pub stdout: Receiver<String>,
    /// Its stderr, a line at a time.
    pub stderr: Receiver<String>,
    /// The address from its first line, `listening on http://ADDR`: `127.0.0.1:PORT`.
    pub addr: String,
}

impl Served {
    /// Starts example `name` with `args` and waits (at most [`WAIT`]) for its address.
    pub fn start(name: &str, args: &[&str]) -> Served {
        let mut command = Command::new(example(name));
        command.args(args);
        Served::spawn(command)
    }

    /// Starts `command` (an example behind a shell, say) and waits for its address.
    ///
    /// # Panics
    /// When its first line is not `listening on http://ADDR` within [`WAIT`].
    pub fn spawn(mut command: Command) -> Served {
        let (child, stdout, stderr) = spawn_piped(&mut command);
        let (stdout, stderr) = (lines(stdout), lines(stderr));
        let first = stdout.recv_timeout(WAIT).unwrap_or_default();
        let addr = address_in(&first).unwrap_or_else(|| {
            panic!("{command:?} printed {first:?}, not `listening on http://ADDR`")
        });
        assert!(
            addr.parse::<SocketAddr>().is_ok_and(|a| a.port() != 0),
            "{command:?} printed {first:?}: not the bound address (with its real port)"
        );
        Served {
            child,
            stdout,
            stderr,
            addr,
        }
    }

    /// The example's process id.
    pub fn pid(&self) -> u32 {
        self.child.0.id()
    }

    /// Sends `request` (which should say `Connection: close`) on a new connection and
    /// reads the whole answer.
    pub fn get(&self, request: &str) -> String {
        exchange(self.addr.as_str(), request.as_bytes())
    }

    /// Waits at most `limit` for the example to exit by itself; its status if it did.
    pub fn wait(&mut self, limit: Duration) -> Option<ExitStatus> {
        wait_for_exit(&mut self.child.0, limit)
    }

    /// SIGTERM, then the exit status (killed if it does not exit within [`WAIT`]).
    pub fn terminate(&mut self) -> ExitStatus {
        sigterm(self.pid());
        if let Some(status) = self.wait(WAIT) {
            return status;
        }
        let _ = self.child.0.kill();
        self.child.0.wait().expect("the example exits")
    }
}

/// Starts `command` with its stdout and stderr piped to us.
fn spawn_piped(command: &mut Command) -> (Killed, ChildStdout, ChildStderr) {
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{command:?} does not start: {e}"));
    let stdout = child.stdout.take().expect("stdout is piped");
    let stderr = child.stderr.take().expect("stderr is piped");
    (Killed(child), stdout, stderr)
}

/// `ADDR` in a line `... http://ADDR[/path] ...`.
fn address_in(line: &str) -> Option<String> {
    let rest = line.split("http://").nth(1)?;
    let addr = rest.split(['/', ' ']).next()?.trim();
    (!addr.is_empty()).then(|| addr.to_owned())
}

/// Polls `child` every 10 ms for at most `limit`.
fn wait_for_exit(child: &mut Child, limit: Duration) -> Option<ExitStatus> {
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().ok().flatten() {
            return Some(status);
        }
        if start.elapsed() >= limit {
            return None;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Reads lines on a thread, so each wait for a line is bounded.
fn lines(from: impl Read + Send + 'static) -> Receiver<String> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(from).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

/// Reads everything on a thread; the text arrives when the writer closes.
fn collect(mut from: impl Read + Send + 'static) -> Receiver<String> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = from.read_to_end(&mut bytes);
        let _ = tx.send(String::from_utf8_lossy(&bytes).into_owned());
    });
    rx
}

#[cfg(test)]
mod tests {
    use super::address_in;

    #[test]
    fn the_address_is_read_from_the_banner_conventions_in_use() {
        for (line, want) in [
            ("listening on http://127.0.0.1:8080", Some("127.0.0.1:8080")),
            (
                "listening on http://127.0.0.1:41234/",
                Some("127.0.0.1:41234"),
            ),
            (
                "listening on http://127.0.0.1:9/static/",
                Some("127.0.0.1:9"),
            ),
            (
                "echo_server listening on http://[::1]:80 with 2 workers",
                Some("[::1]:80"),
            ),
            ("starting up", None),
            ("listening on http://", None),
        ] {
            assert_eq!(address_in(line).as_deref(), want, "{line}");
        }
    }
}
