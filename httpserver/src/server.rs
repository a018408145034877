//! `HttpServer`: bind, listen, accept, and hand connections to the pool.
//!
//! The design notes' heading "HttpServer": `start()` runs the socket steps and starts the
//! `ThreadPool`; `tick()` accepts one connection and `put`s it in the pool; `stop()`
//! drops the socket and stops the pool.

pub mod bind;
mod live;

use std::io;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use threadpool::{PutError, ThreadPool, ThreadPoolConfig};

use crate::connection::HttpConnection;
use crate::parking::{parking_loop, Parker};
use crate::{Error, Gateway, ServerConfig};

/// What the server's threads share: the configuration, the gateway, the pool, the
/// parking lot, and the stop flag.
pub(crate) struct Shared {
    pub(crate) config: Arc<ServerConfig>,
    pub(crate) gateway: Box<dyn Gateway>,
    pub(crate) pool: ThreadPool<HttpConnection>,
    pub(crate) parker: Parker,
    /// Every open connection, for `stop` to cut the ones it cannot wait for.
    pub(crate) live: live::Live,
    stopping: Arc<AtomicBool>,
}

impl Shared {
    pub(crate) fn is_stopping(&self) -> bool {
        self.stopping.load(Ordering::Acquire)
    }

    pub(crate) fn stopping_flag(&self) -> Arc<AtomicBool> {
        Arc::clone(&self.stopping)
    }
}

/// Asks a running server to stop, from any thread or a signal handler: `tick` stops
/// accepting, and `serve_forever` returns after the shutdown.
#[derive(Clone, Debug)]
pub struct StopHandle {
    stopping: Arc<AtomicBool>,
}

impl StopHandle {
    /// Requests the stop; returns at once.
    pub fn stop(&self) {
        self.stopping.store(true, Ordering::Release);
    }
}

/// The HTTP server: a listening socket, a `ThreadPool` of workers running
/// [`HttpConnection`]s, and the parking lot for idle connections.
pub struct HttpServer {
    shared: Arc<Shared>,
    listener: Option<TcpListener>,
    local_addr: Option<SocketAddr>,
    parking_thread: Option<JoinHandle<()>>,
    accepted: AtomicU64,
    /// When an `accept` error was last logged, and how many were not logged since.
    accept_errors: Mutex<(Option<Instant>, u64)>,
}

impl HttpServer {
    /// A server for `gateway`, not listening yet.
    pub fn new(config: ServerConfig, gateway: impl Gateway) -> Result<Self, Error> {
        let pool = ThreadPool::new(ThreadPoolConfig {
            min: config.threads,
            max: config.max_threads,
            accepted_queue_size: config.accepted_queue_size,
            accepted_queue_timeout: config.accepted_queue_timeout,
            name: "worker".to_string(),
        });
        let shared = Shared {
            config: Arc::new(config),
            gateway: Box::new(gateway),
            pool,
            parker: Parker::new()?,
            live: live::Live::default(),
            stopping: Arc::new(AtomicBool::new(false)),
        };
        Ok(HttpServer {
            shared: Arc::new(shared),
            listener: None,
            local_addr: None,
            parking_thread: None,
            accepted: AtomicU64::new(0),
            accept_errors: Mutex::new((None, 0)),
        })
    }

    // ANCHOR: start
    /// Binds and listens (getaddrinfo → socket → setsockopt → bind → listen, see
    /// [`bind`]), starts the worker threads and the parking thread. Returns the address
    /// actually bound (the real port when the configuration says port 0).
    pub fn start(&mut self) -> Result<SocketAddr, Error> {
        let config = &self.shared.config;
        let listener = bind::bind_listener(&config.bind_addr, config.backlog)?;
        let local_addr = listener.local_addr()?;
        self.shared.pool.start()?;
        let shared = Arc::clone(&self.shared);
        let parking = std::thread::Builder::new()
            .name("parking".to_string())
            .spawn(move || parking_loop(shared))?;
        self.parking_thread = Some(parking);
        self.listener = Some(listener);
        self.local_addr = Some(local_addr);
        Ok(local_addr)
    }
    // ANCHOR_END: start

    /// The bound address, once started.
    pub fn local_addr(&self) -> Option<SocketAddr> {
        self.local_addr
    }

    /// Whether the server accepts connections (started and not stopping): the notes'
    /// `self.ready`.
    pub fn ready(&self) -> bool {
        self.listener.is_some() && !self.shared.is_stopping()
    }

    /// A handle that stops this server from another thread.
    pub fn stop_handle(&self) -> StopHandle {
        StopHandle {
            stopping: Arc::clone(&self.shared.stopping),
        }
    }

    /// Connections accepted so far.
    pub fn accepted(&self) -> u64 {
        self.accepted.load(Ordering::Relaxed)
    }

    /// Idle connections parked off the pool now.
    pub fn parked(&self) -> usize {
        self.shared.parker.len()
    }

    /// Starts up to `n` more workers, never beyond `ServerConfig::max_threads`; returns
    /// how many started (the pool's `grow`).
    pub fn grow(&self, n: usize) -> usize {
        self.shared.pool.grow(n)
    }

