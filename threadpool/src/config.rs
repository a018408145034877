//! `ThreadPoolConfig`: the pool's knobs, with cheroot's defaults.

use std::time::Duration;

/// How many threads a [`ThreadPool`](crate::ThreadPool) runs and how its queue behaves.
///
/// The defaults are cheroot's: 10 threads at least (`numthreads`), no upper bound
/// (`max=-1`), an unbounded queue (`accepted_queue_size=-1`) and a 10 second wait on a
/// full queue (`accepted_queue_timeout`). The design notes speak of "5": that number is
/// the listen backlog CherryPy passed to `listen()`, not the thread count.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ThreadPoolConfig {
    /// Threads started by `start()`; `shrink()` never goes below it.
    pub min: usize,
    /// The most threads `grow()` may reach; `None` means no bound.
    pub max: Option<usize>,
    /// Capacity of the queue of waiting items; `None` means unbounded. `Some(0)` is a
    /// hand-off: `put` waits until a worker is free to take the item.
    pub accepted_queue_size: Option<usize>,
    /// How long `put` waits for room in a full bounded queue before it hands the item
    /// back in `PutError::Full`.
    pub accepted_queue_timeout: Duration,
    /// Prefix of the worker threads' names: `"worker"` gives `worker-0`, `worker-1`, …
    pub name: String,
}

impl Default for ThreadPoolConfig {
    fn default() -> Self {
        ThreadPoolConfig {
            min: 10,
            max: None,
            accepted_queue_size: None,
            accepted_queue_timeout: Duration::from_secs(10),
            name: "worker".to_string(),
        }
    }
}
