//! `HttpConnection`: one client connection, served request after request.
//!
//! The design notes' heading "HttpConnection": `communicate()` runs `parse_request()` then
//! `respond()`, while the connection is kept alive. Unlike the notes (and cheroot before
//! its 8.x connection manager), `communicate` returns as soon as the connection has no
//! complete request to serve, parking the connection off the pool: a worker is never
//! held by a client that is not sending.

use std::io::{self, Read};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::sync::Arc;
use std::time::{Duration, Instant};

use threadpool::WorkItem;

use crate::request::{self, line_end, section_end};
use crate::server::Shared;
use crate::wire::{ConnReader, ConnWriter};
use crate::{status_for, HttpRequest};

/// How long a closing connection keeps reading what the client still sends, so that
/// the response is not destroyed by a reset (see `close_gracefully`).
const CLOSE_LINGER: Duration = Duration::from_millis(100);

/// The most bytes read and discarded while closing: past it, the reset is the client's
/// problem.
const CLOSE_DISCARD: usize = 256 * 1024;

/// One accepted TCP connection, and where it is between requests.
///
/// It is the work item the server puts in the `ThreadPool`: a worker runs
/// [`communicate`](Self::communicate), which serves every request already received and
/// returns when the connection closes or goes idle (then it waits in the parking lot,
/// not on a worker).
pub struct HttpConnection {
    stream: Arc<TcpStream>,
    /// `None` only while a request holds it.
    reader: Option<ConnReader>,
    writer: ConnWriter,
    remote_addr: SocketAddr,
    server_addr: SocketAddr,
    shared: Arc<Shared>,
    /// When the request head being received must be complete (slowloris bound); `None`
    /// between requests, before the next one's first byte.
    head_deadline: Option<Instant>,
    /// The poller said the socket is readable: the next wait reads instead of parking.
    readable: bool,
    requests: u64,
    /// The key in the server's `Live` registry, removed on drop.
    live_id: u64,
}

impl Drop for HttpConnection {
    fn drop(&mut self) {
        self.shared.live.remove(self.live_id);
    }
}

/// What [`HttpConnection::await_head`] found.
enum Next {
    /// A whole request head is buffered (or enough to refuse it): serve it.
    Serve,
    /// Nothing complete yet and no reason to wait on a worker: park.
    Park,
    /// The peer closed or failed: drop the connection.
    Close,
    /// The header deadline passed: answer 408 and close.
    TimedOut,
}

impl WorkItem for HttpConnection {
    fn run(self) {
        self.communicate();
    }
}

impl HttpConnection {
    pub(crate) fn new(stream: TcpStream, shared: Arc<Shared>) -> io::Result<Self> {
        // On a dual-stack `[::]` socket an IPv4 client shows as `::ffff:1.2.3.4`; the
        // application (REMOTE_ADDR, an access log) wants `1.2.3.4`.
        let canonical = |addr: SocketAddr| SocketAddr::new(addr.ip().to_canonical(), addr.port());
        let remote_addr = canonical(stream.peer_addr()?);
        let server_addr = canonical(stream.local_addr()?);
        stream.set_write_timeout(Some(shared.config.write_timeout))?;
        stream.set_nodelay(true)?;
        let stream = Arc::new(stream);
        // The first request's head is bounded from the accept: a client that connects
        // and never sends is closed after `header_timeout`, as a slow one is.
        let head_deadline = Some(Instant::now() + shared.config.header_timeout);
        let live_id = shared.live.add(&stream);
        Ok(HttpConnection {
            reader: Some(ConnReader::new(Arc::clone(&stream))),
            writer: ConnWriter::new(Arc::clone(&stream)),
            stream,
            remote_addr,
            server_addr,
            shared,
            head_deadline,
            readable: false,
            requests: 0,
            live_id,
        })
    }

    /// Called by the parking thread when the poller reports the socket readable.
    pub(crate) fn mark_readable(&mut self) {
        self.readable = true;
    }

