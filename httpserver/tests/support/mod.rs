//! Test support: a server on 127.0.0.1:0 with a small native gateway, clients with
//! timeouts on every socket, and a response reader. The server stops when dropped.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use httpserver::{Error, HttpRequest, HttpServer, ServerConfig, ServerThread};

/// How long any test socket waits for a byte before the test fails.
pub const IO_TIMEOUT: Duration = Duration::from_secs(5);

/// A running server; stopped (and joined) on drop.
pub struct TestServer {
    server: Option<ServerThread>,
    pub addr: SocketAddr,
}

impl TestServer {
    /// The routes gateway below, with `config` adjusted by `adjust`.
    pub fn start(adjust: impl FnOnce(&mut ServerConfig)) -> TestServer {
        TestServer::with_gateway(adjust, routes)
    }

    pub fn with_gateway(
        adjust: impl FnOnce(&mut ServerConfig),
        gateway: impl httpserver::Gateway,
    ) -> TestServer {
        let mut config = ServerConfig::new("127.0.0.1:0");
        config.threads = 2;
        config.shutdown_timeout = Duration::from_secs(2);
        adjust(&mut config);
        let server = HttpServer::spawn(config, gateway).expect("the test server starts");
        let addr = server.local_addr();
        TestServer {
            server: Some(server),
            addr,
        }
    }

    /// A connection with read and write timeouts.
    pub fn connect(&self) -> TcpStream {
        connect(self.addr)
    }

    /// Sends `request` on a new connection, reads until the server closes it.
    pub fn exchange(&self, request: &[u8]) -> String {
        let mut stream = self.connect();
        stream.write_all(request).expect("request sent");
        read_to_close(&mut stream)
    }

    pub fn stop(mut self) {
        if let Some(server) = self.server.take() {
            server.stop();
        }
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(server) = self.server.take() {
            server.stop();
        }
    }
}

pub fn connect(addr: SocketAddr) -> TcpStream {
    let stream = TcpStream::connect(addr).expect("connects");
    stream.set_read_timeout(Some(IO_TIMEOUT)).expect("timeout");
    stream.set_write_timeout(Some(IO_TIMEOUT)).expect("timeout");
    stream
}

/// Everything the server sends until it closes (or a read error such as a reset).
pub fn read_to_close(stream: &mut TcpStream) -> String {
    let mut bytes = Vec::new();
    let _ = stream.read_to_end(&mut bytes);
    String::from_utf8_lossy(&bytes).into_owned()
}

/// Whether the server closed `stream` (EOF or reset) rather than leaving it open.
pub fn is_closed(stream: &mut TcpStream) -> bool {
    let mut byte = [0u8; 1];
    match stream.read(&mut byte) {
        Ok(0) => true,
        Ok(_) => false,
        Err(e) => matches!(
            e.kind(),
            std::io::ErrorKind::ConnectionReset | std::io::ErrorKind::ConnectionAborted
        ),
    }
}

/// One parsed response.
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub head: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// The chunked body ended with its last chunk (false: cut short).
    pub complete: bool,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn body_text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Reads one response from `reader`; `head_request` when it answers a HEAD (no body).
pub fn read_response(reader: &mut BufReader<TcpStream>, head_request: bool) -> Response {
    let mut head = String::new();
    let mut line = String::new();
    reader.read_line(&mut line).expect("status line");
    head.push_str(&line);
    let status = line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status in {line:?}"));
    let mut headers = Vec::new();
    loop {
        line.clear();
        reader.read_line(&mut line).expect("header line");
        head.push_str(&line);
        let trimmed = line.trim_end();
        if trimmed.is_empty() {
            break;
        }
        let (name, value) = trimmed.split_once(':').expect("a colon");
        headers.push((name.to_string(), value.trim().to_string()));
    }
    let mut response = Response {
        status,
        head,
        headers,
        body: Vec::new(),
        complete: true,
    };
    let no_body = head_request || status < 200 || status == 204 || status == 304;
    if no_body {
        return response;
    }
    if let Some(n) = response.header("content-length") {
        let n: usize = n.parse().expect("a length");
        let mut body = vec![0; n];
        reader.read_exact(&mut body).expect("the body");
        response.body = body;
    } else if response.header("transfer-encoding") == Some("chunked") {
        response.complete = false;
        loop {
            line.clear();
            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                break;
            }
            let size = usize::from_str_radix(line.trim(), 16).expect("a chunk size");
            if size == 0 {
                line.clear();
                let _ = reader.read_line(&mut line);
                response.complete = true;
                break;
            }
            let mut chunk = vec![0; size + 2];
            reader.read_exact(&mut chunk).expect("a chunk");
            response.body.extend_from_slice(&chunk[..size]);
        }
    } else {
        let _ = reader.read_to_end(&mut response.body);
    }
    response
}

