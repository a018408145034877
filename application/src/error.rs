//! The crate's error type: what can go wrong while building or using an `Application`.
//!
//! These are programming or setup errors (a bad pattern, `header()` called outside a
//! request, an invalid header value, a bad address for `run`). What goes wrong *in a
//! request* because of the client is an [`HttpError`](crate::HttpError) value instead,
//! which travels through the processors and becomes a response.

use std::fmt;

/// An error from setting up or using an [`Application`](crate::Application).
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// A URL pattern of the mapping is not a valid regular expression.
    BadPattern {
        /// The pattern as given.
        pattern: String,
        /// What the `regex` crate said about it.
        reason: String,
    },
    /// A target of the mapping was built wrong: a method given twice or not in upper
    /// case, a method given to a redirect or a mount.
    BadTarget {
        /// The pattern the target was given for.
        pattern: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A web API function (`header`, `input`, `ctx::with`…) was called while no request
    /// is being handled on this thread.
    OutsideRequest,
    /// The response's status or headers were changed after they had gone to the client
    /// (in a streaming body, after its first chunk).
    HeadersSent,
    /// `Application::set_home` was given something other than `http(s)://host[:port]`.
    BadHome(String),
    /// A response header was refused where it was set: a name that is not an HTTP
    /// token, a value with CR, LF or another control byte (which would split the
    /// response), a `Content-Length` that is not digits, a hop-by-hop header.
    BadHeader {
        /// The header name as given.
        name: String,
        /// The header value as given.
        value: String,
        /// What is wrong with it (httpserver's `rules`, in words).
        why: &'static str,
    },
    /// The address given to `run` is not `PORT`, `IP` or `IP:PORT`.
    BadAddress(String),
    /// Reading the request body failed.
    Io(std::io::Error),
    /// The gateway layer refused something (server start, start_response).
    Wsgi(String),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::BadPattern { pattern, reason } => {
                write!(f, "URL pattern {pattern:?} is not a valid regex: {reason}")
            }
            Error::OutsideRequest => write!(
                f,
                "this web API function was called outside a request; call it from a handler or processor"
            ),
            Error::BadTarget { pattern, reason } => {
                write!(f, "the target for {pattern:?} is built wrong: {reason}")
            }
            Error::HeadersSent => write!(
                f,
                "the response has started, so its status and headers can no longer change; \
                 set them before the first chunk of a stream"
            ),
            Error::BadHome(home) => write!(
                f,
                "home {home:?} is not http(s)://host[:port] (for example https://example.com)"
            ),
            Error::BadHeader { name, value, why } => {
                write!(f, "header {name:?}: {value:?} is refused: {why}")
            }
            Error::BadAddress(a) => write!(
                f,
                "address {a:?} is not PORT, IP or IP:PORT (for example 8080, 127.0.0.1 or 0.0.0.0:8080)"
            ),
            Error::Io(e) => write!(f, "reading the request body failed: {e}"),
            Error::Wsgi(e) => write!(f, "the gateway layer failed: {e}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Io(e) => Some(e),
            _ => None,
        }
    }
}

impl From<wsgi::rules::RefusedHeader> for Error {
    fn from(refused: wsgi::rules::RefusedHeader) -> Self {
        Error::BadHeader {
            name: refused.name.into_owned(),
            value: refused.value.into_owned(),
            why: refused.why.why(),
        }
    }
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        Error::Io(e)
    }
}
