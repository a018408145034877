//! `Response`: status, headers and body going out, with the framing chosen by the server.

use std::borrow::Cow;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use super::date::push_http_date;
use crate::rfile::write_chunk;
use crate::wire::ConnWriter;
use crate::{rules, Error, ServerConfig, Version};

/// How the response body is delimited on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Framing {
    /// `Content-Length`: this many bytes are still owed.
    Length(u64),
    /// `Transfer-Encoding: chunked`.
    Chunked,
    /// HTTP/1.0 without a length: the body ends when the connection closes.
    Close,
    /// HEAD, 1xx, 204, 304: no body bytes whatever the app writes.
    NoBody,
}

/// What the request told the response, fixed when the request is parsed.
#[derive(Debug, Clone)]
pub(crate) struct ResponseContext {
    pub(crate) version: Version,
    pub(crate) head_request: bool,
    /// Both the client and the server allow the connection to persist.
    pub(crate) keep_alive: bool,
    /// For the `Server` header's value.
    pub(crate) config: Arc<ServerConfig>,
    /// The server is stopping: the response says `Connection: close`, even if the
    /// request was read before the stop began.
    pub(crate) stopping: Arc<AtomicBool>,
}

/// The response half of an [`HttpRequest`](crate::HttpRequest): what a gateway sets and
/// writes. See the [`Gateway`](crate::Gateway) contract for the rules.
#[derive(Debug)]
pub struct Response {
    writer: ConnWriter,
    context: ResponseContext,
    status: u16,
    reason: Cow<'static, str>,
    /// The application's header fields, already as `name: value\r\n` lines.
    fields: Fields,
    declared: Option<u64>,
    app_close: bool,
    /// `Some` once the headers were sent.
    framing: Option<Framing>,
    /// Whether the connection must close after this response.
    must_close: bool,
    buf: Vec<u8>,
    /// Bytes of this response given to the connection's writer (head and body), for
    /// the trace's "response written".
    sent: u64,
}

impl Response {
    pub(crate) fn new(mut writer: ConnWriter, context: ResponseContext) -> Self {
        // The connection's buffers from its previous response: no allocation per request.
        let (buf, fields) = writer.take_spares();
        Response {
            writer,
            context,
            status: 200,
            reason: Cow::Borrowed("OK"),
            fields: Fields::default(),
            declared: None,
            app_close: false,
            framing: None,
            must_close: false,
            buf,
            sent: 0,
        }
        .with_field_bytes(fields)
    }

    fn with_field_bytes(mut self, bytes: Vec<u8>) -> Self {
        self.fields.bytes = bytes;
        self
    }

    pub(crate) fn set_context(&mut self, version: Version, head_request: bool, keep_alive: bool) {
        self.context.version = version;
        self.context.head_request = head_request;
        self.context.keep_alive = keep_alive;
    }

    /// Whether the status line and headers went out.
    pub fn headers_sent(&self) -> bool {
        self.framing.is_some()
    }

    /// Sets the status, e.g. `(404, "Not Found")`. Refused (nothing changes) if the
    /// headers were sent, the code is not 100 to 599 ([`rules::is_status_code`]), or the
    /// reason has CR, LF or another control byte ([`rules::is_reason_phrase`]).
    pub fn set_status(&mut self, code: u16, reason: &str) -> Result<(), Error> {
        self.refuse_if_sent()?;
        if !rules::is_status_code(code) || !rules::is_reason_phrase(reason.as_bytes()) {
            return Err(Error::InvalidStatus {
                status: format!("{code} {reason}"),
            });
        }
        self.set_checked_status(code, reason)
    }

    /// [`set_status`](Self::set_status) for a gateway that checked the status where it
    /// was set, with [`rules::is_status_code`] and [`rules::is_reason_phrase`] (`wsgi`'s
    /// `Status::parse` does): not checked again, but in debug builds, where a status that
    /// breaks them is the gateway's bug and panics.
    pub fn set_checked_status(&mut self, code: u16, reason: &str) -> Result<(), Error> {
        debug_assert!(
            rules::is_status_code(code) && rules::is_reason_phrase(reason.as_bytes()),
            "set_checked_status given an unchecked status {code} {reason:?}"
        );
        self.refuse_if_sent()?;
        self.status = code;
        self.reason = if crate::status::reason(code) == Some(reason) {
            // The common case costs no allocation: the phrase is the table's.
            Cow::Borrowed(crate::status::reason(code).unwrap_or(""))
        } else {
            Cow::Owned(reason.to_string())
        };
        Ok(())
    }

