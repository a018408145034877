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

use std::sync::Arc;
use std::time::Duration;

use rustix::event::epoll::{Event, EventData, EventFlags};
use threadpool::Source;

use poller::{Poller, DOORBELL};
use seats::Seats;
use slots::Slots;

/// Where connections wait for their bytes, and idle workers for connections: the
/// workers' poller, the connections registered with it, and the workers' seats.
pub(crate) struct WaitingRoom<C> {
    pub(crate) poller: Poller,
    pub(crate) slots: Slots<C>,
    /// How many workers wait on the poller at once (one per core, more for slow handlers).
    pub(crate) seats: Arc<Seats>,
}

// ANCHOR: waiting_room_wait
impl<C: Send + 'static> Source<C> for WaitingRoom<C> {
    /// One event at a time: the worker that takes it serves it, and the others stay
    /// asleep in the same `epoll_wait` for the next one. Only workers with a seat
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
        }
    }

    /// The next ready connection, or `None` for a doorbell, a timeout, a failure.
    fn wait_seated(&self, timeout: Option<Duration>) -> Option<C> {
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
