//! `Upload`: a request whose head is parsed and whose body is still arriving.
//!
//! The connection keeps it between wake-ups: each time the poller says bytes are there,
//! [`Upload::advance`] decodes them into the body's sink without blocking, and says
//! whether the body is complete. Its deadline (idle and rate, `body_timeout` and
//! `min_body_rate`) is watched by the housekeeper, not by a waiting worker.

use std::io::{self, Read};
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::body::{BodySink, MemoryBudget};
use super::headers::BodyFraming;
use super::HttpRequest;
use crate::rfile::{ChunkedRFile, KnownLengthRFile};
use crate::wire::ConnReader;
use crate::ServerConfig;

/// The connection's reader, wrapped by the body's framing.
#[derive(Debug)]
enum Decoder {
    /// `Content-Length`.
    Known(KnownLengthRFile<ConnReader>),
    /// `Transfer-Encoding: chunked`.
    Chunked(ChunkedRFile<ConnReader>),
}

// ANCHOR: body_clock
/// A body's two deadlines: `idle` after its last byte (a client that stops), and a floor
/// on its rate, `grace + bytes / min_rate` after it started (a client that trickles a
/// byte per `idle` passes every idle deadline; this stops it).
#[derive(Debug, Clone, Copy)]
struct BodyClock {
    started: Instant,
    last: Instant,
    idle: Duration,
    grace: Duration,
    min_rate: u64,
}

impl BodyClock {
    fn deadline(&self, bytes: u64) -> Instant {
        let idle = self.last + self.idle;
        if self.min_rate == 0 {
            return idle;
        }
        let earned = Duration::from_millis(bytes.saturating_mul(1000) / self.min_rate);
        idle.min(self.started + self.grace.saturating_add(earned))
    }

    /// Why the deadline passed, for the log.
    fn why(&self, bytes: u64, now: Instant) -> String {
        if now >= self.last + self.idle {
            format!("no request body byte for {:?} (body_timeout)", self.idle)
        } else {
            format!(
                "request body slower than {} bytes/s (min_body_rate): {bytes} bytes in {:?}",
                self.min_rate,
                now - self.started
            )
        }
    }
}
// ANCHOR_END: body_clock

/// A request whose body is being received.
#[derive(Debug)]
pub(crate) struct Upload {
    pub(crate) req: HttpRequest,
    decoder: Decoder,
    sink: BodySink,
    clock: BodyClock,
}

impl Upload {
    /// Starts receiving the body `req`'s head announced, from `reader`.
    pub(crate) fn start(
        req: HttpRequest,
        reader: ConnReader,
        config: &ServerConfig,
        budget: &Arc<MemoryBudget>,
    ) -> io::Result<Upload> {
        let (decoder, expected) = match req.head.framing {
            BodyFraming::Length(n) => (Decoder::Known(KnownLengthRFile::new(reader, n)), Some(n)),
            _ => (
                Decoder::Chunked(ChunkedRFile::new(reader, config.chunked_limits())),
                None,
            ),
        };
        let sink = BodySink::new(expected, config.body_in_memory, budget)?;
        let now = Instant::now();
        Ok(Upload {
            req,
            decoder,
            sink,
            clock: BodyClock {
                started: now,
                last: now,
                idle: config.body_timeout,
                grace: config.body_timeout,
                min_rate: config.min_body_rate,
            },
        })
    }

    // ANCHOR: advance
    /// Decodes whatever arrived into the sink, without blocking: `Ok(true)` when the body
    /// is complete, `Ok(false)` when the socket has nothing more for now. A framing
    /// error is an `InvalidData` error holding a `BodyError`; a client that closed early
    /// is `UnexpectedEof`.
    ///
    /// A `Content-Length` body goes straight to its place ([`BodySink::fill_from`]); a
    /// chunked one is decoded through a buffer.
    pub(crate) fn advance(&mut self) -> io::Result<bool> {
        let mut scratch = [0u8; 16 * 1024];
        loop {
            let read = match &mut self.decoder {
                Decoder::Known(r) => self.sink.fill_from(r),
                Decoder::Chunked(r) => r
                    .read(&mut scratch)
                    .and_then(|n| self.sink.write(&scratch[..n]).map(|()| n)),
            };
            match read {
                Ok(0) => return Ok(true),
                Ok(_) => self.clock.last = Instant::now(),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(false),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }
    // ANCHOR_END: advance

    /// The body reader the framing chose, by its name in the notes (for the trace).
    pub(crate) fn rfile(&self) -> &'static str {
        match self.decoder {
            Decoder::Known(_) => "KnownLengthRFile",
            Decoder::Chunked(_) => "ChunkedRFile",
        }
    }

    /// When the client will have been too slow, at the rate it has kept so far.
    pub(crate) fn deadline(&self) -> Instant {
        self.clock.deadline(self.sink.len())
    }

    /// What was too slow, once the deadline passed.
    pub(crate) fn why_late(&self, now: Instant) -> String {
        self.clock.why(self.sink.len(), now)
    }

    /// The request with its complete body, and the connection's reader (positioned at
    /// the next request).
    pub(crate) fn finish(self) -> io::Result<(HttpRequest, ConnReader)> {
        let (reader, trailers) = match self.decoder {
            Decoder::Known(r) => (r.into_inner(), Vec::new()),
            Decoder::Chunked(r) => {
                let trailers = r.trailers().to_vec();
                (r.into_inner(), trailers)
            }
        };
        let mut req = self.req;
        req.body = self.sink.finish(trailers)?;
        Ok((req, reader))
    }

    /// The request without its body (to refuse it), and the reader.
    pub(crate) fn abandon(self) -> (HttpRequest, ConnReader) {
        let reader = match self.decoder {
            Decoder::Known(r) => r.into_inner(),
            Decoder::Chunked(r) => r.into_inner(),
        };
        (self.req, reader)
    }
}
