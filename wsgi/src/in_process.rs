//! Calling an app without a socket: `call_in_process` and the `CollectedResponse` it
//! returns (what `application::request()` is built on).

use std::io;

use crate::app::WsgiApp;
use crate::environ::Environ;
use crate::error::WsgiError;
use crate::headers::{find_header, Headers};
use crate::start_response::{ResponseSink, StartResponse};
use crate::status::Status;

/// A whole response, collected in memory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CollectedResponse {
    /// The status the app gave (after any error-replacement).
    pub status: Status,
    /// The headers, in the app's order.
    pub headers: Headers,
    /// Every byte written through `write` and yielded by the body, in order.
    pub body: Vec<u8>,
}

impl CollectedResponse {
    /// The first value of header `name` (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        find_header(&self.headers, name)
    }

    /// The body as text (lossy UTF-8).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// A `ResponseSink` that records into memory; `headers_sent` turns true with the first
/// non-empty write, as on a real connection.
#[derive(Debug, Default)]
pub struct Recorder {
    /// The recorded status, once set.
    pub status: Option<Status>,
    /// The recorded headers.
    pub headers: Headers,
    /// The bytes written.
    pub body: Vec<u8>,
    sent: bool,
}

impl ResponseSink for Recorder {
    fn set_response(&mut self, status: Status, headers: Headers) -> Result<(), WsgiError> {
        self.status = Some(status);
        self.headers = headers;
        Ok(())
    }

    fn headers_sent(&self) -> bool {
        self.sent
    }

    fn write(&mut self, data: &[u8]) -> io::Result<()> {
        if data.is_empty() {
            return Ok(());
        }
        if self.status.is_none() {
            return Err(io::Error::other(WsgiError::StartResponseNotCalled));
        }
        self.sent = true;
        self.body.extend_from_slice(data);
        Ok(())
    }
}

// ANCHOR: call_in_process
/// Calls `app` with `environ` and collects the response: status, headers and the whole
/// body (the `write` bytes, then the body chunks). The body is closed in every case.
///
/// No socket, no framing: HEAD is not stripped and `Content-Length` is not checked; what
/// the app produced is what you get. A panic in the app propagates to the caller (the
/// body's close hooks run while it unwinds).
///
/// # Errors
/// `App` when the app or a body chunk returned an error; `StartResponseNotCalled` when
/// the app never called `start_response`.
pub fn call_in_process(
    app: &dyn WsgiApp,
    environ: &mut Environ,
) -> Result<CollectedResponse, WsgiError> {
    let mut recorder = Recorder::default();
    let body = {
        let mut start_response = StartResponse::new(&mut recorder);
        app.call(environ, &mut start_response)
            .map_err(WsgiError::App)?
    };
    let bytes = body.collect_bytes()?;
    let status = recorder.status.ok_or(WsgiError::StartResponseNotCalled)?;
    let mut body = recorder.body;
    body.extend_from_slice(&bytes);
    Ok(CollectedResponse {
        status,
        headers: recorder.headers,
        body,
    })
}
// ANCHOR_END: call_in_process
