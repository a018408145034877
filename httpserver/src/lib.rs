//! The HTTP layer: `HttpServer`, `HttpConnection`, `HttpRequest`.
//!
//! `httpserver` accepts TCP connections, hands each one to the `threadpool` layer as an
//! `HttpConnection`, parses requests off the socket and reaches the application only
//! through its `Gateway` trait, which the `wsgi` layer implements. It mirrors the design
//! notes' headings "HttpServer", "HttpConnection" and "HttpRequest".
//!
//! This crate is a placeholder until the httpserver issue fills it: it has no types yet.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod rfile;
pub use rfile::{BodyError, ChunkedLimits, ChunkedRFile, KnownLengthRFile};
