//! The `tracing` log of a test process, kept in memory so a test can check what the
//! layers reported: a warning, an error, or the steps of a request's trip.
//!
//! The layers log through `tracing` only (never `eprintln!`), so what they report can be
//! captured like this, asserted on, and searched for what must not be there (a whole
//! session id, a cookie value). [`capture`] installs the process's subscriber the first
//! time it is called; a test binary has one log for all its tests, so a test checks that
//! its own line is in [`text`], not that the log is exactly something.

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};

use tracing_subscriber::fmt::format::FmtSpan;

static LOG: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();

struct Sink(Arc<Mutex<Vec<u8>>>);

impl Write for Sink {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Installs the in-memory log as the process's `tracing` subscriber (once): every event
/// down to `DEBUG`, and a line when each span closes (`close time.busy=…`), so a test
/// sees the trip's steps as well as the warnings. If another subscriber was installed
/// first, the log stays empty.
pub fn capture() {
    LOG.get_or_init(|| {
        let buffer = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&buffer);
        let _ = tracing_subscriber::fmt()
            .with_ansi(false)
            .with_max_level(tracing::Level::DEBUG)
            .with_span_events(FmtSpan::CLOSE)
            .with_writer(move || Sink(Arc::clone(&sink)))
            .try_init();
        buffer
    });
}

/// Everything logged so far, by every test of this process.
pub fn text() -> String {
    LOG.get()
        .map(|b| String::from_utf8_lossy(&b.lock().unwrap_or_else(|p| p.into_inner())).into_owned())
        .unwrap_or_default()
}

/// What an example installs: the library's log on stderr, one line an event and one as
/// each span closes (with its time), filtered by `RUST_LOG` (`debug`: every step of each
/// request, the trip), else `info` and up. Examples may use this dev-only crate; a real
/// program installs its own subscriber (`application::run()` does).
pub fn to_stderr() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_span_events(FmtSpan::CLOSE)
        .init();
}
