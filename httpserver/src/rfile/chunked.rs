//! `ChunkedRFile`: a body framed by `Transfer-Encoding: chunked` (RFC 9112 §7.1).

use std::io::{self, BufRead, Read};

use super::grammar::{extension_len, parse_chunk_size, parse_trailer};
use super::BodyError;

/// The bounds a [`ChunkedRFile`] enforces; each one, crossed, is a [`BodyError`].
#[derive(Clone, Debug)]
pub struct ChunkedLimits {
    /// The most decoded body bytes; more is [`BodyError::BodyTooLarge`] (413). Checked when a
    /// chunk's size is read, before its data is. Default 16 MiB.
    pub max_body: u64,
    /// The longest chunk-size line, size and extensions, without its CRLF; longer is
    /// [`BodyError::ChunkLineTooLong`]. Default 4096.
    pub max_chunk_line: usize,
    /// The most bytes of trailer field lines, each line's CRLF included (the empty line
    /// that ends the body is not counted); more is [`BodyError::TrailersTooLarge`].
    /// Default 8192.
    pub max_trailers: usize,
    /// The most bytes of chunk extensions (what follows a size, before its CRLF), summed
    /// over the whole body; more is [`BodyError::ExtensionsTooLarge`]. Without it a client
    /// may wrap each body byte in `max_chunk_line` bytes of ignored extensions, making
    /// the server read 4 KB from the network per byte of body: gigabytes for a body
    /// within `max_body` (hyper, Go and Node each fixed this: hyper bounds it at 16 KiB
    /// per body). Default 16384.
    pub max_extensions: usize,
}

impl Default for ChunkedLimits {
    fn default() -> Self {
        ChunkedLimits {
            max_body: 16 * 1024 * 1024,
            max_chunk_line: 4096,
            max_trailers: 8192,
            max_extensions: 16 * 1024,
        }
    }
}

// ANCHOR: state
/// Where the decoder is in `chunked-body = *chunk last-chunk trailer-section CRLF`
/// (RFC 9112 §7.1). Each state reads one piece and names the next.
#[derive(Debug)]
enum State {
    /// `chunk-size [ chunk-ext ] CRLF`; a size of 0 is the `last-chunk`.
    SizeLine,
    /// `chunk-data`: `remaining` bytes of this chunk not yet handed to the caller.
    Data { remaining: u64 },
    /// The CRLF after `chunk-data`; `seen_cr` once its CR is consumed.
    DataCrlf { seen_cr: bool },
    /// `trailer-section CRLF` (§7.1.2): field lines until the empty line.
    Trailers,
    /// The empty line after the trailers was read: the next byte is the next request's.
    Done,
    /// The framing was refused; every later read returns the same error.
    Failed(BodyError),
}
// ANCHOR_END: state

/// Decodes a chunked request body from the connection, stopping at the empty line after
/// the trailers, and not one byte later.
///
/// The bytes after that line belong to the next request on the connection (pipelining).
/// Bad framing is an [`io::Error`] of kind [`io::ErrorKind::InvalidData`] holding a
/// [`BodyError`]; a peer that closes mid-body gets [`io::ErrorKind::UnexpectedEof`]. Other
/// errors of the inner reader (a timeout, `Interrupted`) leave the decoder where it was, so
/// a retried read resumes. It also implements [`BufRead`]: `fill_buf` hands out the current
/// chunk's data straight from the inner buffer.
///
/// One `read` returns bytes of at most one chunk: going on to the next chunk's size line
/// could block on the socket while the caller waits for bytes already in hand.
#[derive(Debug)]
pub struct ChunkedRFile<R> {
    inner: R,
    limits: ChunkedLimits,
    state: State,
    /// The line being read, kept across reads so an error of the inner reader (a timeout)
    /// in the middle of a line loses nothing.
    line: Vec<u8>,
    trailers: Vec<(String, Vec<u8>)>,
    /// Bytes of `trailers`' lines so far, against `limits.max_trailers`.
    trailer_bytes: usize,
    /// Bytes of chunk extensions so far, against `limits.max_extensions`.
    extension_bytes: usize,
    body_len: u64,
}

