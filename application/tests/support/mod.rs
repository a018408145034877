//! Real sockets for the tests that need them: a server on `127.0.0.1:0` that stops when
//! dropped; the client, whose every read and write has a timeout, is `testkit`'s.

use std::net::SocketAddr;

use application::{Application, RunningServer, ServerConfig};

/// A started server; dropping it stops the server (RunningServer's Drop).
pub struct Server {
    running: RunningServer,
}

impl Server {
    pub fn start(app: &Application) -> Server {
        let mut config = ServerConfig::new("127.0.0.1:0");
        config.threads = 4;
        let running = app.start(config).expect("a server on 127.0.0.1:0 starts");
        Server { running }
    }

    pub fn addr(&self) -> SocketAddr {
        self.running.local_addr()
    }

    /// Sends `request` as is and reads until the server closes the connection (send
    /// `Connection: close` in the last request).
    pub fn exchange(&self, request: &[u8]) -> String {
        testkit::exchange(self.addr(), request)
    }
}