    /// The socket, for the poller.
    pub(crate) fn socket(&self) -> &TcpStream {
        &self.stream
    }

    /// The client's address.
    pub fn remote_addr(&self) -> SocketAddr {
        self.remote_addr
    }

    /// Requests answered on this connection so far.
    pub fn requests(&self) -> u64 {
        self.requests
    }

    // ANCHOR: communicate
    /// Serves requests until the connection closes or has nothing complete to serve;
    /// then parks it, so this worker can take the next connection from the queue.
    ///
    /// Pipelined requests already buffered are served in order without parking.
    pub fn communicate(mut self) {
        loop {
            match self.await_head() {
                Next::Serve => {}
                Next::Park => return self.park(),
                Next::Close => return,
                Next::TimedOut => return self.refuse(408),
            }
            if !self.serve_one() {
                return;
            }
        }
    }
    // ANCHOR_END: communicate

    /// Parses and answers one request; `false` if the connection must close.
    fn serve_one(&mut self) -> bool {
        let Some(reader) = self.reader.take() else {
            return false;
        };
        let config = Arc::clone(&self.shared.config);
        let allow_keep_alive =
            !self.shared.is_stopping() && self.shared.parker.len() < config.max_parked;
        let mut req = HttpRequest::new(
            reader,
            self.writer.clone(),
            self.remote_addr,
            self.server_addr,
            config,
            allow_keep_alive,
            self.shared.stopping_flag(),
        );
        self.head_deadline = None;
        if let Err(err) = req.parse_request() {
            if let Some(status) = status_for(&err) {
                if req.refuse(status).is_ok() {
                    self.close_gracefully();
                }
            }
            return false;
        }
        if req.respond(self.shared.gateway.as_ref()).is_err() {
            return false;
        }
        self.requests += 1;
        match req.finish_exchange() {
            request::Next::Serve(reader) => {
                self.reader = Some(reader);
                true
            }
            request::Next::Close { unread } => {
                // Bytes the client sent that were never read (a body, a pipelined request
                // that will not be answered) make a bare close send a reset.
                if unread || self.input_pending() {
                    self.close_gracefully();
                }
                false
            }
        }
    }

    /// Whether the client sent bytes that are waiting in the socket, unread: one
    /// non-blocking peek, so a client that sent nothing more costs no wait at all.
    fn input_pending(&self) -> bool {
        if self.stream.set_nonblocking(true).is_err() {
            return false;
        }
        let pending = matches!(self.stream.peek(&mut [0u8; 1]), Ok(n) if n > 0);
        // `close_gracefully` reads with timeouts, which a non-blocking socket ignores.
        self.stream.set_nonblocking(false).is_ok() && pending
    }

    // ANCHOR: close_gracefully
    /// Closes after a response while the client may still be sending (a refused request,
    /// an unread body): first our side only (`shutdown(Write)`, a FIN after the
    /// response), then read and discard what arrives, until the client closes too or
    /// `CLOSE_LINGER` passes. Closing at once with unread bytes in the socket makes the
    /// kernel send a reset, and a reset can destroy the response in the client's buffer
    /// before it is read: the client would see "connection reset", never its 413.
    fn close_gracefully(&self) {
        if self.stream.shutdown(Shutdown::Write).is_err() {
            return;
        }
        let deadline = Instant::now() + CLOSE_LINGER;
        let mut sink = [0u8; 8192];
        let mut discarded = 0usize;
        while discarded < CLOSE_DISCARD {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() || self.stream.set_read_timeout(Some(left)).is_err() {
                return;
            }
            match (&*self.stream).read(&mut sink) {
                Ok(0) | Err(_) => return,
                Ok(n) => discarded += n,
            }
        }
    }
    // ANCHOR_END: close_gracefully

