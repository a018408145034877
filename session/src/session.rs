//! `Session`: the shared handle, and the steps of `process(handler)` that need no HTTP.
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, TryLockError};
use std::time::SystemTime;

use crate::config::SessionConfig;
use crate::error::Result;
use crate::id::SessionId;
use crate::initializer::Initializer;
use crate::record::{Data, Record};
use crate::state::{Key, State};
use crate::store::Store;

/// Numbers `Session`s, so the thread-local can hold the states of several at once.
static NEXT_OWNER: AtomicUsize = AtomicUsize::new(0);

/// web.py's `Session`: a handle to one session machinery (a store, an initializer, a
/// configuration), installed as a processor of an application.
///
/// Cloning is cheap and every clone is the same session: handlers keep a clone and call
/// [`get`](Session::get), [`set`](Session::set), [`kill`](Session::kill)… while a request
/// runs; outside a request those return [`Error::NotInRequest`](crate::Error::NotInRequest).
///
/// The session is saved when the handler returns, before a streaming body is produced:
/// change it in the handler, not in the stream's iterator (there, calls return
/// `NotInRequest`).
#[derive(Clone)]
pub struct Session {
    inner: Arc<Inner>,
}

/// Shows the configuration; the store and initializer are trait objects with nothing to
/// print.
impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("config", &self.inner.config)
            .finish_non_exhaustive()
    }
}

struct Inner {
    owner: usize,
    store: Box<dyn Store>,
    initializer: Box<dyn Initializer>,
    config: SessionConfig,
    // When the store was last cleaned; `None` until the first request, which cleans
    // (web.py started from 0 and so cleaned on its first request too).
    last_cleanup: Mutex<Option<SystemTime>>,
}

/// What `validate_and_load` found for the request's cookie.
#[derive(Debug)]
pub(crate) enum Loaded {
    /// A valid, live session.
    Found(State),
    /// No usable id: a fresh one, not yet initialized.
    Fresh(State),
    /// An id that is no longer valid, and the configuration says to tell the client.
    Expired,
}

impl Session {
    /// A session not installed on any application yet: web.py's `Session(None, store,
    /// initializer)`. Make it first when handlers need a clone of it before the
    /// application exists, then [`install`](Session::install) it.
    pub fn detached(
        store: impl Store + 'static,
        initializer: impl Initializer,
        config: SessionConfig,
    ) -> Session {
        Session {
            inner: Arc::new(Inner {
                owner: NEXT_OWNER.fetch_add(1, Ordering::Relaxed),
                store: Box::new(store),
                initializer: Box::new(initializer),
                config,
                last_cleanup: Mutex::new(None),
            }),
        }
    }

    /// The configuration this session was made with.
    pub fn config(&self) -> &SessionConfig {
        &self.inner.config
    }

    /// This session's key for the request running on this thread, `None` outside one.
    pub(crate) fn key(&self) -> Option<Key> {
        let request = application::ctx::with(|c| c.serial()).ok()?;
        Some(Key {
            owner: self.inner.owner,
            request,
        })
    }

    pub(crate) fn store(&self) -> &dyn Store {
        self.inner.store.as_ref()
    }

    // ANCHOR: clear_old_data
    /// Step 1, clear the old data: expired records leave the store if the last cleanup is
    /// older than `cleanup_interval`. Only one request does it: the others find the lock
    /// taken and go on, so a slow scan delays one response, not all of them. (The previous
    /// request's in-memory session needs no clearing: it left this thread's slot when
    /// that request ended, even if its handler panicked.)
    ///
    /// A failed cleanup is logged and otherwise ignored: it does not make this request's
    /// session wrong, and the next interval retries.
    pub(crate) fn clear_old_data(&self) {
        let _span = tracing::debug_span!("Session.clear_old_data").entered();
        // A store whose cleanup panicked poisons the lock; the time inside is still right
        // (it is written only after a cleanup returns), so later cleanups go on.
        let mut last = match self.inner.last_cleanup.try_lock() {
            Ok(last) => last,
            Err(TryLockError::Poisoned(poisoned)) => poisoned.into_inner(),
            Err(TryLockError::WouldBlock) => return,
        };
        let clock = &self.inner.config.clock;
        // A clock set back before the last cleanup makes one due, rather than none for
        // as long as it was set back.
        let due = match *last {
            None => true,
            Some(t) => clock
                .now()
                .duration_since(t)
                .map_or(true, |idle| idle >= self.inner.config.cleanup_interval),
        };
        if due {
            match self.store().cleanup(self.inner.config.timeout) {
                Ok(removed) => tracing::debug!(removed, "expired sessions left the store"),
                Err(e) => tracing::warn!(error = %e, "session: the store's cleanup failed"),
            }
            *last = Some(clock.now());
        }
    }
    // ANCHOR_END: clear_old_data

