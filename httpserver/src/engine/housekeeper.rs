//! The housekeeper: the server's one thread that never runs application code.
//!
//! It is what `HttpServer::tick` does, round after round: accept new connections and
//! register them with the workers' poller (so accepting goes on while every worker is
//! busy); flush what slow readers have not taken yet; close gracefully (our side first,
//! then read and discard until the client closes); look at connections whose deadline
//! passed, answering 408 to a client that really was too slow and handing a request
//! that did arrive to a worker; and, with a bounded request queue, answer 503 to
//! requests no worker took in time. None of these waits on a client (every socket is
//! non-blocking and watched by its own poller), and none runs application code, so they
//! go on while every worker is busy.

use std::collections::{HashMap, VecDeque};
use std::io;
use std::net::TcpListener;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rustix::event::epoll::{Event, EventData, EventFlags};
use threadpool::PutError;

use super::poller::{self, Interest, DOORBELL};
use crate::connection::{HttpConnection, Progress, Shared};
use crate::request::Then;

/// The listener's key in the housekeeper's poller.
const LISTENER: u64 = u64::MAX - 1;

/// How often deadlines are looked for, at most: they are seconds long, so a tenth of a
/// second late is fine, and the sweep stays cheap under load.
const SWEEP_EVERY: Duration = Duration::from_millis(100);

/// How long a closing connection keeps reading and discarding what the client still
/// sends, so that the last answer is not destroyed by a reset.
const CLOSE_DRAIN: Duration = Duration::from_millis(100);

/// How long accepting pauses after an error such as `EMFILE`: accepting again at once
/// would spin; closing connections free descriptors meanwhile.
const ACCEPT_PAUSE: Duration = Duration::from_millis(10);

/// A connection the housekeeper flushes or closes.
struct Outgoing {
    conn: HttpConnection,
    then: Then,
    deadline: Instant,
    /// `shutdown(Write)` was done: what arrives is read and discarded.
    closing: bool,
    discarded: usize,
}

/// The housekeeper's own state; only `tick` touches it.
pub(crate) struct Housekeeper {
    shared: Arc<Shared>,
    pub(crate) listener: Option<TcpListener>,
    outgoing: HashMap<u64, Outgoing>,
    /// Requests waiting for a worker with a bounded request queue, oldest first, with
    /// the time their wait ends in a 503.
    queued: VecDeque<(HttpConnection, Instant)>,
    next_sweep: Instant,
    accept_paused_until: Option<Instant>,
    /// When an `accept` error was last logged, and how many were not logged since.
    accept_errors: (Option<Instant>, u64),
    pub(crate) accepted: u64,
}

impl Housekeeper {
    pub(crate) fn new(shared: Arc<Shared>, listener: TcpListener) -> io::Result<Housekeeper> {
        listener.set_nonblocking(true)?;
        shared.watch.add(&listener, LISTENER, Interest::Read)?;
        Ok(Housekeeper {
            shared,
            listener: Some(listener),
            outgoing: HashMap::new(),
            queued: VecDeque::new(),
            next_sweep: Instant::now() + SWEEP_EVERY,
            accept_paused_until: None,
            accept_errors: (None, 0),
            accepted: 0,
        })
    }

    // ANCHOR: tick
    /// One round: wait (at most 100 ms) for the listener, the connections being flushed
    /// or closed, or a worker's hand-off; act on each; then the timed work.
    pub(crate) fn tick(&mut self) {
        let timeout = self.next_timeout();
        let mut events = [Event {
            flags: EventFlags::empty(),
            data: EventData::new_u64(0),
        }; 64];
        let n = match self.shared.watch.wait_into(&mut events, Some(timeout)) {
            Ok(n) => n,
            Err(err) => {
                tracing::error!("httpserver: the housekeeper's poller failed: {err}");
                std::thread::sleep(SWEEP_EVERY);
                0
            }
        };
        let now = Instant::now();
        for event in &events[..n] {
            match poller::key_of(event) {
                LISTENER => self.accept_all(now),
                DOORBELL => {
                    self.shared.watch.answer();
                }
                key => self.progress(key, now),
            }
        }
        self.take_handoffs(now);
        self.resume_accepting(now);
        if self.shared.config.max_queued_requests.is_some() {
            self.take_unserved(now);
            self.hand_over_waiting(now);
        }
        if now >= self.next_sweep {
            self.sweep(now);
            self.next_sweep = now + SWEEP_EVERY;
        }
    }
    // ANCHOR_END: tick

    fn next_timeout(&self) -> Duration {
        let busy = self.shared.config.max_queued_requests.is_some()
            && (!self.queued.is_empty() || self.shared.pool.idle() == 0);
        if busy {
            // Requests may be waiting for a worker: look again soon.
            return Duration::from_millis(1);
        }
        self.next_sweep
            .saturating_duration_since(Instant::now())
            .max(Duration::from_millis(1))
    }

