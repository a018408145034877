//! `HttpConnection`: one client connection, advanced as far as its bytes allow.
//!
//! The design notes' heading "HttpConnection": `communicate()` runs `parse_request()` then
//! `respond()`, while the connection is kept alive. Here `communicate` runs on the worker
//! the poller woke for this connection: it reads what arrived without blocking, and
//! serves every request that is complete (body included); when the bytes run out it
//! leaves the connection with the poller and returns.
//!
//! A client slow to send never holds a worker: its bytes are read as they arrive, over
//! as many wake-ups as it takes. A client slow to read holds one only while the
//! application writes more than `out_high_water` ahead of it (`ConnWriter::write_all`
//! then waits for room, up to `write_timeout` per write: backpressure); what is left
//! when the application is done is flushed by the housekeeper.
//!
//! The housekeeper uses the same state machine on connections whose deadline passed
//! ([`advance`](HttpConnection::advance), then [`time_out`](HttpConnection::time_out)),
//! and never runs the application.

mod close;
mod deadline;
mod shared;

use std::io;
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::time::Instant;

use threadpool::WorkItem;

use crate::engine::slots::Awaiting;
use crate::error::ClientError;
use crate::request::upload::Upload;
use crate::request::{leading_empty_lines, line_end, section_end, Finished, Then};
use crate::rfile::BodyError;
use crate::wire::{ConnReader, ConnWriter};
use crate::{HttpRequest, RequestHead, ServerConfig};

pub(crate) use shared::Shared;

/// Where a connection is in its current request.
#[derive(Debug)]
enum Stage {
    /// Between requests, or part of a head received: the reader holds what arrived.
    Head(ConnReader),
    /// The head is parsed; the body is arriving.
    Body(Box<Upload>),
    /// A whole request, ready for a worker (the housekeeper found it complete).
    Ready(Box<HttpRequest>, ConnReader),
    /// Only while the stage moves from one variant to the next.
    Moving,
}

/// What [`HttpConnection::advance`] found (and reading a head, which stops at the first
/// three).
// A request is large next to the other variants, but it is moved once, from `advance` to
// `serve`; boxing it would cost an allocation per request to save a copy of 600 bytes.
#[allow(clippy::large_enum_variant)]
pub(crate) enum Progress {
    /// A whole request, body included: serve it.
    Request(HttpRequest),
    /// Nothing complete yet: wait on the poller for more bytes.
    Waiting,
    /// The client closed or failed; nothing is owed to it.
    Gone,
    /// The request is refused (the request, if its head was parsed, answers it).
    Refused(ClientError, Option<Box<HttpRequest>>),
}

/// One accepted TCP connection, and where it is in its current request.
///
/// It is the work item the poller hands a worker: [`communicate`](Self::communicate)
/// serves what arrived and returns the connection to the poller.
pub struct HttpConnection {
    key: u64,
    stream: Arc<TcpStream>,
    stage: Stage,
    /// `None` only while a request holds it.
    writer: Option<ConnWriter>,
    /// The last request's head, whose strings the next request reuses.
    spare_head: Option<RequestHead>,
    remote_addr: SocketAddr,
    server_addr: SocketAddr,
    shared: Arc<Shared>,
    /// When the request head being received must be complete (slowloris bound): from
    /// the accept for the first request, from the head's first byte for the next ones;
    /// `None` between requests, before the next one's first byte. See `deadline`.
    head_deadline: Option<Instant>,
    /// When the last response was finished: the keep-alive timeout runs from here.
    idle_since: Instant,
    /// Requests answered on this connection so far.
    answered: u64,
}

impl std::fmt::Debug for HttpConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpConnection")
            .field("remote_addr", &self.remote_addr)
            .field("answered", &self.answered)
            .finish_non_exhaustive()
    }
}

impl Drop for HttpConnection {
    fn drop(&mut self) {
        self.shared.room.slots.release(self.key);
    }
}

impl WorkItem for HttpConnection {
    fn run(self) {
        self.communicate();
    }
}

