//! `KnownLengthRFile`: a body framed by `Content-Length` (RFC 9112 §6.3, rule 6).

use std::io::{self, BufRead, Read};

/// Reads exactly `length` bytes of a request body from the connection, and not one more.
///
/// The bytes after the body belong to the next request on the connection (pipelining), so
/// the reader stops at `length` however large the caller's buffer is. A peer that closes
/// before sending `length` bytes gets [`io::ErrorKind::UnexpectedEof`]: the body is truncated,
/// which a `0` from [`Read::read`] would hide.
///
/// It also implements [`BufRead`], so a gateway can read lines of the body without another
/// buffer.
#[derive(Debug)]
pub struct KnownLengthRFile<R> {
    inner: R,
    remaining: u64,
}

impl<R: BufRead> KnownLengthRFile<R> {
    /// A reader for the next `length` bytes of `inner`.
    pub fn new(inner: R, length: u64) -> Self {
        KnownLengthRFile {
            inner,
            remaining: length,
        }
    }

    /// The body bytes not read yet; 0 once the body is read.
    pub fn remaining(&self) -> u64 {
        self.remaining
    }

    /// The connection's reader, positioned after the bytes read so far.
    ///
    /// Positioned at the next request only if [`remaining`](Self::remaining) is 0.
    pub fn into_inner(self) -> R {
        self.inner
    }
}

// ANCHOR: known_length_fill_buf
impl<R: BufRead> BufRead for KnownLengthRFile<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.remaining == 0 {
            return Ok(&[]);
        }
        let available = self.inner.fill_buf()?;
        if available.is_empty() {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "connection closed before the end of the Content-Length body",
            ));
        }
        // Never hand out more than the body: what follows is the next request.
        let n = available
            .len()
            .min(usize::try_from(self.remaining).unwrap_or(usize::MAX));
        Ok(&available[..n])
    }

    fn consume(&mut self, amt: usize) {
        // `amt` is at most what `fill_buf` returned, so at most `remaining`; `min` keeps a
        // caller that breaks that rule from consuming the next request.
        let amt = amt.min(usize::try_from(self.remaining).unwrap_or(usize::MAX));
        self.inner.consume(amt);
        self.remaining -= amt as u64;
    }
}
// ANCHOR_END: known_length_fill_buf

impl<R: BufRead> Read for KnownLengthRFile<R> {
    /// Reads through the inner reader's own `read`, capped at the body's end: a reader
    /// that reads a large buffer straight from its source (the connection's does, once
    /// its buffer is empty) copies the body once.
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let limit = out
            .len()
            .min(usize::try_from(self.remaining).unwrap_or(usize::MAX));
        if limit == 0 {
            return Ok(0);
        }
        let n = self.inner.read(&mut out[..limit])?;
        self.took(n, limit)
    }
}

impl<R: BufRead> KnownLengthRFile<R> {
    /// Counts `n` bytes of the body read (of at most `limit` asked for); none is a body
    /// cut short.
    fn took(&mut self, n: usize, limit: usize) -> io::Result<usize> {
        if n == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "connection closed before the end of the Content-Length body",
            ));
        }
        let n = n.min(limit);
        self.remaining -= n as u64;
        Ok(n)
    }
}
