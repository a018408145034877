//! The connection engine: how connections, the poller and the `ThreadPool` meet.
//!
//! - [`WaitingRoom`] is where connections wait for their bytes and idle workers wait for
//!   connections: the workers' poller, the [`Slots`] of the connections registered with
//!   it, and the [`Seats`] that decide which workers wait there. It is the
//!   `threadpool::Source` every idle `WorkerThread` blocks on. The worker the kernel wakes
//!   for a readable connection takes it, reads what arrived, and when a request is
//!   complete runs the application itself: no thread in between (Leader/Followers).
//! - [`housekeeper`] is the work of the thread that never runs application code
//!   (`HttpServer::tick`): it accepts, flushes what slow readers have not taken yet,
//!   closes gracefully, answers expired deadlines (408) and, with a bounded request
//!   queue, requests no worker took in time (503).
//!
//! The poller, the slots and the seats hold any connection type and know nothing of
//! HTTP; `connection` builds on them. Only the housekeeper, which judges connections,
//! reaches up to `HttpConnection`.

pub(crate) mod housekeeper;
pub(crate) mod poller;
pub(crate) mod seats;
pub(crate) mod slots;

use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rustix::event::epoll::{Event, EventData, EventFlags};
use threadpool::Source;

use poller::{Poller, DOORBELL};
use seats::Seats;
use slots::Slots;

/// Events taken from the poller in one wait, at most.
const BATCH: usize = 16;

/// Where connections wait for their bytes, and idle workers for connections: the
/// workers' poller, the connections registered with it, and the workers' seats.
pub(crate) struct WaitingRoom<C> {
    pub(crate) poller: Poller,
    pub(crate) slots: Slots<C>,
    /// How many workers wait on the poller at once (one per core, more for slow handlers).
    pub(crate) seats: Arc<Seats>,
    /// Keys of connections the poller reported in a batch and nobody took yet, oldest
    /// first. Here, not in the worker that waited: any seated worker takes from it before
    /// it waits again, so a slow handler holds only its own worker's request.
    ready: Mutex<VecDeque<u64>>,
    /// How many keys `ready` holds: a wait looks at it without the lock.
    ready_len: AtomicUsize,
}

// ANCHOR: waiting_room_wait
impl<C: Send + 'static> Source<C> for WaitingRoom<C> {
    /// The next ready connection: one reported already (`ready`), or from the poller,
    /// where the others stay asleep in the same `epoll_wait`. Only workers with a seat
    /// (`Seats`: one per core) wait there; the others wait on standby.
    fn wait(&self, timeout: Option<Duration>) -> Option<C> {
        self.seats.take_seat();
        let conn = self.wait_seated(timeout);
        match conn {
            Some(_) => self.seats.serving(),
            None => self.seats.leave(),
        }
        conn
    }

    fn wake(&self) {
        self.poller.ring();
    }
}
// ANCHOR_END: waiting_room_wait

impl<C> WaitingRoom<C> {
    pub(crate) fn new(poller: Poller) -> WaitingRoom<C> {
        WaitingRoom {
            poller,
            slots: Slots::new(),
            seats: Arc::new(Seats::for_this_process()),
            ready: Mutex::new(VecDeque::new()),
            ready_len: AtomicUsize::new(0),
        }
    }

    /// The oldest key reported and not taken yet.
    pub(crate) fn next_ready(&self) -> Option<u64> {
        if self.ready_len.load(Ordering::Acquire) == 0 {
            return None;
        }
        let mut ready = self.ready.lock().unwrap_or_else(|p| p.into_inner());
        let key = ready.pop_front();
        self.ready_len.store(ready.len(), Ordering::Release);
        key
    }

    fn keep_ready(&self, keys: impl Iterator<Item = u64>) {
        let mut ready = self.ready.lock().unwrap_or_else(|p| p.into_inner());
        ready.extend(keys);
        self.ready_len.store(ready.len(), Ordering::Release);
    }

    /// With connections left in `ready`, wakes one other seated worker that waits on the
    /// poller, if there is one: their events were reported once (edge-triggered) and
    /// will not wake anyone again, so without this they would wait for the caller's
    /// request, however slow its handler, while another seat sleeps. The woken worker
    /// answers the doorbell, then takes from `ready` first, and wakes the next in turn
    /// while some are left. With one seat (one core) nobody else waits: no ring, and the
    /// watcher's extra seat is what serves `ready` past a slow handler.
    fn hand_on_ready(&self) {
        if self.ready_len.load(Ordering::Acquire) > 0 && self.seats.another_waits() {
            self.poller.ring();
        }
    }

    /// The next ready connection, or `None` for a doorbell, a timeout, a failure.
    fn wait_seated(&self, timeout: Option<Duration>) -> Option<C> {
        let mut events = [Event {
            flags: EventFlags::empty(),
            data: EventData::new_u64(0),
        }; BATCH];
        loop {
            while let Some(key) = self.next_ready() {
                if let Some(conn) = self.slots.take(key) {
                    self.hand_on_ready();
                    return Some(conn);
                }
            }
            let n = match self.poller.wait_into(&mut events, timeout) {
                Ok(n) => n,
                Err(err) => {
                    tracing::error!("httpserver: the poller failed: {err}");
                    std::thread::sleep(Duration::from_millis(10));
                    return None;
                }
            };
            if n == 0 {
                return None;
            }
            let keys = events[..n].iter().map(poller::key_of);
            let rung = keys.clone().any(|key| key == DOORBELL);
            let mut keys = keys.filter(|&key| key != DOORBELL);
            // `None`: another thread holds it (the housekeeper, its deadline passed), or
            // the key is stale. The slot notes the event, and whoever holds the
            // connection has it reported again, so it is not lost.
            let conn = keys.by_ref().find_map(|key| self.slots.take(key));
            let mut rest = keys.peekable();
            if rest.peek().is_some() {
                self.keep_ready(rest);
                self.hand_on_ready();
            }
            // A doorbell left unanswered (a connection came with it) stays rung: it is
            // level triggered, so the next wait reports it again.
            if conn.is_some() || (rung && self.poller.answer()) {
                return conn;
            }
        }
    }
}
