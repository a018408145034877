//! `WorkerThread`: one named thread that takes an item off the queue, runs it, repeats.

use std::any::Any;
use std::cell::Cell;
use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{fence, AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crossbeam_channel::select;

use crate::pool::Shared;
use crate::source::Source;

/// How many times a worker looks at an empty queue before it blocks: the first
/// `SPIN_STEPS` after a spin of 1, 2, 4... iterations, the rest after a yield (the
/// schedule of crossbeam's `Backoff`, which a bare channel's `recv` follows).
const PATIENCE: u32 = 11;
const SPIN_STEPS: u32 = 7;

/// While items come back to back, a worker adds its open run to its busy total once
/// every this many items (and whenever it blocks).
const BUSY_EVERY: u64 = 64;

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
    /// Total time spent inside items. Items that come back to back are timed together,
    /// from the first one's start: the moments between them (taking the next off the
    /// queue, looking at an empty one before blocking) count as busy, and so does an
    /// item still running.
    pub busy: Duration,
    /// Whether the worker is inside an item right now.
    pub busy_now: bool,
    /// Whether the thread is still running (false once it left after `shrink` or `stop`).
    pub alive: bool,
}

/// The per-worker counters, shared between the thread and the pool that reports them.
///
/// The worker is their only writer. Its busy time is a total plus the start of the run
/// of items not added to it yet (items that come back to back are timed together, so a
/// stream of short items costs no clock read each); the two change together under a
/// sequence number, so a reader never sees one without the other.
#[derive(Debug)]
pub(crate) struct WorkerCell {
    pub(crate) items: AtomicU64,
    pub(crate) busy_now: AtomicBool,
    pub(crate) alive: AtomicBool,
    /// What `since` counts from.
    epoch: Instant,
    /// Odd while the worker changes `busy_nanos` and `since`.
    sequence: AtomicU64,
    busy_nanos: AtomicU64,
    /// Nanoseconds after `epoch` since which busy time is not counted yet; `NOT_BUSY` if
    /// none is.
    since: AtomicU64,
}

const NOT_BUSY: u64 = u64::MAX;

impl WorkerCell {
    pub(crate) fn new() -> WorkerCell {
        WorkerCell {
            items: AtomicU64::new(0),
            busy_now: AtomicBool::new(false),
            alive: AtomicBool::new(false),
            epoch: Instant::now(),
            sequence: AtomicU64::new(0),
            busy_nanos: AtomicU64::new(0),
            since: AtomicU64::new(NOT_BUSY),
        }
    }

    pub(crate) fn snapshot(&self, name: &str) -> WorkerStats {
        let (busy, since) = self.read_busy();
        let open = match since {
            NOT_BUSY => 0,
            since => self.now().saturating_sub(since),
        };
        WorkerStats {
            name: name.to_string(),
            items: self.items.load(Ordering::Acquire),
            busy: Duration::from_nanos(busy.saturating_add(open)),
            busy_now: self.busy_now.load(Ordering::Relaxed),
            alive: self.alive.load(Ordering::Relaxed),
        }
    }

    fn now(&self) -> u64 {
        u64::try_from(self.epoch.elapsed().as_nanos()).unwrap_or(u64::MAX - 1)
    }

    /// The busy total and the open run's start, as the worker last wrote them together.
    fn read_busy(&self) -> (u64, u64) {
        loop {
            let before = self.sequence.load(Ordering::Acquire);
            let busy = self.busy_nanos.load(Ordering::Relaxed);
            let since = self.since.load(Ordering::Relaxed);
            fence(Ordering::Acquire);
            if before.is_multiple_of(2) && self.sequence.load(Ordering::Relaxed) == before {
                return (busy, since);
            }
            std::hint::spin_loop();
        }
    }

    /// The worker's write of both (it is their only writer).
    fn write_busy(&self, busy: u64, since: u64) {
        let sequence = self.sequence.load(Ordering::Relaxed);
        self.sequence.store(sequence + 1, Ordering::Relaxed);
        fence(Ordering::Release);
        self.busy_nanos.store(busy, Ordering::Relaxed);
        self.since.store(since, Ordering::Relaxed);
        self.sequence.store(sequence + 2, Ordering::Release);
    }

    /// An item starts: a run of items starts now unless one is open.
    fn item_starts(&self) {
        if self.since.load(Ordering::Relaxed) == NOT_BUSY {
            self.write_busy(self.busy_nanos.load(Ordering::Relaxed), self.now());
        }
    }

    /// Adds the open run to the total; a new run starts now if `go_on` (not when the
    /// worker is about to block: its run of items, and its looks at the queue, end).
    fn count_busy_time(&self, go_on: bool) {
        let since = self.since.load(Ordering::Relaxed);
        if since == NOT_BUSY {
            return;
        }
        let now = self.now();
        let busy = self.busy_nanos.load(Ordering::Relaxed);
        let total = busy.saturating_add(now.saturating_sub(since));
        self.write_busy(total, if go_on { now } else { NOT_BUSY });
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
        // Non-blocking looks first, the exit message before the queue (see [`patience`]).
        let looks = if shared.source.is_some() { 1 } else { PATIENCE };
        for step in 0..looks {
            match self.look() {
                Some(next) => return next,
                None => patience(step),
            }
        }
        self.cell.count_busy_time(false);
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

    /// One non-blocking look: `Some(None)` for an exit message, `Some(Some(item))` for an
    /// item, `None` when both channels are empty.
    fn look(&self) -> Option<Option<T>> {
        if self.shared.control.try_recv().is_ok() {
            return Some(None);
        }
        self.shared.items.try_recv().ok().map(Some)
    }

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
        self.cell.item_starts();
        self.cell.busy_now.store(true, Ordering::Relaxed);
        // The panic boundary. `AssertUnwindSafe` is sound here because the item is moved
        // into the closure and dropped by the unwinding: nothing it touched is used again
        // by this thread. Without this, one bad request would kill a worker for good and
        // the pool would shrink under load (the Rust Book's pool; cheroot before PR 649).
        let outcome = panic::catch_unwind(AssertUnwindSafe(move || item.run()));
        // This worker is the only writer of its cell: loads and stores, no locked
        // read-modify-write; the pool only reads.
        let cell = &self.cell;
        let items = cell.items.load(Ordering::Relaxed) + 1;
        if items.is_multiple_of(BUSY_EVERY) {
            cell.count_busy_time(true);
        }
        cell.busy_now.store(false, Ordering::Relaxed);
        cell.items.store(items, Ordering::Release);
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

/// Between two looks at an empty queue: spin, then yield.
///
/// While items keep coming a worker takes them with non-blocking looks (a blocking
/// `select!` per item made `dispatch/pool/w4/empty` 1.6x slower: 195 ns an item against
/// 124), the exit message first, so `shrink` works even when the queue never empties. A worker of a pool without a
/// source looks a few times before it blocks, as a bare channel's `recv` does: its
/// `select!` registers with and leaves both channels' wakers under their locks, which
/// the putting thread takes too (a burst of puts on a busy machine took 900 µs per 1,000
/// items, against 85 µs for a bare channel). A pool with a source blocks at once: its
/// workers wait on the source, and a spinning one would take the core from the others.
fn patience(step: u32) {
    if step < SPIN_STEPS {
        (0..1u32 << step).for_each(|_| std::hint::spin_loop());
    } else {
        std::thread::yield_now();
    }
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
