//! `ctx`: the per-request data web.py kept in a thread-local (`web.ctx`).
//!
//! The notes: "clear the thread-local data, set the thread-local, call the method". Here
//! a request's [`Ctx`] is a plain value the application owns; `scope` lends it to the
//! thread-local for exactly as long as application code runs, and takes it back on the
//! way out, also when that code panics. So the thread-local is empty between requests,
//! and no request can see another's `ctx`.
//!
//! # Cost and trade-off
//! Reaching `ctx` is a thread-local lookup and a `RefCell` flag check: under a
//! nanosecond in a loop (the `ctx` bench of this crate).
//! Passing a context argument to every handler would be free and visible in the types,
//! but web.py's API (`web.input()`, `web.header()`, `web.ctx.path`) is built on the
//! implicit context, and processors written for it (the session) need no plumbing.
//!
//! # Why it is sound only on OS threads
//! A thread-local is per OS thread. It is right here because a request runs on one
//! worker thread from start to end (the pool gives each connection its own thread), and
//! a streaming body re-lends its `ctx` around every chunk it produces. On an async
//! executor a task may move to another thread at each `.await`, and a thread-local would
//! then show one task's context to another.

use std::cell::RefCell;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::application::Limits;
use crate::env::Env;
use crate::Error;

// ANCHOR: ctx_fields
/// The request's context: web.py's `web.ctx`, with the same field names.
pub struct Ctx {
    /// The response status line; handlers may set it (default `"200 OK"`).
    pub status: String,
    /// The response headers so far (`header()` appends here).
    pub headers: Vec<(String, String)>,
    /// The `Host` header, when the client sent one.
    pub host: Option<String>,
    /// `"http"` or `"https"`.
    pub protocol: String,
    /// `protocol://host`, for example `http://example.com:8080`.
    pub homedomain: String,
    /// Where the application is mounted: `SCRIPT_NAME`, plus the prefix of every
    /// sub-application the request went through.
    pub homepath: String,
    /// `homedomain + homepath`: redirects are made absolute against it.
    pub home: String,
    /// `home` as it was before any sub-application changed it.
    pub realhome: String,
    /// The client's address (`REMOTE_ADDR`).
    pub ip: Option<String>,
    /// The request method, for example `"GET"`.
    pub method: String,
    /// The percent-decoded path, relative to `homepath`.
    pub path: String,
    /// `"?" + QUERY_STRING`, or `""` when there is no query.
    pub query: String,
    /// `path + query`.
    pub fullpath: String,
    pub(crate) env: Env,
    // The request body once read (or why it could not be), so `input()` and `data()`
    // can both be called, and a second call gives the first call's answer.
    pub(crate) body: Option<Result<Vec<u8>, crate::HttpError>>,
    pub(crate) limits: Limits,
    // The path was not UTF-8: the application answers 400 without dispatching.
    pub(crate) bad_path: bool,
    // See `serial()`.
    serial: u64,
}
// ANCHOR_END: ctx_fields

impl Ctx {
    // ANCHOR: load
    /// Builds a fresh context from the environ: web.py's `Application.load(env)`.
    pub(crate) fn load(env: Env, limits: Limits) -> Ctx {
        let host = env.var("HTTP_HOST").map(str::to_string);
        let protocol = match env.var("wsgi.url_scheme") {
            Some(s @ ("http" | "https")) => s.to_string(),
            _ => match env.var("HTTPS").map(str::to_ascii_lowercase).as_deref() {
                Some("on" | "true" | "1") => "https".to_string(),
                _ => "http".to_string(),
            },
        };
        let homedomain = format!("{protocol}://{}", host.as_deref().unwrap_or("[unknown]"));
        let homepath = env.var("SCRIPT_NAME").unwrap_or("").to_string();
        let home = format!("{homedomain}{homepath}");
        let (path, bad_path) = match std::str::from_utf8(env.path_info()) {
            Ok(p) => (p.to_string(), false),
            Err(_) => (String::from_utf8_lossy(env.path_info()).into_owned(), true),
        };
        let query = match env.var("QUERY_STRING") {
            Some(q) if !q.is_empty() => format!("?{q}"),
            _ => String::new(),
        };
        Ctx {
            status: "200 OK".to_string(),
            headers: Vec::new(),
            ip: env.var("REMOTE_ADDR").map(str::to_string),
            method: env.var("REQUEST_METHOD").unwrap_or("GET").to_string(),
            fullpath: format!("{path}{query}"),
            realhome: home.clone(),
            host,
            protocol,
            homedomain,
            homepath,
            home,
            path,
            query,
            env,
            body: None,
            limits,
            bad_path,
            serial: NEXT_SERIAL.fetch_add(1, Ordering::Relaxed),
        }
    }
    // ANCHOR_END: load

