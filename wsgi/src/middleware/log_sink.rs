//! `LogSink`: where `AccessLog`'s lines go, written a line at a time or buffered.
//!
//! Why buffer: a line per request written at once is a `write(2)` per request, a system
//! call that costs as much as a large part of a small request's own work. Buffered, the
//! lines of a busy period leave in one `write` at most every `FLUSH_EVERY`, or as soon
//! as `BUFFER_MAX` bytes wait; a line never waits longer than `FLUSH_EVERY` (a flusher
//! thread sees to it while no request comes), and what waits is written when the log is
//! dropped (the server stops).

use std::io::Write;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::Duration;

/// How long a buffered line waits at most before it is written.
pub(crate) const FLUSH_EVERY: Duration = Duration::from_millis(50);

/// How many buffered bytes are written at once, without waiting for the flusher.
const BUFFER_MAX: usize = 64 * 1024;

struct State {
    out: Box<dyn Write + Send>,
    /// Lines not written yet (buffering only).
    pending: Vec<u8>,
    /// Lines are buffered (until `close`).
    buffering: bool,
}

impl State {
    fn write_pending(&mut self) {
        if !self.pending.is_empty() {
            // A failing log sink must not fail the responses it describes.
            let _ = self.out.write_all(&self.pending);
            let _ = self.out.flush();
            self.pending.clear();
        }
    }
}

/// The destination of an access log's lines.
pub(crate) struct LogSink {
    state: Mutex<State>,
    /// Rung when a line arrives in an empty buffer, and at `close`.
    arrived: Condvar,
}

impl LogSink {
    /// Lines written to `out` one `write_all` each, as they come.
    pub(crate) fn direct(out: Box<dyn Write + Send>) -> Arc<LogSink> {
        Arc::new(LogSink::with(out, false))
    }

    /// Lines buffered and written to `out` within `FLUSH_EVERY`, by a flusher thread;
    /// one at a time (`direct`) if that thread cannot be started.
    pub(crate) fn buffered(out: Box<dyn Write + Send>) -> Arc<LogSink> {
        let sink = Arc::new(LogSink::with(out, true));
        let flusher = Arc::clone(&sink);
        let started = std::thread::Builder::new()
            .name("access-log".into())
            .spawn(move || flusher.flush_while_buffering());
        if started.is_err() {
            // No thread to spare (the process is at its limit): the lines still go out,
            // each as it comes.
            sink.lock().buffering = false;
        }
        sink
    }

    fn with(out: Box<dyn Write + Send>, buffering: bool) -> LogSink {
        LogSink {
            state: Mutex::new(State {
                out,
                pending: Vec::new(),
                buffering,
            }),
            arrived: Condvar::new(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A poisoned lock only means another request panicked while logging; the writer
        // is still usable, and losing the log would hide the very failure being
        // investigated.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Writes one whole line, or buffers it.
    pub(crate) fn write_line(&self, line: &[u8]) {
        let mut state = self.lock();
        if !state.buffering {
            // A failing log sink must not fail the response it describes.
            let _ = state.out.write_all(line);
            return;
        }
        let was_empty = state.pending.is_empty();
        state.pending.extend_from_slice(line);
        if state.pending.len() >= BUFFER_MAX {
            state.write_pending();
        } else if was_empty {
            // One wake-up per flush period, not per line.
            self.arrived.notify_one();
        }
    }

    /// Writes what waits, and every later line at once; the flusher thread ends.
    pub(crate) fn close(&self) {
        let mut state = self.lock();
        state.write_pending();
        state.buffering = false;
        self.arrived.notify_one();
    }

    /// The flusher thread: sleeps until a line waits, lets the period's lines gather,
    /// writes them; until `close`.
    fn flush_while_buffering(&self) {
        let mut state = self.lock();
        loop {
            while state.buffering && state.pending.is_empty() {
                state = self
                    .arrived
                    .wait(state)
                    .unwrap_or_else(|poisoned| poisoned.into_inner());
            }
            if !state.buffering {
                return;
            }
            drop(state);
            std::thread::sleep(FLUSH_EVERY);
            state = self.lock();
            state.write_pending();
        }
    }
}
