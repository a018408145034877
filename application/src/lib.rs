//! The framework layer: web.py's `Application`.
//!
//! `application` receives the environ and `start_response` from `wsgi`, loads a fresh
//! thread-local [`ctx`] for the request, runs the processors around the handler the URL
//! mapping chooses, and hands the status, headers and body back to `wsgi`. Above it,
//! `session` plugs in as a processor. It mirrors the design notes' heading
//! "application"; the book walks it in the chapter "application".
//!
//! # Layout
//! - [`Application`]: the mapping ([`Target`]s under URL patterns), processors,
//!   `handle`, `request` (the in-process client), `wsgifunc`, `run`.
//! - [`Handler`]: a type with `get`, `post`… methods, made fresh for each request.
//! - [`ctx`]: the request's context, web.py's `web.ctx`, reached through a thread-local.
//! - [`Processor`] and [`Next`]: what `add_processor` takes; [`loadhook`], [`unloadhook`].
//! - [`web`]: the functions handlers call: `input`, `data`, `header`, `cookies`,
//!   `setcookie`, `seeother`…; the [`HttpError`] family is at the crate root.
//!
//! ```
//! use application::{Application, Args, Handler, Method, Outcome, Target};
//!
//! #[derive(Default)]
//! struct Hello;
//! impl Handler for Hello {
//!     const METHODS: &'static [Method] = &[Method::Get];
//!     fn get(&mut self, args: &Args) -> Outcome {
//!         Ok(format!("hello, {}", args.get(0).unwrap_or("world")).into())
//!     }
//! }
//!
//! let app = Application::new([("/(.*)", Target::handler::<Hello>())])?;
//! assert_eq!(app.request("/web.py").send().text(), "hello, web.py");
//! # Ok::<(), application::Error>(())
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod application;
mod body;
mod client;
pub mod ctx;
mod debug;
mod env;
mod error;
mod gateway;
mod handler;
mod http_error;
mod mapping;
mod processor;
mod run;
mod serve;
pub mod web;

pub use crate::application::{Application, DEFAULT_MAX_BODY, DEFAULT_MAX_FIELDS};
pub use body::{Body, Outcome};
pub use client::{Request, Response};
pub use ctx::Ctx;
pub use error::Error;
pub use handler::{Args, Handler, Method};
pub use http_error::{
    accepted, badrequest, conflict, created, forbidden, gone, internalerror, nocontent, nomethod,
    notacceptable, notfound, notmodified, ok, payloadtoolarge, preconditionfailed, unauthorized,
    unavailableforlegalreasons, unsupportedmediatype, HttpError,
};
pub use mapping::Target;
pub use processor::{loadhook, unloadhook, Next, Processor};
pub use run::{parse_address, DEFAULT_ADDRESS};
pub use wsgi::{Middleware, RunningServer, ServerConfig};
