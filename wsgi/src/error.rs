//! The crate's one error type, `WsgiError`, and `AppError`, what an application may fail with.

use std::fmt;
use std::io;

/// Any error an application (or middleware) returns: `?` works on `io::Error`,
/// `WsgiError` and every other `std::error::Error`.
///
/// Python's WSGI apps raise any exception; Rust apps return this boxed error instead, and
/// the gateway answers 500 when it arrives before the headers went out.
pub type AppError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// What went wrong in the gateway interface.
///
/// Each variant carries the evidence (the status, the header, the value) so the message
/// says what to fix.
#[derive(Debug)]
#[non_exhaustive]
pub enum WsgiError {
    /// A status line that is not `NNN reason` (PEP 3333: "200 OK", "404 Not Found").
    InvalidStatus {
        /// The status as the application gave it.
        status: String,
        /// Which part of the rule it breaks.
        problem: &'static str,
    },
    /// A header name that is not an RFC 9110 token (letters, digits, ``!#$%&'*+-.^_`|~``).
    InvalidHeaderName {
        /// The name as given.
        name: String,
    },
    /// A header value with CR, LF, NUL or another control character: written as is it
    /// would let the value start a new header or end the header section (response
    /// splitting).
    InvalidHeaderValue {
        /// The header's name.
        name: String,
        /// The value as given.
        value: String,
    },
    /// A hop-by-hop header (`Connection`, `Transfer-Encoding`, ...): PEP 3333 reserves
    /// those to the server, which frames the response itself.
    HopByHopHeader {
        /// The header's name.
        name: String,
    },
    /// A `Content-Length` that is not a plain decimal number.
    InvalidContentLength {
        /// The value as given.
        value: String,
    },
    /// `start_response` was called a second time without an error: PEP 3333 allows a
    /// second call only to replace unsent headers with an error response.
    StartResponseCalledTwice,
    /// `start_response` was called with an error after the headers had been sent; the
    /// error is handed back to the application (PEP 3333: "re-raise exc_info").
    HeadersAlreadySent {
        /// The error the application passed in.
        error: AppError,
    },
    /// The application returned a body (or wrote) without calling `start_response` first.
    StartResponseNotCalled,
    /// A percent-decoded path (`PATH_INFO` or `SCRIPT_NAME`) that is not UTF-8.
    NonUtf8Path {
        /// The environ key.
        key: &'static str,
        /// The decoded bytes.
        bytes: Vec<u8>,
    },
    /// One or more `Body::on_close` hooks panicked, or dropping the chunk stream did
    /// (the others still ran).
    CloseHookPanicked {
        /// How many hooks panicked (the stream's drop counts as one).
        hooks: usize,
    },
    /// The application returned an error (from `call` or from a body chunk).
    App(AppError),
    /// Reading the request or writing the response failed.
    Io(io::Error),
    /// The Ctrl-C / SIGTERM handler could not be installed (the program has its own).
    SignalHandler {
        /// What `ctrlc` said.
        message: String,
    },
    /// The HTTP layer refused what the gateway passed on: its framing rules (a second,
    /// different `Content-Length`), or headers that went out already.
    Http(httpserver::Error),
    /// A server command line (`--port`, `--threads`, `--timeout`) with a flag whose value
    /// is missing or not a number in range, or with an argument the program does not take.
    BadArgument {
        /// The argument: the flag and its value, or the argument not taken.
        arg: String,
        /// What is wrong with it.
        problem: &'static str,
    },
}

impl fmt::Display for WsgiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WsgiError::InvalidStatus { status, problem } => write!(
                f,
                "invalid status {status:?}: {problem} (expected `NNN reason`, e.g. \"200 OK\")"
            ),
            WsgiError::InvalidHeaderName { name } => write!(
                f,
                "invalid header name {name:?}: use letters, digits and !#$%&'*+-.^_`|~ only"
            ),
            WsgiError::InvalidHeaderValue { name, value } => write!(
                f,
                "invalid value {value:?} for header {name:?}: CR, LF and control characters are not allowed"
            ),
            WsgiError::HopByHopHeader { name } => write!(
                f,
                "hop-by-hop header {name:?} is reserved to the server (PEP 3333); remove it"
            ),
            WsgiError::InvalidContentLength { value } => {
                write!(f, "invalid Content-Length {value:?}: digits only")
            }
            WsgiError::StartResponseCalledTwice => write!(
                f,
                "start_response called twice; a second call must carry an error (start_response_with_error)"
            ),
            WsgiError::HeadersAlreadySent { error } => write!(
                f,
                "start_response called with an error after the headers were sent: {error}"
            ),
            WsgiError::StartResponseNotCalled => write!(
                f,
                "the application produced a body without calling start_response first"
            ),
            WsgiError::NonUtf8Path { key, bytes } => write!(
                f,
                "{key} is not UTF-8 after percent-decoding: {:?}",
                String::from_utf8_lossy(bytes)
            ),
            WsgiError::CloseHookPanicked { hooks } => {
                write!(f, "{hooks} body close hook(s) panicked; the others ran")
            }
            WsgiError::App(error) => write!(f, "the application failed: {error}"),
            WsgiError::Io(error) => write!(f, "I/O error: {error}"),
            WsgiError::Http(error) => write!(f, "HTTP layer: {error}"),
            WsgiError::SignalHandler { message } => write!(
                f,
                "cannot install the Ctrl-C/SIGTERM handler ({message}); stop the server with its StopHandle instead"
            ),
            WsgiError::BadArgument { arg, problem } => write!(
                f,
                "{arg:?}: {problem} (usage: --port P, 0 for any free port; --threads N; --timeout SECONDS)"
            ),
        }
    }
}

impl From<httpserver::BadArgument> for WsgiError {
    fn from(error: httpserver::BadArgument) -> WsgiError {
        WsgiError::BadArgument {
            arg: error.arg,
            problem: error.problem,
        }
    }
}

impl std::error::Error for WsgiError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            WsgiError::HeadersAlreadySent { error } | WsgiError::App(error) => Some(&**error),
            WsgiError::Io(error) => Some(error),
            WsgiError::Http(error) => Some(error),
            _ => None,
        }
    }
}

impl From<io::Error> for WsgiError {
    fn from(error: io::Error) -> Self {
        WsgiError::Io(error)
    }
}

impl From<httpserver::Error> for WsgiError {
    fn from(error: httpserver::Error) -> Self {
        WsgiError::Http(error)
    }
}
