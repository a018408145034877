//! The design this workspace had before its connection engine, runnable in one file:
//! idle kept-alive connections wait off the pool ("parked" with a readiness poller);
//! one parking thread `put`s each connection that becomes readable back in the pool's
//! queue, and a worker takes it from there: a thread hand-off for every request that
//! does not arrive within the worker's short linger. Idle clients hold no worker; slow
//! senders and slow readers still do (the worker reads the rest of a head or a body, and
//! writes, with blocking calls).
//!
//! Run: `cargo run --release -p httpserver --example park_and_dispatch -- --port 8080 --threads 8`
//! (`--port 0` picks a free port; the first line printed is `listening on http://ADDR`).
//! Every request gets `hello, load`. `benches/load.sh` measures it beside
//! `pinned_worker` and `engine_hello`: watch the context switches per request.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use httpserver::{ServerArgs, ServerConfig};
use polling::{Event, Events, Poller};
use threadpool::{ThreadPool, ThreadPoolConfig};

#[path = "support/hello.rs"]
mod hello;

/// How long a worker waits on its own connection for the next request before parking
/// it, when nobody waits in the queue (the previous design's `keep_alive_linger`).
const LINGER: Duration = Duration::from_millis(2);

/// How long a blocking body read waits for the next byte.
const BODY_TIMEOUT: Duration = Duration::from_secs(10);

struct Conn {
    stream: TcpStream,
    buf: Vec<u8>,
}

type Pool = ThreadPool<Box<dyn FnOnce() + Send>>;

/// The parking lot: parked connections by key, and the poller watching them.
struct Lot {
    poller: Poller,
    parked: Mutex<(usize, HashMap<usize, Conn>)>,
}

// ANCHOR: park_and_dispatch
/// Serves what the connection has, lingers briefly, then parks it.
fn communicate(mut conn: Conn, lot: Arc<Lot>, pool: Arc<Pool>, config: Arc<ServerConfig>) {
    let mut chunk = [0u8; 8192];
    let mut out = Vec::with_capacity(512);
    loop {
        match hello::parse_head(&conn.buf, &config) {
            Ok(Some(head)) if conn.buf.len() >= head.len + head.body => {
                conn.buf.drain(..head.len + head.body);
                out.clear();
                hello::push_response(&mut out, head.keep_alive);
                if conn.stream.write_all(&out).is_err() || !head.keep_alive {
                    return;
                }
                continue;
            }
            // A head is here, its body is not: the worker reads it with blocking reads
            // (up to the previous design's `body_timeout`), as the application did.
            Ok(Some(_)) => {
                let _ = conn.stream.set_read_timeout(Some(BODY_TIMEOUT));
                match conn.stream.read(&mut chunk) {
                    Ok(0) | Err(_) => return,
                    Ok(n) => conn.buf.extend_from_slice(&chunk[..n]),
                }
                continue;
            }
            Ok(None) => {}
            Err(_) => return,
        }
        // ANCHOR_END: park_and_dispatch
        // ANCHOR: park_and_dispatch_linger
        // Linger on this connection only while nobody waits in the queue.
        if pool.queue_len() > 0 {
            return park(conn, &lot);
        }
        let _ = conn.stream.set_read_timeout(Some(LINGER));
        match conn.stream.read(&mut chunk) {
            Ok(0) => return,
            Ok(n) => conn.buf.extend_from_slice(&chunk[..n]),
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                return park(conn, &lot);
            }
            Err(_) => return,
        }
    }
}
// ANCHOR_END: park_and_dispatch_linger

// ANCHOR: parking_loop
/// Registers the connection with the poller; the parking thread hands it back.
fn park(conn: Conn, lot: &Lot) {
    let mut parked = lot.parked.lock().unwrap_or_else(|p| p.into_inner());
    let key = parked.0;
    parked.0 += 1;
    // SAFETY: `polling` requires a registered socket to be deleted from the poller before
    // it is closed. The socket stays in `parked` (under the same lock) until the parking
    // thread takes it out, and it deletes the registration before anything else.
    #[allow(unsafe_code)]
    let added = unsafe { lot.poller.add(&conn.stream, Event::readable(key)) };
    if added.is_ok() {
        parked.1.insert(key, conn);
    }
}

/// The parking thread: each readable connection goes back in the pool's queue.
fn parking_loop(lot: Arc<Lot>, pool: Arc<Pool>, config: Arc<ServerConfig>) {
    let mut events = Events::new();
    loop {
        events.clear();
        if lot.poller.wait(&mut events, None).is_err() {
            return;
        }
        for event in events.iter() {
            let conn = {
                let mut parked = lot.parked.lock().unwrap_or_else(|p| p.into_inner());
                parked.1.remove(&event.key)
            };
            if let Some(conn) = conn {
                let _ = lot.poller.delete(&conn.stream);
                let (lot, pool2, config) =
                    (Arc::clone(&lot), Arc::clone(&pool), Arc::clone(&config));
                let _ = pool.put(Box::new(move || communicate(conn, lot, pool2, config)));
            }
        }
    }
}
// ANCHOR_END: parking_loop

fn main() -> Result<(), Box<dyn std::error::Error>> {
    testkit::log::to_stderr();
    let args = ServerArgs::from_env()?.no_rest()?;
    let config = Arc::new(args.config());
    let listener = TcpListener::bind(("127.0.0.1", args.port))?;
    println!("listening on http://{}", listener.local_addr()?);
    let pool: Arc<Pool> = Arc::new(ThreadPool::new(ThreadPoolConfig {
        min: config.threads,
        ..ThreadPoolConfig::default()
    }));
    pool.start()?;
    let lot = Arc::new(Lot {
        poller: Poller::new()?,
        parked: Mutex::new((0, HashMap::new())),
    });
    {
        let (lot, pool, config) = (Arc::clone(&lot), Arc::clone(&pool), Arc::clone(&config));
        std::thread::spawn(move || parking_loop(lot, pool, config));
    }
    for stream in listener.incoming().flatten() {
        let _ = stream.set_nodelay(true);
        let conn = Conn {
            stream,
            buf: Vec::with_capacity(8192),
        };
        let (lot2, pool2, config) = (Arc::clone(&lot), Arc::clone(&pool), Arc::clone(&config));
        if pool
            .put(Box::new(move || communicate(conn, lot2, pool2, config)))
            .is_err()
        {
            break;
        }
    }
    Ok(())
}