/// Sends `request` on `stream` and reads one response.
pub fn send(reader: &mut BufReader<TcpStream>, request: &[u8]) -> Response {
    reader.get_mut().write_all(request).expect("request sent");
    read_response(reader, request.starts_with(b"HEAD "))
}

/// The test gateway: a route per behaviour under test.
pub fn routes(req: &mut HttpRequest) -> Result<(), Error> {
    let path = String::from_utf8_lossy(req.path()).into_owned();
    match path.as_str() {
        "/hello" => {
            req.add_header("Content-Length", b"5")?;
            req.write(b"hello")
        }
        "/echo" => {
            let mut body = Vec::new();
            req.body().read_to_end(&mut body)?;
            req.add_header("Content-Length", body.len().to_string().as_bytes())?;
            req.write(&body)
        }
        "/chunks" => {
            req.write(b"")?;
            req.write(b"ab")?;
            req.write(b"")?;
            req.write(b"cd")
        }
        "/nolength" => req.write(b"no length"),
        "/target" => {
            let text = format!(
                "{}|{}|{}|{}|{}",
                req.method(),
                req.uri(),
                req.raw_path(),
                String::from_utf8_lossy(req.path()),
                req.query_string()
            );
            req.write(text.as_bytes())
        }
        "/env" => {
            let text = format!(
                "{} {} {} {}",
                req.request_protocol(),
                req.server_name(),
                req.remote_addr().ip(),
                req.scheme()
            );
            req.write(text.as_bytes())
        }
        "/204" => req
            .set_status(204, "No Content")
            .and_then(|_| req.write(b"body!")),
        "/304" => req
            .set_status(304, "Not Modified")
            .and_then(|_| req.write(b"body!")),
        "/short" => {
            req.add_header("Content-Length", b"10")?;
            req.write(b"12345")
        }
        "/long" => {
            req.add_header("Content-Length", b"5")?;
            req.write(b"1234567890")
        }
        "/inject" => {
            let value = req.add_header("X-Bad", b"a\r\nSet-Cookie: evil=1");
            let name = req.add_header("X-Bad\r\nSet-Cookie", b"evil=1");
            let text = format!("{} / {}", value.is_err(), name.is_err());
            req.write(text.as_bytes())
        }
        "/panic" => panic!("the app panicked before its headers"),
        "/panic-late" => {
            req.write(b"partial")?;
            panic!("the app panicked after its headers")
        }
        "/fail" => Err(Error::app("the app failed")),
        "/noread" => {
            req.add_header("Content-Length", b"2")?;
            req.write(b"ok")
        }
        "/sleep" => {
            let ms: u64 = req.query_string().parse().unwrap_or(100);
            std::thread::sleep(Duration::from_millis(ms));
            req.write(b"slept")
        }
        "/trailers" => {
            let mut body = Vec::new();
            req.body().read_to_end(&mut body)?;
            let trailers: Vec<String> = req
                .body()
                .trailers()
                .iter()
                .map(|(n, v)| format!("{n}={}", String::from_utf8_lossy(v)))
                .collect();
            let text = format!("{}|{}", String::from_utf8_lossy(&body), trailers.join(","));
            req.write(text.as_bytes())
        }
        _ => {
            req.set_status(404, "Not Found")?;
            req.write(b"not found")
        }
    }
}
