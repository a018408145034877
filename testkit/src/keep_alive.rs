//! The benches' client: one kept-alive connection, buffers reused, errors returned rather
//! than panicked, so a round trip costs what the server costs.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};

use crate::net::IO_TIMEOUT;

/// A client on one kept-alive connection that sends a request and reads one
/// `Content-Length` response back, reusing its buffers: the end-to-end benches of the
/// `wsgi`, `application` and `session` layers measure a round trip with it.
pub struct KeepAliveClient {
    reader: BufReader<TcpStream>,
    line: String,
    body: Vec<u8>,
}

impl KeepAliveClient {
    /// Connects with `TCP_NODELAY` and read and write timeouts of [`IO_TIMEOUT`], so a
    /// server that stops answering fails the bench instead of hanging it.
    pub fn connect(addr: SocketAddr) -> io::Result<KeepAliveClient> {
        let stream = TcpStream::connect_timeout(&addr, IO_TIMEOUT)?;
        stream.set_read_timeout(Some(IO_TIMEOUT))?;
        stream.set_write_timeout(Some(IO_TIMEOUT))?;
        stream.set_nodelay(true)?;
        Ok(KeepAliveClient {
            reader: BufReader::new(stream),
            line: String::new(),
            body: Vec::new(),
        })
    }

    /// Sends `request` and reads the answer: its status code and its body.
    ///
    /// # Errors
    /// I/O errors, and `InvalidData` for an answer without a status code or with a
    /// `Content-Length` that is not a number (a chunked answer reads as an empty body).
    pub fn round_trip(&mut self, request: &[u8]) -> io::Result<(u16, &[u8])> {
        self.reader.get_mut().write_all(request)?;
        self.line.clear();
        self.reader.read_line(&mut self.line)?;
        let code = self.line.split(' ').nth(1).and_then(|c| c.parse().ok());
        let code = code.ok_or_else(|| invalid(format!("no status code in {:?}", self.line)))?;
        let mut length = 0;
        loop {
            self.line.clear();
            if self.reader.read_line(&mut self.line)? == 0 || self.line == "\r\n" {
                break;
            }
            if let Some((name, value)) = self.line.split_once(':') {
                if name.eq_ignore_ascii_case("content-length") {
                    length = value
                        .trim()
                        .parse()
                        .map_err(|_| invalid(format!("bad length {value:?}")))?;
                }
            }
        }
        self.body.resize(length, 0);
        self.reader.read_exact(&mut self.body)?;
        Ok((code, &self.body))
    }
}

fn invalid(why: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, why)
}
