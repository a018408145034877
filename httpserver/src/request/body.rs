//! `RequestBody`: the whole request body, read before the application runs, owned.
//!
//! The body arrives while no worker waits for it: each time the poller says bytes are
//! there, a worker decodes them (`KnownLengthRFile` or `ChunkedRFile` over the
//! connection's reader, which never blocks) into a [`BodySink`], and goes back to the
//! poller. When the body is complete the sink becomes the [`RequestBody`] the application
//! reads: memory up to `ServerConfig::body_in_memory`, an anonymous temporary file past
//! it (or when all connections' in-memory bodies together reach
//! `ServerConfig::body_memory_total`).

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use crate::rfile::KnownLengthRFile;
use crate::wire::ConnReader;

// ANCHOR: memory_budget
/// The bytes of request bodies held in memory, over all connections, against a cap:
/// past it, bodies are spooled to disk, so many concurrent uploads cannot exhaust memory.
#[derive(Debug)]
pub(crate) struct MemoryBudget {
    used: AtomicUsize,
    cap: usize,
}

impl MemoryBudget {
    pub(crate) fn new(cap: usize) -> MemoryBudget {
        MemoryBudget {
            used: AtomicUsize::new(0),
            cap,
        }
    }

    /// Takes `n` bytes of the budget, if they are left.
    fn reserve(self: &Arc<Self>, n: usize) -> Option<Reservation> {
        self.used
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |used| {
                used.checked_add(n).filter(|&total| total <= self.cap)
            })
            .ok()?;
        Some(Reservation {
            budget: Some(Arc::clone(self)),
            bytes: n,
        })
    }
}
// ANCHOR_END: memory_budget

/// Bytes of the memory budget held by one body; given back when it is dropped.
#[derive(Debug, Default)]
struct Reservation {
    budget: Option<Arc<MemoryBudget>>,
    bytes: usize,
}

impl Reservation {
    fn grow(&mut self, n: usize) -> bool {
        let Some(budget) = &self.budget else {
            return false;
        };
        match budget.reserve(n) {
            Some(mut more) => {
                more.bytes = 0;
                self.bytes += n;
                true
            }
            None => false,
        }
    }
}

impl Drop for Reservation {
    fn drop(&mut self) {
        if let Some(budget) = &self.budget {
            budget.used.fetch_sub(self.bytes, Ordering::AcqRel);
        }
    }
}

/// Where a body's bytes go while it arrives.
#[derive(Debug)]
pub(crate) struct BodySink {
    memory: Vec<u8>,
    reserved: Reservation,
    spool: Option<File>,
    /// `memory` was allocated (zeroed, which costs nothing for fresh pages) at the body's
    /// whole declared length: `len` of it are received.
    whole: bool,
    /// What a spooled `Content-Length` body passes through on its way to the file.
    spool_buffer: Vec<u8>,
    len: u64,
    in_memory_limit: usize,
}

/// A spooled body is read from the socket and written to its file this much at a time.
const SPOOL_BUFFER: usize = 1024 * 1024;

impl BodySink {
    /// A sink for a body of `expected` bytes (`None`: chunked, unknown). One that will
    /// not fit in memory is spooled from its first byte.
    pub(crate) fn new(
        expected: Option<u64>,
        in_memory_limit: usize,
        budget: &Arc<MemoryBudget>,
    ) -> io::Result<BodySink> {
        let mut sink = BodySink {
            memory: Vec::new(),
            reserved: Reservation {
                budget: Some(Arc::clone(budget)),
                bytes: 0,
            },
            spool: None,
            whole: false,
            spool_buffer: Vec::new(),
            len: 0,
            in_memory_limit,
        };
        if let Some(n) = expected {
            let fits = usize::try_from(n)
                .ok()
                .filter(|&n| n <= in_memory_limit)
                .and_then(|n| budget.reserve(n).map(|r| (n, r)));
            match fits {
                Some((n, reservation)) => {
                    sink.memory = vec![0; n];
                    sink.whole = true;
                    sink.reserved = reservation;
                }
                None => sink.spill()?,
            }
        }
        Ok(sink)
    }

