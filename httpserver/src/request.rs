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
mod trace;
pub(crate) mod upload;

use std::net::SocketAddr;
use std::ops::Deref;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use tracing::field::Empty;

pub(crate) use body::MemoryBudget;
pub use body::RequestBody;
pub use head::{HeaderFields, RequestHead, Version};
pub use headers::BodyFraming;
pub use response::Response;

use crate::error::ClientError;
use crate::wire::{ConnReader, ConnWriter};
use crate::{status_for, Error, Gateway, ServerConfig};
use response::ResponseContext;

pub(crate) use head::leading_empty_lines;
pub(crate) use headers::section_end;
pub(crate) use line::line_end;

/// One request and its response.
///
/// A [`Gateway`] receives it in [`Gateway::respond`]: the request's head through `Deref`
/// to [`RequestHead`] (`req.method()`, `req.path()`, `req.headers()`...), the whole body
/// through [`body`](Self::body) or [`take_body`](Self::take_body), the answer through
/// [`set_status`](Self::set_status), [`add_header`](Self::add_header),
/// [`write`](Self::write). See the [`Gateway`](crate::Gateway) contract.
#[derive(Debug)]
pub struct HttpRequest {
    head: RequestHead,
    body: RequestBody,
    response: Response,
    config: Arc<ServerConfig>,
    /// The server allows this connection to persist (it is not stopping, and the idle
    /// connections are under `max_idle_connections`).
    allow_keep_alive: bool,
}

impl Deref for HttpRequest {
    type Target = RequestHead;

    fn deref(&self) -> &RequestHead {
        &self.head
    }
}

impl HttpRequest {
    /// A request about to be parsed; answered on `writer`.
    pub(crate) fn new(
        writer: ConnWriter,
        mut head: RequestHead,
        addrs: (SocketAddr, SocketAddr),
        config: Arc<ServerConfig>,
        allow_keep_alive: bool,
        stopping: Arc<AtomicBool>,
    ) -> Self {
        let context = ResponseContext {
            version: Version::Http11,
            head_request: false,
            keep_alive: false,
            config: Arc::clone(&config),
            stopping,
        };
        (head.remote_addr, head.server_addr) = addrs;
        HttpRequest {
            head,
            body: RequestBody::empty(),
            response: Response::new(writer, context),
            config,
            allow_keep_alive,
        }
    }

    /// The parsed request line and headers.
    pub fn head(&self) -> &RequestHead {
        &self.head
    }

    /// The request body (`wsgi.input`): all of it, received before the gateway was
    /// called; EOF at its end.
    pub fn body(&mut self) -> &mut RequestBody {
        &mut self.body
    }

    /// Takes the body out of the request, to keep past the response (an environ's
    /// `wsgi.input`); the request is left with an empty one.
    pub fn take_body(&mut self) -> RequestBody {
        std::mem::take(&mut self.body)
    }

    /// The response half.
    pub fn response(&mut self) -> &mut Response {
        &mut self.response
    }

    /// The body and the response at once, for a gateway that holds both (e.g. an
    /// environ that owns `wsgi.input` while `start_response` writes).
    pub fn split(&mut self) -> (&RequestHead, &mut RequestBody, &mut Response) {
        (&self.head, &mut self.body, &mut self.response)
    }

    // ANCHOR: parse_request
    /// Reads the request head from the connection's buffer, in one pass
    /// ([`RequestHead::parse_in_place`]: the request line, then the header section and
    /// what it decides: the body's framing, whether the connection may persist, whether
    /// `100 Continue` is owed). The connection calls it once the whole head arrived.
    pub(crate) fn parse_request(&mut self, reader: &mut ConnReader) -> Result<(), ClientError> {
        let span = tracing::debug_span!(
            "HttpRequest.parse_request",
            line = Empty,
            headers = Empty,
            body = Empty
        )
        .entered();
        let used = self.head.read_head(reader.buffered(), &self.config)?;
        reader.consume_head(used);
        let keep_alive = self.head.keep_alive() && self.allow_keep_alive;
        self.response
            .set_context(self.head.version, self.head.method() == "HEAD", keep_alive);
        if !span.is_disabled() {
            trace::parsed(&span, &self.head);
        }
        Ok(())
    }
    // ANCHOR_END: parse_request

    /// Whether a body follows the head (not for none, nor `Content-Length: 0`).
    pub(crate) fn has_body(&self) -> bool {
        !matches!(
            self.head.framing,
            BodyFraming::None | BodyFraming::Length(0)
        )
    }

    // ANCHOR: send_continue
    /// Sends `100 Continue` if the client waits for it before sending the body. The head
    /// was accepted (an over-limit `Content-Length` was refused with 413 before this), and
    /// the server reads the body before the application runs: the client is invited now.
    pub(crate) fn send_continue(&mut self) -> Result<(), Error> {
        if self.head.expect_continue && self.has_body() {
            self.response.write_raw(b"HTTP/1.1 100 Continue\r\n\r\n")?;
        }
        Ok(())
    }
    // ANCHOR_END: send_continue

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
        let _span = tracing::debug_span!("HttpRequest.respond").entered();
        let outcome = catch_unwind(AssertUnwindSafe(|| gateway.respond(self)));
        let failure = match outcome {
            Ok(Ok(())) => return self.response.finish(),
            Ok(Err(err)) => err,
            Err(panic) => Error::app(panic_message(panic.as_ref())),
        };
        tracing::error!(
            "httpserver: {} {}: {failure}",
            self.head.method(),
            self.head.uri()
        );
        if self.response.headers_sent() {
            // The client has a status line and part of a body: only a close without the
            // terminating chunk (or short of Content-Length) tells it the body is cut.
            self.response.close_after();
            return Ok(());
        }
        match (&failure, status_for(&failure)) {
            (_, Some(status)) => self.response.send_error(status, true),
            // An I/O error: the client's connection (then this write fails too, and the
            // connection closes) or the application's own (a file it could not read),
            // which deserves a 500 like any failure. Closed after it: which of the two
            // it was is unknown.
            (Error::Io(_), None) => self.response.send_error(500, true),
            // The request itself was fine and fully framed: the connection can go on.
            (_, None) => self.response.send_error(500, false),
        }
    }
    // ANCHOR_END: respond

    /// Answers a request that could not be parsed (or served) with `status`, and closes.
    pub(crate) fn refuse(&mut self, status: u16) -> Result<(), Error> {
        self.response.send_error(status, true)
    }

    /// After the response: what the connection keeps of this exchange.
    pub(crate) fn finish_exchange(self) -> Finished {
        let then = if self.response.must_close() || !self.response.headers_sent() {
            Then::Close
        } else {
            Then::KeepAlive
        };
        Finished {
            writer: self.response.into_writer(),
            then,
            head: self.head,
        }
    }
}

/// What an answered request leaves its connection ([`HttpRequest::finish_exchange`]).
pub(crate) struct Finished {
    /// The connection's writer, with what the client has not taken yet.
    pub(crate) writer: ConnWriter,
    /// Whether the connection goes on.
    pub(crate) then: Then,
    /// The head, whose strings the connection's next request reuses.
    pub(crate) head: RequestHead,
}

/// What becomes of a connection after an answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Then {
    /// It serves its next request (the answer allowed it to persist).
    KeepAlive,
    /// It closes, gracefully (our side first, then what the client still sends is
    /// read and discarded).
    Close,
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
