//! `pywsgi`: a Python WSGI application (PEP 3333; web.py, Flask, anything) on this
//! workspace's HTTP server, with CPython embedded through PyO3.
//!
//! It sits beside the `wsgi` layer, not on it: where `wsgi`'s `WsgiGateway` calls a Rust
//! application, `PyGateway` implements `httpserver`'s `Gateway` trait by calling a
//! Python callable. The server below is the same one (limits, timeouts, keep-alive, bodies
//! received whole before the application runs); each of its worker threads is a Python
//! thread for its whole life. The book walks it in "The real thing: web.py on our server".
//!
//! # From the top
//!
//! - [`ServeArgs`]: the command line, `MODULE:CALLABLE --port --threads --timeout --chdir`.
//! - `PyGateway` (feature `python`): builds the environ `dict`, calls the application
//!   with a `start_response`, writes its body; `load_app` imports `MODULE:CALLABLE`.
//!
//! Without the `python` feature only the command line is built, so the workspace's tests
//! pass on a machine without a shared libpython.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod args;
#[cfg(feature = "python")]
mod environ;
#[cfg(feature = "python")]
mod gateway;
#[cfg(feature = "python")]
mod input;
#[cfg(feature = "python")]
mod start_response;

pub use args::{AppSpec, ArgsError, ServeArgs, DEFAULT_PORT, USAGE};
#[cfg(feature = "python")]
pub use gateway::{load_app, prepare_sys_path, PyGateway};
