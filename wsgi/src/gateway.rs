//! `WsgiGateway`: httpserver's `Gateway` for a `WsgiApp` — the notes' `WSGIGateway`.

use std::io;

use httpserver::rules::{self, Header};
use httpserver::{Error, Gateway, HttpRequest, RequestHead, Response};

use crate::app::{SharedApp, WsgiApp};
use crate::environ::Environ;
use crate::error::WsgiError;
use crate::headers::Headers;
use crate::input::input_for;
use crate::start_response::{ResponseSink, StartResponse};
use crate::status::Status;

/// Serves a `WsgiApp` behind an `HttpServer`: builds the environ from each
/// `HttpRequest`, calls the app, writes the body's chunks as they come.
///
/// Failures follow httpserver's `Gateway` contract: an app error or panic before the
/// headers went out becomes `500 Internal Server Error` (the connection lives on when the
/// request was fully framed); after, the connection is closed without finishing the body,
/// so the client sees a truncated response, never a complete-looking one. The body's
/// close hooks run in every case.
pub struct WsgiGateway {
    app: SharedApp,
}

impl WsgiGateway {
    /// A gateway for `app`.
    pub fn new(app: SharedApp) -> WsgiGateway {
        WsgiGateway { app }
    }

    /// The app it serves.
    pub fn app(&self) -> &SharedApp {
        &self.app
    }
}

// ANCHOR: environ_from_request
/// The environ for one request on a connection (PEP 3333's mapping of the request).
///
/// Every value is written into the environ's one text buffer (numbers and addresses
/// too, without a string between), which the worker's previous request gave back. Header
/// values are bytes on the wire: valid UTF-8 is kept as is, anything else is read as
/// Latin-1 (one char per byte, PEP 3333's rule), so no byte is lost or replaced.
pub fn environ_from_request(head: &RequestHead) -> Environ {
    let mut env = Environ::new();
    env.set("REQUEST_METHOD", head.method());
    env.set_path_info(head.path());
    env.set("QUERY_STRING", head.query_string());
    env.set("REQUEST_URI", head.uri());
    // `Environ::new` holds `SERVER_SOFTWARE` and `SERVER_PROTOCOL=HTTP/1.1` as
    // constants; setting them again would copy them on every request.
    if head.request_protocol() != "HTTP/1.1" {
        env.set("SERVER_PROTOCOL", head.request_protocol());
    }
    env.set("SERVER_NAME", head.server_name());
    env.set_display("SERVER_PORT", head.server_addr().port());
    env.set_display("REMOTE_ADDR", head.remote_addr().ip());
    env.set_display("REMOTE_PORT", head.remote_addr().port());
    env.set_url_scheme(head.scheme());
    for (name, value) in head.headers() {
        env.add_header_bytes(name, value);
    }
    // Python's servers run the app on many threads of one process.
    env.set_concurrency(true, false, false);
    env.set_input_terminated(true);
    env
}
// ANCHOR_END: environ_from_request

impl Gateway for WsgiGateway {
    // ANCHOR: respond
    /// The notes' `respond()`: `response = app(env, start_response)`, then
    /// `for chunk in response: write(chunk)`. The body was received whole before this
    /// call; the environ owns it as `wsgi.input`.
    fn respond(&self, req: &mut HttpRequest) -> Result<(), Error> {
        let _span = tracing::debug_span!("WSGIGateway.respond").entered();
        let mut env = environ_from_request(req.head());
        if let Some(input) = input_for(req) {
            env.set_input(input);
        }
        tracing::debug!(keys = env.vars().count(), "environ built");
        let result = run_app(&*self.app, &mut env, req.response());
        // The body is closed: unless the application still holds the variables, the
        // next request on this worker reuses their storage.
        env.recycle();
        result
    }
    // ANCHOR_END: respond
}

