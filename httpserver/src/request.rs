//! `HttpRequest`: one request on a connection, from its head to its answer.
//!
//! The design notes' heading "HttpRequest": `parse_request()` (`read_request_line()`, then
//! `read_request_headers()`, which settles the body's framing and `100 Continue`), and
//! `respond()` (the gateway, `send_headers()`, the body, the terminating chunk).

mod body;
mod date;
mod head;
mod headers;
mod line;
mod response;

use std::io::Read;
use std::net::SocketAddr;
use std::ops::Deref;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

pub use body::RequestBody;
pub use head::{RequestHead, Version};
pub use headers::BodyFraming;
pub use response::Response;

use crate::rfile::{ChunkedRFile, KnownLengthRFile};
use crate::wire::{ConnReader, ConnWriter};
use crate::{status_for, Error, Gateway, ServerConfig};
use body::{expect, Exchange, Framed};
use response::ResponseContext;

pub(crate) use headers::section_end;
pub(crate) use line::line_end;

/// One request and its response.
///
/// A [`Gateway`] receives it in [`Gateway::respond`]: the request's head through `Deref`
/// to [`RequestHead`] (`req.method()`, `req.path()`, `req.headers()`...), the body through
/// [`body`](Self::body), the answer through [`set_status`](Self::set_status),
/// [`add_header`](Self::add_header), [`write`](Self::write). See the
/// [`Gateway`](crate::Gateway) contract.
#[derive(Debug)]
pub struct HttpRequest {
    head: RequestHead,
    body: RequestBody,
    response: Response,
    config: Arc<ServerConfig>,
    /// The server allows this connection to persist (it is not stopping, and parking
    /// has room).
    allow_keep_alive: bool,
}

impl Deref for HttpRequest {
    type Target = RequestHead;

    fn deref(&self) -> &RequestHead {
        &self.head
    }
}

impl HttpRequest {
    /// A request about to be read from `reader`; answered on `writer`.
    pub(crate) fn new(
        reader: ConnReader,
        writer: ConnWriter,
        remote_addr: SocketAddr,
        server_addr: SocketAddr,
        config: Arc<ServerConfig>,
        allow_keep_alive: bool,
        stopping: Arc<AtomicBool>,
    ) -> Self {
        let exchange = Arc::new(Exchange::default());
        let context = ResponseContext {
            version: Version::Http11,
            head_request: false,
            keep_alive: false,
            server_software: Arc::from(config.server_software.as_str()),
            max_drain: config.max_drain,
            stopping,
        };
        let mut head = RequestHead::empty();
        head.remote_addr = remote_addr;
        head.server_addr = server_addr;
        HttpRequest {
            head,
            body: RequestBody::new(Framed::Empty(reader), Arc::clone(&exchange), writer.clone()),
            response: Response::new(writer, context, exchange),
            config,
            allow_keep_alive,
        }
    }

    /// The parsed request line and headers.
    pub fn head(&self) -> &RequestHead {
        &self.head
    }

    /// The request body (`wsgi.input`): EOF at its end, never past it.
    pub fn body(&mut self) -> &mut RequestBody {
        &mut self.body
    }

    /// The response half.
    pub fn response(&mut self) -> &mut Response {
        &mut self.response
    }

    /// The body reader and the response at once, for a gateway that holds both (e.g. an
    /// environ that owns `wsgi.input` while `start_response` writes).
    pub fn split(&mut self) -> (&RequestHead, &mut RequestBody, &mut Response) {
        (&self.head, &mut self.body, &mut self.response)
    }

    // ANCHOR: parse_request
    /// Reads the request head from the connection's buffer: [`read_request_line`], then
    /// [`read_request_headers`]. The connection calls it once the whole head arrived.
    ///
    /// [`read_request_line`]: Self::read_request_line
    /// [`read_request_headers`]: Self::read_request_headers
    pub fn parse_request(&mut self) -> Result<(), Error> {
        self.read_request_line()?;
        self.read_request_headers()
    }
    // ANCHOR_END: parse_request

