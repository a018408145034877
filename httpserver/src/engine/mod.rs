//! The connection engine: how connections, the poller and the `ThreadPool` meet.
//!
//! - [`Requests`] is the workers' poller and the table of waiting connections: the
//!   `threadpool::Source` every idle `WorkerThread` blocks on. The worker the kernel wakes
//!   for a readable connection takes it, reads what arrived, and when a request is
//!   complete runs the application itself: no thread in between (Leader/Followers).
//! - [`housekeeper`] is the work of the thread that never runs application code
//!   (`HttpServer::tick`): it accepts, flushes what slow readers have not taken yet,
//!   closes gracefully, answers expired deadlines (408) and, with a bounded queue,
//!   requests no worker took in time (503).

pub(crate) mod housekeeper;
pub(crate) mod poller;
pub(crate) mod seats;
pub(crate) mod slots;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rustix::event::epoll::{Event, EventData, EventFlags};
use threadpool::{Source, ThreadPool};

use crate::connection::HttpConnection;
use crate::request::MemoryBudget;
use crate::{Gateway, ServerConfig};
use poller::{Interest, Poller, DOORBELL};
use seats::Seats;
use slots::Slots;

/// The workers' poller and the connections waiting on it.
pub(crate) struct Requests {
    pub(crate) poller: Poller,
    pub(crate) slots: Slots,
    /// How many workers wait on the poller at once (one per core, more for slow handlers).
    pub(crate) seats: Arc<Seats>,
}

// ANCHOR: requests_wait
impl Source<HttpConnection> for Requests {
    /// One event at a time: the worker that takes it serves it, and the others stay
    /// asleep in the same `epoll_wait` for the next one. Only workers with a seat
    /// (`Seats`: one per core) wait there; the others wait on standby.
    fn wait(&self, timeout: Option<Duration>) -> Option<HttpConnection> {
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
// ANCHOR_END: requests_wait

impl Requests {
    pub(crate) fn new(poller: Poller) -> Requests {
        Requests {
            poller,
            slots: Slots::new(),
            seats: Arc::new(Seats::for_this_process()),
        }
    }

    /// The next ready connection, or `None` for a doorbell, a timeout, a failure.
    fn wait_seated(&self, timeout: Option<Duration>) -> Option<HttpConnection> {
        let mut events = [Event {
            flags: EventFlags::empty(),
            data: EventData::new_u64(0),
        }];
        loop {
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
            let key = poller::key_of(&events[0]);
            if key == DOORBELL {
                if self.poller.answer() {
                    return None;
                }
                continue;
            }
            // `None`: the housekeeper took it first (its deadline passed), or the key is
            // stale. Whoever holds it re-arms it, so the event is not lost.
            if let Some(conn) = self.slots.take(key) {
                return Some(conn);
            }
        }
    }
}

/// A connection handed to the housekeeper, and what it does with it.
pub(crate) struct Handoff {
    pub(crate) conn: HttpConnection,
    pub(crate) then: Then,
}

/// What a connection handed to the housekeeper needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Then {
    /// Flush its pending output, then serve its next request.
    KeepAlive,
    /// Flush its pending output, then close gracefully.
    Close,
}

/// What the server's threads share.
pub(crate) struct Shared {
    pub(crate) config: Arc<ServerConfig>,
    pub(crate) gateway: Arc<dyn Gateway>,
    pub(crate) pool: ThreadPool<HttpConnection>,
    pub(crate) requests: Arc<Requests>,
    /// The housekeeper's poller: the listener, and connections it flushes or closes.
    pub(crate) watch: Arc<Poller>,
    /// Connections workers handed to the housekeeper since it last looked.
    pub(crate) inbox: Mutex<Vec<Handoff>>,
    /// The in-memory request bodies of all connections, against `body_memory_total`.
    pub(crate) bodies: Arc<MemoryBudget>,
    pub(crate) stopping: Arc<AtomicBool>,
}

impl Shared {
    pub(crate) fn is_stopping(&self) -> bool {
        self.stopping.load(Ordering::Acquire)
    }

    /// Hands `conn` to the housekeeper (a slow reader's rest, a graceful close).
    pub(crate) fn hand_to_housekeeper(&self, conn: HttpConnection, then: Then) {
        self.inbox
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(Handoff { conn, then });
        self.watch.ring();
    }

    /// Registers a new connection with the workers' poller, armed for its first bytes.
    pub(crate) fn watch_new(&self, conn: HttpConnection) {
        let deadline = conn.deadline();
        self.wait_on_poller(conn, deadline, false, true);
    }

    /// Leaves `conn` to wait for its next bytes: in its slot, armed in the workers'
    /// poller.
    pub(crate) fn park(&self, conn: HttpConnection, deadline: std::time::Instant, idle: bool) {
        self.wait_on_poller(conn, deadline, idle, false);
    }

    /// Puts `conn` in its slot, then arms its registration (`new`: adds it). A
    /// connection the poller refuses is dropped (closed): it could not be watched.
    fn wait_on_poller(
        &self,
        conn: HttpConnection,
        deadline: std::time::Instant,
        idle: bool,
        new: bool,
    ) {
        let key = conn.key();
        let stream = conn.stream();
        self.requests.slots.put(key, conn, deadline, idle);
        let poller = &self.requests.poller;
        let armed = if new {
            poller.add(&*stream, key, Interest::Read)
        } else {
            poller.rearm(&*stream, key, Interest::Read)
        };
        if let Err(err) = armed {
            tracing::warn!("httpserver: could not watch a connection: {err}");
            drop(self.requests.slots.take(key));
        }
    }
}
