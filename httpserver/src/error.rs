//! `Error`: everything that can go wrong in this crate, with the evidence.
//!
//! Client errors ([`ClientError`]: a bad request line, a header section over its limit,
//! ...) carry what was received and the limit crossed, and each has its status
//! ([`ClientError::status`]); [`crate::status_for`] maps any [`Error`] to a status or to
//! none. Application errors (an invalid response header, a failed app) are what a
//! [`Gateway`](crate::Gateway) returns.

use std::fmt;
use std::io;

use crate::rfile::BodyError;

/// A request the client got wrong, or sent too slowly: each is answered with its status
/// ([`ClientError::status`], RFC 9110 §15.5) and the connection closes.
#[derive(Debug)]
#[non_exhaustive]
pub enum ClientError {
    /// The request line is not `method SP request-target SP HTTP-version CRLF`.
    BadRequestLine {
        /// The line as received (cut to 256 bytes).
        line: Vec<u8>,
    },
    /// The request line is longer than `ServerConfig::max_request_line`.
    RequestLineTooLong {
        /// The limit, in bytes.
        limit_bytes: usize,
    },
    /// The request-target cannot be served (e.g. an authority-form target outside CONNECT).
    BadRequestTarget {
        /// The target as received.
        target: String,
    },
    /// A method this server does not implement for any resource: `CONNECT`, which asks
    /// for a tunnel, something only a proxy gives.
    MethodNotImplemented {
        /// The method as received.
        method: String,
    },
    /// The version is well-formed but not HTTP/1.0 or HTTP/1.1.
    UnsupportedVersion {
        /// The version as received, e.g. `HTTP/2.0`.
        version: String,
    },
    /// A header line is malformed: no colon, whitespace before the colon, an empty name,
    /// obs-fold, a forbidden byte in the value, a missing or duplicate `Host`...
    BadHeader {
        /// What is wrong, in a few words.
        why: &'static str,
        /// The offending name or line as received (cut to 256 bytes).
        evidence: Vec<u8>,
    },
    /// The header section is longer than `ServerConfig::max_header_bytes`.
    HeaderSectionTooLong {
        /// The limit, in bytes.
        limit_bytes: usize,
    },
    /// The header section has more lines than `ServerConfig::max_headers`.
    TooManyHeaders {
        /// The limit, in lines.
        limit_lines: usize,
    },
    /// The whole head (request line and header section) is longer than
    /// `ServerConfig::max_head_bytes`.
    HeadTooLong {
        /// The limit, in bytes.
        limit_bytes: usize,
    },
    /// The head did not complete within `ServerConfig::header_timeout`.
    HeaderTimeout,
    /// The body stopped arriving (`body_timeout`) or arrived slower than
    /// `min_body_rate`.
    BodyTimeout {
        /// Which of the two, with the figures.
        why: String,
    },
    /// `Content-Length` is not digits only, or two values conflict.
    BadContentLength {
        /// The value(s) as received.
        value: Vec<u8>,
    },
    /// Both `Content-Length` and `Transfer-Encoding` were sent (RFC 9112 §6.1 smuggling).
    ContentLengthWithTransferEncoding,
    /// A transfer coding other than a final `chunked`.
    UnsupportedTransferCoding {
        /// The `Transfer-Encoding` value as received.
        coding: Vec<u8>,
    },
    /// The declared body is longer than `ServerConfig::max_body`.
    BodyTooLarge {
        /// The limit, in bytes.
        limit_bytes: u64,
        /// The declared length, in bytes.
        length: u64,
    },
    /// The chunked framing of the body was refused (the [`BodyError`] says why).
    Body(BodyError),
    /// The client closed the connection before the end of its body.
    BodyCutShort,
    /// An `Expect` header other than `100-continue`.
    UnsupportedExpectation {
        /// The value as received.
        value: Vec<u8>,
    },
}

/// The crate's error type: a client's error (answered with a 4xx or 5xx status), or the
/// transport's, the application's, or the server's own.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The client sent a request the server refuses; [`status_for`](crate::status_for)
    /// gives its status.
    Client(ClientError),
    /// The transport failed: the peer reset or closed the connection, a timeout, or a
    /// body reader's framing error (an `InvalidData` error holding a [`BodyError`]).
    Io(io::Error),
    /// The application gave a response header that cannot be written (a control byte in
    /// its value, an empty or non-token name, a framing header the server owns).
    InvalidResponseHeader {
        /// The header's name as given.
        name: String,
        /// What is wrong with it.
        why: &'static str,
    },
    /// The application gave a status that cannot be written.
    InvalidStatus {
        /// The status as given.
        status: String,
    },
    /// The application tried to change the status or headers after they were sent.
    HeadersAlreadySent,
    /// The application failed; the server answers 500 if the headers are not sent yet,
    /// or closes the connection without finishing the body if they are.
    App {
        /// What failed, for the error log.
        message: String,
    },
    /// A step of `HttpServer::start` failed.
    Bind {
        /// The step: `getaddrinfo`, `socket`, `setsockopt`, `bind` or `listen`.
        step: &'static str,
        /// The address being bound, as given.
        addr: String,
        /// What the operating system said.
        source: io::Error,
    },
    /// The bind address resolved to nothing.
    NoAddress {
        /// The address as given.
        addr: String,
    },
    /// The thread pool could not start.
    Pool(threadpool::ThreadPoolError),
}

