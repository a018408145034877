//! `Session::new` and `process(handler)`: the session as a processor of an application.
use application::web::{self, Header, SetCookie};
use application::{ctx, Application, HttpError, Next, Outcome};

use crate::config::SessionConfig;
use crate::error::Error;
use crate::initializer::Initializer;
use crate::session::{Loaded, Session};
use crate::state;
use crate::store::Store;

impl Session {
    // ANCHOR: new
    /// web.py's `Session(app, store, initializer)`: a session with the default
    /// [`SessionConfig`], installed as a processor of `app`.
    ///
    /// ```
    /// use application::{Application, Args, Target};
    /// use session::{MemoryStore, Session};
    ///
    /// let mut app = Application::new([("/", Target::func(|_: &Args| Ok("hi".into())))])?;
    /// let session = Session::new(&mut app, MemoryStore::new(), serde_json::json!({"count": 0}));
    /// // The handler never stores anything, so no session is kept and no cookie is sent.
    /// assert_eq!(app.request("/").send().header("Set-Cookie"), None);
    /// # let _ = session;
    /// # Ok::<(), application::Error>(())
    /// ```
    pub fn new(
        app: &mut Application,
        store: impl Store + 'static,
        initializer: impl Initializer,
    ) -> Session {
        Session::with_config(app, store, initializer, SessionConfig::default())
    }
    // ANCHOR_END: new

    // ANCHOR: install
    /// Like [`new`](Session::new), with a configuration of your own.
    pub fn with_config(
        app: &mut Application,
        store: impl Store + 'static,
        initializer: impl Initializer,
        config: SessionConfig,
    ) -> Session {
        let session = Session::detached(store, initializer, config);
        session.install(app);
        session
    }

