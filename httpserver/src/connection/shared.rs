//! `Shared`: what the server's threads share, and how a connection goes back to a poller.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use threadpool::ThreadPool;

use super::HttpConnection;
use crate::engine::poller::{Interest, Poller};
use crate::engine::WaitingRoom;
use crate::request::{MemoryBudget, Then};
use crate::{Gateway, ServerConfig};

/// A connection handed to the housekeeper, and what it does with it.
pub(crate) struct Handoff {
    pub(crate) conn: HttpConnection,
    pub(crate) then: Then,
}

/// What the server's threads share.
pub(crate) struct Shared {
    pub(crate) config: Arc<ServerConfig>,
    pub(crate) gateway: Arc<dyn Gateway>,
    pub(crate) pool: ThreadPool<HttpConnection>,
    /// The workers' poller and the connections waiting on it.
    pub(crate) room: Arc<WaitingRoom<HttpConnection>>,
    /// The housekeeper's poller: the listener, and connections it flushes or closes.
    pub(crate) watch: Arc<Poller>,
    /// Connections workers handed to the housekeeper since it last looked.
    pub(crate) inbox: Mutex<Vec<Handoff>>,
    /// The in-memory request bodies of all connections, against `body_memory_total`.
    pub(crate) bodies: Arc<MemoryBudget>,
    pub(crate) stopping: Arc<AtomicBool>,
}

/// Where a connection going to the workers' poller comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Arm {
    /// Just accepted: added to the epoll set.
    Add,
    /// Registered since its accept (edge triggered, never disarmed): armed again only
    /// if an event for it came while it was held.
    Back,
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

    /// Registers a just-accepted connection with the workers' poller, armed for its first
    /// bytes.
    pub(crate) fn admit(&self, conn: HttpConnection) {
        self.to_poller(conn, Arm::Add);
    }

    /// Leaves `conn` to wait for its next bytes, until its deadline, in its slot. Its
    /// socket must be drained (`ConnReader::drained`): the poller reports only bytes that
    /// arrive from now on.
    pub(crate) fn wait_on_poller(&self, conn: HttpConnection) {
        self.to_poller(conn, Arm::Back);
    }

    /// Puts `conn` in its slot, then arms its registration. In this order: once armed,
    /// any worker may be woken for it, and must find it there. A connection the poller
    /// refuses is dropped (closed): it could not be watched.
    fn to_poller(&self, conn: HttpConnection, arm: Arm) {
        let key = conn.key();
        let stream = conn.stream();
        let deadline = conn.deadline();
        let missed = self.room.slots.put(key, conn, deadline);
        let poller = &self.room.poller;
        let armed = match arm {
            Arm::Add => poller.add(&*stream, key, Interest::Arrivals),
            // The event a worker found the slot empty for: reported again (re-arming
            // reports a socket that is ready at once).
            Arm::Back if missed => poller.rearm(&*stream, key, Interest::Arrivals),
            Arm::Back => Ok(()),
        };
        if let Err(err) = armed {
            tracing::warn!("httpserver: could not watch a connection: {err}");
            drop(self.room.slots.take(key));
        }
    }
}
