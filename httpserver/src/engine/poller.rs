//! `Poller`: an epoll set, with one-shot or edge-triggered registrations and a counting
//! doorbell.
//!
//! A thin, safe layer over `rustix::event::epoll`. Why not the `polling` crate, which the
//! previous design used: its `Poller::wait` lets one thread wait at a time (a second
//! caller returns at once with no events), and it arms a timer file descriptor for every
//! wait with a timeout. The engine needs the opposite: every seated idle worker blocked
//! in the same `epoll_wait`, woken one per event (Leader/Followers with the kernel as the
//! arbiter). `epoll` itself does exactly that. A one-shot registration (`EPOLLONESHOT`,
//! the housekeeper's flushes and closes) is reported once and then disarmed until it is
//! re-armed; an edge-triggered one (`EPOLLET`, the workers' connections) is reported
//! once per arrival of bytes and needs no re-arm, which saves an `epoll_ctl` per
//! request. Either way one connection is never served by two workers: the worker that
//! takes it out of its slot owns it (`Slots`).
//!
//! No `unsafe` here: epoll keeps no pointer to our data (the event carries a `u64` key),
//! and a closed socket leaves the epoll set by itself.

use std::io;
use std::os::fd::{AsFd, OwnedFd};
use std::time::Duration;

use rustix::event::epoll::{self, CreateFlags, Event, EventData, EventFlags};
use rustix::event::{eventfd, EventfdFlags, Timespec};

/// The key of the doorbell's events: no connection has it (keys of connections have
/// their generation in the high half, which never reaches `u32::MAX`).
pub(crate) const DOORBELL: u64 = u64::MAX;

/// What a registration waits for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Interest {
    /// Bytes to read, or the peer's close: one event, then disarmed until re-armed.
    Read,
    /// Room to write: one event, then disarmed until re-armed.
    Write,
    /// Bytes to read, or the peer's close: an event each time more arrive (edge
    /// triggered), never disarmed. Bytes that arrived before the last read returned
    /// `WouldBlock` raise no new event: the reader must drain the socket first.
    Arrivals,
}

impl Interest {
    fn flags(self) -> EventFlags {
        match self {
            Interest::Read => EventFlags::ONESHOT | EventFlags::RDHUP | EventFlags::IN,
            Interest::Write => EventFlags::ONESHOT | EventFlags::RDHUP | EventFlags::OUT,
            Interest::Arrivals => EventFlags::ET | EventFlags::RDHUP | EventFlags::IN,
        }
    }
}

/// An epoll set of one-shot or edge-triggered registrations, plus a doorbell: an `eventfd` in
/// semaphore mode, level-triggered, so each ring wakes one waiter, now or later.
pub(crate) struct Poller {
    epoll: OwnedFd,
    doorbell: OwnedFd,
}

impl Poller {
    pub(crate) fn new() -> io::Result<Poller> {
        let epoll = epoll::create(CreateFlags::CLOEXEC)?;
        let doorbell = eventfd(
            0,
            EventfdFlags::CLOEXEC | EventfdFlags::NONBLOCK | EventfdFlags::SEMAPHORE,
        )?;
        epoll::add(
            &epoll,
            &doorbell,
            EventData::new_u64(DOORBELL),
            EventFlags::IN,
        )?;
        Ok(Poller { epoll, doorbell })
    }

    /// Registers `fd` under `key`, armed for one event of `interest`.
    pub(crate) fn add(&self, fd: impl AsFd, key: u64, interest: Interest) -> io::Result<()> {
        Ok(epoll::add(
            &self.epoll,
            fd,
            EventData::new_u64(key),
            interest.flags(),
        )?)
    }

    /// Re-arms a registered `fd` for `interest`. If it is ready already (bytes arrived
    /// while nobody watched), the event is reported at once: nothing that arrived between
    /// two arms is missed.
    pub(crate) fn rearm(&self, fd: impl AsFd, key: u64, interest: Interest) -> io::Result<()> {
        Ok(epoll::modify(
            &self.epoll,
            fd,
            EventData::new_u64(key),
            interest.flags(),
        )?)
    }

    /// Removes `fd` from the set.
    pub(crate) fn delete(&self, fd: impl AsFd) -> io::Result<()> {
        Ok(epoll::delete(&self.epoll, fd)?)
    }

    /// Waits up to `timeout` (`None`: for ever) for events, at most `events.len()` of
    /// them, into a fixed array (no allocation); returns how many. An interrupted wait
    /// returns none.
    pub(crate) fn wait_into(
        &self,
        events: &mut [Event],
        timeout: Option<Duration>,
    ) -> io::Result<usize> {
        let timeout = timeout.map(|t| Timespec {
            tv_sec: t.as_secs().try_into().unwrap_or(i64::MAX),
            tv_nsec: t.subsec_nanos().into(),
        });
        match epoll::wait(&self.epoll, events, timeout.as_ref()) {
            Ok(n) => Ok(n),
            Err(rustix::io::Errno::INTR) => Ok(0),
            Err(e) => Err(e.into()),
        }
    }

    /// Rings the doorbell once: one current or future waiter gets a `DOORBELL` event.
    pub(crate) fn ring(&self) {
        // Err: the counter is at its maximum (2^64 - 2 rings unanswered); nothing to add.
        let _ = rustix::io::write(&self.doorbell, &1u64.to_ne_bytes());
    }

    /// Takes one ring off the doorbell; `false` if another waiter took it first.
    pub(crate) fn answer(&self) -> bool {
        let mut count = [0u8; 8];
        rustix::io::read(&self.doorbell, &mut count).is_ok()
    }
}

/// The key an event carries.
pub(crate) fn key_of(event: &Event) -> u64 {
    event.data.u64()
}
