//! The parking lot: idle connections wait here for their next request, off the pool.
//!
//! The notes' design keeps a kept-alive connection on its worker until it closes, so N
//! idle clients starve the N+1st. Here a connection with no complete request is
//! registered with a readiness poller (`polling`: epoll, kqueue, IOCP) and its worker
//! goes back to the queue. One thread waits on the poller and `put`s each connection
//! that became readable back into the pool; it also closes connections whose idle or
//! header deadline passed.

use std::collections::{HashMap, VecDeque};
use std::io;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use polling::{Event, Events, Poller};
use threadpool::PutError;

use crate::connection::HttpConnection;
use crate::server::Shared;

/// How often expired connections are looked for, at most: deadlines are seconds long, so
/// a tenth of a second late is fine, and the sweep stays cheap under load.
const SWEEP_EVERY: Duration = Duration::from_millis(100);

struct Slot {
    conn: HttpConnection,
    deadline: Instant,
}

#[derive(Default)]
struct Lot {
    next_key: usize,
    slots: HashMap<usize, Slot>,
}

/// The poller and the connections registered with it.
pub(crate) struct Parker {
    /// Declared before `lot` on purpose: fields drop in declaration order, so a `Parker`
    /// dropped with connections still parked closes the poller before their sockets, and
    /// the rule `park` promises (no socket closed while registered) holds then too.
    poller: Poller,
    lot: Mutex<Lot>,
    /// `lot.slots.len()`, readable without the lock by every response's keep-alive check.
    count: AtomicUsize,
}

impl Parker {
    pub(crate) fn new() -> io::Result<Self> {
        Ok(Parker {
            poller: Poller::new()?,
            lot: Mutex::new(Lot::default()),
            count: AtomicUsize::new(0),
        })
    }

    /// How many connections are parked now.
    pub(crate) fn len(&self) -> usize {
        self.count.load(Ordering::Relaxed)
    }

    fn lock(&self) -> MutexGuard<'_, Lot> {
        // A panic while holding this lock leaves the map consistent (every operation is a
        // single insert or remove), so a poisoned lock is still usable.
        self.lot
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    // ANCHOR: park
    /// Parks `conn` until its socket is readable or `deadline` passes. If the poller
    /// refuses it, the connection is dropped (closed): it could not be watched.
    #[allow(unsafe_code)]
    pub(crate) fn park(&self, conn: HttpConnection, deadline: Instant) {
        let mut lot = self.lock();
        let key = lot.next_key;
        // usize::MAX is the poller's own key (its `notify`).
        lot.next_key = (key + 1) % (usize::MAX - 1);
        // SAFETY: `polling` requires a registered socket to be deleted from the poller
        // before it is closed. The socket is owned by `conn`, which from here lives in
        // `lot.slots` under `key`; every path that takes a connection out of the map
        // (`take_ready`, `sweep`, `close_all`) deletes it from the poller first, and the
        // map is only touched with the lock held, as here.
        let added = unsafe { self.poller.add(conn.socket(), Event::readable(key)) };
        if let Err(err) = added {
            eprintln!("httpserver: could not park a connection: {err}");
            return;
        }
        lot.slots.insert(key, Slot { conn, deadline });
        self.count.store(lot.slots.len(), Ordering::Relaxed);
    }
    // ANCHOR_END: park

    /// Takes the connections whose keys are in `events` out of the lot.
    fn take_ready(&self, events: &Events) -> Vec<HttpConnection> {
        let mut lot = self.lock();
        let mut ready = Vec::new();
        for event in events.iter() {
            if let Some(mut slot) = lot.slots.remove(&event.key) {
                let _ = self.poller.delete(slot.conn.socket());
                slot.conn.mark_readable();
                ready.push(slot.conn);
            }
        }
        self.count.store(lot.slots.len(), Ordering::Relaxed);
        ready
    }