    /// One environ variable as text (`"HTTP_USER_AGENT"`, `"REMOTE_ADDR"`…).
    pub fn env(&self, key: &str) -> Option<&str> {
        self.env.var(key)
    }

    /// Every environ variable, in key order (web.py's `ctx.env` as a whole).
    pub fn environ(&self) -> impl Iterator<Item = (&str, &str)> {
        self.env.vars()
    }

    /// A number no other request of this process has: it tells an in-process
    /// `request()` made by a handler from the request that made it (both run on one
    /// thread), so per-request state kept outside `ctx`, such as the session's, is not
    /// shared between them. A sub-application keeps its parent's number: it is the same
    /// request.
    pub fn serial(&self) -> u64 {
        self.serial
    }

    /// The raw query string, without the `?`.
    pub fn query_string(&self) -> &str {
        self.query.strip_prefix('?').unwrap_or("")
    }
}

/// The next request's `serial`.
static NEXT_SERIAL: AtomicU64 = AtomicU64::new(0);

thread_local! {
    static CURRENT: RefCell<Option<Ctx>> = const { RefCell::new(None) };
}

// ANCHOR: scope
/// Lends the context in `slot` to this thread for the duration of `f`, then puts it
/// back into `slot`, whatever `f` does (a panic included), and restores whatever was
/// lent before (so an in-process `request()` made from a handler nests correctly).
pub(crate) fn scope<R>(slot: &mut Option<Ctx>, f: impl FnOnce() -> R) -> R {
    struct Guard<'s> {
        slot: &'s mut Option<Ctx>,
        prev: Option<Ctx>,
    }
    impl Drop for Guard<'_> {
        fn drop(&mut self) {
            let prev = self.prev.take();
            // The borrow cannot be held here: every borrow of CURRENT is a stack value
            // deeper than this guard, and unwinding has already dropped it.
            CURRENT.with(|c| {
                if let Ok(mut cur) = c.try_borrow_mut() {
                    *self.slot = std::mem::replace(&mut *cur, prev);
                }
            });
        }
    }
    let lent = slot.take();
    let prev = CURRENT.with(|c| std::mem::replace(&mut *c.borrow_mut(), lent));
    let _guard = Guard { slot, prev };
    f()
}
// ANCHOR_END: scope

// ANCHOR: ctx_access
/// Reads the current request's context: `ctx::with(|c| c.path.clone())`.
///
/// Errors with [`Error::OutsideRequest`] when no request is running on this thread.
pub fn with<R>(f: impl FnOnce(&Ctx) -> R) -> Result<R, Error> {
    CURRENT.with(|c| {
        let cur = c.try_borrow().map_err(|_| Error::CtxBusy)?;
        cur.as_ref().map(f).ok_or(Error::OutsideRequest)
    })
}

/// Changes the current request's context: `ctx::with_mut(|c| c.status = "201 Created".into())`.
pub fn with_mut<R>(f: impl FnOnce(&mut Ctx) -> R) -> Result<R, Error> {
    CURRENT.with(|c| {
        let mut cur = c.try_borrow_mut().map_err(|_| Error::CtxBusy)?;
        cur.as_mut().map(f).ok_or(Error::OutsideRequest)
    })
}

/// Whether a request is being handled on this thread right now.
pub fn in_request() -> bool {
    CURRENT.with(|c| c.try_borrow().map(|c| c.is_some()).unwrap_or(true))
}
// ANCHOR_END: ctx_access
