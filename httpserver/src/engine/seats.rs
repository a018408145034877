//! `Seats`: how many workers wait on the poller at once.
//!
//! Why not all of them: the kernel wakes a waiting worker for every event that arrives
//! while the others are busy. With more workers than cores, most of those wake-ups find
//! the core taken: the woken workers queue up for it, and a worker that was preempted in
//! the middle of a request holds that request until every worker ahead of it has had its
//! time slice. Measured pinned to one core with eight workers all on the poller, the
//! 99th percentile at keep-alive 8 was 17 ms for the bare engine and 37 ms for the full
//! stack, against 3 ms with one worker (see the HttpConnection chapter).
//!
//! So only as many workers as the process has cores take a seat at the poller; the
//! others wait on standby, where no event wakes them. Seated workers keep their seat
//! from request to request, so a steady load costs no hand-off. What a seat must not do
//! is let a slow handler starve the other connections: one standby worker, the watcher,
//! looks every `WATCH` while seated workers are inside the application, and if all of
//! them are and none finished a request since its last look, it takes an extra seat. A
//! seated worker that comes back from a request while there are more seats than cores
//! gives its seat up, unless every other seated worker is still inside the application
//! (it would leave the poller empty). A worker that leaves the poller (a doorbell: a queued item, an exit
//! message) gives its seat to a standby worker, so exit messages reach every worker.

use std::cell::RefCell;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::Duration;

/// How long seated workers may all stay inside the application, with no request
/// finished, before the watcher takes an extra seat: what a slow handler can delay other
/// connections by.
pub(crate) const WATCH: Duration = Duration::from_millis(2);

/// How long the watcher sleeps while no seated worker is inside the application: an
/// idle server wakes it this often, not every `WATCH`.
const WATCH_IDLE: Duration = Duration::from_millis(20);

thread_local! {
    /// The seat this thread holds, if any. Dropped (the seat given back) when the thread
    /// leaves the poller, and when it exits: a worker that takes its exit message between
    /// two requests does not keep its seat from the others.
    static HELD: RefCell<Option<Held>> = const { RefCell::new(None) };
}

/// A seat held by the current thread.
struct Held {
    seats: Arc<Seats>,
    /// Serving what the poller gave it (inside the application, perhaps).
    serving: bool,
}

impl Drop for Held {
    fn drop(&mut self) {
        let mut state = self.seats.lock();
        if self.serving {
            state.serving -= 1;
        }
        state.seated -= 1;
        drop(state);
        self.seats.standby.notify_one();
    }
}

#[derive(Debug, Default)]
struct State {
    /// Workers holding a seat (waiting on the poller, or serving).
    seated: usize,
    /// Seated workers serving a request now.
    serving: usize,
    /// Requests the seated workers took so far: the watcher's sign of progress.
    taken: u64,
    /// A standby worker is the watcher now.
    watching: bool,
    /// Extra seats given back by their holders so far (what the tests look at).
    given_back: u64,
}

/// The seats at the workers' poller.
pub(crate) struct Seats {
    /// Seats when no handler is slow: the cores this process may run on.
    cores: usize,
    state: Mutex<State>,
    standby: Condvar,
}

impl Seats {
    pub(crate) fn new(cores: usize) -> Seats {
        Seats {
            cores: cores.max(1),
            state: Mutex::new(State::default()),
            standby: Condvar::new(),
        }
    }

    /// As many seats as the cores `std::thread::available_parallelism` reports (it
    /// honours the CPU affinity set by `taskset`).
    pub(crate) fn for_this_process() -> Seats {
        Seats::new(std::thread::available_parallelism().map_or(1, usize::from))
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // Every change under this lock is a counter's: a panic cannot leave it half-done.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    // ANCHOR: take_seat
    /// Returns once the calling worker holds a seat: at once for a seated worker back
    /// from a request (unless there are more seats than cores and another seated worker
    /// waits on the poller: then it gives its seat up), else when a seat is free or the
    /// watcher sees every seated worker stuck in the application.
    pub(crate) fn take_seat(self: &Arc<Self>) {
        let kept = HELD.with(|held| {
            let mut held = held.borrow_mut();
            let Some(seat) = held.as_mut() else {
                return false;
            };
            let mut state = self.lock();
            if seat.serving {
                seat.serving = false;
                state.serving -= 1;
            }
            // More seats than cores: give this one up, unless every other seated worker
            // is inside the application. Then this worker would be the only one at the
            // poller, and giving its seat up would leave nobody there until the watcher
            // looks again: with handlers slower than `WATCH`, the seats would never
            // outnumber the cores by more than one, whatever `threads` allows.
            if state.seated <= self.cores || state.serving + 1 >= state.seated {
                return true;
            }
            state.given_back += 1;
            drop(state);
            // An extra seat, taken for a slow handler: given back.
            held.take();
            false
        });
        if !kept {
            self.wait_on_standby();
        }
    }
    // ANCHOR_END: take_seat

    /// Waits without a seat until one is free, or, as the watcher, until every seated
    /// worker has stayed inside the application for `WATCH` with no request taken.
    fn wait_on_standby(self: &Arc<Self>) {
        let mut state = self.lock();
        loop {
            if state.seated < self.cores {
                break;
            }
            if state.watching {
                state = self.standby.wait(state).unwrap_or_else(|p| p.into_inner());
                continue;
            }
            state.watching = true;
            let (taken, stuck) = (state.taken, state.serving >= state.seated);
            let pause = if stuck { WATCH } else { WATCH_IDLE };
            state = self
                .standby
                .wait_timeout(state, pause)
                .unwrap_or_else(|p| p.into_inner())
                .0;
            state.watching = false;
            if stuck && state.serving >= state.seated && state.taken == taken {
                // Someone else watches now.
                self.standby.notify_one();
                break;
            }
        }
        state.seated += 1;
        drop(state);
        let seat = Held {
            seats: Arc::clone(self),
            serving: false,
        };
        HELD.with(|held| *held.borrow_mut() = Some(seat));
    }

    /// The calling worker took a request from the poller and serves it, seated.
    pub(crate) fn serving(&self) {
        HELD.with(|held| {
            if let Some(seat) = held.borrow_mut().as_mut() {
                let mut state = self.lock();
                seat.serving = true;
                state.serving += 1;
                state.taken += 1;
            }
        });
    }

    /// Whether a seated worker other than the caller (seated, not serving yet) waits on
    /// the poller now: one that a doorbell would wake.
    pub(crate) fn another_waits(&self) -> bool {
        let state = self.lock();
        state.seated > state.serving + 1
    }

    /// The calling worker leaves the poller (for its queue or its exit): a standby
    /// worker may take its seat.
    pub(crate) fn leave(&self) {
        let seat = HELD.with(|held| held.borrow_mut().take());
        drop(seat);
    }
}

#[cfg(test)]
mod tests {
    use std::sync::mpsc;
    use std::sync::Arc;
    use std::thread;
    use std::time::{Duration, Instant};

