//! `Slots`: the table of open connections, by key, with their deadlines.
//!
//! An event from the poller carries a `u64` key, not a connection: the key names a slot
//! here, and the worker that takes the connection out of its slot owns it until it puts
//! it back. A key is the slot's index and its generation (moved on each time the slot is
//! given to a new connection), so an event that arrives for a connection already closed
//! finds a different generation and is ignored, never served to the slot's next tenant.
//! Generations run from 1 to `u32::MAX - 1` and then start again at 1: a stale event
//! would have to outlive four billion tenants of its slot to be mistaken for a live one,
//! and no key is ever the doorbell's `u64::MAX`.
//!
//! The table holds any `C` (the server's is `HttpConnection`): it knows keys, deadlines
//! and sockets, nothing of HTTP.
//!
//! The table grows in chunks that are never freed or moved, so a lookup takes no lock
//! besides the slot's own: workers taking different connections never wait for each
//! other.

use std::net::{Shutdown, TcpStream};
use std::sync::atomic::{AtomicU32, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::Instant;

/// Slots per chunk.
const CHUNK: usize = 1024;
/// Chunks at most: 1,048,576 connections, more than a process has descriptors for.
const CHUNKS: usize = 1024;

/// When a connection waiting on the poller must have sent more, and what it waits for:
/// the one value the sweep (through the slot) and the housekeeper's judgement read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Deadline {
    pub(crate) at: Instant,
    pub(crate) awaiting: Awaiting,
}

/// What a connection waiting on the poller waits for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Awaiting {
    /// The first byte of its next request, after an answer: it is idle (it counts
    /// against `max_idle_connections`, and its keep-alive timeout runs).
    NextRequest,
    /// The rest of a request head (or, just accepted, its first byte).
    Head,
    /// The rest of a request body.
    Body,
}

struct SlotState<C> {
    /// The connection, while nobody holds it (it waits for the poller).
    conn: Option<C>,
    /// Its socket for the whole time the slot is taken: `stop` shuts down even the
    /// sockets of connections a worker holds.
    stream: Option<Arc<TcpStream>>,
    /// Whether the connection waiting here is idle (`Awaiting::NextRequest`).
    idle: bool,
    /// An event came while a thread held the connection: the poller reports an arrival
    /// once, so whoever puts it back must have it reported again.
    missed: bool,
}

struct Slot<C> {
    generation: AtomicU32,
    /// When the waiting connection's deadline passes, in nanoseconds after `Slots::epoch`;
    /// 0 while nobody waits here. Read without the lock by the sweep.
    deadline: AtomicU64,
    state: Mutex<SlotState<C>>,
}

impl<C> Default for Slot<C> {
    fn default() -> Self {
        Slot {
            generation: AtomicU32::new(0),
            deadline: AtomicU64::new(0),
            state: Mutex::new(SlotState {
                conn: None,
                stream: None,
                idle: false,
                missed: false,
            }),
        }
    }
}

impl<C> Slot<C> {
    fn lock(&self) -> MutexGuard<'_, SlotState<C>> {
        // Every change under this lock is a field assignment: a panic elsewhere cannot
        // leave it half-done, so a poisoned lock is usable.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

struct Free {
    /// Indices given back, reused first (their generation moves on).
    list: Vec<u32>,
    /// The first index never used.
    next: u32,
}

/// `CHUNK` slots, allocated at once, the first time one of them is claimed.
type Chunk<C> = OnceLock<Box<[Slot<C>]>>;

/// The open connections of a server.
pub(crate) struct Slots<C> {
    chunks: Box<[Chunk<C>]>,
    free: Mutex<Free>,
    epoch: Instant,
    /// Slots taken now (open connections).
    open: AtomicUsize,
    /// Connections waiting idle now (the `max_idle_connections` bound).
    idle: AtomicUsize,
}

fn key(index: u32, generation: u32) -> u64 {
    (u64::from(generation) << 32) | u64::from(index)
}

fn split(key: u64) -> (usize, u32) {
    ((key & 0xffff_ffff) as usize, (key >> 32) as u32)
}

impl<C> Slots<C> {
    pub(crate) fn new() -> Slots<C> {
        Slots {
            chunks: (0..CHUNKS).map(|_| OnceLock::new()).collect(),
            free: Mutex::new(Free {
                list: Vec::new(),
                next: 0,
            }),
            epoch: Instant::now(),
            open: AtomicUsize::new(0),
            idle: AtomicUsize::new(0),
        }
    }

