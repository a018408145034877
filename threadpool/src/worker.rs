//! `WorkerThread`: one named thread that takes an item off the queue, runs it, repeats.

use std::any::Any;
use std::cell::Cell;
use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crossbeam_channel::select;

use crate::pool::Shared;
use crate::source::Source;

/// Something a [`WorkerThread`] can run. The HTTP layer's `HttpConnection` is one (its
/// `run` is `communicate`); any `FnOnce() + Send` closure is one too.
pub trait WorkItem: Send + 'static {
    /// Do the work. A panic here is caught by the worker, counted and reported, and the
    /// worker goes on with the next item.
    fn run(self);
}

impl<F: FnOnce() + Send + 'static> WorkItem for F {
    fn run(self) {
        self()
    }
}

/// A snapshot of one worker's figures, from [`ThreadPool::worker_stats`](crate::ThreadPool::worker_stats).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorkerStats {
    /// The thread's name, e.g. `worker-3`.
    pub name: String,
    /// Items this worker has finished (a panicking item counts as finished).
    pub items: u64,
    /// Total time spent inside items, not counting an item still running.
    pub busy: Duration,
    /// Whether the worker is inside an item right now.
    pub busy_now: bool,
    /// Whether the thread is still running (false once it left after `shrink` or `stop`).
    pub alive: bool,
}

/// The per-worker counters, shared between the thread and the pool that reports them.
#[derive(Debug, Default)]
pub(crate) struct WorkerCell {
    pub(crate) items: AtomicU64,
    pub(crate) busy_nanos: AtomicU64,
    pub(crate) busy_now: AtomicBool,
    pub(crate) alive: AtomicBool,
}

impl WorkerCell {
    pub(crate) fn snapshot(&self, name: &str) -> WorkerStats {
        WorkerStats {
            name: name.to_string(),
            items: self.items.load(Ordering::Relaxed),
            busy: Duration::from_nanos(self.busy_nanos.load(Ordering::Relaxed)),
            busy_now: self.busy_now.load(Ordering::Relaxed),
            alive: self.alive.load(Ordering::Relaxed),
        }
    }
}

/// One thread of a [`ThreadPool`](crate::ThreadPool). The pool creates them; a user only
/// meets them by name (in [`WorkerStats`], in panic reports, in a debugger's thread list).
///
/// cheroot's `WorkerThread.run` is `while True: conn = server.requests.get(); conn.communicate()`.
/// This one is the same loop with two additions: it also listens for an exit message (so
/// `shrink` and `stop` can end it without a sentinel item in the queue), and it catches a
/// panic in an item instead of dying with it.
pub struct WorkerThread<T> {
    pub(crate) id: usize,
    pub(crate) name: String,
    pub(crate) shared: Arc<Shared<T>>,
    pub(crate) cell: Arc<WorkerCell>,
    /// The wait for the next item, for the trace's `WorkerThread` span.
    pub(crate) wake: Cell<Wake>,
}

/// A worker's wait for its next item: when it began (measured only while the trace is
/// on, so a worker with tracing off reads no clock for it) and what ended it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Wake {
    since: Option<Instant>,
    by: &'static str,
}

impl Wake {
    /// A wait that begins now; the queue ends it, unless the [`Source`] does.
    pub(crate) fn begins() -> Wake {
        // One check of the callsite when the trace is off (`RUST_LOG` below `debug`).
        let since = tracing::enabled!(tracing::Level::DEBUG).then(Instant::now);
        Wake {
            since,
            by: "the queue",
        }
    }
}

impl<T: WorkItem> WorkerThread<T> {
    /// The thread's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The worker's life: take an item, run it, repeat, until told to exit.
    // ANCHOR: worker_loop
    pub fn run(self) {
        let shared = &self.shared;
        while let Some(item) = self.next_item() {
            if shared.stopping.load(Ordering::SeqCst) {
                // `stop` has begun: items still queued go back to the caller of `stop`
                // rather than being run after the deadline the caller was promised.
                shared.lock_handed_back().push(item);
                continue;
            }
            self.run_one(item);
        }
        self.cell.alive.store(false, Ordering::SeqCst);
        shared.threads.fetch_sub(1, Ordering::SeqCst);
        // The pool may already be gone (a detached, unfinished worker); nobody to tell then.
        let _ = shared.exited.send(self.id);
    }

