//! Real services for tests: a private `redis-server` (in the clear or TLS-only, with
//! certificates `openssl` makes for it), and the skip rule for a missing program.
//!
//! A test that needs a system program starts its own copy on a free port in a scratch
//! directory and stops it on drop. Without the program it prints a loud `SKIPPED:` line
//! and passes, except under `CI=true`, where the absence fails the test: CI installs
//! what the tests need (`.ci/run`), so a skip there would hide a broken install step.
#![allow(dead_code)]

use std::io::Write;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::certificates::{query_value, TestCertificates};
use super::Scratch;

/// Reports a missing program: `SKIPPED:` on the terminal (written to the process's
/// stderr directly, so the test harness does not capture it), or a panic under `CI=true`.
pub fn missing(program: &str, test: &str) {
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{program} not found, and CI=true: {test} must run in CI (.ci/run installs it)");
    }
    let _ = writeln!(
        std::io::stderr(),
        "SKIPPED: {program} not found; {test} did not run (install it, or run .ci/run)"
    );
}

/// Whether `program` can be started (looked up on `PATH`).
pub fn on_path(program: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(program).is_file()))
}

/// A port that was free a moment ago. Redis cannot bind port 0 and report back, so the
/// caller starts it on this one and retries with another if someone took it meanwhile.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("bind 127.0.0.1:0")
}

/// A `redis-server` of this test's own: loopback, a free port, no persistence, its
/// directory a scratch directory; killed on drop.
pub struct RedisServer {
    child: Option<Child>,
    port: u16,
    dir: Scratch,
    extra: Vec<String>,
    /// Set for a TLS-only server: its port speaks TLS, with these certificates.
    tls: Option<TestCertificates>,
}

impl RedisServer {
    /// Starts one, or returns `None` after [`missing`] when `redis-server` is not installed.
    pub fn start(test: &str) -> Option<RedisServer> {
        RedisServer::start_with(test, &[])
    }

    /// Like [`start`](Self::start), with extra `redis-server` options (`--requirepass x`).
    pub fn start_with(test: &str, extra: &[&str]) -> Option<RedisServer> {
        if !on_path("redis-server") {
            missing("redis-server", test);
            return None;
        }
        RedisServer::launch(extra, None)
    }

    /// A TLS-only server (no port in the clear), its certificate signed by a CA made for
    /// this test (see [`TestCertificates`]); clients need no certificate unless `extra`
    /// says `--tls-auth-clients yes`. `None` after [`missing`] without `redis-server` or
    /// `openssl`.
    pub fn start_tls(test: &str, extra: &[&str]) -> Option<RedisServer> {
        if !on_path("redis-server") {
            missing("redis-server", test);
            return None;
        }
        let certificates = TestCertificates::generate(test)?;
        RedisServer::launch(extra, Some(certificates))
    }

    fn launch(extra: &[&str], tls: Option<TestCertificates>) -> Option<RedisServer> {
        let dir = Scratch::new("redis");
        std::fs::create_dir_all(dir.path()).expect("scratch directory for redis");
        let mut server = RedisServer {
            child: None,
            port: 0,
            dir,
            extra: extra.iter().map(|s| s.to_string()).collect(),
            tls,
        };
        for _ in 0..5 {
            server.port = free_port();
            if server.spawn() {
                return Some(server);
            }
        }
        panic!(
            "redis-server did not start on five free ports; see {}",
            server.log().display()
        );
    }

    /// `redis://127.0.0.1:PORT/0`, plus `query` (`?command_timeout=200ms`) if not empty;
    /// for a TLS server `rediss://127.0.0.1:PORT/0?ca_file=<its CA>` and the query.
    pub fn url(&self, query: &str) -> String {
        match &self.tls {
            None => format!("redis://127.0.0.1:{}/0{query}", self.port),
            Some(certificates) => self.tls_url(&certificates.ca(), query),
        }
    }

    /// `rediss://127.0.0.1:PORT/0?ca_file=<ca>`, plus `query`'s parameters: this server,
    /// trusting the CA in the file `ca`.
    pub fn tls_url(&self, ca: &Path, query: &str) -> String {
        let more = query
            .strip_prefix('?')
            .map(|q| format!("&{q}"))
            .unwrap_or_default();
        format!(
            "rediss://127.0.0.1:{}/0?ca_file={}{more}",
            self.port,
            query_value(ca)
        )
    }

