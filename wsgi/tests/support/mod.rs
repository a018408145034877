//! Shared by the socket tests: a server on `127.0.0.1:0` stopped on drop, clients with
//! timeouts on every socket, and a small response reader that says whether a body was
//! complete or cut.

#![allow(dead_code)]

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use wsgi::{app_fn, Body, RunningServer, ServerConfig, SharedApp, WsgiServer};

/// How long any socket operation in these tests may block.
pub const IO_TIMEOUT: Duration = Duration::from_secs(5);

/// A running server, stopped when dropped.
pub struct TestServer {
    running: Option<RunningServer>,
    pub addr: SocketAddr,
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(running) = self.running.take() {
            running.stop();
        }
    }
}

/// Serves `app` on a free loopback port with 4 workers and short timeouts.
pub fn serve(app: SharedApp) -> TestServer {
    let mut config = ServerConfig::new("127.0.0.1:0");
    config.threads = 4;
    config.header_timeout = IO_TIMEOUT;
    config.body_timeout = IO_TIMEOUT;
    config.write_timeout = IO_TIMEOUT;
    config.shutdown_timeout = Duration::from_secs(2);
    let running = WsgiServer::with_config(config, app)
        .start()
        .expect("the test server starts");
    let addr = running.local_addr();
    TestServer {
        running: Some(running),
        addr,
    }
}

/// A client connection with read and write timeouts.
pub struct Client {
    reader: BufReader<TcpStream>,
}

impl Client {
    pub fn connect(addr: SocketAddr) -> Client {
        let stream = TcpStream::connect_timeout(&addr, IO_TIMEOUT).expect("connect");
        stream
            .set_read_timeout(Some(IO_TIMEOUT))
            .expect("read timeout");
        stream
            .set_write_timeout(Some(IO_TIMEOUT))
            .expect("write timeout");
        Client {
            reader: BufReader::new(stream),
        }
    }

    pub fn send(&mut self, bytes: &[u8]) {
        self.reader
            .get_mut()
            .write_all(bytes)
            .expect("send request");
    }

    /// Reads one response; `head_request` says the body is empty whatever the headers say.
    pub fn response(&mut self, head_request: bool) -> Response {
        read_response(&mut self.reader, head_request)
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

    /// Reads until the server closes (or the timeout).
    pub fn read_to_end(&mut self, out: &mut Vec<u8>) -> io::Result<usize> {
        self.reader.read_to_end(out)
    }

    /// The underlying stream (for half-closing it).
    pub fn reader_stream(&self) -> &TcpStream {
        self.reader.get_ref()
    }

    pub fn shutdown(self) {
        let _ = self.reader.get_ref().shutdown(std::net::Shutdown::Both);
    }
}

/// One response as the client saw it.
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub head: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// The body ended as its framing says (length reached, last chunk seen).
    pub complete: bool,
    /// The body was chunked on the wire.
    pub chunked: bool,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

fn read_line(reader: &mut impl BufRead) -> io::Result<String> {
    let mut line = Vec::new();
    reader.read_until(b'\n', &mut line)?;
    Ok(String::from_utf8_lossy(&line).into_owned())
}

pub fn read_response(reader: &mut impl BufRead, head_request: bool) -> Response {
    let mut head = String::new();
    // Skip interim 1xx responses other than the final one.
    let status = loop {
        let line = read_line(reader).expect("status line");
        assert!(line.starts_with("HTTP/1."), "not a status line: {line:?}");
        let status: u16 = line[9..12].parse().expect("status code");
        head.push_str(&line);
        if status >= 200 {
            break status;
        }
        // The empty line after the interim response.
        let _ = read_line(reader);
    };
    let mut headers = Vec::new();
    loop {
        let line = read_line(reader).expect("header line");
        head.push_str(&line);
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        let (name, value) = line.split_once(':').expect("header colon");
        headers.push((name.to_owned(), value.trim().to_owned()));
    }
    let mut response = Response {
        status,
        head,
        headers,
        body: Vec::new(),
        complete: true,
        chunked: false,
    };
    if head_request || status == 204 || status == 304 {
        return response;
    }
    if response
        .header("Transfer-Encoding")
        .is_some_and(|t| t.eq_ignore_ascii_case("chunked"))
    {
        response.chunked = true;
        response.complete = read_chunked(reader, &mut response.body);
    } else if let Some(length) = response.header("Content-Length") {
        let length: usize = length.parse().expect("Content-Length");
        let mut buf = vec![0; length];
        let mut got = 0;
        while got < length {
            match reader.read(&mut buf[got..]) {
                Ok(0) | Err(_) => break,
                Ok(n) => got += n,
            }
        }
        buf.truncate(got);
        response.complete = got == length;
        response.body = buf;
    } else {
        let _ = reader.read_to_end(&mut response.body);
    }
    response
}

/// Decodes a chunked body; false when the connection ended before the last chunk.
fn read_chunked(reader: &mut impl BufRead, body: &mut Vec<u8>) -> bool {
    loop {
        let Ok(line) = read_line(reader) else {
            return false;
        };
        if line.is_empty() {
            return false;
        }
        let size = usize::from_str_radix(line.trim().split(';').next().unwrap_or(""), 16)
            .expect("chunk size");
        if size == 0 {
            // Trailers, then the empty line.
            loop {
                match read_line(reader) {
                    Ok(l) if l.trim().is_empty() => return !l.is_empty(),
                    Ok(_) => {}
                    Err(_) => return false,
                }
            }
        }
        let mut chunk = vec![0; size + 2];
        if reader.read_exact(&mut chunk).is_err() {
            return false;
        }
        body.extend_from_slice(&chunk[..size]);
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

/// An app that reads `n` bytes of the body (or fewer at its end), answers them with a
/// `Content-Length`, and leaves the rest unread.
pub fn read_prefix(n: usize) -> SharedApp {
    app_fn(move |env, sr| {
        let mut prefix = Vec::new();
        env.input().take(n as u64).read_to_end(&mut prefix)?;
        let length = prefix.len().to_string();
        sr.start_response(
            "200 OK",
            [
                ("Content-Type", "application/octet-stream"),
                ("Content-Length", length.as_str()),
            ],
        )?;
        Ok(Body::from_bytes(prefix))
    })
}

/// An app that echoes the whole request body.
pub fn echo() -> SharedApp {
    read_prefix(usize::MAX)
}
