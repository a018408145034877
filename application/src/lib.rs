//! The framework layer: web.py's `Application`.
//!
//! `application` receives the environ and `start_response` from `wsgi`, loads a fresh
//! thread-local [`ctx`] for the request, runs the processors around the handler the URL
//! mapping chooses, and hands the status, headers and body back to `wsgi`. Above it,
//! `session` plugs in as a processor. It mirrors the design notes' heading
//! "application"; the book walks it in the chapter "application".
//!
//! # Layout
//! - [`Application`]: the mapping (URL patterns to [`Target`]s), processors,
//!   `handle`, `request` (the in-process client), `wsgifunc`, `run` and `run_with` (with
//!   a [`MiddlewareStack`] that names its order).
//! - [`Target`]: what a pattern maps to; a handler is `Target::route()` with a function
//!   per method (`.get(show).post(save)`, or [`get`]`(show)` for short), each method
//!   named once. Its [`Args`] are the pattern's groups, as text or parsed
//!   (`args.parse::<u32>(0)?`).
//! - [`ctx`]: the request's context, web.py's `web.ctx`, reached through a thread-local.
//! - [`Processor`] and [`Next`]: what `add_processor` takes; [`processor_fn`],
//!   [`loadhook`], [`unloadhook`].
//! - [`web`]: the functions handlers call: `input`, `data`, `header`, `cookies`,
//!   `setcookie`, `seeother`…; the [`HttpError`] family is at the crate root. A handler
//!   answers with `Ok(body)` or `Err(HttpError)`; a redirect or a 2xx may be either
//!   (`Ok(web::seeother("/").into())` as [`Body::Reply`]).
//! - [`prelude`]: what a program written against web.py's `import web` needs, in one
//!   `use application::prelude::*;`.
//! - [`logging`]: the subscriber `run()` installs, so the layers' `tracing` events
//!   (and, with `RUST_LOG=debug`, each request's trip) reach stderr.
//!
//! ```
//! use application::{Application, Args, Target};
//!
//! fn hello(args: &Args) -> application::Outcome {
//!     Ok(format!("hello, {}", args.str(0)).into())
//! }
//!
//! let app = Application::new([("/(.*)", Target::route().get(hello))])?;
//! assert_eq!(app.request("/web.py").send().text(), "hello, web.py");
//! assert_eq!(app.request("/web.py").method("POST").send().header("Allow"), Some("GET, HEAD"));
//! # Ok::<(), application::Error>(())
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

// The steps of a request, in the order it meets them: `server` (run, start) hands the
// environ to `wsgifunc` (the WSGI callable), which calls `answer` (load ctx, refuse,
// take the response), which calls `dispatch` (processors, the mapping, a mount);
// `build` is the application before any request, `in_process` the client without a
// socket, `outcome` what a handler returns.
mod answer;
mod build;
pub mod ctx;
mod debug;
mod dispatch;
mod env;
mod error;
mod hosts;
mod http_error;
mod in_process;
pub mod logging;
mod mapping;
mod outcome;
pub mod prelude;
mod processor;
mod server;
mod target;
pub mod web;
mod wsgifunc;

pub use crate::build::{Application, DEFAULT_MAX_BODY, DEFAULT_MAX_FIELDS};
pub use ctx::Ctx;
pub use error::Error;
pub use http_error::{
    accepted, badrequest, conflict, created, forbidden, gone, internalerror, nocontent, nomethod,
    notacceptable, notfound, notmodified, ok, payloadtoolarge, preconditionfailed, unauthorized,
    unavailableforlegalreasons, unsupportedmediatype, HttpError,
};
pub use in_process::{Request, Response};
pub use outcome::{Body, Outcome};
pub use processor::{
    loadhook, processor_fn, unloadhook, HookOutcome, Next, Processor, ProcessorFn,
};
pub use server::{parse_address, MiddlewareStack, DEFAULT_ADDRESS};
pub use target::{delete, get, post, put, Args, Target};
pub use wsgi::{Middleware, RunningServer, ServerConfig};