    // ANCHOR: accept_all
    /// Accepts every connection waiting in the backlog: each is registered with the
    /// workers' poller, armed for its first bytes, with `header_timeout` to send its
    /// head. An `accept` error (`ECONNABORTED`, `EMFILE`...) is logged and survived: one
    /// client or a full file table must not end the server.
    fn accept_all(&mut self, now: Instant) {
        let Some(listener) = &self.listener else {
            return;
        };
        for _ in 0..256 {
            match listener.accept() {
                Ok((stream, peer)) => {
                    self.accepted += 1;
                    let _span = tracing::debug_span!("HttpServer.tick", peer = %peer).entered();
                    match HttpConnection::open(stream, Arc::clone(&self.shared)) {
                        Ok(Some(conn)) => {
                            self.shared.admit(conn);
                            tracing::debug!(
                                "accepted; in the workers' poller until its first bytes"
                            );
                        }
                        Ok(None) => tracing::warn!("httpserver: connection table full"),
                        Err(err) => {
                            tracing::warn!("httpserver: could not set up a connection: {err}")
                        }
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    self.log_accept_error(&e, now);
                    self.accept_paused_until = Some(now + ACCEPT_PAUSE);
                    return;
                }
            }
        }
        self.rearm_listener();
    }
    // ANCHOR_END: accept_all

    fn rearm_listener(&self) {
        if let Some(listener) = &self.listener {
            if let Err(err) = self.shared.watch.rearm(listener, LISTENER, Interest::Read) {
                tracing::error!("httpserver: could not watch the listener: {err}");
            }
        }
    }

    fn resume_accepting(&mut self, now: Instant) {
        if self.accept_paused_until.is_some_and(|until| now >= until) {
            self.accept_paused_until = None;
            self.rearm_listener();
        }
    }

    /// Logs an `accept` error at most once a second, with the count of those not logged:
    /// out of descriptors, `accept` fails 100 times a second, and a line for each would
    /// flood the log.
    fn log_accept_error(&mut self, err: &io::Error, now: Instant) {
        let (logged, unlogged) = &mut self.accept_errors;
        if logged.is_some_and(|at| now.duration_since(at) < Duration::from_secs(1)) {
            *unlogged += 1;
            return;
        }
        tracing::error!("httpserver: accept failed: {err} ({unlogged} more since the last report)");
        *logged = Some(now);
        *unlogged = 0;
    }

    fn take_handoffs(&mut self, now: Instant) {
        let handoffs =
            std::mem::take(&mut *self.shared.inbox.lock().unwrap_or_else(|p| p.into_inner()));
        for handoff in handoffs {
            self.add_outgoing(handoff.conn, handoff.then, now);
        }
    }

    // ANCHOR: add_outgoing
    /// Takes over a connection that has output the client did not take yet, or must
    /// close gracefully: flushed (bounded by `write_timeout` as a whole), then closed
    /// (our side first, then draining for `CLOSE_DRAIN` at most) or judged again.
    fn add_outgoing(&mut self, mut conn: HttpConnection, then: Then, now: Instant) {
        let pending = conn.writer_mut().map_or(0, |w| w.pending());
        let (interest, deadline, closing) = if pending > 0 {
            (
                Interest::Write,
                now + self.shared.config.write_timeout,
                false,
            )
        } else if then == Then::Close {
            if conn.close_gracefully().is_err() {
                return;
            }
            (Interest::Read, now + CLOSE_DRAIN, true)
        } else {
            return self.judge(conn, now);
        };
        let key = conn.key();
        let stream = conn.stream();
        let registered = self
            .shared
            .watch
            .add(&*stream, key, interest)
            .or_else(|_| self.shared.watch.rearm(&*stream, key, interest));
        if registered.is_err() {
            return;
        }
        self.outgoing.insert(
            key,
            Outgoing {
                conn,
                then,
                deadline,
                closing,
                discarded: 0,
            },
        );
    }
    // ANCHOR_END: add_outgoing

    /// The poller says an outgoing connection can take more, or has more to discard.
    fn progress(&mut self, key: u64, now: Instant) {
        let Some(mut out) = self.outgoing.remove(&key) else {
            return;
        };
        let stream = out.conn.stream();
        let step = if out.closing {
            out.conn
                .discard_input(&mut out.discarded)
                .map(|done| (done, Interest::Read))
        } else {
            out.conn
                .writer_mut()
                .map_or(Ok(true), |w| w.flush())
                .map(|done| (done, Interest::Write))
        };
        match step {
            Ok((false, interest)) => {
                if self.shared.watch.rearm(&*stream, key, interest).is_ok() {
                    self.outgoing.insert(key, out);
                }
            }
            Ok((true, _)) if !out.closing => {
                let _ = self.shared.watch.delete(&*stream);
                self.add_outgoing(out.conn, out.then, now);
            }
            // Closed by the client after our FIN, or failed: done.
            Ok((true, _)) | Err(_) => {}
        }
    }

    // ANCHOR: judge
    /// The housekeeper's look at a connection whose deadline passed (or that no worker
    /// was free to take, or whose rest it flushed): read what arrived, and decide. A
    /// request that did arrive is served, however long it waited for a worker; one not
    /// due yet goes back to the poller; past its deadline, `time_out` decides between a
    /// 408 and a silent close.
    fn judge(&mut self, mut conn: HttpConnection, now: Instant) {
        match conn.advance() {
            Progress::Request(req) => {
                if let Some(conn) = conn.hold(req) {
                    self.hand_to_worker(conn, now);
                }
            }
            Progress::Waiting if conn.deadline().at > now => self.shared.wait_on_poller(conn),
            Progress::Waiting => {
                if let Some(conn) = conn.time_out(now) {
                    self.add_outgoing(conn, Then::Close, now);
                }
            }
            Progress::Refused(err, req) => {
                let conn = conn.refuse(err, req);
                self.add_outgoing(conn, Then::Close, now);
            }
            Progress::Gone => {}
        }
    }
    // ANCHOR_END: judge

    // ANCHOR: hand_to_worker
    /// A request is complete but no worker took it from the poller (the housekeeper
    /// found it): queue it for the next free worker. Unbounded (the default), it waits
    /// however long it takes; with a bounded request queue (`max_queued_requests`), it
    /// waits its turn here, and 503 comes when its `queued_request_timeout` ends or the
    /// line is full.
    fn hand_to_worker(&mut self, conn: HttpConnection, now: Instant) {
        let Some(size) = self.shared.config.max_queued_requests else {
            // Err: stopping; the connection closes on drop.
            let _ = self.shared.pool.put(conn);
            return;
        };
        if self.queued.len() >= size.max(1) {
            return self.refuse_busy(conn, now);
        }
        let deadline = now + self.shared.config.queued_request_timeout;
        self.queued.push_back((conn, deadline));
        self.hand_over_waiting(now);
    }
    // ANCHOR_END: hand_to_worker

    /// Gives waiting requests to idle workers, oldest first.
    fn hand_over_waiting(&mut self, now: Instant) {
        let mut idle = self.shared.pool.idle();
        while idle > 0 {
            let Some((conn, _)) = self.queued.pop_front() else {
                return;
            };
            if let Err(PutError::Full(conn)) = self.shared.pool.try_put(conn) {
                self.refuse_busy(conn, now);
            }
            idle -= 1;
        }
    }

    /// With a bounded request queue and no worker free, requests the poller reported
    /// wait in the kernel's ready list or the waiting room's, where nobody counts them:
    /// take them out, so that each one's wait is measured and ends in a 503 if no worker
    /// comes.
    fn take_unserved(&mut self, now: Instant) {
        if self.shared.pool.idle() > 0 {
            return;
        }
        let room = Arc::clone(&self.shared.room);
        while let Some(key) = room.next_ready() {
            if let Some(conn) = room.slots.take(key) {
                self.judge(conn, now);
            }
        }
        let mut events = [Event {
            flags: EventFlags::empty(),
            data: EventData::new_u64(0),
        }];
        for _ in 0..64 {
            match room.poller.wait_into(&mut events, Some(Duration::ZERO)) {
                Ok(1) => {}
                _ => return,
            }
            let key = poller::key_of(&events[0]);
            if key == DOORBELL {
                // For the workers (a queued item, an exit message): leave it rung.
                return;
            }
            if let Some(conn) = room.slots.take(key) {
                self.judge(conn, now);
            }
        }
    }

    /// Answers 503: no worker was free in time.
    fn refuse_busy(&mut self, conn: HttpConnection, now: Instant) {
        let conn = conn.answer(503, None);
        self.add_outgoing(conn, Then::Close, now);
    }

    // ANCHOR: sweep
    /// The timed work: connections whose deadline passed (408, a close, or a request to
    /// serve after all), flushes and graceful closes that ran out of time, and requests
    /// that waited too long for a worker (503).
    fn sweep(&mut self, now: Instant) {
        for conn in self.shared.room.slots.expired(now) {
            self.judge(conn, now);
        }
        let late: Vec<u64> = self
            .outgoing
            .iter()
            .filter(|(_, out)| out.deadline <= now)
            .map(|(&key, _)| key)
            .collect();
        for key in late {
            if let Some(out) = self.outgoing.remove(&key) {
                if !out.closing {
                    tracing::info!(
                        "httpserver: {} did not take its response within write_timeout; closed",
                        out.conn.remote_addr()
                    );
                }
            }
        }
        while self
            .queued
            .front()
            .is_some_and(|(_, deadline)| *deadline <= now)
        {
            if let Some((conn, _)) = self.queued.pop_front() {
                self.refuse_busy(conn, now);
            }
        }
    }
    // ANCHOR_END: sweep

    /// Closes what it holds: the listener, and the connections it flushes, closes or
    /// queues (the server stops).
    pub(crate) fn close_all(&mut self) {
        self.listener = None;
        let handoffs =
            std::mem::take(&mut *self.shared.inbox.lock().unwrap_or_else(|p| p.into_inner()));
        drop(handoffs);
        self.outgoing.clear();
        self.queued.clear();
    }
}
