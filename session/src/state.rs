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
use crate::session::Session;

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
    /// Where the application is mounted, read before the handler ran: cookies' `Path`.
    pub(crate) homepath: String,
    /// The visitor's CSRF value for this request (from its cookie, or made now).
    pub(crate) csrf_nonce: Option<String>,
    /// This request set the visitor's CSRF cookie.
    pub(crate) csrf_cookie_set: bool,
}

impl State {
    /// A request's view of the session `id`, before anything happened to it.
    pub(crate) fn new(
        id: SessionId,
        data: Data,
        ip: String,
        accessed_ms: u64,
        is_new: bool,
    ) -> State {
        State {
            id,
            data,
            ip,
            accessed_ms,
            is_new,
            changed: false,
            killed: false,
            retired: None,
            homepath: String::new(),
            csrf_nonce: None,
            csrf_cookie_set: false,
        }
    }

    /// Whether the session outlives this request: a stored one always does, a new one
    /// only once something was stored in it (or its id was handed out).
    pub(crate) fn is_kept(&self) -> bool {
        !self.is_new || self.changed
    }
}

/// Whose state an entry is: the `Session` (its instance number) and the request (its
/// `ctx` serial). The request matters because a handler may make an in-process request
/// of the same application on the same thread: that one must load its own session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Key {
    pub(crate) owner: usize,
    pub(crate) request: u64,
}

thread_local! {
    // A stack rather than one slot, because two different `Session`s (two cookie names)
    // may both be active on one request, and an in-process request may run inside
    // another; entries are keyed by session and request. Each keeps its `Session` too,
    // for `session::current()`: the innermost entry of a request is the session whose
    // processor is running the handler.
    static ACTIVE: RefCell<Vec<(Key, State, Session)>> = const { RefCell::new(Vec::new()) };
}

/// Whether `key` already has a session loaded on this thread (a sub-application
/// running inside the parent's `process`).
pub(crate) fn is_active(key: Key) -> bool {
    ACTIVE.with(|a| a.borrow().iter().any(|(k, _, _)| *k == key))
}

/// Runs `f` on `key`'s state, or returns `None` outside its requests.
pub(crate) fn with<R>(key: Key, f: impl FnOnce(&mut State) -> R) -> Option<R> {
    ACTIVE.with(|a| {
        let mut active = a.borrow_mut();
        let (_, state, _) = active.iter_mut().rev().find(|(k, _, _)| *k == key)?;
        Some(f(state))
    })
}

// ANCHOR: state_current
/// The session whose processor runs the handler of request `request` (a `ctx` serial):
/// the innermost one installed for it.
pub(crate) fn current(request: u64) -> Option<Session> {
    ACTIVE.with(|a| {
        let active = a.borrow();
        let (_, _, session) = active.iter().rev().find(|(k, _, _)| k.request == request)?;
        Some(session.clone())
    })
}
// ANCHOR_END: state_current

/// Puts `state` in place for the rest of the request; the guard takes it back out, also
/// when the handler panics, so the next request on this thread starts clean.
pub(crate) fn install(key: Key, state: State, session: Session) -> Installed {
    ACTIVE.with(|a| a.borrow_mut().push((key, state, session)));
    Installed { key }
}

/// Owns `key`'s slot in the thread-local until [`Installed::take`] or drop.
pub(crate) struct Installed {
    key: Key,
}

impl Installed {
    /// Removes the state for saving.
    pub(crate) fn take(self) -> Option<State> {
        remove(self.key)
        // `Drop` runs next and finds nothing left to remove.
    }
}

impl Drop for Installed {
    fn drop(&mut self) {
        remove(self.key);
    }
}

fn remove(key: Key) -> Option<State> {
    let (state, session) = ACTIVE.with(|a| {
        let mut active = a.borrow_mut();
        let at = active.iter().rposition(|(k, _, _)| *k == key)?;
        let (_, state, session) = active.remove(at);
        Some((state, session))
    })?;
    // Dropped outside the borrow: were it the last handle, its store's `Drop` runs here.
    drop(session);
    Some(state)
}