impl<R: BufRead> ChunkedRFile<R> {
    /// A decoder for the chunked body at the start of `inner`.
    pub fn new(inner: R, limits: ChunkedLimits) -> Self {
        ChunkedRFile {
            inner,
            limits,
            state: State::SizeLine,
            line: Vec::new(),
            trailers: Vec::new(),
            trailer_bytes: 0,
            extension_bytes: 0,
            body_len: 0,
        }
    }

    /// Whether the last chunk, the trailers and the final CRLF were read.
    pub fn is_done(&self) -> bool {
        matches!(self.state, State::Done)
    }

    /// The trailer fields, in order, names as received; complete once [`is_done`](Self::is_done).
    ///
    /// They are kept apart from the request's headers: RFC 9110 §6.5.1 forbids merging
    /// trailers such as `Content-Length` into the header section.
    pub fn trailers(&self) -> &[(String, Vec<u8>)] {
        &self.trailers
    }

    /// The decoded body bytes handed out so far.
    pub fn body_len(&self) -> u64 {
        self.body_len
    }

    /// The connection's reader; positioned at the next request only if
    /// [`is_done`](Self::is_done).
    pub fn into_inner(self) -> R {
        self.inner
    }

    // ANCHOR: next_data
    /// Runs the states until there is chunk data to hand out (`Some(remaining)`) or the
    /// body is over (`None`).
    fn next_data(&mut self) -> io::Result<Option<u64>> {
        loop {
            self.state = match self.state {
                State::Data { remaining } => return Ok(Some(remaining)),
                State::Done => return Ok(None),
                State::Failed(ref err) => return Err(err.clone().into()),
                State::SizeLine => self.read_size_line()?,
                State::DataCrlf { seen_cr } => self.read_data_crlf(seen_cr)?,
                State::Trailers => self.read_trailer_line()?,
            };
        }
    }
    // ANCHOR_END: next_data

    // ANCHOR: read_size_line
    fn read_size_line(&mut self) -> io::Result<State> {
        let limit = self.limits.max_chunk_line;
        // The cap counts the CRLF too, so a line of exactly `limit` bytes fits.
        let cap = limit.saturating_add(2);
        let parse = |line: &[u8]| (parse_chunk_size(line), extension_len(line));
        let Some((size, extensions)) = with_line(&mut self.inner, &mut self.line, cap, parse)?
        else {
            return Ok(State::Failed(BodyError::ChunkLineTooLong { limit }));
        };
        let size = match size {
            Ok(size) => size,
            Err(err) => return Ok(State::Failed(err)),
        };
        self.extension_bytes = self.extension_bytes.saturating_add(extensions);
        if self.extension_bytes > self.limits.max_extensions {
            let limit = self.limits.max_extensions;
            return Ok(State::Failed(BodyError::ExtensionsTooLarge { limit }));
        }
        // Refuse an oversized body on its size line, before reading any of its data.
        let total = self.body_len.checked_add(size);
        if total.is_none_or(|total| total > self.limits.max_body) {
            let limit = self.limits.max_body;
            return Ok(State::Failed(BodyError::BodyTooLarge { limit }));
        }
        Ok(match size {
            0 => State::Trailers,
            remaining => State::Data { remaining },
        })
    }
    // ANCHOR_END: read_size_line

    // ANCHOR: read_data_crlf
    fn read_data_crlf(&mut self, seen_cr: bool) -> io::Result<State> {
        let buf = fill_buf_or_eof(&mut self.inner)?;
        if !seen_cr && buf.starts_with(b"\r\n") {
            self.inner.consume(2);
            return Ok(State::SizeLine);
        }
        // The CRLF may arrive split across two reads: take it a byte at a time.
        let expected = if seen_cr { b'\n' } else { b'\r' };
        if buf[0] != expected {
            return Ok(State::Failed(BodyError::MissingCrlfAfterChunk));
        }
        self.inner.consume(1);
        Ok(if seen_cr {
            State::SizeLine
        } else {
            State::DataCrlf { seen_cr: true }
        })
    }
    // ANCHOR_END: read_data_crlf