impl HttpConnection {
    /// Wraps an accepted stream; `None` when the connection table is full.
    pub(crate) fn open(stream: TcpStream, shared: Arc<Shared>) -> io::Result<Option<Self>> {
        // On a dual-stack `[::]` socket an IPv4 client shows as `::ffff:1.2.3.4`; the
        // application (REMOTE_ADDR, an access log) wants `1.2.3.4`.
        let canonical = |addr: SocketAddr| SocketAddr::new(addr.ip().to_canonical(), addr.port());
        let remote_addr = canonical(stream.peer_addr()?);
        let server_addr = canonical(stream.local_addr()?);
        stream.set_nonblocking(true)?;
        stream.set_nodelay(true)?;
        let stream = Arc::new(stream);
        let Some(key) = shared.room.slots.claim(&stream) else {
            return Ok(None);
        };
        let config = &shared.config;
        Ok(Some(HttpConnection {
            key,
            stage: Stage::Head(ConnReader::new(Arc::clone(&stream))),
            spare_head: None,
            writer: Some(ConnWriter::new(
                Arc::clone(&stream),
                config.out_high_water,
                config.write_timeout,
            )),
            // The first request's head is bounded from the accept: a client that
            // connects and never sends is closed after `header_timeout`.
            head_deadline: Some(Instant::now() + config.header_timeout),
            stream,
            remote_addr,
            server_addr,
            shared,
            idle_since: Instant::now(),
            answered: 0,
        }))
    }

    /// The key of this connection's slot: what the poller reports it by.
    pub(crate) fn key(&self) -> u64 {
        self.key
    }

    /// The socket, for the pollers.
    pub(crate) fn stream(&self) -> Arc<TcpStream> {
        Arc::clone(&self.stream)
    }

    /// The client's address.
    pub fn remote_addr(&self) -> SocketAddr {
        self.remote_addr
    }

    /// Requests answered on this connection so far.
    pub fn answered(&self) -> u64 {
        self.answered
    }

    // ANCHOR: communicate
    /// Serves every request whose bytes have arrived, in order (pipelining included),
    /// then leaves the connection with the poller until more arrive, and returns.
    pub fn communicate(mut self) {
        loop {
            let span = tracing::debug_span!("HttpConnection.communicate",
                request = self.answered + 1, peer = %self.remote_addr);
            let _in_span = span.enter();
            match self.advance() {
                Progress::Request(req) => match self.serve(req) {
                    // Nothing of a next request buffered, and the socket held nothing
                    // more at the last read: back to the poller at once. Reading first
                    // would cost a system call that, for a client that waits for its
                    // answer before it sends again, finds nothing; bytes that arrived
                    // since the last read are reported by the poller.
                    Some(conn) if conn.may_wait() => return conn.wait_for_bytes(),
                    Some(conn) => self = conn,
                    None => return,
                },
                Progress::Waiting => return self.wait_for_bytes(),
                Progress::Gone => {
                    tracing::debug!("the client closed the connection (or it failed)");
                    return;
                }
                Progress::Refused(err, req) => {
                    let _ = self.refuse(err, req).finish(Then::Close);
                    return;
                }
            }
        }
    }
    // ANCHOR_END: communicate

    // ANCHOR: advance
    /// Reads what arrived, without blocking, and moves the request on as far as the bytes
    /// allow: head, then body, then a whole request. Never runs the application, so the
    /// housekeeper may call it too.
    pub(crate) fn advance(&mut self) -> Progress {
        loop {
            match std::mem::replace(&mut self.stage, Stage::Moving) {
                Stage::Head(mut reader) => match self.read_head(&mut reader) {
                    None => {
                        if let Some(progress) = self.start_request(reader) {
                            return progress;
                        }
                    }
                    Some(Progress::Waiting) => {
                        self.stage = Stage::Head(reader);
                        return Progress::Waiting;
                    }
                    Some(progress) => return progress,
                },
                Stage::Body(upload) => return self.read_body(upload),
                Stage::Ready(req, reader) => {
                    self.stage = Stage::Head(reader);
                    return Progress::Request(*req);
                }
                Stage::Moving => return Progress::Gone,
            }
        }
    }
    // ANCHOR_END: advance

