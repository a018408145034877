//! `ctx`: the per-request data web.py kept in a thread-local (`web.ctx`).
//!
//! The notes: "clear the thread-local data, set the thread-local, call the method". Here
//! a request's context is a plain value the application owns; `scope` lends it to the
//! thread-local for exactly as long as application code runs, and takes it back on the
//! way out, also when that code panics. So the thread-local is empty between requests,
//! and no request can see another's `ctx`.
//!
//! # Composing with the web API
//! Every function here, and every `web` function, borrows the thread-local only for the
//! few instructions that copy a value in or out, and never runs application code while
//! it holds the borrow. [`with`] hands its closure a shared snapshot of the request's
//! fields, not the thread-local itself. So any call may be made from inside any other:
//! `ctx::with(|c| web::header("X-Path", &c.path))` works, and nothing can fail because
//! `ctx` is "busy" (web.py had no such failure either: `web.ctx` was a plain object).
//!
//! # Cost and trade-off
//! Reaching `ctx` is a thread-local lookup, a `RefCell` flag check and, for `with`, one
//! reference-count increment: a few nanoseconds (the `ctx` bench of this crate).
//! Passing a context argument to every handler would be free and visible in the types,
//! but web.py's API (`web.input()`, `web.header()`, `web.ctx.path`) is built on the
//! implicit context, and processors written for it (the session) need no plumbing.
//!
//! # Why it is sound only on OS threads
//! A thread-local is per OS thread. It is right here because a request runs on one
//! worker thread from start to end (a worker serves whichever connection the poller
//! hands it, and runs one request's application code and writes its response before it
//! takes another), and a streaming body re-lends its `ctx` around every chunk it
//! produces. On an async executor a task may move to another thread at each `.await`,
//! and a thread-local would then show one task's context to another.

mod live;
mod values;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

pub(crate) use live::{scope, with_live, Live};
pub use values::{attr, get, insert, remove, set, unset, update, update_attr};

use wsgi::Vars;

use crate::env;
use crate::Error;

// ANCHOR: ctx_fields
/// The request's context: web.py's `web.ctx`, with the same field names.
///
/// [`with`] lends a snapshot of it; the response's `status` and `headers`, which web.py
/// also kept in `ctx`, are reached through [`status`], [`set_status`], [`headers`] and
/// `web::header`, and application data through [`insert`] and [`get`] (by type) or
/// [`set`] and [`attr`] (by name).
#[derive(Debug, Clone)]
pub struct Ctx {
    /// The `Host` header, when the client sent one.
    pub host: Option<String>,
    /// `"http"` or `"https"`.
    pub protocol: String,
    /// `protocol://host`, for example `http://example.com:8080`, or the application's
    /// configured home (`Application::set_home`).
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
    pub(crate) env: Arc<Vars>,
    // See `serial()`.
    serial: u64,
}
// ANCHOR_END: ctx_fields

impl Ctx {
    // ANCHOR: load
    /// Builds a fresh context from the environ: web.py's `Application.load(env)`. The
    /// second value says whether the path was not UTF-8 (the request is then a 400).
    pub(crate) fn load(env: Arc<Vars>, homedomain: String) -> (Ctx, bool) {
        let host = env.get("HTTP_HOST").map(str::to_string);
        let protocol = protocol_of(&env).to_string();
        let homepath = env.get("SCRIPT_NAME").unwrap_or("").to_string();
        let home = format!("{homedomain}{homepath}");
        let path_info = env.path_info_bytes();
        let (path, bad_path) = match std::str::from_utf8(path_info) {
            Ok(p) => (p.to_string(), false),
            Err(_) => (String::from_utf8_lossy(path_info).into_owned(), true),
        };
        let query = match env.get("QUERY_STRING") {
            Some(q) if !q.is_empty() => format!("?{q}"),
            _ => String::new(),
        };
        let ctx = Ctx {
            ip: env.get("REMOTE_ADDR").map(str::to_string),
            method: env.get("REQUEST_METHOD").unwrap_or("GET").to_string(),
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
            serial: NEXT_SERIAL.fetch_add(1, Ordering::Relaxed),
        };
        (ctx, bad_path)
    }
    // ANCHOR_END: load

    /// One environ variable as text (`"HTTP_USER_AGENT"`, `"REMOTE_ADDR"`…).
    pub fn env(&self, key: &str) -> Option<&str> {
        env::var(&self.env, key)
    }

