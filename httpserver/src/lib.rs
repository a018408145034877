//! The HTTP layer: `HttpServer`, `HttpConnection`, `HttpRequest`.
//!
//! `httpserver` sits between the `threadpool` layer below and the `wsgi` layer above.
//! [`HttpServer`] binds and listens, accepts TCP connections and registers each one, as an
//! [`HttpConnection`], with the poller the `threadpool::ThreadPool`'s idle workers wait
//! on; the worker the kernel wakes for a connection's bytes runs
//! [`HttpConnection::communicate`], which reads without blocking, parses each request into
//! an [`HttpRequest`] (`parse_request`), receives its body, and answers it (`respond`) by
//! calling the application through the [`Gateway`] trait, the one seam the `wsgi` layer
//! implements. It mirrors the design
//! notes' headings "HttpServer", "HttpConnection" and "HttpRequest"; the book walks it in
//! the chapters of the same names, and "Request bodies" for [`rfile`].
//!
//! # From the top
//!
//! - [`HttpServer`]: `start` (getaddrinfo → socket → setsockopt → bind → listen, each a
//!   function of [`bind`]), `tick` (the housekeeping: accept, flush, close, deadlines),
//!   `stop`, and a [`StopHandle`] for other threads; [`HttpServer::spawn`] runs it on a
//!   thread.
//! - [`HttpConnection`]: one connection, advanced as far as its bytes allow; no idle or
//!   slow-sending client holds a worker, and a slow reader holds one only while the
//!   application writes more than `out_high_water` ahead of it.
//! - [`HttpRequest`]: `parse_request` (with `httparse`) and `respond`; the head's
//!   accessors are on [`RequestHead`], the body is a [`RequestBody`], the answer a
//!   [`Response`].
//! - [`Gateway`]: what the server calls; any `Fn(&mut HttpRequest) -> Result<(), Error>`
//!   is one.
//! - [`ServerConfig`]: every limit and timeout; [`ServerArgs`], the command line every
//!   server program of the workspace takes (`--port`, `--threads`, `--timeout`); [`ClientError`], [`Error`] and
//!   [`status_for`], the one mapping from errors to statuses; [`reason_phrase`], the one
//!   table of reason phrases; [`rules`], the one home of the HTTP rules the layers above
//!   check too (tokens, field values, status lines, the statuses without a body);
//!   [`SecondText`], the one once-per-second clock (the `Date` header, the access log).
//!
//! # Example
//!
//! ```
//! use std::io::{Read, Write};
//! use httpserver::{HttpRequest, HttpServer, ServerConfig};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let hello = |req: &mut HttpRequest| {
//!     req.add_header("Content-Type", b"text/plain")?;
//!     req.write(b"hello ")?;
//!     req.write(req.path().to_vec().as_slice())
//! };
//! let server = HttpServer::spawn(ServerConfig { threads: 2, ..ServerConfig::new("127.0.0.1:0") }, hello)?;
//! let mut client = std::net::TcpStream::connect(server.local_addr())?;
//! client.set_read_timeout(Some(std::time::Duration::from_secs(5)))?;
//! client.write_all(b"GET /world HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")?;
//! let mut answer = String::new();
//! client.read_to_string(&mut answer)?;
//! assert!(answer.starts_with("HTTP/1.1 200 OK\r\n"));
//! assert!(answer.ends_with("6\r\nhello \r\n6\r\n/world\r\n0\r\n\r\n"));
//! server.stop();
//! # Ok(())
//! # }
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod clock;
mod config;
mod connection;
mod engine;
mod error;
mod gateway;
mod request;
pub mod rfile;
pub mod rules;
mod server;
mod server_args;
mod status;
mod wire;

pub use clock::SecondText;
pub use config::ServerConfig;
pub use connection::HttpConnection;
pub use error::{ClientError, Error};
pub use gateway::Gateway;
pub use request::{
    BodyFraming, HeaderFields, HttpRequest, RequestBody, RequestHead, Response, Version,
};
pub use rfile::{BodyError, ChunkedLimits, ChunkedRFile, KnownLengthRFile};
pub use server::bind;
pub use server::{HttpServer, ServerThread, StopHandle};
pub use server_args::{BadArgument, ServerArgs, DEFAULT_PORT};
pub use status::{reason_phrase, status_for};