    /// The certificates of a TLS server.
    pub fn certificates(&self) -> &TestCertificates {
        self.tls.as_ref().expect("a server started with start_tls")
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn pid(&self) -> u32 {
        self.child
            .as_ref()
            .map(Child::id)
            .expect("redis-server is running")
    }

    fn log(&self) -> PathBuf {
        self.dir.path().join("redis.log")
    }

    /// Starts the process on `self.port` and waits (at most 5 s) for it to be ready;
    /// false if it exited first (the port was taken).
    fn spawn(&mut self) -> bool {
        let port = self.port.to_string();
        let mut command = Command::new("redis-server");
        command.args(["--bind", "127.0.0.1"]);
        match &self.tls {
            None => command.args(["--port", &port]),
            Some(certificates) => command
                .args([
                    "--port",
                    "0",
                    "--tls-port",
                    &port,
                    "--tls-auth-clients",
                    "no",
                ])
                .arg("--tls-cert-file")
                .arg(certificates.server_cert())
                .arg("--tls-key-file")
                .arg(certificates.server_key())
                .arg("--tls-ca-cert-file")
                .arg(certificates.ca()),
        };
        command
            .args(["--save", "", "--appendonly", "no", "--daemonize", "no"])
            .arg("--dir")
            .arg(self.dir.path())
            .arg("--logfile")
            .arg(self.log())
            .args(&self.extra)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        // A restart appends to the same log: only what this process writes counts.
        let log_start = std::fs::metadata(self.log()).map_or(0, |m| m.len());
        let mut child = command.spawn().expect("redis-server is on PATH and starts");
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = child.try_wait() {
                return false;
            }
            if self.ready(log_start) {
                self.child = Some(child);
                return true;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = child.kill();
        let _ = child.wait();
        panic!(
            "redis-server did not answer within 5 s; see {}",
            self.log().display()
        );
    }

    /// Kills the server (SIGKILL: no goodbye to its clients) and waits for it to end.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts it again on the same port, empty (there is no persistence).
    pub fn restart(&mut self) {
        self.kill();
        // The old process is gone, so its port is free unless another test took it in
        // the meantime; a few tries cover the moment the kernel needs to release it.
        for _ in 0..20 {
            if self.spawn() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("redis-server did not start again on port {}", self.port);
    }

    /// Freezes the process (SIGSTOP): connections stay open, nothing is answered, the
    /// way a Redis stuck in a long command or a swap storm looks to a client.
    pub fn pause(&self) {
        signal("-STOP", self.pid());
    }

    /// Lets a paused server go on (SIGCONT).
    pub fn resume(&self) {
        signal("-CONT", self.pid());
    }

    /// Whether the server is ready: it answers a `PING` in the clear, or (TLS, where a
    /// plain probe cannot talk to it) it has logged that it listens.
    fn ready(&self, log_start: u64) -> bool {
        if self.tls.is_none() {
            return ping(self.port);
        }
        let log = std::fs::read(self.log()).unwrap_or_default();
        let new = log.get(log_start as usize..).unwrap_or_default();
        String::from_utf8_lossy(new).contains("Ready to accept connections")
    }

    /// A direct connection to the server in the clear, for setting it up and looking inside
    /// (for a TLS server, [`admin_with`](Self::admin_with) a TLS client).
    pub fn admin(&self) -> redis::Connection {
        let url = format!("redis://127.0.0.1:{}/0", self.port);
        self.admin_with(redis::Client::open(url).expect("a valid URL"))
    }

    /// `client`'s connection to this server, every wait bounded. (The TLS tests build the
    /// client: this module compiles without the `redis` crate's TLS too.)
    pub fn admin_with(&self, client: redis::Client) -> redis::Connection {
        let conn = client
            .get_connection_with_timeout(Duration::from_secs(5))
            .expect("connect to the test's redis-server");
        conn.set_read_timeout(Some(Duration::from_secs(5)))
            .expect("read timeout");
        conn
    }

    /// The server's log, for a failing assertion's message.
    pub fn log_text(&self) -> String {
        std::fs::read_to_string(self.log()).unwrap_or_default()
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        if self.child.is_some() {
            // SIGKILL ends a stopped process too; resuming first is only tidiness.
            self.resume();
        }
        self.kill();
    }
}

fn signal(which: &str, pid: u32) {
    let status = Command::new("kill")
        .args([which, &pid.to_string()])
        .status()
        .expect("run kill");
    assert!(status.success(), "kill {which} {pid} failed");
}

/// Whether the server answers a `PING` on a fresh connection (`+PONG`, or `-NOAUTH`
/// from one that wants a password), with short timeouts.
fn ping(port: u16) -> bool {
    use std::io::Read;
    let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_millis(500)));
    let _ = stream.set_write_timeout(Some(Duration::from_millis(500)));
    let mut reply = [0u8; 6];
    stream.write_all(b"PING\r\n").is_ok()
        && stream.read_exact(&mut reply).is_ok()
        && (&reply == b"+PONG\r" || &reply == b"-NOAUT")
}

/// The demo example as a process of its own (`--port 0`), killed on drop, and its address.
pub fn demo_process(args: &[&str]) -> (testkit::Served, std::net::SocketAddr) {
    let mut all = args.to_vec();
    all.extend(["--port", "0"]);
    let served = testkit::Served::start("demo", &all);
    let addr = served
        .addr
        .parse()
        .expect("the demo prints a socket address");
    (served, addr)
}

/// How many established connections to `port` on this machine have bytes waiting to be
/// read by its server (from `/proc/net/tcp`): requests a paused Redis has not read yet.
pub fn unread_connections(port: u16) -> usize {
    let table = std::fs::read_to_string("/proc/net/tcp").unwrap_or_default();
    table
        .lines()
        .skip(1)
        .filter(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let local_port = fields
                .get(1)
                .and_then(|a| a.rsplit(':').next())
                .and_then(|p| u16::from_str_radix(p, 16).ok());
            let established = fields.get(3) == Some(&"01");
            let rx_queue = fields
                .get(4)
                .and_then(|q| q.split(':').nth(1))
                .and_then(|n| usize::from_str_radix(n, 16).ok())
                .unwrap_or(0);
            local_port == Some(port) && established && rx_queue > 0
        })
        .count()
}
