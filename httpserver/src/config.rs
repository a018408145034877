//! `ServerConfig`: every limit, timeout and count of the server, in one place.

use std::time::Duration;

use crate::rfile::ChunkedLimits;

// ANCHOR: server_config
/// Everything an [`HttpServer`](crate::HttpServer) can be told, with documented defaults.
///
/// Each limit, crossed by a client, gets a status and a closed connection (see
/// [`status_for`](crate::status_for)); each timeout bounds how long one client can keep a
/// socket. A client holds a worker only in one case: while the application writes more
/// than `out_high_water` ahead of a slow reader, each write waits for room, at most
/// `write_timeout` (backpressure).
#[derive(Clone, Debug)]
pub struct ServerConfig {
    /// Where to listen: `"host:port"`, `"[v6]:port"`, `"0.0.0.0:8080"`; `[::]` listens on
    /// IPv6 and IPv4 (dual-stack). Port 0 picks a free port. Default `127.0.0.1:8080`.
    pub bind_addr: String,
    /// The listen backlog: connections the kernel completes before `accept`. Default 1024
    /// (cheroot passed 5, which refuses connections in bursts).
    pub backlog: i32,
    /// Worker threads started with the server (cheroot's `numthreads`). Default 10.
    pub threads: usize,
    /// The most worker threads [`HttpServer::grow`](crate::HttpServer::grow) may reach;
    /// `None`: no bound. The server never grows by itself. Default `None`.
    pub max_threads: Option<usize>,
    /// Complete requests waiting for a worker. `None` (default): unbounded, a complete
    /// request waits however long every worker stays busy. `Some(n)`: once no worker is
    /// free, at most `n` requests (at least one) wait, each at most
    /// `queued_request_timeout`; the others get 503 from the housekeeper. (cheroot's
    /// `accepted_queue_size` bounded its pool's queue of accepted connections; here
    /// connections wait in the poller, and the bound is on requests.)
    pub max_queued_requests: Option<usize>,
    /// How long a request waits for a worker with `max_queued_requests` set before its
    /// 503 (cheroot's `accepted_queue_timeout`). Default 10 s.
    pub queued_request_timeout: Duration,
    // ANCHOR_END: server_config
    // ANCHOR: config_limits
    /// The longest request line, in bytes, line ending excluded; longer is 414.
    /// Empty lines before it (RFC 9112 §2.2) may take as many bytes again; more is 400.
    /// Default 8192.
    pub max_request_line: usize,
    /// The longest header section, in bytes, after the request line; longer is 431.
    /// Default 32768.
    pub max_header_bytes: usize,
    /// The most header fields; more is 431. Default 100.
    pub max_headers: usize,
    /// The longest request head as a whole: request line and header section (cheroot's
    /// `max_request_header_size`); longer is 431. Default 64 KiB.
    pub max_head_bytes: usize,
    /// The longest request body, declared or decoded; longer is 413. Default 16 MiB.
    pub max_body: u64,
    /// The longest chunk-size line and trailer section of a chunked body.
    /// Default: [`ChunkedLimits::default`] (`max_body` above replaces its `max_body`).
    pub chunked: ChunkedLimits,
    // ANCHOR_END: config_limits
    // ANCHOR: config_timeouts
    /// How long a request head may take to arrive whole: a connection's first request
    /// from the accept, each next one from its first byte. Later is 408 and a close (a
    /// connection that sent nothing at all is closed without one). A byte a second does
    /// not keep it alive (slowloris). Default 10 s.
    pub header_timeout: Duration,
    /// How long a request body may go without a byte; longer is 408 and a close.
    /// Default 10 s.
    pub body_timeout: Duration,
    /// The slowest a request body may arrive, in bytes per second, once `body_timeout`
    /// has passed since it started: by `body_timeout + n / min_body_rate` the first `n`
    /// bytes must be in, or the client gets 408. Without it a client sending one byte
    /// per `body_timeout` would keep its upload (and its memory) as long as its body
    /// lasts. 0: no floor. Default 1024.
    pub min_body_rate: u64,
    /// Request bodies up to this many bytes are kept in memory; longer ones are spooled
    /// to an anonymous temporary file. Default 512 KiB (waitress's `inbuf_overflow`).
    pub body_in_memory: usize,
    /// The most bytes of request bodies kept in memory over all connections at once;
    /// past it, new bodies are spooled. Default 64 MiB.
    pub body_memory_total: usize,
    /// How long the client may take to receive what the server wrote, never counted per
    /// send: past `out_high_water`, one write of the application waits at most this long
    /// for room (then it fails and the connection closes); what is left when the
    /// application is done must be taken within this time as a whole. Default 10 s.
    pub write_timeout: Duration,
    /// Response bytes kept for a client that reads slower than the application writes;
    /// past it, the application waits (backpressure). Default 1 MiB.
    pub out_high_water: usize,
    /// How long an idle kept-alive connection stays open, waiting on the poller.
    /// Default 5 s.
    pub keep_alive_timeout: Duration,
    /// The most idle kept-alive connections (waiting on the poller for their next
    /// request); past it, responses say `Connection: close`. Default 1024.
    pub max_idle_connections: usize,
    // ANCHOR_END: config_timeouts
    /// How long `stop` lets in-flight requests finish. Default 5 s.
    pub shutdown_timeout: Duration,
    /// The `Server` header's value (unless the app sets one). Default `httpserver/VERSION`.
    pub server_software: String,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            bind_addr: "127.0.0.1:8080".to_string(),
            backlog: 1024,
            threads: 10,
            max_threads: None,
            max_queued_requests: None,
            queued_request_timeout: Duration::from_secs(10),
            max_request_line: 8192,
            max_header_bytes: 32 * 1024,
            max_headers: 100,
            max_head_bytes: 64 * 1024,
            max_body: 16 * 1024 * 1024,
            chunked: ChunkedLimits::default(),
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(10),
            min_body_rate: 1024,
            body_in_memory: 512 * 1024,
            body_memory_total: 64 * 1024 * 1024,
            write_timeout: Duration::from_secs(10),
            out_high_water: 1024 * 1024,
            keep_alive_timeout: Duration::from_secs(5),
            max_idle_connections: 1024,
            shutdown_timeout: Duration::from_secs(5),
            server_software: concat!("httpserver/", env!("CARGO_PKG_VERSION")).to_string(),
        }
    }
}