    /// Reads the request line: method, target (split into path and query, the path
    /// percent-decoded), version. Empty lines before it are skipped (RFC 9112 §2.2), up
    /// to `max_request_line` bytes of them: more is a 400.
    pub fn read_request_line(&mut self) -> Result<(), Error> {
        let reader = unframed(&mut self.body)?;
        let bytes = reader.buffered();
        let skip = bytes
            .iter()
            .take_while(|&&b| b == b'\r' || b == b'\n')
            .count();
        if skip > self.config.max_request_line {
            return Err(Error::BadRequestLine {
                line: b"(empty lines longer than max_request_line)".to_vec(),
            });
        }
        let (line, used) = line::read_request_line(&bytes[skip..], &self.config)?;
        reader.consume_head(skip + used);
        self.head.set_line(line);
        Ok(())
    }

    // ANCHOR: read_request_headers
    /// Reads the header section, then decides what it implies: the body's framing (a
    /// `KnownLengthRFile`, a `ChunkedRFile`, or none), whether the connection may
    /// persist, and whether `100 Continue` is owed. Also switches the socket from the
    /// header deadline to the body's idle timeout.
    pub fn read_request_headers(&mut self) -> Result<(), Error> {
        let config = Arc::clone(&self.config);
        let version = self.head.version;
        let reader = unframed(&mut self.body)?;
        let bytes = reader.buffered();
        let Some(len) = section_end(bytes).filter(|&n| n <= config.max_header_bytes) else {
            return Err(Error::HeadersTooLarge {
                limit: config.max_header_bytes,
            });
        };
        let fields = headers::read_request_headers(&bytes[..len], &config)?;
        reader.consume_head(len);
        let facts = headers::header_facts(&fields, version, &config)?;
        // Without a body nothing more is read for this request, so the timeout is left
        // as it is: two fewer system calls per GET on a kept-alive connection.
        if facts.framing != BodyFraming::None {
            reader.set_timeout(Some(config.body_timeout))?;
            reader.start_body_clock(config.body_timeout, config.min_body_rate);
        }
        self.head.set_fields(fields, facts);
        self.frame_body();
        Ok(())
    }
    // ANCHOR_END: read_request_headers

    /// Wraps the connection's reader in the body's framing; sets the response's context.
    fn frame_body(&mut self) {
        let keep_alive = self.head.keep_alive() && self.allow_keep_alive;
        let owes_body = !matches!(
            self.head.framing,
            BodyFraming::None | BodyFraming::Length(0)
        );
        let framing = self.head.framing;
        let limits = self.config.chunked_limits();
        self.body.reframe(|reader| match framing {
            BodyFraming::None => Framed::Empty(reader),
            BodyFraming::Length(n) => Framed::Known(KnownLengthRFile::new(reader, n)),
            BodyFraming::Chunked => Framed::Chunked(ChunkedRFile::new(reader, limits)),
        });
        let exchange = self.body.exchange();
        if self.head.expect_continue && owes_body {
            exchange.expect.store(expect::PENDING, Ordering::Release);
        }
        if let BodyFraming::Length(n) = self.head.framing {
            exchange.unread.store(n, Ordering::Release);
        }
        self.response
            .set_context(self.head.version, self.head.method == "HEAD", keep_alive);
    }

    /// Status and headers of the response; see [`Response::set_status`].
    pub fn set_status(&mut self, code: u16, reason: &str) -> Result<(), Error> {
        self.response.set_status(code, reason)
    }

    /// Adds a response header; see [`Response::add_header`].
    pub fn add_header(&mut self, name: &str, value: &[u8]) -> Result<(), Error> {
        self.response.add_header(name, value)
    }

    /// Drops unsent status and headers; see [`Response::reset_response`].
    pub fn reset_response(&mut self) -> Result<(), Error> {
        self.response.reset_response()
    }

    /// Sends the status line and headers now; see [`Response::send_headers`].
    pub fn send_headers(&mut self) -> Result<(), Error> {
        self.response.send_headers()
    }

    /// Writes a body chunk; see [`Response::write`].
    pub fn write(&mut self, chunk: &[u8]) -> Result<(), Error> {
        self.response.write(chunk)
    }

    /// Whether the status line and headers went out.
    pub fn headers_sent(&self) -> bool {
        self.response.headers_sent()
    }