    /// Asks up to `n` workers to exit, never below `ServerConfig::threads`; returns how
    /// many were asked (the pool's `shrink`).
    pub fn shrink(&self, n: usize) -> usize {
        self.shared.pool.shrink(n)
    }

    // ANCHOR: tick
    /// Accepts one connection (waiting at most 100 ms) and puts it in the pool. An
    /// `accept` error (`ECONNABORTED`, `EMFILE`...) is logged and survived: one client
    /// or a full file table must not end the server.
    pub fn tick(&self) {
        let Some(listener) = &self.listener else {
            return;
        };
        match listener.accept() {
            Ok((stream, _)) => self.queue(stream),
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) => {}
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => {
                self.log_accept_error(&e);
                // Out of file descriptors: accepting again at once would spin. Let
                // closing connections free some first.
                std::thread::sleep(Duration::from_millis(10));
            }
        }
    }
    // ANCHOR_END: tick

    /// Logs an `accept` error at most once a second, with the count of those not logged:
    /// out of descriptors, `accept` fails 100 times a second, and a line for each would
    /// flood the log (or block the accept loop on a full stderr pipe).
    fn log_accept_error(&self, err: &io::Error) {
        let mut last = self
            .accept_errors
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let (logged, unlogged) = &mut *last;
        if logged.is_some_and(|at| at.elapsed() < Duration::from_secs(1)) {
            *unlogged += 1;
            return;
        }
        eprintln!("httpserver: accept failed: {err} ({unlogged} more since the last report)");
        *logged = Some(Instant::now());
        *unlogged = 0;
    }

    fn queue(&self, stream: TcpStream) {
        self.accepted.fetch_add(1, Ordering::Relaxed);
        let conn = match HttpConnection::new(stream, Arc::clone(&self.shared)) {
            Ok(conn) => conn,
            Err(e) => return eprintln!("httpserver: could not set up a connection: {e}"),
        };
        match self.shared.pool.put(conn) {
            Ok(()) => {}
            // The queue stayed full: tell the client, rather than leave it hanging.
            Err(PutError::Full(conn)) => conn.refuse_busy(),
            Err(PutError::Stopped(_)) => {}
        }
    }

    /// The notes' loop: `tick()` while `ready`; then [`stop`](Self::stop).
    pub fn serve_forever(&mut self) {
        while self.ready() {
            self.tick();
        }
        self.stop();
    }

    // ANCHOR: stop
    /// Stops: no more accepts (the listening socket is closed), idle parked connections
    /// closed, in-flight requests given `shutdown_timeout` to finish (their responses say
    /// `Connection: close`), queued connections closed, threads joined. Idempotent; never
    /// waits longer than the shutdown timeout for a stuck worker: past it, the sockets of
    /// unfinished requests are shut down, so a worker blocked on its client exits too.
    pub fn stop(&mut self) {
        self.shared.stopping.store(true, Ordering::Release);
        self.listener = None;
        self.shared.parker.wake();
        if let Some(parking) = self.parking_thread.take() {
            let _ = parking.join();
        }
        self.shared.parker.close_all();
        let report = self.shared.pool.stop(self.shared.config.shutdown_timeout);
        if !report.unfinished.is_empty() {
            // Their requests had `shutdown_timeout`; a worker blocked on a stalled client
            // would wait out its own (longer) timeout. Cutting the sockets makes the
            // blocked call fail now, so the detached workers exit instead of lingering.
            let cut = self.shared.live.shutdown_all();
            eprintln!(
                "httpserver: stopped with busy workers: {}; {cut} connections cut",
                report.unfinished.join(", ")
            );
        }
        // Connections parked by workers that finished after the first sweep.
        self.shared.parker.close_all();
    }
    // ANCHOR_END: stop

    /// Starts a server on a thread of its own running [`serve_forever`](Self::serve_forever).
    pub fn spawn(config: ServerConfig, gateway: impl Gateway) -> Result<ServerThread, Error> {
        let mut server = HttpServer::new(config, gateway)?;
        let addr = server.start()?;
        let handle = server.stop_handle();
        let thread = std::thread::Builder::new()
            .name("httpserver".to_string())
            .spawn(move || server.serve_forever())?;
        Ok(ServerThread {
            addr,
            handle,
            thread: Some(thread),
        })
    }
}

impl Drop for HttpServer {
    fn drop(&mut self) {
        // Breaks the cycle pool → queued connections → Shared → pool.
        self.stop();
    }
}

/// A server running on its own thread ([`HttpServer::spawn`]); stops when dropped.
pub struct ServerThread {
    addr: SocketAddr,
    handle: StopHandle,
    thread: Option<JoinHandle<()>>,
}

impl ServerThread {
    /// The bound address.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// A handle that stops the server from anywhere.
    pub fn stop_handle(&self) -> StopHandle {
        self.handle.clone()
    }

    /// Whether the serving thread has ended (stopped through a `StopHandle`, say).
    pub fn is_finished(&self) -> bool {
        self.thread.as_ref().is_none_or(|t| t.is_finished())
    }

    /// Stops the server and waits for its shutdown.
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        self.handle.stop();
        if let Some(thread) = self.thread.take() {
            // Err: the serving thread panicked; it is gone either way.
            let _ = thread.join();
        }
    }
}

impl Drop for ServerThread {
    fn drop(&mut self) {
        self.shutdown();
    }
}
