//! The `Gateway` trait: the one seam between the HTTP server and the application.
//!
//! The server never names an application type. After `HttpRequest::parse_request` it calls
//! [`Gateway::respond`] with the parsed request; the gateway reads what it needs (method,
//! target, headers, body), and answers through the same [`HttpRequest`]: status and
//! headers, then body chunks. The `wsgi` layer's `WsgiGateway` implements it (the notes'
//! `server.gateway(req).respond()`, cheroot's `WSGIGateway_10`); this crate's tests and
//! examples use small closures, since any `Fn(&mut HttpRequest) -> Result<(), Error>`
//! is a gateway.

use crate::{Error, HttpRequest};

/// The application, as the server sees it: something that answers one request.
///
/// It is shared by every worker thread, hence `Send + Sync`; per-request state lives in
/// the [`HttpRequest`].
///
/// # The contract
///
/// **Reading.** Everything a gateway needs for PEP 3333's environ is an accessor of
/// [`RequestHead`](crate::RequestHead), which [`HttpRequest`] derefs to: [`method`](crate::RequestHead::method), [`uri`](crate::RequestHead::uri) (the raw
/// request-target, `REQUEST_URI`), [`path`](crate::RequestHead::path) (percent-decoded bytes) next
/// to [`raw_path`](crate::RequestHead::raw_path) (so `%2F` stays distinguishable from `/`),
/// [`query_string`](crate::RequestHead::query_string), [`scheme`](crate::RequestHead::scheme),
/// [`request_protocol`](crate::RequestHead::request_protocol), [`headers`](crate::RequestHead::headers)
/// in arrival order, [`remote_addr`](crate::RequestHead::remote_addr),
/// [`server_addr`](crate::RequestHead::server_addr), [`server_name`](crate::RequestHead::server_name),
/// and the body through [`HttpRequest::body`] or [`HttpRequest::take_body`] (a
/// [`RequestBody`](crate::RequestBody) that implements `Read` and ends at the end of the
/// body: `wsgi.input_terminated` is always true). The body was received whole before
/// `respond` was called, in memory or in a temporary file: reading it never waits on the
/// client, and a client that sent bad framing or was too slow was answered (400, 408,
/// 413) without the gateway being called.
///
/// **Answering.** [`set_status`](HttpRequest::set_status) and
/// [`add_header`](HttpRequest::add_header) (validated by [`rules`](crate::rules): a
/// name that is not a token or a value with a control byte is an
/// [`Error::InvalidResponseHeader`], nothing is written; a gateway that checked them where
/// they were set, as `wsgi`'s does, calls [`Response::add_checked_header`](crate::Response::add_checked_header) and
/// [`Response::set_checked_status`](crate::Response::set_checked_status) instead) may be called until the headers are sent; [`reset_response`](HttpRequest::reset_response) drops unsent ones (PEP 3333's
/// second `start_response` with `exc_info`). [`write`](HttpRequest::write) sends the
/// headers with the first non-empty chunk, then the chunk; [`send_headers`] sends them
/// alone. The server picks the framing: the app's `Content-Length` if it gave one, else
/// chunked on HTTP/1.1, else close-delimited on HTTP/1.0; no body bytes at all for `HEAD`,
/// 1xx, 204 and 304, whatever the gateway writes. Bytes beyond a declared `Content-Length`
/// are dropped and the connection closes after the response, as it does when fewer bytes
/// were written than declared. When `respond` returns `Ok`, the server finishes the
/// response (headers if none were sent, the terminating chunk) itself.
/// [`split`](HttpRequest::split) hands out the body reader and the
/// [`Response`](crate::Response) at once, for a gateway that keeps both alive together.
///
/// **Failing.** A gateway says "the application failed" by returning `Err` (typically
/// [`Error::app`]), and a panic in `respond` is caught and treated the same way:
/// - headers not sent yet: the server answers `500 Internal Server Error` in their place,
///   and the connection lives on if the request's framing allows;
/// - headers already sent: the server closes the connection without the terminating chunk
///   (or short of the declared length), so the client sees a truncated response, never a
///   complete-looking one.
///
/// An `Err` that is a client error ([`Error::Client`], or an [`Error::Io`] holding a
/// [`BodyError`](crate::BodyError) from a decoder the gateway ran itself) gets that
/// error's status instead of 500. Any other [`Error::Io`] gets a 500 and a close: the
/// server cannot tell the application's own I/O failure from the client's connection
/// failing (then the 500 is not delivered, and the connection just closes).
///
/// [`send_headers`]: HttpRequest::send_headers
// ANCHOR: gateway
pub trait Gateway: Send + Sync + 'static {
    /// Answers `req`: reads what it needs, sets the status and headers, writes the body.
    ///
    /// Returning `Err` (or panicking) means the application failed; see the trait's
    /// documentation for what the client then receives.
    fn respond(&self, req: &mut HttpRequest) -> Result<(), Error>;

    /// Runs each worker thread's whole life: `life` is the worker's loop (waiting on the
    /// poller, reading, calling [`respond`](Self::respond)), and must be called once.
    /// The default just calls it. A gateway that embeds an interpreter keeps one
    /// interpreter thread state per worker this way, instead of one per request.
    fn worker_life(&self, life: &mut (dyn FnMut() + Send)) {
        life()
    }
}
// ANCHOR_END: gateway

impl<F> Gateway for F
where
    F: Fn(&mut HttpRequest) -> Result<(), Error> + Send + Sync + 'static,
{
    fn respond(&self, req: &mut HttpRequest) -> Result<(), Error> {
        self(req)
    }
}
