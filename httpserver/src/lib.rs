//! The HTTP layer: `HttpServer`, `HttpConnection`, `HttpRequest`.
//!
//! `httpserver` sits between the `threadpool` layer below and the `wsgi` layer above.
//! `HttpServer` binds and listens, accepts TCP connections and hands each one to a
//! `threadpool::ThreadPool` as an `HttpConnection`; a worker thread runs
//! `HttpConnection::communicate`, which parses each request into an [`HttpRequest`]
//! (`parse_request`) and answers it (`respond`) by calling the application through the
//! [`Gateway`] trait, the one seam the `wsgi` layer implements. It mirrors the design
//! notes' headings "HttpServer", "HttpConnection" and "HttpRequest"; the book walks it in
//! the chapters of the same names, and "Request bodies" for [`rfile`].
//!
//! # From the top
//!
//! - `HttpServer`: `start` (getaddrinfo → socket → setsockopt → bind → listen), `tick`
//!   (accept one connection, queue it), `stop`, and a stop handle for other threads.
//! - `HttpConnection`: serves the requests of one connection; an idle kept-alive
//!   connection is parked off the pool instead of holding a worker.
//! - [`HttpRequest`]: `parse_request` (with `httparse`) and `respond`; the head's
//!   accessors are on [`RequestHead`], the body is a [`RequestBody`], the answer a
//!   [`Response`].
//! - [`Gateway`]: what the server calls; any `Fn(&mut HttpRequest) -> Result<(), Error>`
//!   is one.
//! - [`ServerConfig`]: every limit and timeout; [`Error`] and [`status_for`], the one
//!   mapping from errors to statuses.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod config;
mod error;
mod gateway;
mod request;
pub mod rfile;
mod status;
mod wire;

pub use config::ServerConfig;
pub use error::Error;
pub use gateway::Gateway;
pub use request::{BodyFraming, HttpRequest, RequestBody, RequestHead, Response, Version};
pub use rfile::{BodyError, ChunkedLimits, ChunkedRFile, KnownLengthRFile};
pub use status::status_for;
