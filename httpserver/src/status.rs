//! From an [`Error`] to a response status, in one place, and the reason phrases.

use crate::error::ClientError;
use crate::Error;

// ANCHOR: status_for
/// The status the server answers for `err`, or `None` when it is not the client's fault
/// (the application's, the transport's: the server answers 500, or nobody is there).
///
/// Exhaustive on purpose, without a wildcard arm: a new variant does not compile until
/// it is given its line here. Every client error also closes the connection after the
/// answer: once a request was refused, the server cannot know where the next one starts,
/// so reading on would risk parsing body bytes as a request (request smuggling). hyper's
/// `on_error` does the same.
pub fn status_for(err: &Error) -> Option<u16> {
    match err {
        Error::Client(client) => Some(client.status()),
        // A body reader's framing error travels as an io::Error (the readers implement
        // `Read`); its BodyError says 400 or 413.
        Error::Io(_) => err.body_error().map(|body| body.status()),
        Error::InvalidResponseHeader { .. }
        | Error::InvalidStatus { .. }
        | Error::HeadersAlreadySent
        | Error::App { .. }
        | Error::Bind { .. }
        | Error::NoAddress { .. }
        | Error::Pool(_) => None,
    }
}
// ANCHOR_END: status_for

impl ClientError {
    // ANCHOR: client_status
    /// The status this client error is answered with: the table of RFC 9110 §15.5.
    pub fn status(&self) -> u16 {
        match self {
            ClientError::BadRequestLine { .. }
            | ClientError::BadRequestTarget { .. }
            | ClientError::BadHeader { .. }
            | ClientError::BadContentLength { .. }
            | ClientError::ContentLengthWithTransferEncoding
            | ClientError::BodyCutShort => 400,
            ClientError::Body(body) => body.status(),
            ClientError::HeaderTimeout | ClientError::BodyTimeout { .. } => 408,
            ClientError::BodyTooLarge { .. } => 413,
            ClientError::RequestLineTooLong { .. } => 414,
            ClientError::UnsupportedExpectation { .. } => 417,
            ClientError::HeaderSectionTooLong { .. }
            | ClientError::TooManyHeaders { .. }
            | ClientError::HeadTooLong { .. } => 431,
            ClientError::UnsupportedTransferCoding { .. }
            | ClientError::MethodNotImplemented { .. } => 501,
            ClientError::UnsupportedVersion { .. } => 505,
        }
    }
    // ANCHOR_END: client_status
}

/// The reason phrase RFC 9110 registers for `code` (with 418 from RFC 2324), if any: the
/// one table of them in the workspace (the `wsgi` layer's `Status` uses it too).
pub fn reason_phrase(code: u16) -> Option<&'static str> {
    Some(match code {
        100 => "Continue",
        101 => "Switching Protocols",
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        203 => "Non-Authoritative Information",
        204 => "No Content",
        205 => "Reset Content",
        206 => "Partial Content",
        300 => "Multiple Choices",
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        304 => "Not Modified",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        406 => "Not Acceptable",
        408 => "Request Timeout",
        409 => "Conflict",
        410 => "Gone",
        411 => "Length Required",
        412 => "Precondition Failed",
        413 => "Content Too Large",
        414 => "URI Too Long",
        415 => "Unsupported Media Type",
        416 => "Range Not Satisfiable",
        417 => "Expectation Failed",
        418 => "I'm a teapot",
        422 => "Unprocessable Content",
        426 => "Upgrade Required",
        428 => "Precondition Required",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        451 => "Unavailable For Legal Reasons",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        505 => "HTTP Version Not Supported",
        _ => return None,
    })
}

/// The reason phrase the server writes for a status it produces itself.
pub(crate) fn reason(code: u16) -> Option<&'static str> {
    reason_phrase(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_the_server_produces_has_its_phrase() {
        for code in [
            100, 200, 204, 304, 400, 408, 413, 414, 417, 431, 500, 501, 503, 505,
        ] {
            assert!(reason_phrase(code).is_some(), "{code}");
        }
        assert_eq!(reason_phrase(299), None);
    }
}