    // ANCHOR: add_header
    /// Adds a header. Refused with [`Error::InvalidResponseHeader`], and nothing written,
    /// if [`rules::check_header`] refuses it (a name that is not a token, a value with CR,
    /// LF or another control byte: header injection, since a value with CRLF would start
    /// a header, or a whole response, of the client's choosing; a `Content-Length` that is
    /// not digits only), or as [`add_checked_header`](Self::add_checked_header) does.
    pub fn add_header(&mut self, name: &str, value: &[u8]) -> Result<(), Error> {
        self.refuse_if_sent()?;
        rules::check_header(name, value).map_err(|e| Error::InvalidResponseHeader {
            name: name.to_string(),
            why: e.why(),
        })?;
        self.add_checked_header(name, value)
    }
    // ANCHOR_END: add_header

    // ANCHOR: add_checked_header
    /// Adds a header a gateway checked with [`rules::check_header`] where it was set (a
    /// [`rules::Header`] is the proof; `wsgi`'s `start_response` checks the text a WSGI
    /// application gives it): a header is validated once, where it is set, and not again
    /// on its way down. A gateway that checks nothing itself calls
    /// [`add_header`](Self::add_header). What the framing needs is enforced either way:
    /// `Transfer-Encoding` is refused (the server chooses the coding), and so is a second,
    /// different `Content-Length`.
    pub fn add_checked_header(&mut self, name: &str, value: &[u8]) -> Result<(), Error> {
        self.refuse_if_sent()?;
        let refuse = |why| Error::InvalidResponseHeader {
            name: name.to_string(),
            why,
        };
        if name.eq_ignore_ascii_case("transfer-encoding") {
            return Err(refuse("the server chooses the transfer coding"));
        }
        // ANCHOR_END: add_checked_header
        // ANCHOR: add_header_framing
        if name.eq_ignore_ascii_case("content-length") {
            let n = rules::parse_content_length(value)
                .ok_or_else(|| refuse(rules::FieldError::ContentLength.why()))?;
            if self.declared.is_some_and(|d| d != n) {
                return Err(refuse("a second, different Content-Length"));
            }
            self.declared = Some(n);
        }
        if name.eq_ignore_ascii_case("connection") {
            // The server writes its own Connection header; the app's `close` is honoured.
            self.app_close |= value
                .split(|&b| b == b',')
                .any(|t| t.trim_ascii().eq_ignore_ascii_case(b"close"));
            return Ok(());
        }
        self.fields.push(name.as_bytes(), value);
        Ok(())
    }
    // ANCHOR_END: add_header_framing

    /// Drops the status and headers set so far (PEP 3333's second `start_response` with
    /// `exc_info`); refused once they were sent.
    pub fn reset_response(&mut self) -> Result<(), Error> {
        self.refuse_if_sent()?;
        self.status = 200;
        self.reason = Cow::Borrowed("OK");
        self.fields.clear();
        self.declared = None;
        self.app_close = false;
        Ok(())
    }

    /// Sends the status line and headers now, without body bytes.
    pub fn send_headers(&mut self) -> Result<(), Error> {
        if self.framing.is_none() {
            self.build_head();
            self.flush()?;
        }
        Ok(())
    }

    /// Writes a chunk of the body, after the headers if they are not sent yet. An empty
    /// chunk writes nothing (it does not send the headers either). Bytes beyond a declared
    /// `Content-Length` are dropped, and the connection closes after the response.
    pub fn write(&mut self, chunk: &[u8]) -> Result<(), Error> {
        if chunk.is_empty() {
            return Ok(());
        }
        if self.framing.is_none() {
            self.build_head();
        }
        match self.framing {
            Some(Framing::Length(owed)) => {
                let n = owed.min(chunk.len() as u64);
                self.buf
                    .extend_from_slice(&chunk[..usize::try_from(n).unwrap_or(chunk.len())]);
                self.framing = Some(Framing::Length(owed - n));
                if n < chunk.len() as u64 {
                    // More than declared: never sent, since the client would read the
                    // excess as the start of the next response.
                    self.must_close = true;
                }
            }
            Some(Framing::Chunked) => write_chunk(&mut self.buf, chunk)?,
            Some(Framing::Close) => self.buf.extend_from_slice(chunk),
            Some(Framing::NoBody) | None => {}
        }
        self.flush()
    }