impl Error {
    /// An [`Error::App`] with this message: what a [`Gateway`](crate::Gateway) returns
    /// when the application failed.
    pub fn app(message: impl Into<String>) -> Error {
        Error::App {
            message: message.into(),
        }
    }

    /// The [`BodyError`] behind this error, if a body reader refused the framing.
    pub fn body_error(&self) -> Option<&BodyError> {
        match self {
            Error::Io(err) => BodyError::from_io(err),
            _ => None,
        }
    }
}

fn cut(bytes: &[u8]) -> String {
    let end = bytes.len().min(256);
    String::from_utf8_lossy(&bytes[..end]).into_owned()
}

impl fmt::Display for ClientError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ClientError::BadRequestLine { line } => {
                write!(f, "malformed request line {:?}", cut(line))
            }
            ClientError::RequestLineTooLong { limit_bytes } => {
                write!(f, "request line longer than {limit_bytes} bytes")
            }
            ClientError::BadRequestTarget { target } => {
                write!(f, "request-target {target:?} cannot be served")
            }
            ClientError::MethodNotImplemented { method } => {
                write!(
                    f,
                    "method {method:?} not implemented: this server is no proxy"
                )
            }
            ClientError::UnsupportedVersion { version } => {
                write!(f, "HTTP version {version:?} not supported; use HTTP/1.1")
            }
            ClientError::BadHeader { why, evidence } => {
                write!(f, "bad request header ({why}): {:?}", cut(evidence))
            }
            ClientError::HeaderSectionTooLong { limit_bytes } => {
                write!(f, "request header section longer than {limit_bytes} bytes")
            }
            ClientError::TooManyHeaders { limit_lines } => {
                write!(f, "request header section over {limit_lines} lines")
            }
            ClientError::HeadTooLong { limit_bytes } => {
                write!(f, "request head longer than {limit_bytes} bytes")
            }
            ClientError::HeaderTimeout => {
                write!(f, "request head not received within header_timeout")
            }
            ClientError::BodyTimeout { why } => write!(f, "client too slow: {why}"),
            ClientError::BadContentLength { value } => {
                write!(f, "invalid Content-Length {:?}", cut(value))
            }
            ClientError::ContentLengthWithTransferEncoding => {
                write!(f, "both Content-Length and Transfer-Encoding were sent")
            }
            ClientError::UnsupportedTransferCoding { coding } => {
                write!(
                    f,
                    "transfer coding {:?} not supported; use chunked",
                    cut(coding)
                )
            }
            ClientError::BodyTooLarge {
                limit_bytes,
                length,
            } => {
                write!(
                    f,
                    "request body of {length} bytes over the {limit_bytes}-byte limit"
                )
            }
            ClientError::Body(err) => write!(f, "bad request body: {err}"),
            ClientError::BodyCutShort => {
                write!(f, "the client closed the connection inside its body")
            }
            ClientError::UnsupportedExpectation { value } => {
                write!(f, "expectation {:?} not supported", cut(value))
            }
        }
    }
}

impl std::error::Error for ClientError {}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Client(err) => write!(f, "{err}"),
            Error::Io(err) => write!(f, "connection error: {err}"),
            Error::InvalidResponseHeader { name, why } => {
                write!(f, "response header {name:?} refused: {why}")
            }
            Error::InvalidStatus { status } => {
                write!(f, "response status {status:?} is not `NNN reason`")
            }
            Error::HeadersAlreadySent => {
                write!(f, "the response headers were already sent")
            }
            Error::App { message } => write!(f, "application error: {message}"),
            Error::Bind { step, addr, source } => {
                write!(f, "{step} failed for {addr}: {source}")
            }
            Error::NoAddress { addr } => write!(f, "{addr} resolved to no address"),
            Error::Pool(err) => write!(f, "thread pool: {err}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Client(err) => Some(err),
            Error::Io(err) => Some(err),
            Error::Bind { source, .. } => Some(source),
            Error::Pool(err) => Some(err),
            _ => None,
        }
    }
}

impl From<io::Error> for Error {
    fn from(err: io::Error) -> Error {
        Error::Io(err)
    }
}

impl From<threadpool::ThreadPoolError> for Error {
    fn from(err: threadpool::ThreadPoolError) -> Error {
        Error::Pool(err)
    }
}

impl From<ClientError> for Error {
    fn from(err: ClientError) -> Error {
        Error::Client(err)
    }
}

impl From<BodyError> for Error {
    fn from(err: BodyError) -> Error {
        Error::Io(err.into())
    }
}