    // ANCHOR: respond
    /// Calls the gateway and finishes the response. A gateway error or panic is answered
    /// with 500 if the headers are not sent yet (a client error with its own status), or
    /// ends the connection without finishing the body if they are.
    ///
    /// `Err` only when the connection itself failed (the client went away).
    pub fn respond(&mut self, gateway: &dyn Gateway) -> Result<(), Error> {
        let outcome = catch_unwind(AssertUnwindSafe(|| gateway.respond(self)));
        let failure = match outcome {
            Ok(Ok(())) => return self.response.finish(),
            Ok(Err(err)) => err,
            Err(panic) => Error::app(panic_message(panic.as_ref())),
        };
        eprintln!(
            "httpserver: {} {}: {failure}",
            self.head.method, self.head.uri
        );
        if self.response.headers_sent() {
            // The client has a status line and part of a body: only a close without the
            // terminating chunk (or short of Content-Length) tells it the body is cut.
            self.response.close_after();
            return Ok(());
        }
        match (&failure, status_for(&failure)) {
            (_, Some(status)) => self.response.send_error(status, true),
            // The client closed before the end of its body: the request is incomplete,
            // the client's fault (RFC 9112 §8), and it may still read an answer.
            (Error::Io(e), None)
                if e.kind() == std::io::ErrorKind::UnexpectedEof && !self.body.is_complete() =>
            {
                self.response.send_error(400, true)
            }
            // Another I/O error: the client's connection (then this write fails too, and the
            // connection closes) or the application's own (a file it could not read),
            // which deserves a 500 like any failure. Closed after it: which of the two
            // it was, and where the request's body stands, is unknown.
            (Error::Io(_), None) => self.response.send_error(500, true),
            // The request itself was fine and fully framed: the connection can go on.
            (_, None) => self.response.send_error(500, false),
        }
    }
    // ANCHOR_END: respond

    /// Answers a request that could not be parsed with `status`, and closes.
    pub(crate) fn refuse(&mut self, status: u16) -> Result<(), Error> {
        self.response.send_error(status, true)
    }

    // ANCHOR: finish_exchange
    /// After the response: the connection's reader if the connection may serve another
    /// request, after draining what the gateway left of the body (within
    /// `ServerConfig::max_drain`). An unread body is never parsed as the next request:
    /// if it cannot be drained, the connection closes.
    pub(crate) fn finish_exchange(mut self) -> Next {
        let unread = !self.body.is_complete();
        if self.response.must_close() || !self.response.headers_sent() {
            // A pipelined request already received is unread input too (RFC 9112 §9.6).
            let pipelined = self
                .body
                .into_reader()
                .is_some_and(|r| !r.buffered().is_empty());
            return Next::Close {
                unread: unread || pipelined,
            };
        }
        if unread {
            // A client still waiting for 100 Continue (or told the answer without it) may
            // never send the body: waiting for it would hold the worker for nothing.
            if self.body.continue_owed() {
                return Next::Close { unread };
            }
            if self
                .body
                .remaining()
                .is_some_and(|n| n > self.config.max_drain)
            {
                return Next::Close { unread };
            }
            let mut sink = [0u8; 8192];
            let mut budget = self.config.max_drain;
            while !self.body.is_complete() {
                match self.body.read(&mut sink) {
                    Ok(0) => break,
                    Ok(n) if (n as u64) <= budget => budget -= n as u64,
                    Ok(_) | Err(_) => return Next::Close { unread: true },
                }
            }
            if !self.body.is_complete() {
                return Next::Close { unread: true };
            }
        }
        match self.body.into_reader() {
            Some(reader) => Next::Serve(reader),
            None => Next::Close { unread: false },
        }
    }
    // ANCHOR_END: finish_exchange
}

/// What a connection does after an exchange.
pub(crate) enum Next {
    /// Serve the next request from this reader.
    Serve(ConnReader),
    /// Close; `unread` when request bytes may still be in flight, so a bare close would
    /// send a reset that can destroy the response before the client reads it.
    Close {
        /// The request body was not read to its end, or more requests were received.
        unread: bool,
    },
}

/// The connection's reader while the head is read (before the body is framed).
fn unframed(body: &mut RequestBody) -> Result<&mut ConnReader, Error> {
    body.reader_mut().ok_or(Error::BadRequestLine {
        line: b"(the request head was already read)".to_vec(),
    })
}

fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = panic.downcast_ref::<&str>() {
        format!("panicked: {s}")
    } else if let Some(s) = panic.downcast_ref::<String>() {
        format!("panicked: {s}")
    } else {
        "panicked".to_string()
    }
}
