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

/// `Read::read` for a body reader whose real work is its `fill_buf`: both rfiles decode
/// in `fill_buf` (where a limit or a framing error is found), and a `read` only copies
/// what that made available.
fn read_through_fill_buf(
    rfile: &mut impl std::io::BufRead,
    out: &mut [u8],
) -> std::io::Result<usize> {
    if out.is_empty() {
        return Ok(0);
    }
    let available = rfile.fill_buf()?;
    let n = available.len().min(out.len());
    out[..n].copy_from_slice(&available[..n]);
    rfile.consume(n);
    Ok(n)
}
