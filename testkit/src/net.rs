//! Clients on real sockets: every one with read and write timeouts, every read bounded.

use std::io::{self, BufReader, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant};

use crate::response::{read_final_response, Response};

/// How long any test socket waits for a byte (or to send one) before the test fails.
pub const IO_TIMEOUT: Duration = Duration::from_secs(5);

/// The most any helper reads from one connection: no test response is bigger, and a
/// runaway server cannot make a test read forever.
pub const MAX_RESPONSE: u64 = 16 << 20;

/// A connection to `addr` with read and write timeouts of [`IO_TIMEOUT`].
///
/// # Panics
/// When `addr` does not resolve or does not accept: the test cannot go on.
pub fn connect(addr: impl ToSocketAddrs) -> TcpStream {
    let addr: SocketAddr = addr
        .to_socket_addrs()
        .expect("the address resolves")
        .next()
        .expect("the address names a socket");
    let stream = TcpStream::connect_timeout(&addr, IO_TIMEOUT).expect("connects");
    stream.set_read_timeout(Some(IO_TIMEOUT)).expect("timeout");
    stream.set_write_timeout(Some(IO_TIMEOUT)).expect("timeout");
    stream
}

/// Sends `request` as is on a new connection and reads until the server closes it (so
/// the last request should say `Connection: close`).
pub fn exchange(addr: impl ToSocketAddrs, request: &[u8]) -> String {
    let mut stream = connect(addr);
    stream.write_all(request).expect("request sent");
    read_to_close(&mut stream)
}

/// Everything the server sends until it closes, a read fails (a reset, the timeout), or
/// [`MAX_RESPONSE`] bytes came. What came before an error is kept: a server that answers
/// and then resets still shows its answer.
pub fn read_to_close(stream: &mut TcpStream) -> String {
    let mut bytes = Vec::new();
    let _ = stream.take(MAX_RESPONSE).read_to_end(&mut bytes);
    String::from_utf8_lossy(&bytes).into_owned()
}

/// Whether the server closed `stream` (EOF or reset) rather than leaving it open: a read
/// that times out means open.
pub fn is_closed(stream: &mut TcpStream) -> bool {
    let mut byte = [0u8; 1];
    match stream.read(&mut byte) {
        Ok(0) => true,
        Ok(_) => false,
        Err(e) => matches!(
            e.kind(),
            io::ErrorKind::ConnectionReset | io::ErrorKind::ConnectionAborted
        ),
    }
}

/// A client that keeps its connection, for keep-alive and pipelining tests.
pub struct Client {
    reader: BufReader<TcpStream>,
}

impl Client {
    /// Connects to `addr` (see [`connect`]).
    pub fn connect(addr: SocketAddr) -> Client {
        Client {
            reader: BufReader::new(connect(addr)),
        }
    }

    /// Sends `bytes` as they are.
    pub fn send(&mut self, bytes: &[u8]) {
        self.reader
            .get_mut()
            .write_all(bytes)
            .expect("send request");
    }

    /// Reads one final response (interim 1xx ones skipped, see [`read_final_response`]);
    /// `head_request` says the body is empty whatever the headers say.
    pub fn response(&mut self, head_request: bool) -> Response {
        read_final_response(&mut self.reader, head_request)
    }

    /// Whether the server closed the connection (EOF within the timeout).
    pub fn closed_by_server(&mut self) -> bool {
        let mut byte = [0u8; 1];
        matches!(self.reader.read(&mut byte), Ok(0))
    }

    /// Reads whatever arrives next (up to 4 KiB); 0 on EOF or error.
    pub fn read_some(&mut self) -> usize {
        let mut buf = [0u8; 4096];
        self.reader.read(&mut buf).unwrap_or(0)
    }

    /// Reads exactly `buf.len()` bytes.
    pub fn read_exact(&mut self, buf: &mut [u8]) {
        self.reader.read_exact(buf).expect("read exact");
    }

    /// Reads until the server closes (or the timeout, or [`MAX_RESPONSE`] bytes).
    pub fn read_to_end(&mut self, out: &mut Vec<u8>) -> io::Result<usize> {
        (&mut self.reader).take(MAX_RESPONSE).read_to_end(out)
    }

    /// The underlying stream (for half-closing it).
    pub fn reader_stream(&self) -> &TcpStream {
        self.reader.get_ref()
    }

    /// Closes both directions.
    pub fn shutdown(self) {
        let _ = self.reader.get_ref().shutdown(Shutdown::Both);
    }
}

/// Polls `condition` every 10 ms for at most `limit`; returns whether it became true.
pub fn eventually(limit: Duration, mut condition: impl FnMut() -> bool) -> bool {
    let start = Instant::now();
    while start.elapsed() < limit {
        if condition() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    condition()
}
