//! `Body`: what an application returns, a stream of byte chunks with a `close` hook that
//! always runs.

use std::fmt;
use std::panic::{catch_unwind, AssertUnwindSafe};

use crate::error::{AppError, WsgiError};

/// One chunk of a response body, or the error that ended the body early.
pub type Chunk = Result<Vec<u8>, AppError>;

type Chunks = Box<dyn Iterator<Item = Chunk> + Send>;
type CloseHook = Box<dyn FnOnce() + Send>;

/// The chunks: one held as it is (a whole body, the common case, costs no box), or a
/// stream.
enum Stream {
    One(Option<Chunk>),
    Many(Chunks),
}

impl Stream {
    fn next(&mut self) -> Option<Chunk> {
        match self {
            Stream::One(chunk) => chunk.take(),
            Stream::Many(chunks) => chunks.next(),
        }
    }

    fn boxed(self) -> Chunks {
        match self {
            Stream::One(chunk) => Box::new(chunk.into_iter()),
            Stream::Many(chunks) => chunks,
        }
    }
}

// ANCHOR: body
/// The response body: PEP 3333's iterable of byte strings, with its `close()`.
///
/// The gateway pulls chunks one at a time and writes each as it comes, so a body can
/// stream without being held in memory. The close hooks run exactly once, in the order
/// they were added, when the gateway calls `close` — after the last chunk, after an error
/// or panic mid-stream, after the client went away — and, as a last resort, when the
/// `Body` is dropped. Releasing resources (a file, a database connection, web.py's
/// unload hooks) belongs there.
pub struct Body {
    chunks: Stream,
    on_close: Vec<CloseHook>,
    closed: bool,
}
// ANCHOR_END: body

impl Body {
    /// A body without bytes.
    pub fn empty() -> Body {
        Body::from_results(std::iter::empty())
    }

    /// A body of one chunk.
    pub fn from_bytes(bytes: impl Into<Vec<u8>>) -> Body {
        Body {
            chunks: Stream::One(Some(Ok(bytes.into()))),
            on_close: Vec::new(),
            closed: false,
        }
    }

    /// A streaming body: each item is written as it is produced.
    pub fn from_chunks<I>(chunks: I) -> Body
    where
        I: IntoIterator<Item = Vec<u8>>,
        I::IntoIter: Send + 'static,
    {
        Body::from_results(chunks.into_iter().map(Ok))
    }

    /// A streaming body that may fail: an `Err` ends it. Before the headers went out the
    /// gateway answers 500; after, it cuts the connection (the client sees a truncated
    /// response, never a complete-looking one).
    pub fn from_results<I>(chunks: I) -> Body
    where
        I: IntoIterator<Item = Chunk>,
        I::IntoIter: Send + 'static,
    {
        Body {
            chunks: Stream::Many(Box::new(chunks.into_iter())),
            on_close: Vec::new(),
            closed: false,
        }
    }

    /// Adds a hook to run on `close`, after the hooks added before it (so a middleware's
    /// hook runs after the hooks of the app it wraps).
    pub fn on_close(mut self, hook: impl FnOnce() + Send + 'static) -> Body {
        self.on_close.push(Box::new(hook));
        self
    }

    /// Replaces the chunk stream with `f(stream)`, keeping the close hooks: how a
    /// middleware transforms or observes the body it passes on.
    pub fn map_stream<F, I>(mut self, f: F) -> Body
    where
        F: FnOnce(Box<dyn Iterator<Item = Chunk> + Send>) -> I,
        I: Iterator<Item = Chunk> + Send + 'static,
    {
        let chunks = std::mem::replace(&mut self.chunks, Stream::One(None));
        self.chunks = Stream::Many(Box::new(f(chunks.boxed())));
        self
    }

    /// Runs the close hooks, once; later calls do nothing. Every hook runs even if an
    /// earlier one (or the chunk stream's own `Drop`) panics; the panics are counted in
    /// the error.
    ///
    /// # Errors
    /// `CloseHookPanicked` when at least one hook, or dropping the stream, panicked.
    pub fn close(&mut self) -> Result<(), WsgiError> {
        if self.closed {
            return Ok(());
        }
        self.closed = true;
        // The stream goes first: it may hold resources its own Drop releases. That Drop
        // is app code too: a panic there must not skip the hooks (`closed` is set, so
        // no later call would run them).
        let chunks = std::mem::replace(&mut self.chunks, Stream::One(None));
        let mut panicked = 0;
        if catch_unwind(AssertUnwindSafe(move || drop(chunks))).is_err() {
            panicked += 1;
        }
        for hook in self.on_close.drain(..) {
            if catch_unwind(AssertUnwindSafe(hook)).is_err() {
                panicked += 1;
            }
        }
        if panicked == 0 {
            Ok(())
        } else {
            Err(WsgiError::CloseHookPanicked { hooks: panicked })
        }
    }

    /// Whether `close` has run.
    pub fn is_closed(&self) -> bool {
        self.closed
    }

    /// Reads the whole body into memory and closes it: for tests and in-process callers.
    ///
    /// # Errors
    /// The first chunk error (the body is closed all the same).
    pub fn collect_bytes(mut self) -> Result<Vec<u8>, WsgiError> {
        let mut out = Vec::new();
        let mut failed = None;
        for chunk in &mut self {
            match chunk {
                Ok(bytes) => out.extend_from_slice(&bytes),
                Err(error) => {
                    failed = Some(error);
                    break;
                }
            }
        }
        let closed = self.close();
        match failed {
            Some(error) => Err(WsgiError::App(error)),
            None => closed.map(|()| out),
        }
    }
}

impl Iterator for Body {
    type Item = Chunk;

    fn next(&mut self) -> Option<Chunk> {
        if self.closed {
            return None;
        }
        self.chunks.next()
    }
}

impl Drop for Body {
    fn drop(&mut self) {
        // The gateway always calls `close`; this covers bodies dropped by other callers
        // (and by unwinding). A hook's panic is contained by `close` itself.
        let _ = self.close();
    }
}

impl fmt::Debug for Body {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Body")
            .field("close_hooks", &self.on_close.len())
            .field("closed", &self.closed)
            .finish_non_exhaustive()
    }
}

impl From<Vec<u8>> for Body {
    fn from(bytes: Vec<u8>) -> Body {
        Body::from_bytes(bytes)
    }
}

impl From<&'static str> for Body {
    fn from(text: &'static str) -> Body {
        Body::from_bytes(text)
    }
}

impl From<String> for Body {
    fn from(text: String) -> Body {
        Body::from_bytes(text)
    }
}
