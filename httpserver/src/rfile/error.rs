//! `BodyError`: why a request body's framing was refused, with the evidence.

use std::fmt;
use std::io;

/// A request body whose framing breaks RFC 9112 §6.3 or §7.1, or a limit of
/// [`ChunkedLimits`](super::ChunkedLimits).
///
/// The readers return it inside an [`io::Error`] of kind [`io::ErrorKind::InvalidData`],
/// because they implement [`std::io::Read`]; [`BodyError::from_io`] gets it back out, and
/// [`BodyError::status`] says which status the server answers. After any of these the
/// connection's framing is lost: the server must close it, never parse the rest as a request.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum BodyError {
    /// The chunk-size line is not `1*HEXDIG [ chunk-ext ] CRLF` (RFC 9112 §7.1): not hex, a
    /// sign, a `0x`, leading whitespace, a malformed extension, or a bare LF line ending.
    InvalidChunkSize {
        /// The line as received, line ending included.
        line: Vec<u8>,
    },
    /// The chunk size does not fit in 64 bits.
    ChunkSizeOverflow,
    /// The chunk-size line (size and extensions, without its CRLF) is longer than the limit.
    ChunkLineTooLong {
        /// The limit, in bytes ([`ChunkedLimits::max_chunk_line`](super::ChunkedLimits)).
        limit: usize,
    },
    /// The chunk's data is not followed by exactly CRLF.
    MissingCrlfAfterChunk,
    /// A trailer line is not `field-name ":" OWS field-value OWS CRLF` (RFC 9112 §7.1.2,
    /// RFC 9110 §5), or is an obs-fold continuation, or ends in a bare LF.
    InvalidTrailer {
        /// The line as received, line ending included.
        line: Vec<u8>,
    },
    /// The trailer field lines, CRLFs included, are longer than the limit.
    TrailersTooLarge {
        /// The limit, in bytes ([`ChunkedLimits::max_trailers`](super::ChunkedLimits)).
        limit: usize,
    },
    /// The chunk extensions of the body, summed, are longer than the limit.
    ExtensionsTooLarge {
        /// The limit, in bytes ([`ChunkedLimits::max_extensions`](super::ChunkedLimits)).
        limit: usize,
    },
    /// The decoded body would be longer than the limit.
    BodyTooLarge {
        /// The limit, in bytes ([`ChunkedLimits::max_body`](super::ChunkedLimits)).
        limit: u64,
    },
}

impl BodyError {
    /// The `BodyError` inside an [`io::Error`] returned by a body reader, if there is one.
    ///
    /// `None` means the error is the transport's (a timeout, a reset, an early EOF), not the
    /// client's framing.
    pub fn from_io(err: &io::Error) -> Option<&BodyError> {
        err.get_ref()?.downcast_ref::<BodyError>()
    }

    /// The response status for this error: 413 for a body over its limit, 400 otherwise.
    pub fn status(&self) -> u16 {
        match self {
            BodyError::BodyTooLarge { .. } => 413,
            _ => 400,
        }
    }
}

impl fmt::Display for BodyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BodyError::InvalidChunkSize { line } => write!(
                f,
                "invalid chunk-size line {:?}: expected hex digits, optional `;ext`, then CRLF",
                String::from_utf8_lossy(line)
            ),
            BodyError::ChunkSizeOverflow => f.write_str("chunk size does not fit in 64 bits"),
            BodyError::ChunkLineTooLong { limit } => {
                write!(f, "chunk-size line longer than {limit} bytes")
            }
            BodyError::MissingCrlfAfterChunk => f.write_str("chunk data not followed by CRLF"),
            BodyError::InvalidTrailer { line } => write!(
                f,
                "invalid trailer line {:?}: expected `name: value` then CRLF",
                String::from_utf8_lossy(line)
            ),
            BodyError::TrailersTooLarge { limit } => {
                write!(f, "trailer section longer than {limit} bytes")
            }
            BodyError::ExtensionsTooLarge { limit } => {
                write!(f, "chunk extensions longer than {limit} bytes in all")
            }
            BodyError::BodyTooLarge { limit } => {
                write!(f, "request body longer than the {limit}-byte limit")
            }
        }
    }
}

impl std::error::Error for BodyError {}

impl From<BodyError> for io::Error {
    /// Bad framing is bad data: [`io::ErrorKind::InvalidData`], with the `BodyError` inside.
    fn from(err: BodyError) -> io::Error {
        io::Error::new(io::ErrorKind::InvalidData, err)
    }
}
