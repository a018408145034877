//! `HttpServer`: bind, listen, accept, and hand connections to the workers' poller.
//!
//! The design notes' heading "HttpServer": `start()` runs the socket steps and starts the
//! `ThreadPool`; `tick()` accepts one connection and `put`s it in the pool; `stop()`
//! drops the socket and stops the pool. Here `tick` is one round of the housekeeper
//! (`engine::housekeeper`): it accepts and registers each connection with the poller the
//! pool's idle workers wait on, instead of queueing it.

pub mod bind;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;

use threadpool::{ThreadPool, ThreadPoolConfig};

use crate::connection::Shared;
use crate::engine::housekeeper::Housekeeper;
use crate::engine::poller::Poller;
use crate::engine::WaitingRoom;
use crate::request::MemoryBudget;
use crate::{Error, Gateway, ServerConfig};

/// Asks a running server to stop, from any thread or a signal handler: `tick` stops
/// accepting, and `serve_forever` returns after the shutdown.
#[derive(Clone)]
pub struct StopHandle {
    stopping: Arc<AtomicBool>,
    /// Rung so that a `tick` waiting on its poller sees the stop at once.
    watch: Arc<Poller>,
}

impl std::fmt::Debug for StopHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StopHandle")
            .field("stopping", &self.stopping)
            .finish_non_exhaustive()
    }
}

impl StopHandle {
    /// Requests the stop; returns at once.
    pub fn stop(&self) {
        self.stopping.store(true, Ordering::Release);
        self.watch.ring();
    }
}

/// The HTTP server: a listening socket, a `ThreadPool` of workers waiting on the
/// connections' poller, and the housekeeping that `tick` does.
pub struct HttpServer {
    shared: Arc<Shared>,
    /// `Some` once started; `tick` runs it.
    housekeeper: Mutex<Option<Housekeeper>>,
    local_addr: Option<SocketAddr>,
}

impl HttpServer {
    /// A server for `gateway`, not listening yet.
    pub fn new(config: ServerConfig, gateway: impl Gateway) -> Result<Self, Error> {
        let room = Arc::new(WaitingRoom::new(Poller::new()?));
        let gateway: Arc<dyn Gateway> = Arc::new(gateway);
        let lives = Arc::clone(&gateway);
        // The pool's own queue only carries the rare request the housekeeper found
        // complete, unbounded: the bound a user sets (`max_queued_requests`) is the
        // housekeeper's, which answers 503 past it.
        let pool = ThreadPool::with_source(
            ThreadPoolConfig {
                min: config.threads,
                max: config.max_threads,
                accepted_queue_size: None,
                name: "worker".to_string(),
                ..ThreadPoolConfig::default()
            },
            Arc::clone(&room) as Arc<dyn threadpool::Source<_>>,
        )
        .around_workers(Arc::new(move |life: &mut (dyn FnMut() + Send)| {
            lives.worker_life(life)
        }));
        let shared = Shared {
            bodies: Arc::new(MemoryBudget::new(config.body_memory_total)),
            config: Arc::new(config),
            gateway,
            pool,
            room,
            watch: Arc::new(Poller::new()?),
            inbox: Mutex::new(Vec::new()),
            stopping: Arc::new(AtomicBool::new(false)),
        };
        Ok(HttpServer {
            shared: Arc::new(shared),
            housekeeper: Mutex::new(None),
            local_addr: None,
        })
    }

    fn housekeeper(&self) -> MutexGuard<'_, Option<Housekeeper>> {
        // Only `tick` and `stop` take it; a panic inside leaves state that is still
        // consistent enough to close.
        self.housekeeper
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    // ANCHOR: start
    /// Binds and listens (getaddrinfo → socket → setsockopt → bind → listen, see
    /// [`bind`]), starts the worker threads, which wait on the connections' poller.
    /// Returns the address actually bound (the real port when the configuration says
    /// port 0).
    pub fn start(&mut self) -> Result<SocketAddr, Error> {
        let config = &self.shared.config;
        let listener = bind::bind_listener(&config.bind_addr, config.backlog)?;
        let local_addr = listener.local_addr()?;
        self.shared.pool.start()?;
        *self.housekeeper() = Some(Housekeeper::new(Arc::clone(&self.shared), listener)?);
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
        self.housekeeper()
            .as_ref()
            .is_some_and(|h| h.listener.is_some())
            && !self.shared.is_stopping()
    }

    /// A handle that stops this server from another thread.
    pub fn stop_handle(&self) -> StopHandle {
        StopHandle {
            stopping: Arc::clone(&self.shared.stopping),
            watch: Arc::clone(&self.shared.watch),
        }
    }

    /// Connections accepted so far.
    pub fn accepted(&self) -> u64 {
        self.housekeeper().as_ref().map_or(0, |h| h.accepted)
    }

    /// Idle kept-alive connections now: answered, waiting on the poller for their next
    /// request (the count `max_idle_connections` bounds).
    pub fn idle_connections(&self) -> usize {
        self.shared.room.slots.idle()
    }

    /// Open connections now.
    pub fn connections(&self) -> usize {
        self.shared.room.slots.open()
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
    /// One round of the housekeeping (at most 100 ms): accept what connected, flush what
    /// slow readers have not taken, close gracefully, answer expired deadlines. The
    /// notes' `tick` accepted one connection and `put` it in the pool; here a new
    /// connection is registered with the workers' poller instead, and the worker the
    /// kernel wakes for its first request takes it: no queue between them.
    pub fn tick(&self) {
        if let Some(housekeeper) = self.housekeeper().as_mut() {
            housekeeper.tick();
        }
    }
    // ANCHOR_END: tick

    /// The notes' loop: `tick()` while `ready`; then [`stop`](Self::stop).
    pub fn serve_forever(&mut self) {
        while self.ready() {
            self.tick();
        }
        self.stop();
    }

    // ANCHOR: stop
    /// Stops: no more accepts (the listening socket is closed), in-flight requests given
    /// `shutdown_timeout` to finish (their responses say `Connection: close`), idle
    /// connections closed, threads joined. Idempotent; never waits longer than the
    /// shutdown timeout for a stuck worker: past it, the sockets of unfinished requests
    /// are shut down, so a worker waiting on its client fails at once.
    pub fn stop(&mut self) {
        self.shared.stopping.store(true, Ordering::Release);
        if let Some(housekeeper) = self.housekeeper().as_mut() {
            housekeeper.close_all();
        }
        let report = self.shared.pool.stop(self.shared.config.shutdown_timeout);
        if !report.unfinished.is_empty() {
            let cut = self.shared.room.slots.shutdown_all();
            tracing::warn!(
                "httpserver: stopped with busy workers: {}; {cut} connections cut",
                report.unfinished.join(", ")
            );
        }
        drop(report.handed_back);
        // Connections waiting on the poller, and those workers left there or handed to
        // the housekeeper while stopping.
        drop(self.shared.room.slots.take_all());
        if let Some(housekeeper) = self.housekeeper().as_mut() {
            housekeeper.close_all();
        }
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
        // Breaks the cycle pool → source → waiting connections → Shared → pool.
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
