//! From an [`Error`] to a response status, in one place, and the reason phrases.

use std::io;

use crate::Error;

// ANCHOR: status_for
/// The status the server answers for a client error, or `None` when no answer can be sent
/// (the peer is gone) or the error is not the client's (the app's: the server answers 500).
///
/// Every client error also closes the connection after the answer: once a request was
/// refused, the server cannot know where the next one starts, so reading on would risk
/// parsing body bytes as a request (request smuggling). hyper's `on_error` does the same.
pub fn status_for(err: &Error) -> Option<u16> {
    Some(match err {
        Error::BadRequestLine { .. }
        | Error::BadRequestTarget { .. }
        | Error::BadHeader { .. }
        | Error::BadContentLength { .. }
        | Error::ContentLengthWithTransferEncoding => 400,
        Error::HeaderTimeout => 408,
        Error::BodyTooLarge { .. } => 413,
        Error::RequestLineTooLong { .. } => 414,
        Error::UnsupportedExpectation { .. } => 417,
        Error::HeadersTooLarge { .. } => 431,
        Error::UnsupportedTransferCoding { .. } | Error::MethodNotImplemented { .. } => 501,
        Error::UnsupportedVersion { .. } => 505,
        // A body reader's framing error travels as an io::Error (the readers implement
        // `Read`); its BodyError says 400 or 413.
        Error::Io(e) => match err.body_error() {
            Some(body) => body.status(),
            None if e.kind() == io::ErrorKind::TimedOut
                || e.kind() == io::ErrorKind::WouldBlock =>
            {
                408
            }
            None => return None,
        },
        _ => return None,
    })
}
// ANCHOR_END: status_for

/// The reason phrase the server writes for a status it produces itself.
pub fn reason(code: u16) -> &'static str {
    match code {
        100 => "Continue",
        200 => "OK",
        204 => "No Content",
        304 => "Not Modified",
        400 => "Bad Request",
        404 => "Not Found",
        408 => "Request Timeout",
        413 => "Content Too Large",
        414 => "URI Too Long",
        417 => "Expectation Failed",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        503 => "Service Unavailable",
        505 => "HTTP Version Not Supported",
        _ => "Unknown",
    }
}