    fn slot(&self, index: usize) -> Option<&Slot<C>> {
        self.chunks.get(index / CHUNK)?.get()?.get(index % CHUNK)
    }

    /// Open connections now.
    pub(crate) fn open(&self) -> usize {
        self.open.load(Ordering::Relaxed)
    }

    /// Idle connections waiting for their next request now.
    pub(crate) fn idle(&self) -> usize {
        self.idle.load(Ordering::Relaxed)
    }

    /// Takes a slot for a new connection on `stream`; `None` when the table is full.
    pub(crate) fn claim(&self, stream: &Arc<TcpStream>) -> Option<u64> {
        let index = {
            let mut free = self.free.lock().unwrap_or_else(|p| p.into_inner());
            match free.list.pop() {
                Some(index) => index,
                None if (free.next as usize) < CHUNK * CHUNKS => {
                    free.next += 1;
                    free.next - 1
                }
                None => return None,
            }
        };
        let chunk = &self.chunks[index as usize / CHUNK];
        let slot = &chunk.get_or_init(|| (0..CHUNK).map(|_| Slot::default()).collect())
            [index as usize % CHUNK];
        let generation = next_generation(slot.generation.load(Ordering::Relaxed));
        slot.generation.store(generation, Ordering::Release);
        {
            let mut state = slot.lock();
            state.stream = Some(Arc::clone(stream));
            state.missed = false;
        }
        self.open.fetch_add(1, Ordering::Relaxed);
        Some(key(index, generation))
    }

    /// Gives the slot of `key` back (its connection is closing).
    pub(crate) fn release(&self, key: u64) {
        let (index, generation) = split(key);
        let Some(slot) = self.slot(index) else { return };
        if slot.generation.load(Ordering::Acquire) != generation {
            return;
        }
        {
            let mut state = slot.lock();
            state.stream = None;
            if std::mem::take(&mut state.idle) {
                self.idle.fetch_sub(1, Ordering::Relaxed);
            }
        }
        slot.deadline.store(0, Ordering::Release);
        self.open.fetch_sub(1, Ordering::Relaxed);
        let mut free = self.free.lock().unwrap_or_else(|p| p.into_inner());
        free.list.push(index as u32);
    }

    // ANCHOR: slots_put
    /// Leaves `conn` in its slot to wait for the poller, until `deadline`. Returns whether
    /// an event for it came while it was held (`take` found the slot empty): then the
    /// caller has the poller report it again.
    pub(crate) fn put(&self, key: u64, conn: C, deadline: Deadline) -> bool {
        let (index, generation) = split(key);
        let Some(slot) = self.slot(index) else {
            return false;
        };
        if slot.generation.load(Ordering::Acquire) != generation {
            return false;
        }
        let (displaced, missed) = {
            let mut state = slot.lock();
            let idle = deadline.awaiting == Awaiting::NextRequest;
            if idle && !state.idle {
                self.idle.fetch_add(1, Ordering::Relaxed);
            }
            state.idle = idle;
            slot.deadline
                .store(self.nanos(deadline.at), Ordering::Release);
            (state.conn.replace(conn), std::mem::take(&mut state.missed))
        };
        // Never there (one connection per slot), but dropped out of the lock if it were:
        // a connection's drop releases its slot, which takes this lock.
        drop(displaced);
        missed
    }

