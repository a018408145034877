//! Request bodies: `KnownLengthRFile` (Content-Length) and `ChunkedRFile` (chunked), and the chunked encoder for responses.
//!
//! `HttpRequest::respond` wraps the connection's reader in one of the two readers, chosen by
//! the framing rules of RFC 9112 §6.3, and hands it to the `Gateway` as the body. Both
//! implement [`std::io::Read`] and [`std::io::BufRead`] and stop exactly at the end of the
//! body, so the connection's reader is left at the next request. Bad framing is an
//! `io::Error` of kind `InvalidData` holding a [`BodyError`], which says its status.
//! The book's chapter "Request bodies" walks through this module.
//!
//! ```
//! use std::io::Read;
//! use httpserver::rfile::{ChunkedLimits, ChunkedRFile};
//!
//! let wire: &[u8] = b"5\r\nhello\r\n0\r\n\r\nGET /next HTTP/1.1\r\n";
//! let mut body = ChunkedRFile::new(wire, ChunkedLimits::default());
//! let mut text = String::new();
//! body.read_to_string(&mut text)?;
//! assert_eq!(text, "hello");
//! assert_eq!(body.into_inner(), b"GET /next HTTP/1.1\r\n");
//! # Ok::<(), std::io::Error>(())
//! ```

mod chunked;
mod encode;
mod error;
mod grammar;
mod known_length;

pub use chunked::{ChunkedLimits, ChunkedRFile};
pub use encode::{write_chunk, write_last_chunk};
pub use error::BodyError;
pub use known_length::KnownLengthRFile;