    // ANCHOR: sink_write
    /// Appends `bytes`: in memory while the body stays within its limit and the shared
    /// budget has room, else in the spool file (created, and the memory moved there, the
    /// first time).
    pub(crate) fn write(&mut self, bytes: &[u8]) -> io::Result<()> {
        if self.whole {
            let filled = self.len as usize;
            if let Some(place) = self.memory.get_mut(filled..filled + bytes.len()) {
                place.copy_from_slice(bytes);
                self.len += bytes.len() as u64;
                return Ok(());
            }
            // More than declared: never from a `Content-Length` body; kept as it came.
            self.memory.truncate(filled);
            self.whole = false;
        }
        if self.spool.is_none() {
            let total = self.memory.len() + bytes.len();
            let room = self.reserved.bytes.saturating_sub(self.memory.len());
            let fits = total <= self.in_memory_limit
                && (bytes.len() <= room || self.reserved.grow(bytes.len() - room));
            if !fits {
                self.spill()?;
            }
        }
        match &mut self.spool {
            Some(file) => file.write_all(bytes)?,
            None => self.memory.extend_from_slice(bytes),
        }
        self.len += bytes.len() as u64;
        Ok(())
    }
    // ANCHOR_END: sink_write

    /// Receives what arrived of a `Content-Length` body straight into its place, once:
    /// into the memory allocated for all of it at the start, or into the spool file
    /// through one large buffer. Either is read straight from the socket once the
    /// connection's buffer is empty, as much as has arrived in one read. `Ok(0)` at the
    /// body's end.
    pub(crate) fn fill_from(
        &mut self,
        rfile: &mut KnownLengthRFile<ConnReader>,
    ) -> io::Result<usize> {
        let n = match &mut self.spool {
            None if self.whole => {
                let filled = self.memory.len().min(self.len as usize);
                rfile.read(&mut self.memory[filled..])?
            }
            None => {
                // Not reserved whole (never, for a sink made for a `Content-Length`):
                // through `write`, which holds the body to its limits.
                let mut buf = [0; 16 * 1024];
                let n = rfile.read(&mut buf)?;
                self.write(&buf[..n])?;
                return Ok(n);
            }
            Some(file) => {
                if self.spool_buffer.is_empty() {
                    self.spool_buffer = vec![0; SPOOL_BUFFER];
                }
                let n = rfile.read(&mut self.spool_buffer)?;
                file.write_all(&self.spool_buffer[..n])?;
                n
            }
        };
        self.len += n as u64;
        Ok(n)
    }

    /// Moves the body to an anonymous temporary file (`tempfile` unlinks it at creation:
    /// it disappears with its last descriptor, even if the server is killed).
    fn spill(&mut self) -> io::Result<()> {
        if self.whole {
            self.memory.truncate(self.len as usize);
            self.whole = false;
        }
        let mut file = tempfile::tempfile()?;
        file.write_all(&self.memory)?;
        self.memory = Vec::new();
        self.reserved = Reservation::default();
        self.spool = Some(file);
        Ok(())
    }

    /// The body received so far, in bytes.
    pub(crate) fn len(&self) -> u64 {
        self.len
    }

    /// The complete body, ready to read from its start.
    pub(crate) fn finish(mut self, trailers: Vec<(String, Vec<u8>)>) -> io::Result<RequestBody> {
        if self.whole {
            self.memory.truncate(self.len as usize);
        }
        let data = match self.spool {
            Some(mut file) => {
                file.seek(SeekFrom::Start(0))?;
                Data::Spooled(BufReader::with_capacity(64 * 1024, file))
            }
            None => Data::Memory {
                bytes: self.memory,
                pos: 0,
                _reserved: self.reserved,
            },
        };
        Ok(RequestBody {
            data,
            trailers,
            len: self.len,
        })
    }
}

#[derive(Debug)]
enum Data {
    Memory {
        bytes: Vec<u8>,
        pos: usize,
        /// Given back to the shared budget when the body is dropped.
        _reserved: Reservation,
    },
    Spooled(BufReader<File>),
}

// ANCHOR: request_body
/// The request body (PEP 3333's `wsgi.input`): all of it, received before the
/// application was called, in memory or in an anonymous temporary file.
///
/// It implements `Read` and `BufRead`, and EOF is the end of the body (so
/// `wsgi.input_terminated` is true). The application owns it once it takes it
/// ([`HttpRequest::take_body`](crate::HttpRequest::take_body)): reading it never touches
/// the connection, never blocks on the client, and may go on after the response.
#[derive(Debug)]
pub struct RequestBody {
    data: Data,
    trailers: Vec<(String, Vec<u8>)>,
    len: u64,
}
// ANCHOR_END: request_body

impl Default for RequestBody {
    fn default() -> Self {
        RequestBody::empty()
    }
}

impl RequestBody {
    /// A body of no bytes.
    pub fn empty() -> RequestBody {
        RequestBody {
            data: Data::Memory {
                bytes: Vec::new(),
                pos: 0,
                _reserved: Reservation::default(),
            },
            trailers: Vec::new(),
            len: 0,
        }
    }