    /// Finds the session the request's cookie names, if it may be used.
    ///
    /// An id is used only if it is well formed ([`SessionId::parse`]), the store has a
    /// readable record for it, the record is younger than `timeout`, and (with
    /// `ignore_change_ip` off) it was started from the same address. Anything else gets a
    /// fresh id, so a client can never choose its id (session fixation), or, with
    /// `ignore_expiry` off, an "expired" answer for an id that once was valid.
    // ANCHOR: validate_and_load
    pub(crate) fn validate_and_load(&self, cookie: Option<String>, ip: &str) -> Result<Loaded> {
        let _span = tracing::debug_span!("Session.validate_and_load").entered();
        let config = &self.inner.config;
        let now = self.inner.config.clock.now_ms();
        // A malformed cookie was never an id of ours: it is ignored, not "expired".
        let Some(id) = cookie.and_then(SessionId::parse_owned) else {
            return self.fresh(ip).map(Loaded::Fresh);
        };
        let bytes = self.store().get(&id)?;
        match bytes.as_deref().and_then(Record::decode) {
            Some(r) if !r.is_older_than(config.timeout, now) => {
                if !config.ignore_change_ip && r.ip != ip {
                    self.store().delete(&id)?;
                    return Ok(Loaded::Expired);
                }
                Ok(Loaded::Found(State::new(
                    id,
                    r.data,
                    r.ip,
                    r.accessed_ms,
                    false,
                )))
            }
            _ => {
                // Expired or unreadable: remove it now rather than at the next cleanup.
                if bytes.is_some() {
                    self.store().delete(&id)?;
                }
                if config.ignore_expiry {
                    self.fresh(ip).map(Loaded::Fresh)
                } else {
                    Ok(Loaded::Expired)
                }
            }
        }
    }
    // ANCHOR_END: validate_and_load

    fn fresh(&self, ip: &str) -> Result<State> {
        let id = SessionId::generate(&self.inner.config.secret_key)?;
        Ok(State::new(id, Data::new(), ip.to_owned(), 0, true))
    }

    // ANCHOR: run_initializer
    /// Fills a new session's data from the initializer (web.py: copy the dict, or call
    /// the function).
    pub(crate) fn run_initializer(&self, state: &mut State) {
        self.inner.initializer.initialize(&mut state.data);
    }
    // ANCHOR_END: run_initializer

    /// Writes the session back through the store, only if there is something to write.
    ///
    /// - killed: nothing (`kill` already deleted the record);
    /// - changed (a value set or removed, the id regenerated or asked for): the whole
    ///   record, under the current id; then the id that `regenerate_id` retired is deleted;
    /// - new and unchanged: nothing, and no cookie either (see `set_cookie`): a visitor
    ///   who never stores anything, a crawler, a stylesheet request, costs no write and
    ///   leaves no file. Its next request starts afresh, with the same initial data.
    /// - loaded and unchanged: nothing, unless the record is older than the refresh
    ///   interval, in which case it is rewritten so that a session in use does not expire.
    ///
    /// Returns whether the store was written. Concurrent requests of one session each
    /// write the whole record: the last to save wins, per session, not per key. A loaded
    /// session whose record has left the store meanwhile (killed by a concurrent request,
    /// a logout in another tab) is not written back, so a slow request cannot undo a
    /// logout; only a kill that lands between this check and the write still loses.
    // ANCHOR: save
    pub(crate) fn save(&self, state: &mut State) -> Result<bool> {
        let _span = tracing::debug_span!("Session.save").entered();
        if state.killed || !state.is_kept() {
            return Ok(false);
        }
        let now = self.inner.config.clock.now_ms();
        let refresh = self.inner.config.refresh_interval();
        let stale = u128::from(now.saturating_sub(state.accessed_ms)) >= refresh.as_millis();
        if !(state.changed || stale) {
            return Ok(false);
        }
        let loaded_id = state.retired.as_ref().unwrap_or(&state.id);
        if !state.is_new && !self.store().contains(loaded_id)? {
            return Ok(false);
        }
        // Taken, not copied: the request is over, and the caller needs only the id.
        let record = Record {
            accessed_ms: now,
            ip: std::mem::take(&mut state.ip),
            data: std::mem::take(&mut state.data),
        };
        self.store().set(&state.id, &record.encode())?;
        if let Some(old) = state.retired.take() {
            self.store().delete(&old)?;
        }
        Ok(true)
    }
    // ANCHOR_END: save
}
