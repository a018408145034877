//! The server's open connections, so that `stop` can cut the ones it cannot wait for.

use std::collections::HashMap;
use std::net::{Shutdown, TcpStream};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

/// Every accepted connection still open, by id: registered when it is set up, removed
/// when it is dropped (closed).
///
/// A worker blocked on a stalled client (a body that stopped arriving, a response the
/// client does not read) only wakes at its timeout, which may be longer than
/// `shutdown_timeout`; `stop` shuts such sockets down so the blocked call fails at once
/// and the worker exits, as cheroot's `ThreadPool.stop` does with `shutdown(SHUT_RD)`.
#[derive(Default)]
pub(crate) struct Live {
    next_id: AtomicU64,
    streams: Mutex<HashMap<u64, Arc<TcpStream>>>,
}

impl Live {
    fn lock(&self) -> MutexGuard<'_, HashMap<u64, Arc<TcpStream>>> {
        // Every operation is one insert, remove or iteration: a panic elsewhere while the
        // lock was held cannot leave the map half-changed, so a poisoned lock is usable.
        self.streams
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Registers `stream`; the id is for [`remove`](Self::remove).
    pub(crate) fn add(&self, stream: &Arc<TcpStream>) -> u64 {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        self.lock().insert(id, Arc::clone(stream));
        id
    }

    /// Forgets the connection `id` (it is closing).
    pub(crate) fn remove(&self, id: u64) {
        self.lock().remove(&id);
    }

    /// Shuts down both directions of every open connection: blocked reads return EOF,
    /// blocked writes fail. Returns how many there were.
    pub(crate) fn shutdown_all(&self) -> usize {
        let streams: Vec<Arc<TcpStream>> = self.lock().values().cloned().collect();
        for stream in &streams {
            let _ = stream.shutdown(Shutdown::Both);
        }
        streams.len()
    }
}