// ANCHOR: run_app
/// Calls the app and writes its body: the heart of the gateway.
fn run_app(app: &dyn WsgiApp, env: &mut Environ, response: &mut Response) -> Result<(), Error> {
    let mut sink = ConnectionSink {
        response,
        started: false,
        head_request: env.request_method() == "HEAD",
        status: 0,
    };
    let mut body = {
        let mut start_response = StartResponse::new(&mut sink);
        match app.call(env, &mut start_response) {
            Ok(body) => body,
            Err(error) => return Err(failure(env, WsgiError::App(error))),
        }
    };
    // Each chunk goes out as it is produced; the headers go with the first non-empty one.
    let mut outcome = Ok(());
    for chunk in &mut body {
        let written = chunk
            .map_err(WsgiError::App)
            .and_then(|bytes| sink.write(&bytes).map_err(WsgiError::Io));
        if let Err(error) = written {
            outcome = Err(error);
            break;
        }
        // HEAD, 1xx, 204, 304: the rest would be dropped unwritten, so a departed client
        // would never fail a write and an endless body would hold this worker for good.
        // The first non-empty chunk was pulled, so a GET and a HEAD get the same status.
        if sink.started && sink.headers_sent() && sink.sends_no_body() {
            break;
        }
    }
    // ANCHOR_END: run_app
    // ANCHOR: run_app_end
    if outcome.is_ok() && !sink.started {
        // An empty body without a status: nothing to send, and no status to send it with.
        outcome = Err(WsgiError::StartResponseNotCalled);
    }
    // The close hooks run whatever happened above (a panic above runs them from Drop).
    if let Err(error) = body.close() {
        let _ = writeln!(env.errors(), "wsgi: {error}");
    }
    outcome.map_err(|error| failure(env, error))
}
// ANCHOR_END: run_app_end

/// What the server is told when the app failed: an application error (500, or a
/// truncated body), or the client's departure (nothing to answer).
fn failure(env: &mut Environ, error: WsgiError) -> Error {
    if let WsgiError::Io(io) = &error {
        // The client went away while we wrote: nothing to answer.
        if is_disconnect(io) {
            return Error::Io(io::Error::new(io.kind(), io.to_string()));
        }
    }
    let _ = writeln!(env.errors(), "wsgi: {error}");
    Error::app(error.to_string())
}

fn is_disconnect(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::BrokenPipe
            | io::ErrorKind::ConnectionReset
            | io::ErrorKind::ConnectionAborted
    )
}

// ANCHOR: connection_sink
/// `start_response` and `write` onto the connection, through httpserver's `Response`.
struct ConnectionSink<'r> {
    response: &'r mut Response,
    /// `start_response` was called: the `Response` holds the app's status and headers.
    started: bool,
    /// The request is a HEAD: the response has headers only.
    head_request: bool,
    /// The status code `start_response` set (0 before).
    status: u16,
}

impl ConnectionSink<'_> {
    /// Whether the response carries no body whatever the app yields (HEAD, and
    /// httpserver's [`rules::status_has_no_body`]: 1xx, 204, 304), so the server drops
    /// what is written.
    fn sends_no_body(&self) -> bool {
        self.head_request || rules::status_has_no_body(self.status)
    }
}
// ANCHOR_END: connection_sink

// ANCHOR: sink_record
impl ConnectionSink<'_> {
    /// Puts the status and headers into the `Response`, replacing what a first call set
    /// (a second one carries an error). They were checked with httpserver's rules where
    /// they were set (`Status::parse`; `validate_header` in `StartResponse` or a
    /// `Forward`, or a `Header` made above): the checked entry points trust that.
    fn record<'h>(
        &mut self,
        status: &Status,
        headers: impl ExactSizeIterator<Item = (&'h str, &'h str)>,
    ) -> Result<(), WsgiError> {
        self.response.reset_response()?;
        self.response
            .set_checked_status(status.code(), status.reason())?;
        let count = headers.len();
        for (name, value) in headers {
            self.response.add_checked_header(name, value.as_bytes())?;
        }
        self.started = true;
        self.status = status.code();
        tracing::debug!(status = %status, headers = count, "start_response");
        Ok(())
    }
}
// ANCHOR_END: sink_record

// ANCHOR: sink_write
impl ResponseSink for ConnectionSink<'_> {
    fn set_response(&mut self, status: Status, headers: Headers) -> Result<(), WsgiError> {
        self.record(
            &status,
            headers.iter().map(|(n, v)| (n.as_str(), v.as_str())),
        )
    }

    fn set_checked_response(
        &mut self,
        status: Status,
        headers: Vec<Header>,
    ) -> Result<(), WsgiError> {
        // Written as they are, copying nothing.
        self.record(&status, headers.iter().map(|h| (h.name(), h.value())))
    }

    fn headers_sent(&self) -> bool {
        self.response.headers_sent()
    }

    fn write(&mut self, data: &[u8]) -> io::Result<()> {
        if data.is_empty() {
            return Ok(());
        }
        if !self.started {
            return Err(io::Error::other(WsgiError::StartResponseNotCalled));
        }
        self.response.write(data).map_err(|error| match error {
            Error::Io(io) => io,
            other => io::Error::other(other.to_string()),
        })
    }
}
// ANCHOR_END: sink_write