    /// Adds this session as a processor of `app` (`new` does it for its `app`). Installing
    /// the same session on a sub-application as well is harmless: inside the parent's
    /// request the sub-application shares the session already loaded.
    pub fn install(&self, app: &mut Application) {
        let session = self.clone();
        // Named, so a trace shows `session` rather than the closure's place in this file.
        app.add_processor_named("session", move |next: Next<'_>| session.process(next));
    }
    // ANCHOR_END: install

    // ANCHOR: process
    /// The processor: the design notes' steps, in order, around the rest of the chain.
    ///
    /// 1. clear the old data (`clear_old_data`);
    /// 2. validate the session id and load the session for it (`validate_and_load`);
    /// 3. run the initializer, for a new session (`run_initializer`);
    /// 4. run the handler, with the session reachable through this handle;
    /// 5. save the session data through the store (`save`);
    /// 6. set the cookie (`set_cookie`), unless the session is new and stored nothing, or
    ///    the save failed;
    /// 7. mark the response for one browser only (`mark_private`) when it was built from
    ///    a stored session or sets a cookie (the session's, or the visitor's CSRF cookie).
    ///
    /// The design notes (and web.py) set the cookie before saving; here the order is
    /// swapped so that a failed save sends no cookie. Steps 5 and 6 run whatever the
    /// handler returned: a page, a redirect, an error. A store that fails is a 503 when it
    /// is out of reach ([`Error::Unavailable`]), else a 500.
    pub fn process(&self, handler: Next<'_>) -> Outcome {
        let Some(key) = self.key() else {
            return Err(store_failure(Error::NotInRequest));
        };
        if state::is_active(key) {
            // A sub-application inside the parent's request: the session is loaded
            // already, and loading it again would save it twice (web.py issue 666).
            return handler.run();
        }
        let _span = tracing::debug_span!("Session.process").entered();
        self.clear_old_data();
        let (cookie, homepath) = request_facts(&self.config().cookie_name)?;
        // The client's address is read where `ctx` lends it, not copied.
        let loaded = ctx::with(|c| self.validate_and_load(cookie, c.ip.as_deref().unwrap_or("")))?;
        let mut state = match loaded {
            Ok(Loaded::Found(state)) => state,
            Ok(Loaded::Fresh(mut state)) => {
                self.run_initializer(&mut state);
                state
            }
            Ok(Loaded::Expired) => return self.expired(&homepath),
            Err(e) => return Err(store_failure(e)),
        };
        // ANCHOR_END: process
        // ANCHOR: process_after
        tracing::debug!(id = ?state.id, new = state.is_new, "session loaded");
        state.homepath.clone_from(&homepath);
        let installed = state::install(key, state, self.clone());
        let outcome = handler.run();
        let Some(mut state) = installed.take() else {
            return Err(store_failure(Error::NotInRequest));
        };
        // Save first, cookie second: a session the store did not take sends no cookie,
        // so a failed login leaves the browser with its old id, not one that names
        // nothing (or, worse, names a record a later retry would find half-made).
        let (killed, kept) = (state.killed, state.is_kept());
        // Built from a stored session, or carrying a cookie that names one visitor: no
        // shared cache may keep it for another.
        let private = !state.is_new || kept || killed || state.csrf_cookie_set;
        match self.save(&mut state) {
            Ok(written) => tracing::debug!(id = ?state.id, written, "session saved"),
            Err(e) => return Err(store_failure(e)),
        }
        if kept || killed {
            self.set_cookie(state.id.as_str(), killed, &homepath)?;
            tracing::debug!(id = ?state.id, killed, "cookie set");
        }
        if private {
            mark_private()?;
        }
        outcome
    }
    // ANCHOR_END: process_after

    // ANCHOR: set_cookie
    /// Step 6: sets the cookie, on every response of a kept session as web.py did, so its
    /// attributes stay current; a browser-session cookie (no `Expires`), so it ends with
    /// the browser. A killed session gets a cookie that has already expired, which makes
    /// the browser drop it. A new session that stored nothing gets no cookie: there is
    /// nothing for the id to find; nor does a session whose save failed.
    fn set_cookie(&self, id: &str, killed: bool, homepath: &str) -> Result<(), HttpError> {
        let name = &self.config().cookie_name;
        self.set_named_cookie(name, id, killed, homepath)
            .map_err(HttpError::from)
    }
    // ANCHOR_END: set_cookie

    /// Sets the cookie `name` with the session cookie's attributes: the session's own,
    /// and the visitor's CSRF cookie.
    pub(crate) fn set_named_cookie(
        &self,
        name: &str,
        value: &str,
        killed: bool,
        homepath: &str,
    ) -> Result<(), application::Error> {
        let config = self.config();
        // Borrowed throughout: the one string made is the header's value. Without a
        // configured path the cookie's is `homepath + "/"`, the request's as it was
        // before the handler ran.
        let mut cookie = SetCookie::new(name, value)
            .httponly(config.httponly)
            .secure(config.secure);
        if let Some(path) = &config.cookie_path {
            cookie = cookie.path(path);
        }
        if let Some(domain) = &config.cookie_domain {
            cookie = cookie.domain(domain);
        }
        if let Some(samesite) = config.samesite {
            cookie = cookie.samesite(samesite);
        }
        if killed {
            cookie = cookie.expires(-1);
        }
        web::add_header(cookie.header(homepath)?)
    }

    // ANCHOR: expired
    /// The answer for an id that is no longer valid when `ignore_expiry` is off (or the
    /// address changed with `ignore_change_ip` off): web.py's `SessionExpired`, a
    /// `200 OK` whose body is `expired_message`, with the cookie deleted.
    fn expired(&self, homepath: &str) -> Outcome {
        let config = self.config();
        self.set_cookie("", true, homepath)?;
        mark_private()?;
        Err(HttpError::from_status("200 OK")
            .with(constant("Content-Type", "text/plain; charset=utf-8"))
            .with_body(config.expired_message.clone()))
    }
    // ANCHOR_END: expired
}

/// The cookie value and `homepath`, read from `ctx` before the handler runs (a
/// sub-application changes `homepath` while it runs).
fn request_facts(cookie_name: &str) -> Result<(Option<String>, String), HttpError> {
    let cookie = web::cookie(cookie_name)?;
    let homepath = ctx::with(|c| c.homepath.clone())?;
    Ok((cookie, homepath))
}

// ANCHOR: current
/// The session of the request running on this thread: the one whose processor is running
/// the handler. A handler reaches its session from the request this way, as it reaches
/// `web::input()`, so an application needs no `static` or clone of its `Session`:
///
/// ```
/// use application::{Application, Args, Target};
/// use session::{MemoryStore, Session};
///
/// fn count(_: &Args) -> application::Outcome {
///     let n = session::current()?.update("count", |n: &mut u64| *n += 1)?;
///     Ok(format!("visit {n}").into())
/// }
/// let mut app = Application::new([("/", Target::func(count))])?;
/// Session::new(&mut app, MemoryStore::new(), ());
/// assert_eq!(app.request("/").send().text(), "visit 1");
/// # Ok::<(), application::Error>(())
/// ```
///
/// # Errors
/// [`Error::NotInRequest`] outside a request, or in a request of an application that has
/// no session installed.
pub fn current() -> Result<Session, Error> {
    // The session's own thread-local knows which session runs this request's handler:
    // nothing is stored in `ctx` for it.
    let request = ctx::with(|c| c.serial()).map_err(|_| Error::NotInRequest)?;
    state::current(request).ok_or(Error::NotInRequest)
}
// ANCHOR_END: current

// ANCHOR: mark_private
/// Tells caches that the response belongs to one browser: `Cache-Control: private` (a
/// shared cache must not store it, Rails' default for such pages), unless the handler
/// chose a `Cache-Control` of its own, and `Vary: Cookie` (the answer depends on the
/// cookie, Django's rule). Without them a shared cache could hand one user's page, and
/// the `Set-Cookie` that came with it, to the next.
fn mark_private() -> Result<(), HttpError> {
    web::add_header_unique(constant("Cache-Control", "private"))?;
    web::add_header(constant("Vary", "Cookie"))?;
    Ok(())
}

/// A header of this crate's constant text: checked as every header is, copying nothing.
pub(crate) fn constant(name: &'static str, value: &'static str) -> Header {
    Header::new(name, value).expect("the session's constant headers follow the rules")
}
// ANCHOR_END: mark_private

/// A store that fails is the server's problem, not the client's: a 503 when the store is
/// out of reach, else a 500 (with the application's page for it), and the reason in the
/// log for the operator (`From<Error> for HttpError`).
fn store_failure(e: Error) -> HttpError {
    HttpError::from(e)
}
