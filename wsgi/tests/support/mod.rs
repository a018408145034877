//! Shared by the socket tests: a server on `127.0.0.1:0` stopped on drop, and two apps.
//! The client (timeouts on every socket) and the response reader, which says whether a
//! body was complete or cut, are the workspace's `testkit`, re-exported here under the
//! names these tests use: `read_response` skips interim 1xx responses.

#![allow(dead_code, unused_imports)]

use std::io::Read;
use std::net::SocketAddr;
use std::time::Duration;

use wsgi::{app_fn, Body, RunningServer, ServerConfig, SharedApp, WsgiServer};

pub use testkit::{eventually, read_final_response as read_response, Client, Response, IO_TIMEOUT};

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
