//! The gateway layer: between the HTTP server and the application.
//!
//! `wsgi` receives a parsed `HttpRequest` from `httpserver` through its `Gateway` seam,
//! builds the [`Environ`] (the CGI variables and `wsgi.*` entries of PEP 3333), calls the
//! application — a [`WsgiApp`], the notes' "WSGI callable" — with a [`StartResponse`],
//! and writes the [`Body`] chunks the application yields back through the request. It
//! mirrors the design notes' heading "WSGIGateway" and the `wsgifunc` / `run` bullets of
//! "application"; the book walks it in the chapter "WSGIGateway". The `application` crate
//! above builds web.py's `Application` on these types.
//!
//! # The main types
//! * [`Environ`]: what the app learns about the request.
//! * [`StartResponse`]: `start_response(status, headers)` with PEP 3333's rules checked
//!   (`NNN reason`, no CR/LF in headers, a second call only with an error); it returns a
//!   [`Writer`], PEP 3333's `write`.
//! * [`WsgiApp`] and [`Body`]: the app and the stream of chunks it returns, whose close
//!   hooks always run.
//! * [`Middleware`] and [`apply_middleware`]: functions from app to app, applied in
//!   web.py's `wsgifunc(*middleware)` order (the last one is outermost); the
//!   [`middleware`] module ships an access log, static files and a validator, and
//!   [`PathInfoDispatcher`] mounts apps under path prefixes.
//! * [`WsgiGateway`]: httpserver's `Gateway` for an app; [`WsgiServer`]: an app on a
//!   server in one line, stopped gracefully by Ctrl-C or SIGTERM; [`ServerArgs`]: the
//!   command line (`--port`, `--threads`, `--timeout`) every server program takes.
//! * [`call_in_process`]: calls an app without a socket and collects the response (what
//!   `application::request()` is built on).
//!
//! # Example
//! ```
//! use wsgi::{call_in_process, AppError, Body, Environ, StartResponse};
//!
//! fn hello(_env: &mut Environ, sr: &mut StartResponse<'_>) -> Result<Body, AppError> {
//!     sr.start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "6")])?;
//!     Ok(Body::from_bytes("hello\n"))
//! }
//!
//! # fn main() -> Result<(), wsgi::WsgiError> {
//! let mut env = Environ::from_target("GET", "/?name=web");
//! let response = call_in_process(&hello, &mut env)?;
//! assert_eq!(response.status.code(), 200);
//! assert_eq!(response.body, b"hello\n");
//! # Ok(())
//! # }
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod app;
mod body;
mod dispatch;
mod environ;
mod error;
mod extensions;
mod gateway;
mod headers;
mod in_process;
mod input;
pub mod middleware;
mod server;
mod signal;
mod start_response;
mod status;

pub use app::{app_fn, apply_middleware, middleware_fn, shared, Middleware, SharedApp, WsgiApp};
pub use body::{Body, Chunk};
pub use dispatch::PathInfoDispatcher;
pub use environ::{header_key, DroppedHeaders, Environ, Errors, Input, Vars, SERVER_SOFTWARE};
pub use error::{AppError, WsgiError};
pub use extensions::Extensions;
pub use gateway::{environ_from_request, WsgiGateway};
pub use headers::{find_header, is_hop_by_hop, validate_header, Headers};
pub use httpserver::{rules, BadArgument, ServerArgs, ServerConfig, StopHandle, DEFAULT_PORT};
pub use in_process::{call_in_process, CollectedResponse, Recorder};
pub use server::{RunningServer, WsgiServer};
pub use signal::{install_signal_handler, signal_pending};
pub use start_response::{Forward, Observe, ResponseSink, StartResponse, Writer};
pub use status::{canonical_reason, Status};
