//! `Source`: where a worker waits for work besides the pool's queue.
//!
//! The notes' worker loop is `conn = server.requests.get(); conn.communicate()`, and
//! `requests` is a queue that another thread fills. A server that watches many
//! connections for readiness can do better: let each idle worker wait on the readiness
//! set itself, and take the next ready item with no thread in between (the
//! Leader/Followers pattern). A [`Source`] is that readiness set, as the pool sees it:
//! something a worker can block on that hands out items. The pool knows nothing else
//! about it; `httpserver`'s poller is one.

use std::time::Duration;

// ANCHOR: source
/// A place idle workers wait on for their next item, besides the pool's own queue.
///
/// A worker with an empty queue calls [`wait`](Self::wait); the pool calls
/// [`wake`](Self::wake) once for every item it queues and every exit message it sends,
/// so a worker blocked in `wait` comes back to look at its queue. `wake` must not be
/// lost when no worker waits yet: the next `wait` must then return at once (a counting
/// doorbell, such as an `eventfd` in semaphore mode, does both).
pub trait Source<T>: Send + Sync + 'static {
    /// Blocks until an item is ready and returns it, or returns `None` after a
    /// [`wake`](Self::wake) (or spuriously, or after `timeout`): the worker then looks
    /// at its exit messages and its queue, and waits again.
    fn wait(&self, timeout: Option<Duration>) -> Option<T>;

    /// Makes one current or future [`wait`](Self::wait) return `None`.
    fn wake(&self);
}
// ANCHOR_END: source