    use super::{Seats, WATCH};

    #[test]
    fn a_second_worker_waits_while_the_seated_one_waits_on_the_poller() {
        let seats = Arc::new(Seats::new(1));
        seats.take_seat();
        let (seated, got_seat) = mpsc::channel();
        let other = Arc::clone(&seats);
        thread::spawn(move || {
            other.take_seat();
            let _ = seated.send(());
        });
        // The seated worker is on the poller, not in the application: however long it
        // waits there, no extra seat.
        assert!(
            got_seat.recv_timeout(WATCH * 25).is_err(),
            "an extra seat while the seated worker waited on the poller: {:?}",
            seats.lock()
        );
        // It leaves the poller: its seat goes to the waiting worker.
        seats.leave();
        got_seat
            .recv_timeout(Duration::from_secs(5))
            .expect("the standby worker took the free seat");
    }

    #[test]
    fn a_worker_back_while_every_other_seat_serves_keeps_its_extra_seat() {
        // Slow handlers: the watcher gave a second seat, and its holder is inside the
        // application too when the first comes back. The first keeps its seat (else
        // nobody would wait on the poller), so the seats can grow past one extra.
        let seats = Arc::new(Seats::new(1));
        seats.take_seat();
        seats.serving();
        let (serving, is_serving) = mpsc::channel();
        let (finish, finished) = mpsc::channel::<()>();
        let other = Arc::clone(&seats);
        let holder = thread::spawn(move || {
            other.take_seat();
            other.serving();
            let _ = serving.send(());
            let _ = finished.recv_timeout(Duration::from_secs(10));
            other.leave();
        });
        is_serving
            .recv_timeout(Duration::from_secs(5))
            .expect("the watcher took an extra seat");
        seats.take_seat();
        let state = seats.lock();
        assert_eq!(
            (state.seated, state.serving, state.given_back),
            (2, 1, 0),
            "{state:?}"
        );
        drop(state);
        let _ = finish.send(());
        holder.join().expect("the holder ends");
    }

    #[test]
    fn a_worker_stuck_in_the_application_gets_company_and_the_extra_seat_goes_back() {
        let seats = Arc::new(Seats::new(1));
        seats.take_seat();
        seats.serving(); // ...and stays inside the application, for now.
        let (seated, got_seat) = mpsc::channel();
        let (finish, finished) = mpsc::channel::<()>();
        let other = Arc::clone(&seats);
        thread::spawn(move || {
            other.take_seat();
            let _ = seated.send(());
            let _ = finished.recv_timeout(Duration::from_secs(10));
            other.leave();
        });
        got_seat
            .recv_timeout(Duration::from_secs(5))
            .expect("the watcher took an extra seat");
        assert_eq!(seats.lock().seated, 2);
        // Once the stuck worker is back, two seats for one core: it gives its own up and
        // waits on standby (as the watcher) until the other leaves the poller.
        let look = Arc::clone(&seats);
        thread::spawn(move || {
            let deadline = Instant::now() + Duration::from_secs(5);
            let watching_alone = || {
                let state = look.lock();
                state.watching && state.seated == 1
            };
            while !watching_alone() && Instant::now() < deadline {
                thread::sleep(Duration::from_millis(1));
            }
            let _ = finish.send(());
        });
        seats.take_seat();
        let state = seats.lock();
        assert_eq!(
            (state.seated, state.serving, state.given_back),
            (1, 0, 1),
            "{state:?}"
        );
    }
}