    // ANCHOR: read_trailer_line
    fn read_trailer_line(&mut self) -> io::Result<State> {
        let limit = self.limits.max_trailers;
        let budget = limit - self.trailer_bytes;
        // The empty line that ends the body needs 2 bytes even when the budget is spent.
        let cap = budget.saturating_add(2);
        let field = with_line(&mut self.inner, &mut self.line, cap, |line| {
            (line != b"\r\n").then(|| (line.len(), parse_trailer(line)))
        })?;
        match field {
            None => Ok(State::Failed(BodyError::TrailersTooLarge { limit })),
            Some(None) => Ok(State::Done),
            Some(Some((len, _))) if len > budget => {
                Ok(State::Failed(BodyError::TrailersTooLarge { limit }))
            }
            Some(Some((len, Ok(field)))) => {
                self.trailer_bytes += len;
                self.trailers.push(field);
                Ok(State::Trailers)
            }
            Some(Some((_, Err(err)))) => Ok(State::Failed(err)),
        }
    }
    // ANCHOR_END: read_trailer_line
}

// ANCHOR: chunked_fill_buf
impl<R: BufRead> BufRead for ChunkedRFile<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        let Some(remaining) = self.next_data()? else {
            return Ok(&[]);
        };
        let buf = fill_buf_or_eof(&mut self.inner)?;
        // Only this chunk's bytes: the next size line is framing, not body.
        let n = buf
            .len()
            .min(usize::try_from(remaining).unwrap_or(usize::MAX));
        Ok(&buf[..n])
    }

    fn consume(&mut self, amt: usize) {
        if let State::Data { remaining } = &mut self.state {
            let amt = (amt as u64).min(*remaining);
            self.inner.consume(amt as usize);
            self.body_len += amt;
            *remaining -= amt;
            if *remaining == 0 {
                self.state = State::DataCrlf { seen_cr: false };
            }
        }
    }
}
// ANCHOR_END: chunked_fill_buf

impl<R: BufRead> Read for ChunkedRFile<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        super::read_through_fill_buf(self, out)
    }
}

/// `inner.fill_buf()`, with an empty buffer (the peer closed) turned into `UnexpectedEof`:
/// inside a chunked body, the end of the connection is never the end of the body.
fn fill_buf_or_eof<R: BufRead>(inner: &mut R) -> io::Result<&[u8]> {
    let buf = inner.fill_buf()?;
    if buf.is_empty() {
        return Err(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            "connection closed inside a chunked body",
        ));
    }
    Ok(buf)
}

// ANCHOR: read_line
/// Calls `parse` on the next line, LF included, and consumes the line and nothing after it.
///
/// `Ok(None)` when no LF comes within `cap` bytes: the line is too long (what was read is
/// consumed; the framing is lost anyway). A line that is whole in the inner buffer is
/// parsed where it lies; otherwise it is gathered in `line`, which keeps a partial line
/// across an error of the inner reader (a timeout), so calling again resumes it.
fn with_line<R: BufRead, T>(
    inner: &mut R,
    line: &mut Vec<u8>,
    cap: usize,
    parse: impl FnOnce(&[u8]) -> T,
) -> io::Result<Option<T>> {
    loop {
        let buf = fill_buf_or_eof(inner)?;
        let window = &buf[..buf.len().min(cap.saturating_sub(line.len()))];
        match window.iter().position(|&b| b == b'\n') {
            // The common case, a line whole in the buffer: parsed where it lies, no copy.
            Some(i) if line.is_empty() => {
                let value = parse(&window[..=i]);
                inner.consume(i + 1);
                return Ok(Some(value));
            }
            Some(i) => {
                line.extend_from_slice(&window[..=i]);
                inner.consume(i + 1);
                let value = parse(line);
                line.clear();
                return Ok(Some(value));
            }
            None => {
                let n = window.len();
                line.extend_from_slice(window);
                inner.consume(n);
                if line.len() >= cap {
                    return Ok(None);
                }
            }
        }
    }
}
// ANCHOR_END: read_line
