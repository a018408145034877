//! The connection's two ends: a buffered reader and a writer whose leftovers wait in a
//! bounded buffer.
//!
//! Both share one non-blocking `TcpStream` through an `Arc` (`&TcpStream` implements
//! `Read` and `Write`), so no `try_clone` (a `dup` system call) is paid per connection.
//! A read with nothing to read returns `WouldBlock`, which callers turn into "wait for the
//! poller"; a write the socket does not take whole leaves the rest pending. One call
//! blocks: `ConnWriter::write_all`, when what is pending would pass `out_high_water`
//! (backpressure on the application, at most `write_timeout` per write).

use std::io::{self, BufRead, Read, Write};
use std::net::TcpStream;
use std::os::fd::AsFd;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rustix::event::{poll, PollFd, PollFlags, Timespec};

/// Bytes read ahead of the parser. A request head usually fits in one read of this size.
const INITIAL_BUFFER: usize = 8 * 1024;

/// The reading end of a connection: a buffer the request head is accumulated in, then
/// handed to the body decoders through [`BufRead`].
///
/// Unlike `std::io::BufReader`, it can read *more* into a non-empty buffer
/// ([`ConnReader::read_more`]): a request head arrives in pieces and must be complete
/// before it is parsed, and whatever follows it (a body, a pipelined request) stays in
/// the buffer.
#[derive(Debug)]
pub struct ConnReader {
    stream: Arc<TcpStream>,
    buf: Vec<u8>,
    pos: usize,
    end: usize,
    /// The last read from the socket took less than it offered room for (or found
    /// nothing, or the end): the socket held no more then. The workers' poller reports
    /// only bytes that arrive after that (edge triggered), so a connection may wait there
    /// only while this holds.
    drained: bool,
}

impl ConnReader {
    pub(crate) fn new(stream: Arc<TcpStream>) -> Self {
        ConnReader {
            stream,
            // Allocated by the first read: a client that connects and never sends costs
            // no buffer.
            buf: Vec::new(),
            pos: 0,
            end: 0,
            // Nothing read yet: the poller's registration reports bytes already there.
            drained: true,
        }
    }

    /// Whether the socket held nothing more at the last read (see `drained`).
    pub(crate) fn drained(&self) -> bool {
        self.drained
    }

    /// One read from the socket into `out`, noting whether it drained the socket.
    fn read_socket(
        &mut self,
        range: std::ops::Range<usize>,
        direct: Option<&mut [u8]>,
    ) -> io::Result<usize> {
        let out = match direct {
            Some(out) => out,
            None => &mut self.buf[range],
        };
        let room = out.len();
        let read = (&*self.stream).read(out);
        self.drained = match &read {
            Ok(n) => *n < room,
            Err(e) => e.kind() != io::ErrorKind::Interrupted,
        };
        read
    }

    /// Frees the buffer if it holds nothing: an idle connection waiting for its next
    /// request then costs its socket and a few words, not 8 KiB (or the up to
    /// `max_head_bytes` a big request head grew it to). Measured on `echo_server`: 5,000
    /// silent clients took 43 MB of resident memory with a buffer each, 3 MB without.
    pub(crate) fn release_if_idle(&mut self) {
        if self.pos == self.end && self.buf.capacity() > INITIAL_BUFFER {
            self.buf = Vec::new();
            self.pos = 0;
            self.end = 0;
        }
    }

    /// The bytes received and not consumed yet.
    pub fn buffered(&self) -> &[u8] {
        &self.buf[self.pos..self.end]
    }

    /// Drops the first `n` buffered bytes: a parsed part of the request head.
    pub(crate) fn consume_head(&mut self, n: usize) {
        self.pos = (self.pos + n).min(self.end);
    }

    /// Reads whatever the peer sent, appending it to the buffer, growing the buffer up
    /// to `max_buffer` bytes. Returns how many bytes arrived (0: the peer closed);
    /// `WouldBlock` when nothing is there yet.
    pub(crate) fn read_more(&mut self, max_buffer: usize) -> io::Result<usize> {
        if self.pos == self.end {
            self.pos = 0;
            self.end = 0;
        } else if self.pos > 0 && self.end == self.buf.len() {
            self.buf.copy_within(self.pos..self.end, 0);
            self.end -= self.pos;
            self.pos = 0;
        }
        if self.end == self.buf.len() {
            let grown = (self.buf.len() * 2)
                .max(INITIAL_BUFFER)
                .min(max_buffer.max(INITIAL_BUFFER));
            if grown <= self.buf.len() {
                return Err(io::Error::new(
                    io::ErrorKind::OutOfMemory,
                    "read buffer full",
                ));
            }
            self.buf.resize(grown, 0);
        }
        let n = self.read_socket(self.end..self.buf.len(), None)?;
        self.end += n;
        Ok(n)
    }
}

