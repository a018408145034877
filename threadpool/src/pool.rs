//! `ThreadPool`: the queue of waiting items and the workers that drain it.

use std::cell::Cell;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::{self, JoinHandle};

use crossbeam_channel::{Receiver, SendTimeoutError, Sender, TrySendError};

use crate::config::ThreadPoolConfig;
use crate::error::{PutError, ThreadPoolError};
use crate::source::Source;
use crate::worker::{Wake, WorkItem, WorkerCell, WorkerThread};

/// What the workers share with the pool. The counters are the pool's live figures.
pub(crate) struct Shared<T> {
    pub(crate) items: Receiver<T>,
    /// One message here ends one worker: how `shrink` and `stop` ask a thread to leave.
    pub(crate) control: Receiver<()>,
    /// Each worker sends its id here as the last thing it does.
    pub(crate) exited: Sender<usize>,
    pub(crate) stopping: AtomicBool,
    pub(crate) threads: AtomicUsize,
    pub(crate) idle: AtomicUsize,
    pub(crate) panics: AtomicU64,
    /// Items a worker received after `stop` began; `stop` returns them.
    pub(crate) handed_back: Mutex<Vec<T>>,
    /// Where idle workers wait besides the queue (see [`Source`]); `None`: the queue only.
    pub(crate) source: Option<Arc<dyn Source<T>>>,
}

impl<T: Send + 'static> Shared<T> {
    /// Tells a worker waiting on the source to look at its queue and exit messages.
    pub(crate) fn wake_one(&self) {
        if let Some(source) = &self.source {
            source.wake();
        }
    }

    pub(crate) fn lock_handed_back(&self) -> MutexGuard<'_, Vec<T>> {
        // A panic while holding this lock can only come from `Vec::push` running out of
        // memory; the vector is still consistent, so a poisoned lock is safe to reuse.
        self.handed_back.lock().unwrap_or_else(|e| e.into_inner())
    }
}

struct WorkerEntry {
    id: usize,
    name: String,
    cell: Arc<WorkerCell>,
    handle: Option<JoinHandle<()>>,
}

/// What [`ThreadPool::stop`] did with the work it found.
#[must_use = "handed-back items are the caller's to answer or drop"]
pub struct StopReport<T> {
    /// Items that were queued but not run: the caller decides their fate (an HTTP server
    /// closes those connections). Nothing queued is ever dropped silently by the pool.
    pub handed_back: Vec<T>,
    /// Workers still inside an item when the deadline passed. They were detached: they
    /// finish that item and exit on their own; `stop` did not wait for them.
    pub unfinished: Vec<String>,
}

/// What runs around each worker's whole life (see [`ThreadPool::around_workers`]): it is
/// handed the worker's loop and must call it once, on the thread it was called on.
pub type WorkerLife = Arc<dyn Fn(&mut (dyn FnMut() + Send)) + Send + Sync>;

/// A pool of [`WorkerThread`]s running [`WorkItem`]s from one queue.
///
/// All methods take `&self`, so the pool can be shared with `Arc` between the threads
/// that put items (an HTTP server's housekeeper, say) and a stop handle.
pub struct ThreadPool<T: WorkItem> {
    config: ThreadPoolConfig,
    shared: Arc<Shared<T>>,
    items_tx: Sender<T>,
    control_tx: Sender<()>,
    exited_rx: Receiver<usize>,
    /// `put` calls between their check of `stopping` and the end of their send. `stop`
    /// waits for this to reach zero, so no item can enter the queue after `stop` drained it.
    puts_in_flight: AtomicUsize,
    /// Exit messages sent by `shrink` and not yet taken by a worker.
    exits_pending: AtomicUsize,
    started: AtomicBool,
    next_id: AtomicUsize,
    workers: Mutex<Vec<WorkerEntry>>,
    /// Runs around each worker's loop; `None`: the loop alone.
    life: Option<WorkerLife>,
}

impl<T: WorkItem> ThreadPool<T> {
    /// A pool with no threads yet; [`start`](Self::start) spawns them. Items put before
    /// `start` wait in the queue.
    pub fn new(config: ThreadPoolConfig) -> Self {
        ThreadPool::build(config, None)
    }

    /// A pool whose idle workers wait on `source` as well as on the queue: a worker
    /// takes the next item the source hands out itself, so an item that becomes ready
    /// there reaches a worker with no thread in between. Items `put` in the queue are
    /// still run, ahead of the source's.
    pub fn with_source(config: ThreadPoolConfig, source: Arc<dyn Source<T>>) -> Self {
        ThreadPool::build(config, Some(source))
    }