    /// A body holding `bytes`, in memory (for tests and in-process clients).
    pub fn from_bytes(bytes: Vec<u8>) -> RequestBody {
        let len = bytes.len() as u64;
        RequestBody {
            data: Data::Memory {
                bytes,
                pos: 0,
                _reserved: Reservation::default(),
            },
            trailers: Vec::new(),
            len,
        }
    }

    /// The body's length in bytes (decoded, for a chunked body).
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Whether the body has no bytes.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Whether the body was spooled to a temporary file rather than kept in memory.
    pub fn is_spooled(&self) -> bool {
        matches!(self.data, Data::Spooled(_))
    }

    /// Whether the whole body was received: always, since the application is called
    /// only then (kept for gateways written against the streaming design).
    pub fn is_complete(&self) -> bool {
        true
    }

    /// The trailer fields of a chunked body, names as received, in order. They are kept
    /// apart from the request's headers: RFC 9110 §6.5.1 forbids merging trailers such
    /// as `Content-Length` into the header section.
    pub fn trailers(&self) -> &[(String, Vec<u8>)] {
        &self.trailers
    }
}

impl Read for RequestBody {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        match &mut self.data {
            Data::Memory { bytes, pos, .. } => {
                let rest = &bytes[*pos..];
                let n = rest.len().min(out.len());
                out[..n].copy_from_slice(&rest[..n]);
                *pos += n;
                Ok(n)
            }
            Data::Spooled(file) => file.read(out),
        }
    }
}

impl BufRead for RequestBody {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        match &mut self.data {
            Data::Memory { bytes, pos, .. } => Ok(&bytes[*pos..]),
            Data::Spooled(file) => file.fill_buf(),
        }
    }

    fn consume(&mut self, amt: usize) {
        match &mut self.data {
            Data::Memory { bytes, pos, .. } => *pos = (*pos + amt).min(bytes.len()),
            Data::Spooled(file) => file.consume(amt),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(mut body: RequestBody) -> Vec<u8> {
        let mut out = Vec::new();
        body.read_to_end(&mut out).expect("read");
        out
    }

    #[test]
    fn a_body_within_its_limits_stays_in_memory_and_gives_its_budget_back() {
        let budget = Arc::new(MemoryBudget::new(100));
        let mut sink = BodySink::new(Some(10), 64, &budget).expect("sink");
        sink.write(b"0123456789").expect("written");
        assert_eq!(budget.used.load(Ordering::Relaxed), 10);
        let body = sink.finish(Vec::new()).expect("body");
        assert!(!body.is_spooled());
        assert_eq!(read_all(body), b"0123456789");
        assert_eq!(budget.used.load(Ordering::Relaxed), 0);
    }

    #[test]
    fn a_declared_body_is_filled_in_place_and_kept_as_received() {
        let budget = Arc::new(MemoryBudget::new(100));
        let mut short = BodySink::new(Some(10), 64, &budget).expect("sink");
        short.write(b"0123").expect("written");
        short.write(b"45").expect("written");
        assert_eq!(read_all(short.finish(Vec::new()).expect("body")), b"012345");
        let mut long = BodySink::new(Some(3), 64, &budget).expect("sink");
        long.write(b"ab").expect("written");
        long.write(b"cde").expect("written");
        let body = long.finish(Vec::new()).expect("body");
        assert_eq!((body.len(), read_all(body)), (5, b"abcde".to_vec()));
    }

    #[test]
    fn a_body_past_the_per_body_limit_is_spooled_intact() {
        let budget = Arc::new(MemoryBudget::new(1 << 20));
        let mut sink = BodySink::new(None, 8, &budget).expect("sink");
        for piece in [&b"abcd"[..], b"efgh", b"ijkl"] {
            sink.write(piece).expect("written");
        }
        let body = sink.finish(Vec::new()).expect("body");
        assert!(body.is_spooled());
        assert_eq!(read_all(body), b"abcdefghijkl");
        assert_eq!(budget.used.load(Ordering::Relaxed), 0);
    }

    #[test]
    fn bodies_past_the_shared_budget_are_spooled() {
        let budget = Arc::new(MemoryBudget::new(15));
        let mut first = BodySink::new(Some(10), 64, &budget).expect("sink");
        first.write(&[1; 10]).expect("written");
        let mut second = BodySink::new(Some(10), 64, &budget).expect("sink");
        second.write(&[2; 10]).expect("written");
        let (first, second) = (first.finish(Vec::new()), second.finish(Vec::new()));
        assert!(!first.expect("first").is_spooled());
        assert!(second.expect("second").is_spooled());
    }
}