    // ANCHOR: await_head
    /// Waits for a whole request head, briefly: if the queue is empty, up to
    /// `keep_alive_linger` on this worker (cheap when the client answers fast, as a
    /// benchmark or a pipelining proxy does); otherwise not at all. Either way, a
    /// connection with nothing complete is parked rather than waited for.
    fn await_head(&mut self) -> Next {
        let config = Arc::clone(&self.shared.config);
        let Some(reader) = self.reader.as_mut() else {
            return Next::Close;
        };
        reader.stop_body_clock();
        loop {
            let buffered = reader.buffered();
            if head_ready(buffered, config.max_request_line, config.max_header_bytes) {
                return Next::Serve;
            }
            let now = Instant::now();
            if !buffered.is_empty() && self.head_deadline.is_none() {
                self.head_deadline = Some(now + config.header_timeout);
            }
            let deadline = self.head_deadline;
            if deadline.is_some_and(|d| d <= now) {
                return if buffered.is_empty() {
                    Next::Close
                } else {
                    Next::TimedOut
                };
            }
            if self.shared.is_stopping() && buffered.is_empty() {
                return Next::Close;
            }
            let linger = if std::mem::take(&mut self.readable) {
                // Woken by the poller: bytes (or the peer's close) are there to read, so
                // the read returns at once; the floor only bounds a spurious wake-up.
                config.keep_alive_linger.max(Duration::from_millis(1))
            } else if self.shared.pool.queue_len() == 0 {
                config.keep_alive_linger
            } else {
                Duration::ZERO
            };
            let wait = deadline.map_or(linger, |d| linger.min(d - now));
            if wait.is_zero() {
                return Next::Park;
            }
            if reader.set_timeout(Some(wait)).is_err() {
                return Next::Close;
            }
            match reader.read_more(config.max_head()) {
                Ok(0) => return Next::Close,
                Ok(_) => {}
                Err(e) if is_timeout(&e) => return Next::Park,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(_) => return Next::Close,
            }
        }
    }
    // ANCHOR_END: await_head

    fn park(mut self) {
        if let Some(reader) = self.reader.as_mut() {
            reader.release_if_idle();
        }
        let deadline = self
            .head_deadline
            .unwrap_or_else(|| Instant::now() + self.shared.config.keep_alive_timeout);
        let shared = Arc::clone(&self.shared);
        if shared.is_stopping() {
            return;
        }
        shared.parker.park(self, deadline);
    }

    /// Whether part of a request head arrived: when such a connection's deadline passes,
    /// the parking thread hands it to a worker, which answers 408 (`await_head` sees the
    /// deadline) and closes gracefully. An idle connection is dropped without a word
    /// (RFC 9112 §9.6).
    pub(crate) fn has_partial_head(&self) -> bool {
        self.reader
            .as_ref()
            .is_some_and(|r| !r.buffered().is_empty())
    }

    /// Answers 503: the pool's queue stayed full.
    pub(crate) fn refuse_busy(self) {
        self.refuse(503);
    }

    fn refuse(mut self, status: u16) {
        if let Some(reader) = self.reader.take() {
            let mut req = HttpRequest::new(
                reader,
                self.writer.clone(),
                self.remote_addr,
                self.server_addr,
                Arc::clone(&self.shared.config),
                false,
                self.shared.stopping_flag(),
            );
            if req.refuse(status).is_ok() {
                self.close_gracefully();
            }
        }
    }
}

/// Whether `bytes` hold a whole request head, or enough to know it is over a limit (then
/// `parse_request` refuses it: waiting for more would buffer without bound).
fn head_ready(bytes: &[u8], max_line: usize, max_fields: usize) -> bool {
    let skip = bytes
        .iter()
        .take_while(|&&b| b == b'\r' || b == b'\n')
        .count();
    if skip > max_line {
        // Empty lines count against the request line's limit: refused (400), not
        // buffered until the buffer is full and the connection reset without an answer.
        return true;
    }
    let bytes = &bytes[skip..];
    match line_end(bytes, max_line.saturating_add(2)) {
        None => bytes.len() > max_line,
        Some(end) => {
            let rest = &bytes[end..];
            section_end(rest).is_some() || rest.len() > max_fields
        }
    }
}

fn is_timeout(err: &io::Error) -> bool {
    matches!(
        err.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}
