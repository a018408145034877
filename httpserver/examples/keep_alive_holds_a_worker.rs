//! Why keep-alive must not pin a connection to its worker: the design notes' server
//! (each `communicate()` loops on its connection until the client closes) starves the
//! N+1st client of an N-worker pool; this crate's engine leaves idle connections with
//! the poller and serves it at once.
//!
//! Run: `cargo run -p httpserver --example keep_alive_holds_a_worker`
//! Watch the timeline: two workers, two kept-alive clients that go idle after one
//! request, then a third client. Pinned: the third waits until an idle client leaves
//! (here, the 1 s give-up). Engine: it is answered at once, in the time one request
//! takes; the timeline prints how long that was on your machine.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::time::{Duration, Instant};

use httpserver::{HttpRequest, HttpServer, ServerConfig};
use threadpool::{ThreadPool, ThreadPoolConfig};

const WORKERS: usize = 2;
const GET: &[u8] = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n";
const GIVE_UP: Duration = Duration::from_secs(1);

/// A pool whose work items are plain closures, as the notes' `ThreadPool` runs them.
type Pool = ThreadPool<Box<dyn FnOnce() + Send>>;

/// The notes' design, in a few lines: a worker serves its connection until it closes.
fn pinned_server() -> std::io::Result<(SocketAddr, Arc<Pool>)> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let addr = listener.local_addr()?;
    let pool: Arc<ThreadPool<Box<dyn FnOnce() + Send>>> =
        Arc::new(ThreadPool::new(ThreadPoolConfig {
            min: WORKERS,
            ..ThreadPoolConfig::default()
        }));
    pool.start().map_err(std::io::Error::other)?;
    let queue = Arc::clone(&pool);
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let _ = queue.put(Box::new(move || communicate_pinned(stream)));
        }
    });
    Ok((addr, pool))
}

/// `while keep_alive: parse_request(); respond()`, blocking on the socket in between.
fn communicate_pinned(stream: TcpStream) {
    let Ok(writer) = stream.try_clone() else {
        return;
    };
    let mut writer = writer;
    let mut reader = BufReader::new(stream);
    loop {
        let mut line = String::new();
        // Read one request head; the worker blocks here while the client is idle.
        loop {
            line.clear();
            match reader.read_line(&mut line) {
                Ok(0) | Err(_) => return,
                Ok(_) if line == "\r\n" => break,
                Ok(_) => {}
            }
        }
        if writer
            .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
            .is_err()
        {
            return;
        }
    }
}

fn engine_server() -> Result<httpserver::ServerThread, httpserver::Error> {
    let ok = |req: &mut HttpRequest| {
        req.add_header("Content-Length", b"2")?;
        req.write(b"ok")
    };
    HttpServer::spawn(
        ServerConfig {
            threads: WORKERS,
            ..ServerConfig::new("127.0.0.1:0")
        },
        ok,
    )
}

/// Sends one request on `stream`; `Some(elapsed)` if answered within `GIVE_UP`.
fn ask(stream: &mut TcpStream) -> std::io::Result<Option<Duration>> {
    stream.set_read_timeout(Some(GIVE_UP))?;
    stream.set_write_timeout(Some(GIVE_UP))?;
    let started = Instant::now();
    stream.write_all(GET)?;
    let mut answer = [0u8; 256];
    let mut seen = Vec::new();
    while !seen.ends_with(b"ok") {
        match stream.read(&mut answer) {
            Ok(0) => return Ok(None),
            Ok(n) => seen.extend_from_slice(&answer[..n]),
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                return Ok(None)
            }
            Err(e) => return Err(e),
        }
    }
    Ok(Some(started.elapsed()))
}

fn timeline(name: &str, addr: SocketAddr) -> std::io::Result<()> {
    println!("{name}: {WORKERS} workers at {addr}");
    let t0 = Instant::now();
    let mut idle = Vec::new();
    for i in 1..=WORKERS {
        let mut client = TcpStream::connect(addr)?;
        match ask(&mut client)? {
            Some(took) => println!(
                "  {:>6.1} ms  client {i}: answered after {took:?}, now idle (kept alive)",
                ms(t0)
            ),
            None => println!(
                "  {:>6.1} ms  client {i}: NO ANSWER after {GIVE_UP:?}",
                ms(t0)
            ),
        }
        idle.push(client);
    }
    let mut third = TcpStream::connect(addr)?;
    println!(
        "  {:>6.1} ms  client {}: connects and sends a request",
        ms(t0),
        WORKERS + 1
    );
    match ask(&mut third)? {
        Some(waited) => println!("  {:>6.1} ms  client {}: answered after {waited:?}", ms(t0), WORKERS + 1),
        None => println!(
            "  {:>6.1} ms  client {}: NO ANSWER after {GIVE_UP:?}: every worker is held by an idle client",
            ms(t0),
            WORKERS + 1
        ),
    }
    drop(idle);
    Ok(())
}

fn ms(t0: Instant) -> f64 {
    t0.elapsed().as_secs_f64() * 1000.0
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    testkit::log::to_stderr();
    let (addr, pool) = pinned_server()?;
    timeline("pinned (the notes' design)", addr)?;
    let _ = pool.stop(Duration::from_secs(1));

    let server = engine_server()?;
    timeline("engine (this crate)", server.local_addr())?;
    server.stop();
    Ok(())
}
