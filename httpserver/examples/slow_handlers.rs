//! Slow handlers hold workers. The engine frees a worker from every kind of slow
//! *client* (idle, slow to send, slow to read), never from a slow *application*: a
//! handler that takes a second holds its worker for that second, and with every worker
//! in one, the next request waits, however quick its own handler is.
//!
//! Run: `cargo run -p httpserver --example slow_handlers`
//!
//! Watch three runs of the same scene: two workers, two requests to `/sleep` (a handler
//! that sleeps a second), then a fast `GET /`.
//! - The default (an unbounded queue): the fast request waits until a slow handler is
//!   done.
//! - `grow(1)` with `max_threads` one above: the worker it starts takes the waiting
//!   request at once. The server never grows by itself; a supervisor (or an operator) calls it.
//! - A bounded queue (`max_queued_requests` 1, `queued_request_timeout` 200 ms): a
//!   request that finds the line full gets `503 Service Unavailable` at once, the one in
//!   line gets it when its wait runs out. A quick, honest refusal instead of a wait
//!   nobody bounded.
//!
//! Each verdict comes from what happened, not from the clock: whether a slow handler had
//! finished when the fast answer came, and the status line the client read.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use httpserver::{HttpRequest, HttpServer, ServerConfig};

const WORKERS: usize = 2;
/// What `/sleep` takes: long next to everything else in the scene.
const SLOW: Duration = Duration::from_secs(1);
/// How long a client waits for its status line before it gives up.
const GIVE_UP: Duration = Duration::from_secs(10);

/// The slow handlers running now, and those that have finished.
#[derive(Default)]
struct Handlers {
    running: AtomicUsize,
    finished: AtomicUsize,
}

/// A server on a thread of its own running `tick`, kept as an `Arc` so that the scene
/// can call `grow` while it serves.
struct Running {
    server: Arc<HttpServer>,
    ticking: Option<JoinHandle<()>>,
    handlers: Arc<Handlers>,
}

impl Running {
    fn start(config: ServerConfig) -> Result<Running, Box<dyn std::error::Error>> {
        let handlers = Arc::new(Handlers::default());
        let seen = Arc::clone(&handlers);
        let gateway = move |req: &mut HttpRequest| {
            if req.head().path() == b"/sleep" {
                seen.running.fetch_add(1, Ordering::SeqCst);
                thread::sleep(SLOW);
                seen.running.fetch_sub(1, Ordering::SeqCst);
                seen.finished.fetch_add(1, Ordering::SeqCst);
            }
            req.add_header("Content-Length", b"2")?;
            req.write(b"ok")
        };
        let mut server = HttpServer::new(config, gateway)?;
        server.start()?;
        let server = Arc::new(server);
        let housekeeper = Arc::clone(&server);
        let ticking = thread::spawn(move || {
            while housekeeper.ready() {
                housekeeper.tick();
            }
        });
        Ok(Running {
            server,
            ticking: Some(ticking),
            handlers,
        })
    }

    fn addr(&self) -> SocketAddr {
        self.server.local_addr().expect("started")
    }

    /// Sends two slow requests and returns once both handlers run: every worker is busy.
    fn fill_the_workers(&self, t0: Instant) -> std::io::Result<Vec<JoinHandle<String>>> {
        let mut slow = Vec::new();
        for i in 1..=WORKERS {
            let mut client = Client::send(self.addr(), "/sleep")?;
            slow.push(thread::spawn(move || client.status()));
            while self.handlers.running.load(Ordering::SeqCst) < i {
                thread::sleep(Duration::from_millis(1));
            }
            println!("  {:>7.1} ms  slow {i}: GET /sleep, on a worker", ms(t0));
        }
        println!("             every worker is in a slow handler now");
        Ok(slow)
    }

    /// What the fast request's answer says about where it waited.
    fn verdict(&self) -> &'static str {
        match self.handlers.finished.load(Ordering::SeqCst) {
            0 => "while every slow handler still ran",
            _ => "once a slow handler had finished: it waited for a worker",
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.server.stop_handle().stop();
        if let Some(ticking) = self.ticking.take() {
            let _ = ticking.join();
        }
    }
}

/// One client connection with a request sent, waiting for its status line.
struct Client {
    stream: TcpStream,
    sent: Instant,
}

impl Client {
    fn send(addr: SocketAddr, path: &str) -> std::io::Result<Client> {
        let mut stream = TcpStream::connect(addr)?;
        stream.set_read_timeout(Some(GIVE_UP))?;
        stream.set_write_timeout(Some(GIVE_UP))?;
        let request = format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        stream.write_all(request.as_bytes())?;
        Ok(Client {
            stream,
            sent: Instant::now(),
        })
    }