impl Read for ConnReader {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        // A large read with nothing buffered goes straight to the socket: no double copy.
        if self.pos == self.end && out.len() >= self.buf.len().max(INITIAL_BUFFER) {
            return self.read_socket(0..0, Some(out));
        }
        let available = self.fill_buf()?;
        let n = available.len().min(out.len());
        out[..n].copy_from_slice(&available[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl BufRead for ConnReader {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.pos == self.end {
            self.pos = 0;
            self.end = 0;
            if self.buf.is_empty() {
                self.buf.resize(INITIAL_BUFFER, 0);
            }
            self.end = self.read_socket(0..self.buf.len(), None)?;
        }
        Ok(&self.buf[self.pos..self.end])
    }

    fn consume(&mut self, amt: usize) {
        self.pos = (self.pos + amt).min(self.end);
    }
}

// ANCHOR: conn_writer
/// The writing end of a connection: writes what the socket takes now, and keeps the
/// rest, up to `high_water` bytes, for later.
///
/// A response is written while the application produces it; what a slow reader has not
/// taken yet waits here. Past `high_water` the writer waits for room (the application
/// is throttled to the client's pace: backpressure), at most `write_timeout` for one
/// call of `write_all`. When the application is done, whatever is still pending is
/// flushed by the housekeeper, not by a worker.
#[derive(Debug)]
pub(crate) struct ConnWriter {
    stream: Arc<TcpStream>,
    pending: Vec<u8>,
    /// Bytes of `pending` already written.
    sent: usize,
    high_water: usize,
    write_timeout: Duration,
    /// A response's head buffer and header fields, kept from one response to the next.
    spares: (Vec<u8>, Vec<u8>),
}
// ANCHOR_END: conn_writer

impl ConnWriter {
    pub(crate) fn new(stream: Arc<TcpStream>, high_water: usize, write_timeout: Duration) -> Self {
        ConnWriter {
            stream,
            pending: Vec::new(),
            sent: 0,
            high_water,
            write_timeout,
            spares: (Vec::new(), Vec::new()),
        }
    }

    /// The buffers a response builds in, lent for one response.
    pub(crate) fn take_spares(&mut self) -> (Vec<u8>, Vec<u8>) {
        std::mem::take(&mut self.spares)
    }

    /// The buffers back, emptied; a big one is let go rather than kept per connection.
    pub(crate) fn give_spares(&mut self, mut head: Vec<u8>, mut fields: Vec<u8>) {
        for buf in [&mut head, &mut fields] {
            buf.clear();
            if buf.capacity() > 16 * 1024 {
                *buf = Vec::new();
            }
        }
        self.spares = (head, fields);
    }

    /// Bytes written by the application that the socket has not taken yet.
    pub(crate) fn pending(&self) -> usize {
        self.pending.len() - self.sent
    }

    // ANCHOR: write_all
    /// Writes `bytes`: straight to the socket as far as it takes them, the rest into the
    /// pending buffer; waits (at most `write_timeout`) only while the buffer would pass
    /// its high-water mark.
    pub(crate) fn write_all(&mut self, mut bytes: &[u8]) -> io::Result<()> {
        let mut deadline = None;
        loop {
            if self.flush()? {
                let n = self.try_write(bytes)?;
                bytes = &bytes[n..];
            }
            if bytes.is_empty() {
                return Ok(());
            }
            if self.pending() + bytes.len() <= self.high_water {
                self.keep(bytes);
                return Ok(());
            }
            let deadline = *deadline.get_or_insert_with(|| Instant::now() + self.write_timeout);
            self.wait_writable(deadline)?;
        }
    }
    // ANCHOR_END: write_all

    /// Writes pending bytes as far as the socket takes them; `true` when none are left.
    pub(crate) fn flush(&mut self) -> io::Result<bool> {
        while self.sent < self.pending.len() {
            let n = self.try_write_pending()?;
            if n == 0 {
                return Ok(false);
            }
        }
        // Keep a small buffer for the next response; give a big one back.
        self.pending.clear();
        self.sent = 0;
        if self.pending.capacity() > 64 * 1024 {
            self.pending = Vec::new();
        }
        Ok(true)
    }

    fn try_write_pending(&mut self) -> io::Result<usize> {
        let n = match (&*self.stream).write(&self.pending[self.sent..]) {
            Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => 0,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => 0,
            Err(e) => return Err(e),
        };
        self.sent += n;
        Ok(n)
    }

    /// One non-blocking write of `bytes`; how much the socket took.
    fn try_write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        let mut written = 0;
        while written < bytes.len() {
            match (&*self.stream).write(&bytes[written..]) {
                Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
                Ok(n) => written += n,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(written)
    }

    fn keep(&mut self, bytes: &[u8]) {
        if self.sent > 0 && self.sent == self.pending.len() {
            self.pending.clear();
            self.sent = 0;
        }
        self.pending.extend_from_slice(bytes);
    }

    /// Blocks this thread until the socket has room, or fails with `TimedOut` at
    /// `deadline`: the client did not take what was sent in time.
    fn wait_writable(&self, deadline: Instant) -> io::Result<()> {
        wait_for(&self.stream, PollFlags::OUT, deadline)
    }
}

/// Blocks until `stream` is ready for `flags` (or failed, or hung up), or `deadline`.
pub(crate) fn wait_for(stream: &TcpStream, flags: PollFlags, deadline: Instant) -> io::Result<()> {
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(io::Error::new(
                io::ErrorKind::TimedOut,
                "the client did not take the response within write_timeout",
            ));
        }
        let timeout = Timespec {
            tv_sec: left.as_secs().try_into().unwrap_or(i64::MAX),
            tv_nsec: left.subsec_nanos().into(),
        };
        let fd = stream.as_fd();
        let mut fds = [PollFd::new(&fd, flags)];
        match poll(&mut fds, Some(&timeout)) {
            Ok(0) => {}
            Ok(_) => return Ok(()),
            Err(rustix::io::Errno::INTR) => {}
            Err(e) => return Err(e.into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpListener;

    fn pair() -> (TcpStream, Arc<TcpStream>) {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let client = TcpStream::connect(listener.local_addr().expect("addr")).expect("connect");
        client
            .set_read_timeout(Some(Duration::from_secs(5)))
            .expect("timeout");
        let (server, _) = listener.accept().expect("accept");
        server.set_nonblocking(true).expect("non-blocking");
        (client, Arc::new(server))
    }

    #[test]
    fn an_idle_reader_holds_no_big_buffer_and_reads_on_after_release() {
        let (mut client, server) = pair();
        let mut reader = ConnReader::new(server);
        assert_eq!(reader.buf.capacity(), 0);
        assert_eq!(
            reader.read_more(1 << 16).map_err(|e| e.kind()),
            Err(io::ErrorKind::WouldBlock)
        );
        client.write_all(b"abc").expect("sent");
        std::thread::sleep(Duration::from_millis(50));
        assert_eq!(reader.read_more(1 << 16).expect("read"), 3);
        assert_eq!(reader.buffered(), b"abc");
        reader.consume(3);
        client.write_all(b"de").expect("sent");
        std::thread::sleep(Duration::from_millis(50));
        assert_eq!(reader.fill_buf().expect("read"), b"de");
    }

    #[test]
    fn a_writer_keeps_what_the_socket_does_not_take_and_flushes_it_later() {
        let (mut client, server) = pair();
        let mut writer = ConnWriter::new(server, 64 << 20, Duration::from_secs(5));
        // More than any socket buffer takes at once.
        let big = vec![b'x'; 32 << 20];
        writer.write_all(&big).expect("written or kept");
        assert!(writer.pending() > 0);
        let reader = std::thread::spawn(move || {
            let mut got = vec![0u8; 32 << 20];
            client
                .read_exact(&mut got)
                .map(|_| got.iter().all(|&b| b == b'x'))
        });
        let deadline = Instant::now() + Duration::from_secs(10);
        while !writer.flush().expect("flushes") {
            wait_for(&writer.stream, PollFlags::OUT, deadline).expect("room");
        }
        assert!(matches!(reader.join(), Ok(Ok(true))));
    }
}