    /// Every environ variable, `wsgi.url_scheme` included, in key order (web.py's
    /// `ctx.env` as a whole).
    pub fn environ(&self) -> impl Iterator<Item = (&str, &str)> {
        env::all(&self.env)
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

/// `wsgi.url_scheme` when it is `http` or `https`, else `HTTPS=on|true|1`, as web.py read it.
pub(crate) fn protocol_of(env: &Vars) -> &'static str {
    match env.url_scheme() {
        "https" => "https",
        "http" => "http",
        _ => match env.get("HTTPS") {
            Some(on)
                if ["on", "true", "1"]
                    .iter()
                    .any(|v| on.eq_ignore_ascii_case(v)) =>
            {
                "https"
            }
            _ => "http",
        },
    }
}

/// The next request's `serial`.
static NEXT_SERIAL: AtomicU64 = AtomicU64::new(0);

// ANCHOR: ctx_access
/// Reads the current request's context: `ctx::with(|c| c.path.clone())`.
///
/// The closure gets a snapshot taken when `with` was called, so it may call any other
/// function of this crate, `web::header` included, and a change those make (a mounted
/// sub-application's `path`, say) shows in the next `with`, not in this one.
///
/// Errors with [`Error::OutsideRequest`] when no request is running on this thread.
pub fn with<R>(f: impl FnOnce(&Ctx) -> R) -> Result<R, Error> {
    Ok(f(&*snapshot()?))
}

/// The current request's fields, shared: what `with` lends its closure.
pub(crate) fn snapshot() -> Result<Arc<Ctx>, Error> {
    with_live(|live| Arc::clone(&live.ctx))
}

/// Whether a request is being handled on this thread right now.
pub fn in_request() -> bool {
    with_live(|_| ()).is_ok()
}
// ANCHOR_END: ctx_access

// ANCHOR: ctx_reads
macro_rules! field_reads {
    ($($(#[$doc:meta])* $name:ident: $ty:ty;)*) => {
        $(
            $(#[$doc])*
            ///
            /// Errors with [`Error::OutsideRequest`] outside a request.
            pub fn $name() -> Result<$ty, Error> {
                with_live(|live| live.ctx.$name.clone())
            }
        )*
    };
}
// ANCHOR_END: ctx_reads

// ANCHOR: ctx_field_list
field_reads! {
    /// `web.ctx.path`: the percent-decoded path, relative to `homepath`.
    path: String;
    /// `web.ctx.host`: the `Host` header, `None` when the client sent none.
    host: Option<String>;
    /// `web.ctx.method`: `"GET"`, `"POST"`…
    method: String;
    /// `web.ctx.ip`: the client's address.
    ip: Option<String>;
    /// `web.ctx.home`: `homedomain + homepath`.
    home: String;
    /// `web.ctx.homepath`: where the application is mounted.
    homepath: String;
    /// `web.ctx.homedomain`: `protocol://host`.
    homedomain: String;
    /// `web.ctx.realhome`: `home` before any sub-application changed it.
    realhome: String;
    /// `web.ctx.protocol`: `"http"` or `"https"`.
    protocol: String;
    /// `web.ctx.query`: `"?" + QUERY_STRING`, or `""`.
    query: String;
    /// `web.ctx.fullpath`: `path + query`.
    fullpath: String;
}

/// `web.ctx.env[key]`: one environ variable (`ctx::env("HTTP_USER_AGENT")`).
///
/// Errors with [`Error::OutsideRequest`] outside a request.
pub fn env(key: &str) -> Result<Option<String>, Error> {
    with_live(|live| live.ctx.env(key).map(str::to_string))
}
// ANCHOR_END: ctx_field_list

// ANCHOR: ctx_writes
/// `web.ctx.status`: the response status line so far (default `"200 OK"`).
pub fn status() -> Result<String, Error> {
    with_live(|live| live.status.to_string())
}

/// `web.ctx.status = "201 Created"`. The status line is checked when the response
/// starts: one that is not `NNN reason` becomes a 500 saying why.
///
/// Errors with [`Error::HeadersSent`] once the response has started (inside a stream,
/// after its first chunk).
pub fn set_status(status: &str) -> Result<(), Error> {
    let status = status.to_string();
    with_live(|live| {
        live.open()?.status = status.into();
        Ok(())
    })?
}

/// `web.ctx.headers`: the response headers added so far, in order.
pub fn headers() -> Result<Vec<(String, String)>, Error> {
    let headers = with_live(|live| live.headers.clone())?;
    Ok(headers
        .into_iter()
        .map(wsgi::rules::Header::into_pair)
        .collect())
}

/// `web.ctx.path = path`, for a processor that rewrites the path before the mapping
/// sees it; `fullpath` follows.
pub fn set_path(path: &str) -> Result<(), Error> {
    with_live(|live| {
        let mut ctx = Ctx::clone(&live.ctx);
        ctx.fullpath = format!("{path}{}", ctx.query);
        ctx.path = path.to_string();
        live.ctx = Arc::new(ctx);
    })
}
// ANCHOR_END: ctx_writes
