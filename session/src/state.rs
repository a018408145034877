//! The session of the request on this thread: web.py's `threadeddict`, as a thread-local.
//!
//! web.py's `session` was one global object whose data lived in a `threadeddict`, so each
//! worker thread saw its own request's session. This crate keeps the same shape: a
//! `Session` is a shared handle, and the loaded data sits in a thread-local slot while
//! `process(handler)` runs. It rests on the same ground as `application`'s `ctx`: each
//! request runs start to finish on one OS thread.
use std::cell::RefCell;

use crate::id::SessionId;
use crate::record::Data;

/// One request's view of its session, from `validate_and_load` to `save`.
#[derive(Debug)]
pub(crate) struct State {
    /// The id the response will carry.
    pub(crate) id: SessionId,
    /// The application's data.
    pub(crate) data: Data,
    /// The client address stored with the session.
    pub(crate) ip: String,
    /// When the loaded record was written (ms since the epoch); 0 for a new session.
    pub(crate) accessed_ms: u64,
    /// No record existed: the initializer ran, and nothing is stored yet.
    pub(crate) is_new: bool,
    /// The data differs from what was loaded, or the id changed or was handed out: the
    /// record must be written.
    pub(crate) changed: bool,
    /// `kill()` was called: nothing is saved and the cookie is expired.
    pub(crate) killed: bool,
    /// The id before `regenerate_id()`, deleted from the store when the request saves.
    pub(crate) retired: Option<SessionId>,
}

impl State {
    /// Whether the session outlives this request: a stored one always does, a new one
    /// only once something was stored in it (or its id was handed out).
    pub(crate) fn is_kept(&self) -> bool {
        !self.is_new || self.changed
    }
}

thread_local! {
    // A stack rather than one slot, because two different `Session`s (two cookie names)
    // may both be active on one request; entries are keyed by the owner's instance number.
    static ACTIVE: RefCell<Vec<(usize, State)>> = const { RefCell::new(Vec::new()) };
}

/// Whether `owner` already has a session loaded on this thread (a sub-application
/// running inside the parent's `process`).
pub(crate) fn is_active(owner: usize) -> bool {
    ACTIVE.with(|a| a.borrow().iter().any(|(o, _)| *o == owner))
}

/// Runs `f` on `owner`'s state, or returns `None` outside its requests.
pub(crate) fn with<R>(owner: usize, f: impl FnOnce(&mut State) -> R) -> Option<R> {
    ACTIVE.with(|a| {
        let mut active = a.borrow_mut();
        let (_, state) = active.iter_mut().rev().find(|(o, _)| *o == owner)?;
        Some(f(state))
    })
}

/// Puts `state` in place for the rest of the request; the guard takes it back out, also
/// when the handler panics, so the next request on this thread starts clean.
pub(crate) fn install(owner: usize, state: State) -> Installed {
    ACTIVE.with(|a| a.borrow_mut().push((owner, state)));
    Installed { owner }
}

/// Owns `owner`'s slot in the thread-local until [`Installed::take`] or drop.
pub(crate) struct Installed {
    owner: usize,
}

impl Installed {
    /// Removes the state for saving.
    pub(crate) fn take(self) -> Option<State> {
        remove(self.owner)
        // `Drop` runs next and finds nothing left to remove.
    }
}

impl Drop for Installed {
    fn drop(&mut self) {
        remove(self.owner);
    }
}

fn remove(owner: usize) -> Option<State> {
    ACTIVE.with(|a| {
        let mut active = a.borrow_mut();
        let at = active.iter().rposition(|(o, _)| *o == owner)?;
        Some(active.remove(at).1)
    })
}