    fn build(config: ThreadPoolConfig, source: Option<Arc<dyn Source<T>>>) -> Self {
        let (items_tx, items_rx) = match config.accepted_queue_size {
            Some(size) => crossbeam_channel::bounded(size),
            None => crossbeam_channel::unbounded(),
        };
        let (control_tx, control_rx) = crossbeam_channel::unbounded();
        let (exited_tx, exited_rx) = crossbeam_channel::unbounded();
        let shared = Arc::new(Shared {
            items: items_rx,
            control: control_rx,
            exited: exited_tx,
            stopping: AtomicBool::new(false),
            threads: AtomicUsize::new(0),
            idle: AtomicUsize::new(0),
            panics: AtomicU64::new(0),
            handed_back: Mutex::new(Vec::new()),
            source,
        });
        ThreadPool {
            config,
            shared,
            items_tx,
            control_tx,
            exited_rx,
            puts_in_flight: AtomicUsize::new(0),
            exits_pending: AtomicUsize::new(0),
            started: AtomicBool::new(false),
            next_id: AtomicUsize::new(0),
            workers: Mutex::new(Vec::new()),
            life: None,
        }
    }

    /// Runs `life` on each worker thread around the worker's whole loop, from before its
    /// first item to after its last: for per-thread state that must outlive one item (an
    /// embedded interpreter's thread state, which holds the thread's `threading.local`s).
    /// `life` must call the loop it is handed exactly once; a worker whose `life` returns
    /// without calling it exits at once.
    pub fn around_workers(mut self, life: WorkerLife) -> Self {
        self.life = Some(life);
        self
    }

    /// The configuration the pool was built with.
    pub fn config(&self) -> &ThreadPoolConfig {
        &self.config
    }

    /// Spawns `min` workers (cheroot: `for i in range(min): threads.append(WorkerThread(server))`).
    ///
    /// # Errors
    /// [`ThreadPoolError::AlreadyStarted`] or [`ThreadPoolError::Stopped`] when called twice
    /// or after `stop`; [`ThreadPoolError::InvalidConfig`] when `min > max`;
    /// [`ThreadPoolError::Spawn`] when the OS refuses a thread (those already spawned keep running).
    // ANCHOR: start
    pub fn start(&self) -> Result<(), ThreadPoolError> {
        if let Some(max) = self.config.max {
            if self.config.min > max {
                let why = format!("min ({}) is greater than max ({max})", self.config.min);
                return Err(ThreadPoolError::InvalidConfig(why));
            }
        }
        if self.shared.stopping.load(Ordering::SeqCst) {
            return Err(ThreadPoolError::Stopped);
        }
        if self.started.swap(true, Ordering::SeqCst) {
            return Err(ThreadPoolError::AlreadyStarted);
        }
        for _ in 0..self.config.min {
            self.spawn_worker()?;
        }
        Ok(())
    }
    // ANCHOR_END: start

    fn spawn_worker(&self) -> Result<(), ThreadPoolError> {
        let id = self.next_id.fetch_add(1, Ordering::SeqCst);
        let name = format!("{}-{id}", self.config.name);
        let cell = Arc::new(WorkerCell::new());
        cell.alive.store(true, Ordering::SeqCst);
        let worker = WorkerThread {
            id,
            name: name.clone(),
            shared: Arc::clone(&self.shared),
            cell: Arc::clone(&cell),
            wake: Cell::new(Wake::begins()),
        };
        // Counted before the spawn so that `threads()` never reads lower than the workers
        // that exist; undone if the spawn fails.
        self.shared.threads.fetch_add(1, Ordering::SeqCst);
        let life = self.life.clone();
        let spawned = thread::Builder::new()
            .name(name.clone())
            .spawn(move || match life {
                Some(life) => {
                    let mut worker = Some(worker);
                    life(&mut || {
                        if let Some(worker) = worker.take() {
                            worker.run();
                        }
                    });
                }
                None => worker.run(),
            });
        match spawned {
            Ok(handle) => {
                let entry = WorkerEntry {
                    id,
                    name,
                    cell,
                    handle: Some(handle),
                };
                self.lock_workers().push(entry);
                Ok(())
            }
            Err(source) => {
                self.shared.threads.fetch_sub(1, Ordering::SeqCst);
                Err(ThreadPoolError::Spawn { name, source })
            }
        }
    }