    /// The next item, or `None` when the worker is asked to exit.
    fn next_item(&self) -> Option<T> {
        let shared = &self.shared;
        // Fast path while items keep coming: two non-blocking looks (a blocking `select!`
        // per item made `dispatch/pool/w4/empty` 1.6x slower: 195 ns an item against 124),
        // the exit message first, so `shrink` works even when the queue never empties.
        if shared.control.try_recv().is_ok() {
            return None;
        }
        if let Ok(item) = shared.items.try_recv() {
            return Some(item);
        }
        if let Some(source) = &shared.source {
            return self.wait_on_source(source.as_ref());
        }
        shared.idle.fetch_add(1, Ordering::SeqCst);
        let item = select! {
            recv(shared.items) -> msg => msg.ok(),
            recv(shared.control) -> _ => None,
        };
        shared.idle.fetch_sub(1, Ordering::SeqCst);
        item
    }
    // ANCHOR_END: worker_loop

    // ANCHOR: wait_on_source
    /// The next item from the source, or from the queue when the source is woken for it;
    /// `None` when the worker is asked to exit. The pool wakes the source once per queued
    /// item and per exit message, so looking at both channels after each wake-up is
    /// enough: nothing queued waits for a worker that sleeps on the source.
    fn wait_on_source(&self, source: &dyn Source<T>) -> Option<T> {
        let shared = &self.shared;
        loop {
            shared.idle.fetch_add(1, Ordering::SeqCst);
            let ready = source.wait(None);
            shared.idle.fetch_sub(1, Ordering::SeqCst);
            if ready.is_some() {
                self.wake.set(Wake {
                    by: "its Source",
                    ..self.wake.get()
                });
                return ready;
            }
            if shared.control.try_recv().is_ok() {
                return None;
            }
            if let Ok(item) = shared.items.try_recv() {
                return Some(item);
            }
        }
    }
    // ANCHOR_END: wait_on_source

    // ANCHOR: run_one
    fn run_one(&self, item: T) {
        let wake = self.wake.get();
        let waited = wake.since.map_or(Duration::ZERO, |t| t.elapsed());
        let span = tracing::debug_span!("WorkerThread", worker = %self.name,
            waited = ?waited, woken_by = wake.by);
        let _in_span = span.enter();
        let started = Instant::now();
        self.cell.busy_now.store(true, Ordering::Relaxed);
        // The panic boundary. `AssertUnwindSafe` is sound here because the item is moved
        // into the closure and dropped by the unwinding: nothing it touched is used again
        // by this thread. Without this, one bad request would kill a worker for good and
        // the pool would shrink under load (the Rust Book's pool; cheroot before PR 649).
        let outcome = panic::catch_unwind(AssertUnwindSafe(move || item.run()));
        let busy = u64::try_from(started.elapsed().as_nanos()).unwrap_or(u64::MAX);
        self.cell.busy_nanos.fetch_add(busy, Ordering::Relaxed);
        self.cell.busy_now.store(false, Ordering::Relaxed);
        self.cell.items.fetch_add(1, Ordering::Relaxed);
        self.shared.items_done.fetch_add(1, Ordering::SeqCst);
        if let Err(payload) = outcome {
            self.shared.panics.fetch_add(1, Ordering::SeqCst);
            tracing::error!(
                worker = %self.name,
                panic = panic_message(&*payload),
                "threadpool: a work item panicked; the worker goes on"
            );
        }
        self.wake.set(Wake::begins());
    }
    // ANCHOR_END: run_one
}

/// The text of a panic payload: `panic!("...")` carries a `&str` or a `String`.
fn panic_message(payload: &(dyn Any + Send)) -> &str {
    if let Some(s) = payload.downcast_ref::<&str>() {
        s
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s
    } else {
        "a non-string panic payload"
    }
}
