//! The middleware this crate ships: an access log, static files, and a validator.
//!
//! Each is a `WsgiApp` that wraps another (`AccessLog::new(app, out)`), and each has a
//! constructor returning a `Middleware` for `apply_middleware` (`access_log(out)`).

mod access_log;
mod log_sink;
mod static_files;
mod validator;

pub use access_log::{access_log, buffered_access_log, clf_time, AccessLog};
pub use static_files::{content_type_for, static_files, StaticFiles};
pub use validator::{validator, Finding, Findings, Validator};

use std::io;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use httpserver::rules::Header;

use crate::error::WsgiError;
use crate::headers::Headers;
use crate::start_response::ResponseSink;
use crate::status::Status;

/// A sink that passes everything on and counts the bytes of legacy `write` calls, so a
/// middleware measuring the body sees those too.
pub(crate) struct CountingSink<'a> {
    inner: &'a mut dyn ResponseSink,
    written: Arc<AtomicU64>,
}

impl<'a> CountingSink<'a> {
    pub(crate) fn new(inner: &'a mut dyn ResponseSink, written: Arc<AtomicU64>) -> Self {
        CountingSink { inner, written }
    }
}

impl ResponseSink for CountingSink<'_> {
    fn checks_headers(&self) -> bool {
        self.inner.checks_headers()
    }

    fn set_response(&mut self, status: Status, headers: Headers) -> Result<(), WsgiError> {
        self.inner.set_response(status, headers)
    }

    fn set_checked_response(
        &mut self,
        status: Status,
        headers: Vec<Header>,
    ) -> Result<(), WsgiError> {
        self.inner.set_checked_response(status, headers)
    }

    fn headers_sent(&self) -> bool {
        self.inner.headers_sent()
    }

    fn write(&mut self, data: &[u8]) -> io::Result<()> {
        self.written.fetch_add(data.len() as u64, Ordering::Relaxed);
        self.inner.write(data)
    }
}