impl ServerConfig {
    /// The defaults, listening on `addr` (`"host:port"`).
    pub fn new(addr: impl Into<String>) -> Self {
        ServerConfig {
            bind_addr: addr.into(),
            ..ServerConfig::default()
        }
    }

    /// The defaults, listening on `(host, port)`: the notes' tuple form of `bind_addr`.
    pub fn from_host_port(host: &str, port: u16) -> Self {
        let addr = if host.contains(':') && !host.starts_with('[') {
            format!("[{host}]:{port}")
        } else {
            format!("{host}:{port}")
        };
        ServerConfig::new(addr)
    }

    // ANCHOR: timeout
    /// Sets the header, body, write and keep-alive timeouts to `timeout` at once:
    /// cheroot's single `timeout`. The finer fields stay settable one by one.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.header_timeout = timeout;
        self.body_timeout = timeout;
        self.write_timeout = timeout;
        self.keep_alive_timeout = timeout;
        self
    }
    // ANCHOR_END: timeout

    /// The limits a `ChunkedRFile` enforces for this server.
    pub(crate) fn chunked_limits(&self) -> ChunkedLimits {
        ChunkedLimits {
            max_body: self.max_body,
            ..self.chunked.clone()
        }
    }

    /// The most bytes read ahead while a request head arrives: the head's limit, the
    /// empty lines allowed before it, and one byte to see that a limit was passed.
    pub(crate) fn head_buffer(&self) -> usize {
        self.max_head_bytes
            .saturating_add(self.max_request_line)
            .saturating_add(1)
    }
}
