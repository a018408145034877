//! `RequestBody`: the body reader a gateway gets, with `100 Continue` sent on first read.

use std::io::{self, BufRead, Read};
use std::sync::atomic::{AtomicU64, AtomicU8, Ordering};
use std::sync::Arc;

use crate::rfile::{ChunkedRFile, KnownLengthRFile};
use crate::wire::{ConnReader, ConnWriter};

/// Where the `Expect: 100-continue` exchange is, shared by the body and the response.
pub(crate) mod expect {
    /// No `100 Continue` is owed (no `Expect`, or no body).
    pub const NONE: u8 = 0;
    /// The client waits for `100 Continue` before it sends the body.
    pub const PENDING: u8 = 1;
    /// `100 Continue` was sent.
    pub const SENT: u8 = 2;
    /// The final response went out first: the client may never send the body.
    pub const SKIPPED: u8 = 3;
}

/// What the body and the response share about one exchange: they are handed to a
/// gateway separately (`HttpRequest::split`), yet each needs to know what the other did.
#[derive(Debug)]
pub(crate) struct Exchange {
    /// Where `Expect: 100-continue` is (see [`expect`]).
    pub(crate) expect: AtomicU8,
    /// Bytes of a `Content-Length` body not read yet (0 for other framings): when more
    /// than `max_drain` are left as the headers go out, the connection will close after
    /// this response, and the response can say so.
    pub(crate) unread: AtomicU64,
}

impl Default for Exchange {
    fn default() -> Self {
        Exchange {
            expect: AtomicU8::new(expect::NONE),
            unread: AtomicU64::new(0),
        }
    }
}

/// The connection's reader, wrapped by the body's framing.
#[derive(Debug)]
pub(crate) enum Framed {
    /// No body: reads give EOF at once.
    Empty(ConnReader),
    /// `Content-Length`.
    Known(KnownLengthRFile<ConnReader>),
    /// `Transfer-Encoding: chunked`.
    Chunked(ChunkedRFile<ConnReader>),
    /// Only while the reader moves from one variant to another.
    Moving,
}

// ANCHOR: request_body
/// The request body: `Read` and `BufRead` over a `KnownLengthRFile` or `ChunkedRFile`
/// (PEP 3333's `wsgi.input`).
///
/// It returns EOF at the end of the body and never reads past it, so a gateway may read
/// to the end (`wsgi.input_terminated` is true). If the client sent
/// `Expect: 100-continue`, the first read sends `100 Continue` first, and only then
/// waits for the body: a gateway that answers without reading never invites it.
/// Framing errors are `InvalidData` errors holding a
/// [`BodyError`](crate::rfile::BodyError); a stalled client is a `TimedOut`/`WouldBlock`
/// error after `ServerConfig::body_timeout`.
#[derive(Debug)]
pub struct RequestBody {
    framed: Framed,
    exchange: Arc<Exchange>,
    writer: ConnWriter,
}
// ANCHOR_END: request_body

impl RequestBody {
    pub(crate) fn new(framed: Framed, exchange: Arc<Exchange>, writer: ConnWriter) -> Self {
        RequestBody {
            framed,
            exchange,
            writer,
        }
    }

    /// Whether the whole body was read (trivially true when there is none).
    pub fn is_complete(&self) -> bool {
        match &self.framed {
            Framed::Empty(_) => true,
            Framed::Known(r) => r.remaining() == 0,
            Framed::Chunked(r) => r.is_done(),
            Framed::Moving => false,
        }
    }

    /// The trailer fields of a chunked body, once it was read to the end.
    pub fn trailers(&self) -> &[(String, Vec<u8>)] {
        match &self.framed {
            Framed::Chunked(r) => r.trailers(),
            _ => &[],
        }
    }

    /// Whether the client still waits for `100 Continue`, or was answered without it:
    /// then it may never send the body, and draining it could wait for nothing.
    pub(crate) fn continue_owed(&self) -> bool {
        matches!(
            self.exchange.expect.load(Ordering::Acquire),
            expect::PENDING | expect::SKIPPED
        )
    }

    /// Bytes of a `Content-Length` body not read yet (`None` for chunked).
    pub(crate) fn remaining(&self) -> Option<u64> {
        match &self.framed {
            Framed::Empty(_) => Some(0),
            Framed::Known(r) => Some(r.remaining()),
            Framed::Chunked(_) | Framed::Moving => None,
        }
    }

    pub(crate) fn into_reader(self) -> Option<ConnReader> {
        match self.framed {
            Framed::Empty(r) => Some(r),
            Framed::Known(r) => Some(r.into_inner()),
            Framed::Chunked(r) => Some(r.into_inner()),
            Framed::Moving => None,
        }
    }

    /// Wraps the unframed reader with `frame`; does nothing if the body is framed already.
    pub(crate) fn reframe(&mut self, frame: impl FnOnce(ConnReader) -> Framed) {
        if let Framed::Empty(reader) = std::mem::replace(&mut self.framed, Framed::Moving) {
            self.framed = frame(reader);
        }
    }

    pub(crate) fn exchange(&self) -> &Exchange {
        &self.exchange
    }

    /// Publishes how much of a `Content-Length` body is left, for the response.
    fn note_unread(&self) {
        if let Framed::Known(r) = &self.framed {
            self.exchange.unread.store(r.remaining(), Ordering::Release);
        }
    }

    pub(crate) fn reader_mut(&mut self) -> Option<&mut ConnReader> {
        match &mut self.framed {
            Framed::Empty(r) => Some(r),
            _ => None,
        }
    }

    // ANCHOR: send_continue
    /// Sends `100 Continue` if the client waits for it and no final response went out.
    fn send_continue(&mut self) -> io::Result<()> {
        if self
            .exchange
            .expect
            .compare_exchange(
                expect::PENDING,
                expect::SENT,
                Ordering::AcqRel,
                Ordering::Acquire,
            )
            .is_ok()
        {
            self.writer.write_all(b"HTTP/1.1 100 Continue\r\n\r\n")?;
        }
        Ok(())
    }
    // ANCHOR_END: send_continue
}

impl Read for RequestBody {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        self.send_continue()?;
        let n = match &mut self.framed {
            Framed::Empty(_) | Framed::Moving => 0,
            Framed::Known(r) => r.read(out)?,
            Framed::Chunked(r) => r.read(out)?,
        };
        self.note_unread();
        Ok(n)
    }
}

impl BufRead for RequestBody {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        self.send_continue()?;
        match &mut self.framed {
            Framed::Empty(_) | Framed::Moving => Ok(&[]),
            Framed::Known(r) => r.fill_buf(),
            Framed::Chunked(r) => r.fill_buf(),
        }
    }

    fn consume(&mut self, amt: usize) {
        match &mut self.framed {
            Framed::Empty(_) | Framed::Moving => {}
            Framed::Known(r) => r.consume(amt),
            Framed::Chunked(r) => r.consume(amt),
        }
        self.note_unread();
    }
}
