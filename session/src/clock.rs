//! `Clock`: where the session and the memory store read the time, so a test can move it.
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The time source of a [`Session`](crate::Session) (`SessionConfig::clock`) and of a
/// [`MemoryStore`](crate::MemoryStore) (`MemoryStore::with_clock`): expiry, the refresh
/// of unchanged records and the cleanup interval are all measured on it.
///
/// The default is the system's clock. [`Clock::manual`] gives one that moves only when
/// told, so a test of a one-day timeout takes no time and does not depend on how busy the
/// machine is. Clones share the source. Two clocks are equal when they are clones of one.
#[derive(Clone)]
pub struct Clock(Arc<dyn Fn() -> SystemTime + Send + Sync>);

impl Clock {
    /// The system's wall clock (`SystemTime::now`).
    pub fn system() -> Clock {
        Clock(Arc::new(SystemTime::now))
    }

    /// A clock that reads the time from `now`.
    pub fn from_fn(now: impl Fn() -> SystemTime + Send + Sync + 'static) -> Clock {
        Clock(Arc::new(now))
    }

    /// A clock that starts at the system's time now and moves only by
    /// [`ManualTime::advance`].
    pub fn manual() -> (Clock, ManualTime) {
        let time = ManualTime(Arc::new(Mutex::new(SystemTime::now())));
        let read = time.clone();
        (Clock::from_fn(move || read.now()), time)
    }

    /// The time now, on this clock.
    pub fn now(&self) -> SystemTime {
        (self.0)()
    }

    /// The time now in milliseconds since the Unix epoch (0 before 1970): what records keep.
    pub(crate) fn now_ms(&self) -> u64 {
        self.now()
            .duration_since(UNIX_EPOCH)
            .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
            .unwrap_or(0)
    }

    /// Time since `then` on this clock; zero if the clock has gone back past it.
    pub(crate) fn since(&self, then: SystemTime) -> Duration {
        self.now().duration_since(then).unwrap_or(Duration::ZERO)
    }
}

impl Default for Clock {
    fn default() -> Self {
        Clock::system()
    }
}

impl fmt::Debug for Clock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Clock")
    }
}

impl PartialEq for Clock {
    fn eq(&self, other: &Clock) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

/// The hand of a [`Clock::manual`] clock.
#[derive(Debug, Clone)]
pub struct ManualTime(Arc<Mutex<SystemTime>>);

impl ManualTime {
    /// Moves the clock forward by `by`.
    pub fn advance(&self, by: Duration) {
        let mut now = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        *now += by;
    }

    /// The clock's time.
    pub fn now(&self) -> SystemTime {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
