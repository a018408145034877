//! The design notes' server, runnable: a worker takes a connection off the pool's queue
//! and `communicate()`s on it until the client closes, blocking on the socket between
//! requests. Every kind of slow client holds a worker: an idle kept-alive one, one slow
//! to send, one slow to read; N of them starve the N+1st client.
//!
//! Run: `cargo run --release -p httpserver --example pinned_worker -- --port 8080 --threads 8`
//! (`--port 0` picks a free port; the first line printed is `listening on http://ADDR`).
//! Every request gets `hello, load`. `benches/load.sh` measures it beside
//! `park_and_dispatch` and `engine_hello` (the HttpConnection chapter's three designs).
//! Watch: with `wrk -c 32` on 8 threads, 24 connections wait unserved in the queue.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;

use httpserver::{ServerArgs, ServerConfig};
use threadpool::{ThreadPool, ThreadPoolConfig};

#[path = "support/hello.rs"]
mod hello;

// ANCHOR: communicate_pinned
/// `while keep_alive: parse_request(); respond()`, blocking on the socket in between.
fn communicate(mut stream: TcpStream, config: &ServerConfig) {
    let mut buf = Vec::with_capacity(8192);
    let mut out = Vec::with_capacity(512);
    let mut chunk = [0u8; 8192];
    loop {
        // The worker blocks here while the client is idle, or sends its head or body
        // slowly: that is the whole weakness.
        let head = loop {
            match hello::parse_head(&buf, config) {
                Ok(Some(head)) if buf.len() >= head.len + head.body => break head,
                Ok(_) => {}
                Err(_) => return,
            }
            match stream.read(&mut chunk) {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        };
        buf.drain(..head.len + head.body);
        out.clear();
        hello::push_response(&mut out, head.keep_alive);
        if stream.write_all(&out).is_err() || !head.keep_alive {
            return;
        }
    }
}
// ANCHOR_END: communicate_pinned

fn main() -> Result<(), Box<dyn std::error::Error>> {
    testkit::log::to_stderr();
    let args = ServerArgs::from_env()?.no_rest()?;
    let config = Arc::new(args.config());
    let listener = TcpListener::bind(("127.0.0.1", args.port))?;
    println!("listening on http://{}", listener.local_addr()?);
    let pool: ThreadPool<Box<dyn FnOnce() + Send>> = ThreadPool::new(ThreadPoolConfig {
        min: config.threads,
        ..ThreadPoolConfig::default()
    });
    pool.start()?;
    // The notes' `tick`: accept, wrap, `put`.
    for stream in listener.incoming().flatten() {
        let _ = stream.set_nodelay(true);
        let config = Arc::clone(&config);
        if pool
            .put(Box::new(move || communicate(stream, &config)))
            .is_err()
        {
            break;
        }
    }
    Ok(())
}
