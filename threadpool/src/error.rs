//! The pool's errors: a failed start, and a `put` that could not queue its item.

use std::fmt;
use std::io;

/// Why [`ThreadPool::start`](crate::ThreadPool::start) failed.
#[derive(Debug)]
#[non_exhaustive]
pub enum ThreadPoolError {
    /// `start` was called on a pool that is already running.
    AlreadyStarted,
    /// `start` was called after `stop`; a stopped pool does not restart.
    Stopped,
    /// The operating system refused to spawn a worker thread.
    Spawn {
        /// The name the thread would have had.
        name: String,
        /// What the operating system said.
        source: io::Error,
    },
    /// The configuration cannot work, e.g. `min` greater than `max`.
    InvalidConfig(String),
}

impl fmt::Display for ThreadPoolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ThreadPoolError::AlreadyStarted => write!(f, "the thread pool is already started"),
            ThreadPoolError::Stopped => {
                write!(f, "the thread pool was stopped; create a new pool instead")
            }
            ThreadPoolError::Spawn { name, source } => {
                write!(f, "could not spawn worker thread {name}: {source}")
            }
            ThreadPoolError::InvalidConfig(why) => write!(f, "invalid pool configuration: {why}"),
        }
    }
}

impl std::error::Error for ThreadPoolError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ThreadPoolError::Spawn { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// Why [`ThreadPool::put`](crate::ThreadPool::put) did not queue an item. The item comes
/// back, so the caller can still answer it (an HTTP server sends 503) instead of losing it.
pub enum PutError<T> {
    /// The bounded queue stayed full for the whole `accepted_queue_timeout`.
    Full(T),
    /// The pool is stopping or stopped.
    Stopped(T),
}

impl<T> PutError<T> {
    /// The item that was not queued.
    pub fn into_inner(self) -> T {
        match self {
            PutError::Full(item) | PutError::Stopped(item) => item,
        }
    }
}

// Written by hand so that `T` needs no `Debug`: a queued `HttpConnection` need not be printable.
impl<T> fmt::Debug for PutError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PutError::Full(_) => f.write_str("Full(..)"),
            PutError::Stopped(_) => f.write_str("Stopped(..)"),
        }
    }
}

impl<T> fmt::Display for PutError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PutError::Full(_) => write!(f, "the pool's queue stayed full; the item was not queued"),
            PutError::Stopped(_) => write!(f, "the pool is stopped; the item was not queued"),
        }
    }
}

impl<T> std::error::Error for PutError<T> {}