    /// Takes the connection of `key` out of its slot, for an event the poller reported;
    /// `None` if another thread holds it (or the key is stale). The event is noted, and
    /// whoever holds the connection has it reported again when it puts it back, so it
    /// is not lost.
    pub(crate) fn take(&self, key: u64) -> Option<C> {
        self.take_waiting(key, true)
    }

    // ANCHOR_END: slots_put

    fn take_waiting(&self, key: u64, for_event: bool) -> Option<C> {
        let (index, generation) = split(key);
        let slot = self.slot(index)?;
        if slot.generation.load(Ordering::Acquire) != generation {
            return None;
        }
        let mut state = slot.lock();
        let Some(conn) = state.conn.take() else {
            state.missed |= for_event && state.stream.is_some();
            return None;
        };
        slot.deadline.store(0, Ordering::Release);
        if std::mem::take(&mut state.idle) {
            self.idle.fetch_sub(1, Ordering::Relaxed);
        }
        Some(conn)
    }

    /// Takes out every waiting connection whose deadline is at or before `now`.
    pub(crate) fn expired(&self, now: Instant) -> Vec<C> {
        let now = self.nanos(now);
        let mut taken = Vec::new();
        self.for_each_key(|slot, key| {
            let deadline = slot.deadline.load(Ordering::Acquire);
            if deadline != 0 && deadline <= now {
                if let Some(conn) = self.take_waiting(key, false) {
                    taken.push(conn);
                }
            }
        });
        taken
    }

    /// Takes out every waiting connection (the server stops).
    pub(crate) fn take_all(&self) -> Vec<C> {
        let mut taken = Vec::new();
        self.for_each_key(|_, key| {
            if let Some(conn) = self.take_waiting(key, false) {
                taken.push(conn);
            }
        });
        taken
    }

    /// Shuts down both directions of every open connection's socket, waiting or held by
    /// a worker: a worker blocked on its client fails at once. Returns how many.
    pub(crate) fn shutdown_all(&self) -> usize {
        let mut streams = Vec::new();
        self.for_each_key(|slot, _| {
            if let Some(stream) = &slot.lock().stream {
                streams.push(Arc::clone(stream));
            }
        });
        for stream in &streams {
            let _ = stream.shutdown(Shutdown::Both);
        }
        streams.len()
    }

    fn for_each_key(&self, mut f: impl FnMut(&Slot<C>, u64)) {
        let used = self.free.lock().unwrap_or_else(|p| p.into_inner()).next as usize;
        for index in 0..used {
            if let Some(slot) = self.slot(index) {
                let generation = slot.generation.load(Ordering::Acquire);
                f(slot, key(index as u32, generation));
            }
        }
    }

    fn nanos(&self, at: Instant) -> u64 {
        let since = at.saturating_duration_since(self.epoch);
        // 1 ns at least: 0 means "no deadline".
        u64::try_from(since.as_nanos()).unwrap_or(u64::MAX).max(1)
    }
}

/// The generation after `generation`: 1 to `u32::MAX - 1`, round and round. Never 0 (a
/// fresh slot's, given to nobody) nor `u32::MAX` (the doorbell's key would be a
/// connection's).
fn next_generation(generation: u32) -> u32 {
    if generation >= u32::MAX - 1 {
        1
    } else {
        generation + 1
    }
}

#[cfg(test)]
mod tests {
    use super::{key, next_generation};
    use crate::engine::poller::DOORBELL;

    #[test]
    fn generations_wrap_past_the_doorbell_and_never_stick() {
        assert_eq!(next_generation(0), 1);
        assert_eq!(next_generation(41), 42);
        assert_eq!(next_generation(u32::MAX - 2), u32::MAX - 1);
        // The last one wraps to 1: keys of the slot's next tenants still differ from
        // the stale one's, and none is the doorbell's.
        assert_eq!(next_generation(u32::MAX - 1), 1);
        let top = next_generation(u32::MAX - 2);
        assert_ne!(key(u32::MAX, top), DOORBELL);
        assert_ne!(next_generation(top), top);
    }
}