    /// Writes bytes that are not part of this response (an interim `100 Continue`).
    pub(crate) fn write_raw(&mut self, bytes: &[u8]) -> Result<(), Error> {
        Ok(self.writer.write_all(bytes)?)
    }

    /// The connection's writer back, with what the client has not taken yet (and the
    /// buffers, for the next response).
    pub(crate) fn into_writer(mut self) -> ConnWriter {
        self.writer.give_spares(self.buf, self.fields.bytes);
        self.writer
    }

    /// Whether the connection must close after this response.
    pub(crate) fn must_close(&self) -> bool {
        self.must_close
    }

    /// Forces `Connection: close` (or a close after a response already started).
    pub(crate) fn close_after(&mut self) {
        self.must_close = true;
        self.context.keep_alive = false;
    }

    /// Ends a response the gateway completed: headers if none went out (an empty body:
    /// `Content-Length: 0`), the terminating chunk, and the close a short body forces.
    pub(crate) fn finish(&mut self) -> Result<(), Error> {
        if self.framing.is_none() && self.declared.is_none() && !self.has_no_body() {
            // Nothing was written: the body is empty, and saying so beats a chunked
            // body of one terminating chunk. Not for HEAD, 1xx, 204, 304, whose length
            // (if any) describes a body that is not sent.
            self.declared = Some(0);
            self.fields.push(b"Content-Length", b"0");
        }
        self.send_headers()?;
        match self.framing {
            Some(Framing::Chunked) => {
                self.writer.write_all(b"0\r\n\r\n")?;
                self.sent += 5;
            }
            // Fewer bytes than declared: the client waits for the rest; only a close
            // tells it the response is over (and truncated).
            Some(Framing::Length(owed)) if owed > 0 => self.must_close = true,
            _ => {}
        }
        self.trace_written();
        Ok(())
    }

    /// The trace's last step of a response: its status, the bytes the connection's
    /// writer took, and whether the connection closes after it.
    fn trace_written(&self) {
        let (status, bytes, close) = (self.status, self.sent, self.must_close);
        tracing::debug!(status, bytes, close, "response written");
    }

    /// Answers with a short text response in place of the gateway's unsent one.
    pub(crate) fn send_error(&mut self, code: u16, close: bool) -> Result<(), Error> {
        if close {
            self.close_after();
        }
        self.reset_response()?;
        self.status = code;
        self.reason = Cow::Borrowed(crate::status::reason(code).unwrap_or("Unknown"));
        let body = format!("{code} {}\n", self.reason);
        self.fields
            .push(b"Content-Type", b"text/plain; charset=utf-8");
        self.declared = Some(body.len() as u64);
        self.fields
            .push(b"Content-Length", body.len().to_string().as_bytes());
        self.write(body.as_bytes())?;
        self.trace_written();
        Ok(())
    }

    /// HEAD, 1xx, 204 and 304 responses have no body (RFC 9110 §6.4.1).
    fn has_no_body(&self) -> bool {
        self.context.head_request || rules::status_has_no_body(self.status)
    }