    // ANCHOR: read_head
    /// Reads until a whole head is buffered (or enough of one to know it is over a
    /// limit: `None`), or the socket has nothing more for now (`Waiting`), or the client
    /// closed or failed (`Gone`).
    fn read_head(&mut self, reader: &mut ConnReader) -> Option<Progress> {
        let config = Arc::clone(&self.shared.config);
        loop {
            if head_ready(reader.buffered(), &config) {
                return None;
            }
            match reader.read_more(config.head_buffer()) {
                Ok(0) => return Some(Progress::Gone),
                Ok(_) => self.start_head_clock(),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    // A pipelined head's first bytes came with the previous request.
                    if !reader.buffered().is_empty() {
                        self.start_head_clock();
                    }
                    return Some(Progress::Waiting);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(_) => return Some(Progress::Gone),
            }
        }
    }
    // ANCHOR_END: read_head

    /// Parses the head in `reader`'s buffer; a request without a body is complete at
    /// once, one with a body starts its upload. `None`: go on advancing (the body).
    fn start_request(&mut self, mut reader: ConnReader) -> Option<Progress> {
        let mut req = self.new_request();
        if let Err(err) = req.parse_request(&mut reader) {
            self.stage = Stage::Head(reader);
            return Some(Progress::Refused(err, Some(Box::new(req))));
        }
        self.head_deadline = None;
        if !req.has_body() {
            self.stage = Stage::Head(reader);
            return Some(Progress::Request(req));
        }
        if req.send_continue().is_err() {
            return Some(Progress::Gone);
        }
        match Upload::start(req, reader, &self.shared.config, &self.shared.bodies) {
            Ok(upload) => {
                self.stage = Stage::Body(Box::new(upload));
                None
            }
            Err(err) => {
                tracing::error!("httpserver: no room for a request body: {err}");
                Some(Progress::Gone)
            }
        }
    }

    /// Decodes what arrived of the body; the request when it is complete.
    fn read_body(&mut self, mut upload: Box<Upload>) -> Progress {
        let _span =
            tracing::debug_span!("HttpConnection.read_body", rfile = upload.rfile()).entered();
        match upload.advance() {
            Ok(false) => {
                self.stage = Stage::Body(upload);
                Progress::Waiting
            }
            Ok(true) => match upload.finish() {
                Ok((mut req, reader)) => {
                    let body = req.body();
                    let kept = if body.is_spooled() {
                        "in a temporary file"
                    } else {
                        "in memory"
                    };
                    tracing::debug!(bytes = body.len(), kept, "body received");
                    self.stage = Stage::Head(reader);
                    Progress::Request(req)
                }
                Err(err) => {
                    tracing::error!("httpserver: a spooled request body failed: {err}");
                    Progress::Gone
                }
            },
            Err(err) => {
                let (req, reader) = upload.abandon();
                self.stage = Stage::Head(reader);
                match body_failure(&err) {
                    Some(client) => Progress::Refused(client, Some(Box::new(req))),
                    None => Progress::Gone,
                }
            }
        }
    }

    /// A request to be parsed on this connection, holding its writer.
    fn new_request(&mut self) -> HttpRequest {
        let shared = &self.shared;
        let config = Arc::clone(&shared.config);
        let writer = self.writer.take().unwrap_or_else(|| {
            ConnWriter::new(self.stream(), config.out_high_water, config.write_timeout)
        });
        let allow_keep_alive =
            !shared.is_stopping() && shared.room.slots.idle() < config.max_idle_connections;
        let head = self.spare_head.take().unwrap_or_else(RequestHead::empty);
        HttpRequest::new(
            writer,
            head,
            (self.remote_addr, self.server_addr),
            config,
            allow_keep_alive,
            Arc::clone(&shared.stopping),
        )
    }

    // ANCHOR: serve
    /// Runs the application for `req` on this thread and finishes the exchange. `Some`:
    /// the connection goes on (its next request may be buffered already); `None`: it
    /// was closed, or handed to the housekeeper to flush what the client has not taken.
    fn serve(mut self, mut req: HttpRequest) -> Option<HttpConnection> {
        let answered = req.respond(self.shared.gateway.as_ref()).is_ok();
        self.answered += 1;
        self.idle_since = Instant::now();
        let Finished { writer, then, head } = req.finish_exchange();
        self.writer = Some(writer);
        self.spare_head = Some(head);
        if !answered {
            return None;
        }
        self.finish(then)
    }
    // ANCHOR_END: serve