    /// Takes the connections whose deadline passed out of the lot.
    fn sweep(&self, now: Instant) -> Vec<HttpConnection> {
        let mut lot = self.lock();
        let expired: Vec<usize> = lot
            .slots
            .iter()
            .filter(|(_, slot)| slot.deadline <= now)
            .map(|(&key, _)| key)
            .collect();
        let mut taken = Vec::with_capacity(expired.len());
        for key in expired {
            if let Some(slot) = lot.slots.remove(&key) {
                let _ = self.poller.delete(slot.conn.socket());
                taken.push(slot.conn);
            }
        }
        self.count.store(lot.slots.len(), Ordering::Relaxed);
        taken
    }

    /// Takes every parked connection out (the server is stopping); they close on drop.
    pub(crate) fn close_all(&self) -> usize {
        let mut lot = self.lock();
        let slots: Vec<Slot> = lot.slots.drain().map(|(_, slot)| slot).collect();
        for slot in &slots {
            let _ = self.poller.delete(slot.conn.socket());
        }
        self.count.store(0, Ordering::Relaxed);
        slots.len()
    }

    /// Wakes the parking thread (to notice that the server stops).
    pub(crate) fn wake(&self) {
        let _ = self.poller.notify();
    }
}

// ANCHOR: parking_loop
/// The parking thread: wait for readiness, put ready connections back in the pool, close
/// expired ones; until the server stops.
pub(crate) fn parking_loop(shared: Arc<Shared>) {
    let parker = &shared.parker;
    let mut events = Events::new();
    let mut waiting = Waiting::default();
    let mut next_sweep = Instant::now() + SWEEP_EVERY;
    while !shared.is_stopping() {
        events.clear();
        let mut timeout = next_sweep.saturating_duration_since(Instant::now());
        if !waiting.is_empty() {
            timeout = timeout.min(RETRY_EVERY);
        }
        if let Err(err) = parker.poller.wait(&mut events, Some(timeout)) {
            if err.kind() != io::ErrorKind::Interrupted {
                eprintln!("httpserver: poller failed: {err}");
                std::thread::sleep(SWEEP_EVERY);
            }
        }
        let now = Instant::now();
        let room_deadline = now + shared.config.accepted_queue_timeout;
        for conn in parker.take_ready(&events) {
            waiting.push(conn, room_deadline);
        }
        waiting.hand_over(&shared, now);
        if now >= next_sweep {
            for conn in parker.sweep(now) {
                // The 408 and the graceful close that follows may wait on the client:
                // a worker does them, never this thread.
                if conn.has_partial_head() {
                    // A full queue: close without the 408 rather than stall this thread.
                    let _ = shared.pool.try_put(conn);
                }
            }
            next_sweep = now + SWEEP_EVERY;
        }
    }
}
// ANCHOR_END: parking_loop

/// How often the parking thread retries connections waiting for room in a full queue.
const RETRY_EVERY: Duration = Duration::from_millis(1);

/// Connections whose next request has arrived, waiting for room in a bounded queue.
///
/// This one thread watches every parked connection, so it must never block on a full
/// queue as `ThreadPool::put` would (for up to `accepted_queue_timeout`, with every other
/// parked client waiting behind it). It uses `try_put` instead, and keeps what did not fit
/// here, retried every millisecond, in arrival order: the same `accepted_queue_timeout`
/// as a new connection gets in `tick`, then a 503.
#[derive(Default)]
struct Waiting {
    conns: VecDeque<(HttpConnection, Instant)>,
}

impl Waiting {
    fn is_empty(&self) -> bool {
        self.conns.is_empty()
    }

    fn push(&mut self, conn: HttpConnection, deadline: Instant) {
        self.conns.push_back((conn, deadline));
    }

    /// Puts waiting connections in the pool, oldest first, until the queue is full.
    fn hand_over(&mut self, shared: &Shared, now: Instant) {
        while let Some((conn, deadline)) = self.conns.pop_front() {
            match shared.pool.try_put(conn) {
                Ok(()) => {}
                // The client sent a request and the queue stayed full: answer it, as
                // `tick` does for a new connection, rather than close without a word.
                Err(PutError::Full(conn)) if now >= deadline => conn.refuse_busy(),
                Err(PutError::Full(conn)) => {
                    self.conns.push_front((conn, deadline));
                    return;
                }
                // Stopping: the connection closes on drop.
                Err(PutError::Stopped(_)) => {}
            }
        }
    }
}