    fn refuse_if_sent(&self) -> Result<(), Error> {
        if self.framing.is_some() {
            return Err(Error::HeadersAlreadySent);
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<(), Error> {
        let result = self.writer.write_all(&self.buf);
        self.sent += self.buf.len() as u64;
        self.buf.clear();
        if result.is_err() {
            self.must_close = true;
        }
        Ok(result?)
    }

    // ANCHOR: send_headers
    /// Writes the status line and headers into the buffer and fixes the framing (RFC
    /// 9112 §6.3), in four steps: the framing, persistence, the status line, the fields.
    fn build_head(&mut self) {
        let framing = self.choose_framing();
        let keep_alive = self.decide_persistence(framing);
        self.push_status_line();
        self.push_fields(framing, keep_alive);
        self.framing = Some(framing);
    }
    // ANCHOR_END: send_headers

    // ANCHOR: choose_framing

    /// The app's `Content-Length`, else chunked on HTTP/1.1, else close-delimited; no
    /// body at all for HEAD, 1xx, 204, 304.
    fn choose_framing(&self) -> Framing {
        match (self.has_no_body(), self.declared) {
            (true, _) => Framing::NoBody,
            (false, Some(n)) => Framing::Length(n),
            (false, None) if self.context.version == Version::Http11 => Framing::Chunked,
            (false, None) => Framing::Close,
        }
    }

    /// Whether the connection persists after this response; sets `must_close` if not.
    fn decide_persistence(&mut self, framing: Framing) -> bool {
        // A 1xx is never a final response (RFC 9110 §15.2): a client given one as the
        // answer waits on for the real one, and after a 101 it speaks another protocol.
        // Closing is the only way to end either exchange.
        let interim = (100..200).contains(&self.status);
        if framing == Framing::Close || self.app_close || interim {
            self.must_close = true;
        }
        let keep_alive = self.context.keep_alive
            && !self.must_close
            && !self.context.stopping.load(Ordering::Acquire);
        self.must_close |= !keep_alive;
        keep_alive
    }
    // ANCHOR_END: choose_framing

    fn push_status_line(&mut self) {
        let buf = &mut self.buf;
        buf.extend_from_slice(b"HTTP/1.1 ");
        push_status_code(buf, self.status);
        buf.push(b' ');
        buf.extend_from_slice(self.reason.as_bytes());
        buf.extend_from_slice(b"\r\n");
    }

    /// The app's fields, then the server's: `Date` and `Server` unless the app gave
    /// them, the transfer coding, `Connection`; then the empty line.
    fn push_fields(&mut self, framing: Framing, keep_alive: bool) {
        let buf = &mut self.buf;
        if (100..200).contains(&self.status) || self.status == 204 {
            // RFC 9110 §8.6: no Content-Length in 1xx and 204 responses.
            self.fields.push_without_length(buf);
        } else {
            buf.extend_from_slice(&self.fields.bytes);
        }
        if !self.fields.has_date {
            buf.extend_from_slice(b"Date: ");
            push_http_date(buf);
            buf.extend_from_slice(b"\r\n");
        }
        if !self.fields.has_server {
            push_field(
                buf,
                b"Server",
                self.context.config.server_software.as_bytes(),
            );
        }
        if framing == Framing::Chunked {
            push_field(buf, b"Transfer-Encoding", b"chunked");
        }
        if !keep_alive {
            push_field(buf, b"Connection", b"close");
        } else if self.context.version == Version::Http10 {
            push_field(buf, b"Connection", b"keep-alive");
        }
        buf.extend_from_slice(b"\r\n");
    }
}

/// The application's header fields, kept as the lines they will be on the wire: one
/// buffer, reused from response to response, instead of two allocations per field.
#[derive(Debug, Default)]
struct Fields {
    bytes: Vec<u8>,
    has_date: bool,
    has_server: bool,
}

impl Fields {
    fn push(&mut self, name: &[u8], value: &[u8]) {
        self.has_date |= name.eq_ignore_ascii_case(b"date");
        self.has_server |= name.eq_ignore_ascii_case(b"server");
        push_field(&mut self.bytes, name, value);
    }

    fn clear(&mut self) {
        self.bytes.clear();
        self.has_date = false;
        self.has_server = false;
    }

    /// Appends the fields to `buf`, but for `Content-Length` lines.
    fn push_without_length(&self, buf: &mut Vec<u8>) {
        for line in self.bytes.split_inclusive(|&b| b == b'\n') {
            let is_length = line
                .get(..15)
                .is_some_and(|name| name.eq_ignore_ascii_case(b"content-length:"));
            if !is_length {
                buf.extend_from_slice(line);
            }
        }
    }
}

/// The three digits of `code` (100 to 599, checked by `set_status`), without formatting.
fn push_status_code(buf: &mut Vec<u8>, code: u16) {
    let digits = [code / 100 % 10, code / 10 % 10, code % 10];
    buf.extend(digits.iter().map(|&d| b'0' + d as u8));
}

fn push_field(buf: &mut Vec<u8>, name: &[u8], value: &[u8]) {
    buf.extend_from_slice(name);
    buf.extend_from_slice(b": ");
    buf.extend_from_slice(value);
    buf.extend_from_slice(b"\r\n");
}