    /// After an answer: go on, or close, or let the housekeeper flush the rest first.
    fn finish(self, then: Then) -> Option<HttpConnection> {
        let pending = self.writer.as_ref().map_or(0, ConnWriter::pending);
        if pending > 0 || (then == Then::Close && self.input_pending()) {
            // A slow reader's rest, or a close that must not destroy the answer with a
            // reset: neither is worth a worker's time.
            let shared = Arc::clone(&self.shared);
            shared.hand_to_housekeeper(self, then);
            return None;
        }
        match then {
            Then::KeepAlive => Some(self),
            Then::Close => None,
        }
    }

    /// Whether the connection may wait on the poller now: nothing of a next request is
    /// buffered (pipelining), and the socket held nothing more at the last read (the
    /// poller reports only what arrives later).
    fn may_wait(&self) -> bool {
        match &self.stage {
            Stage::Head(reader) => reader.buffered().is_empty() && reader.drained(),
            _ => false,
        }
    }

    /// Leaves the connection with the poller until its next bytes or its deadline; an
    /// idle one is closed instead while the server stops.
    fn wait_for_bytes(mut self) {
        if let Stage::Head(reader) = &mut self.stage {
            reader.release_if_idle();
        }
        let awaiting = self.deadline().awaiting;
        if awaiting == Awaiting::NextRequest && self.shared.is_stopping() {
            return;
        }
        tracing::debug!(?awaiting, "in the workers' poller until more bytes arrive");
        let shared = Arc::clone(&self.shared);
        shared.wait_on_poller(self);
    }

    /// Answers a refused request; the connection closes after it.
    pub(crate) fn refuse(self, err: ClientError, req: Option<Box<HttpRequest>>) -> HttpConnection {
        tracing::info!(
            "httpserver: {} answered {}: {err}",
            self.remote_addr,
            err.status()
        );
        self.answer(err.status(), req)
    }

    /// Writes a short answer with `status` (and `Connection: close`) in place of a
    /// response, through `req` if its head was parsed.
    pub(crate) fn answer(mut self, status: u16, req: Option<Box<HttpRequest>>) -> HttpConnection {
        let mut req = req.map_or_else(|| self.new_request(), |req| *req);
        let _ = req.refuse(status);
        self.writer = Some(req.finish_exchange().writer);
        self
    }

    /// The writer, for the housekeeper's flush.
    pub(crate) fn writer_mut(&mut self) -> Option<&mut ConnWriter> {
        self.writer.as_mut()
    }
}

/// The client error a failed body read is, or `None` for the transport's failure.
fn body_failure(err: &io::Error) -> Option<ClientError> {
    if let Some(body) = BodyError::from_io(err) {
        return Some(ClientError::Body(body.clone()));
    }
    (err.kind() == io::ErrorKind::UnexpectedEof).then_some(ClientError::BodyCutShort)
}

// ANCHOR: head_ready
/// Whether `bytes` hold a whole request head, or enough to know it is over a limit (then
/// `parse_request` refuses it: waiting for more would buffer without bound).
fn head_ready(bytes: &[u8], config: &ServerConfig) -> bool {
    let skip = leading_empty_lines(bytes);
    // Empty lines count against the request line's limit: refused (400), not buffered
    // until the buffer is full and the connection reset without an answer.
    if skip > config.max_request_line {
        return true;
    }
    let bytes = &bytes[skip..];
    if bytes.len() > config.max_head_bytes {
        return true;
    }
    match line_end(bytes, config.max_request_line.saturating_add(2)) {
        None => bytes.len() > config.max_request_line,
        Some(end) => {
            let rest = &bytes[end..];
            section_end(rest).is_some() || rest.len() > config.max_header_bytes
        }
    }
}
// ANCHOR_END: head_ready