    /// The status line, `NO ANSWER` if none came within `GIVE_UP`.
    fn status(&mut self) -> String {
        let mut seen = Vec::new();
        let mut byte = [0u8; 1];
        while !seen.ends_with(b"\r\n") {
            match self.stream.read(&mut byte) {
                Ok(1) => seen.push(byte[0]),
                _ => return "NO ANSWER".to_string(),
            }
        }
        String::from_utf8_lossy(&seen).trim_end().to_string()
    }

    /// The status line and how long it took.
    fn answer(&mut self) -> (String, Duration) {
        let status = self.status();
        (status, self.sent.elapsed())
    }
}

fn config() -> ServerConfig {
    ServerConfig {
        threads: WORKERS,
        ..ServerConfig::new("127.0.0.1:0")
    }
}

/// The default: a request that finds every worker busy waits as long as it takes.
fn unbounded() -> Result<(), Box<dyn std::error::Error>> {
    println!("1. the default: every request waits for a worker, however long");
    let running = Running::start(config())?;
    let t0 = Instant::now();
    let slow = running.fill_the_workers(t0)?;
    let mut fast = Client::send(running.addr(), "/")?;
    println!("  {:>7.1} ms  fast: GET /", ms(t0));
    let (status, waited) = fast.answer();
    println!(
        "  {:>7.1} ms  fast: {status} after {waited:.1?}, {}",
        ms(t0),
        running.verdict()
    );
    finish(slow, t0);
    Ok(())
}

/// `grow`: one more worker, which takes the waiting request from the poller at once.
fn grown() -> Result<(), Box<dyn std::error::Error>> {
    println!(
        "2. grow, with max_threads {}: one more worker, while the fast request waits",
        WORKERS + 1
    );
    let running = Running::start(ServerConfig {
        max_threads: Some(WORKERS + 1),
        ..config()
    })?;
    let t0 = Instant::now();
    let slow = running.fill_the_workers(t0)?;
    let mut fast = Client::send(running.addr(), "/")?;
    println!("  {:>7.1} ms  fast: GET /", ms(t0));
    thread::sleep(SLOW / 5);
    let asked = 1;
    let started = running.server.grow(asked);
    println!("  {:>7.1} ms  grow({asked}) started {started}", ms(t0));
    let (status, waited) = fast.answer();
    println!(
        "  {:>7.1} ms  fast: {status} after {waited:.1?}, {}",
        ms(t0),
        running.verdict()
    );
    println!(
        "             grow(1) again: started {} (max_threads reached)",
        running.server.grow(1)
    );
    finish(slow, t0);
    Ok(())
}

/// A bounded queue: one request may wait, for at most 200 ms; the others are refused.
fn bounded() -> Result<(), Box<dyn std::error::Error>> {
    println!("3. a bounded queue: max_queued_requests 1, queued_request_timeout 200 ms");
    let running = Running::start(ServerConfig {
        max_queued_requests: Some(1),
        queued_request_timeout: SLOW / 5,
        ..config()
    })?;
    let t0 = Instant::now();
    let slow = running.fill_the_workers(t0)?;
    let mut first = Client::send(running.addr(), "/")?;
    println!("  {:>7.1} ms  fast 1: GET /, waits in the line", ms(t0));
    // Time for the housekeeper to put it in line (it looks every millisecond while no
    // worker is free), so that the second one finds the line full.
    thread::sleep(SLOW / 10);
    let mut second = Client::send(running.addr(), "/")?;
    println!("  {:>7.1} ms  fast 2: GET /", ms(t0));
    let (status, waited) = second.answer();
    println!(
        "  {:>7.1} ms  fast 2: {status} after {waited:.1?}: the line was full",
        ms(t0)
    );
    let (status, waited) = first.answer();
    println!(
        "  {:>7.1} ms  fast 1: {status} after {waited:.1?}: no worker within queued_request_timeout",
        ms(t0)
    );
    finish(slow, t0);
    Ok(())
}

/// Waits for the slow requests' answers.
fn finish(slow: Vec<JoinHandle<String>>, t0: Instant) {
    for (i, handle) in slow.into_iter().enumerate() {
        let status = handle.join().unwrap_or_else(|_| "NO ANSWER".to_string());
        println!("  {:>7.1} ms  slow {}: {status}", ms(t0), i + 1);
    }
}

fn ms(t0: Instant) -> f64 {
    t0.elapsed().as_secs_f64() * 1000.0
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    testkit::log::to_stderr();
    println!("{WORKERS} workers; GET /sleep takes {SLOW:?} in its handler, GET / answers at once");
    unbounded()?;
    grown()?;
    bounded()?;
    Ok(())
}