    // ANCHOR: put
    /// Queues an item for the next free worker. Callable from any thread.
    ///
    /// # Errors
    /// The item comes back inside the error: [`PutError::Stopped`] once `stop` has begun;
    /// [`PutError::Full`] when a bounded queue stayed full for `accepted_queue_timeout`.
    pub fn put(&self, item: T) -> Result<(), PutError<T>> {
        self.announced_put(item, |tx, item| match self.config.accepted_queue_size {
            Some(_) => tx
                .send_timeout(item, self.config.accepted_queue_timeout)
                .map_err(|e| match e {
                    SendTimeoutError::Timeout(item) => PutError::Full(item),
                    SendTimeoutError::Disconnected(item) => PutError::Stopped(item),
                }),
            None => tx.send(item).map_err(|e| PutError::Stopped(e.into_inner())),
        })
    }
    // ANCHOR_END: put

    /// Queues an item only if there is room now: on a full bounded queue it hands the
    /// item back at once instead of waiting. For a caller that must not block, such as
    /// `httpserver`'s housekeeper, which accepts and flushes for every connection.
    ///
    /// # Errors
    /// As [`put`](Self::put), with [`PutError::Full`] as soon as the queue is full.
    pub fn try_put(&self, item: T) -> Result<(), PutError<T>> {
        self.announced_put(item, |tx, item| {
            tx.try_send(item).map_err(|e| match e {
                TrySendError::Full(item) => PutError::Full(item),
                TrySendError::Disconnected(item) => PutError::Stopped(item),
            })
        })
    }

    // ANCHOR: announced_put
    fn announced_put(
        &self,
        item: T,
        send: impl FnOnce(&Sender<T>, T) -> Result<(), PutError<T>>,
    ) -> Result<(), PutError<T>> {
        let _span = tracing::debug_span!("ThreadPool.put", queue_len = self.queue_len()).entered();
        // Announce the put before checking `stopping`; `stop` sets `stopping` before it
        // reads this counter. With SeqCst on both sides, either this put sees the flag or
        // `stop` sees the put and waits for it: an item cannot slip in behind `stop`.
        self.puts_in_flight.fetch_add(1, Ordering::SeqCst);
        let result = if self.shared.stopping.load(Ordering::SeqCst) {
            Err(PutError::Stopped(item))
        } else {
            send(&self.items_tx, item)
        };
        if result.is_ok() {
            self.shared.wake_one();
        }
        self.puts_in_flight.fetch_sub(1, Ordering::SeqCst);
        result
    }
    // ANCHOR_END: announced_put

    /// Starts up to `n` more workers, never more than `max` in all. Returns how many started.
    pub fn grow(&self, n: usize) -> usize {
        if self.shared.stopping.load(Ordering::SeqCst) || !self.started.load(Ordering::SeqCst) {
            return 0;
        }
        let live = self.live_target();
        let room = match self.config.max {
            Some(max) => max.saturating_sub(live),
            None => n,
        };
        let mut started = 0;
        while started < n.min(room) && self.spawn_worker().is_ok() {
            started += 1;
        }
        started
    }

    /// Asks up to `n` workers to exit, never leaving fewer than `min`. Idle workers leave at
    /// once; a busy one leaves when its item is done. Returns how many were asked.
    pub fn shrink(&self, n: usize) -> usize {
        if self.shared.stopping.load(Ordering::SeqCst) {
            return 0;
        }
        let asked = n.min(self.live_target().saturating_sub(self.config.min));
        for _ in 0..asked {
            self.exits_pending.fetch_add(1, Ordering::SeqCst);
            // The receiver lives in `self.shared`, so the channel is open.
            let _ = self.control_tx.send(());
            self.shared.wake_one();
        }
        self.reap_exited();
        asked
    }

    /// Workers alive once the pending exit requests are taken.
    fn live_target(&self) -> usize {
        self.reap_exited();
        self.threads()
            .saturating_sub(self.exits_pending.load(Ordering::SeqCst))
    }

    /// Joins workers that have exited (after `shrink`), so their handles don't pile up.
    fn reap_exited(&self) {
        let mut workers = self.lock_workers();
        while let Ok(id) = self.exited_rx.try_recv() {
            let _ = self
                .exits_pending
                .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1));
            if let Some(handle) = workers
                .iter_mut()
                .find(|w| w.id == id)
                .and_then(|w| w.handle.take())
            {
                // The thread has sent its last message; the join returns at once. Its
                // panics were caught inside, so `join` cannot report one.
                let _ = handle.join();
            }
        }
    }

    fn lock_workers(&self) -> MutexGuard<'_, Vec<WorkerEntry>> {
        // Only pushes and handle takes happen under this lock; neither leaves it half-done.
        self.workers.lock().unwrap_or_else(|e| e.into_inner())
    }
}

mod figures;
mod stop;
