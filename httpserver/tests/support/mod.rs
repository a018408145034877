//! Test support: a server on 127.0.0.1:0 with a small native gateway, stopped when
//! dropped. The clients (timeouts on every socket) and the response reader are the
//! workspace's `testkit`, re-exported here under the names these tests use.
#![allow(dead_code, unused_imports)]

use std::io::Read;
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use httpserver::{Error, HttpRequest, HttpServer, ServerConfig, ServerThread};

pub use testkit::{connect, is_closed, read_response, read_to_close, send, Response, IO_TIMEOUT};

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
        testkit::exchange(self.addr, request)
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
