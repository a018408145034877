//! The bottom layer: a pool of `WorkerThread`s that run work items from a queue.
//!
//! Every request starts here without knowing it. `httpserver`'s `HttpServer::tick`
//! accepts a TCP connection, wraps it in an `HttpConnection` and registers it with its
//! poller, which is the pool's [`Source`]: the idle [`WorkerThread`] the kernel wakes
//! when the request's bytes arrive takes it and calls its [`WorkItem::run`], which is
//! where `HttpConnection::communicate` parses the request and answers it. (The notes'
//! server `put` each connection in the queue; [`ThreadPool::put`] still works that way.) This crate
//! knows nothing of HTTP: to it a connection is just a [`WorkItem`]. It mirrors the
//! design notes' headings "ThreadPool" and "WorkerThread" and the paragraph "The WSGI
//! server in one paragraph"; the book walks it in the chapters "ThreadPool" and
//! "WorkerThread".
//!
//! # From the top
//!
//! - [`ThreadPool`] owns the queue (a `crossbeam-channel`) and the workers: [`start`],
//!   [`put`], [`grow`], [`shrink`], [`stop`], and live figures ([`threads`],
//!   [`idle`], [`queue_len`], [`items_done`], [`panics`], [`worker_stats`]).
//! - [`WorkerThread`] is one named thread: take an item, run it, repeat. A panic in an
//!   item is caught at this boundary, counted, and the worker goes on.
//! - [`Source`]: what an idle worker waits on besides the queue. By default nothing: a
//!   worker blocks on the queue. `httpserver` gives its poller, so a worker takes the
//!   next ready connection itself, with no dispatching thread in between
//!   ([`ThreadPool::with_source`]).
//! - [`ThreadPoolConfig`] holds cheroot's knobs: `min` / `max` threads and the bounded
//!   accept queue (`accepted_queue_size`, `accepted_queue_timeout`).
//!
//! [`start`]: ThreadPool::start
//! [`put`]: ThreadPool::put
//! [`grow`]: ThreadPool::grow
//! [`shrink`]: ThreadPool::shrink
//! [`stop`]: ThreadPool::stop
//! [`threads`]: ThreadPool::threads
//! [`idle`]: ThreadPool::idle
//! [`queue_len`]: ThreadPool::queue_len
//! [`items_done`]: ThreadPool::items_done
//! [`panics`]: ThreadPool::panics
//! [`worker_stats`]: ThreadPool::worker_stats
//!
//! # Example
//!
//! ```
//! use std::sync::atomic::{AtomicUsize, Ordering};
//! use std::sync::Arc;
//! use std::time::Duration;
//! use threadpool::{ThreadPool, ThreadPoolConfig};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let pool = ThreadPool::new(ThreadPoolConfig { min: 2, ..ThreadPoolConfig::default() });
//! pool.start()?;
//! let done = Arc::new(AtomicUsize::new(0));
//! for _ in 0..4 {
//!     let done = Arc::clone(&done);
//!     pool.put(move || {
//!         done.fetch_add(1, Ordering::SeqCst);
//!     })
//!     .map_err(|e| e.to_string())?;
//! }
//! while pool.items_done() < 4 {
//!     std::thread::sleep(Duration::from_millis(1));
//! }
//! let report = pool.stop(Duration::from_secs(5));
//! assert!(report.handed_back.is_empty() && report.unfinished.is_empty());
//! assert_eq!(done.load(Ordering::SeqCst), 4);
//! # Ok(())
//! # }
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod config;
mod error;
mod pool;
mod source;
mod worker;

pub use config::ThreadPoolConfig;
pub use error::{PutError, ThreadPoolError};
pub use pool::{StopReport, ThreadPool, WorkerLife};
pub use source::Source;
pub use worker::{WorkItem, WorkerStats, WorkerThread};
