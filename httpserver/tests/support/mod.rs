//! Test support: a server on 127.0.0.1:0 with a small native gateway, stopped when
//! dropped. The clients (timeouts on every socket) and the response reader are the
//! workspace's `testkit`, re-exported here under the names these tests use; reading to
//! the close is stricter here (a timeout fails the test).
#![allow(dead_code, unused_imports)]

use std::io::{self, Read};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use httpserver::{Error, HttpRequest, HttpServer, ServerConfig, ServerThread, StopHandle};

pub use testkit::{connect, is_closed, read_response, send, Response, IO_TIMEOUT, MAX_RESPONSE};

/// Everything the server sends until it closes `stream` (EOF, or a reset after its
/// answer). Panics if the server leaves the connection open: the read timing out
/// (`IO_TIMEOUT`) is a failure here, not an end, so a test that says "answered and
/// closed" cannot pass on a server that only answered.
pub fn read_to_close(stream: &mut TcpStream) -> String {
    let mut bytes = Vec::new();
    let read = stream.take(MAX_RESPONSE).read_to_end(&mut bytes);
    let text = String::from_utf8_lossy(&bytes).into_owned();
    match read {
        Err(e)
            if matches!(
                e.kind(),
                io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
            ) =>
        {
            panic!(
                "the server did not close the connection within {IO_TIMEOUT:?}; it sent {text:?}"
            )
        }
        _ => text,
    }
}

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

    /// Sends `request` on a new connection, reads until the server closes it (a server
    /// that does not close fails the test: see [`read_to_close`]).
    pub fn exchange(&self, request: &[u8]) -> String {
        use std::io::Write;
        let mut stream = self.connect();
        stream.write_all(request).expect("request sent");
        read_to_close(&mut stream)
    }

    /// A handle that asks the server to stop, and returns at once.
    pub fn stop_handle(&self) -> StopHandle {
        self.server
            .as_ref()
            .map(ServerThread::stop_handle)
            .expect("a running server")
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
            let control = req.add_header("X-Control", b"a\x01b");
            let text = format!(
                "{} / {} / {}",
                value.is_err(),
                name.is_err(),
                control.is_err()
            );
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
