//! Real sockets for the tests that need them: a server on `127.0.0.1:0` that stops when
//! dropped, and a client whose every read and write has a timeout.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use application::{Application, RunningServer, ServerConfig};

const TIMEOUT: Duration = Duration::from_secs(5);
/// No test response is bigger; a runaway server cannot make a test loop forever.
const MAX_RESPONSE: usize = 1 << 20;

/// A started server; dropping it stops the server (RunningServer's Drop).
pub struct Server {
    running: RunningServer,
}

impl Server {
    pub fn start(app: &Application) -> Server {
        let mut config = ServerConfig::new("127.0.0.1:0");
        config.threads = 4;
        let running = app
            .start(config, [])
            .expect("a server on 127.0.0.1:0 starts");
        Server { running }
    }

    pub fn addr(&self) -> SocketAddr {
        self.running.local_addr()
    }

    /// Sends `request` as is and reads until the server closes the connection (send
    /// `Connection: close` in the last request).
    pub fn exchange(&self, request: &[u8]) -> String {
        let mut stream = TcpStream::connect(self.addr()).expect("connect to the test server");
        stream
            .set_read_timeout(Some(TIMEOUT))
            .expect("set a read timeout");
        stream
            .set_write_timeout(Some(TIMEOUT))
            .expect("set a write timeout");
        stream.write_all(request).expect("send the request");
        let mut out = Vec::new();
        let mut buf = [0u8; 8192];
        while out.len() < MAX_RESPONSE {
            match stream.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => out.extend_from_slice(&buf[..n]),
                Err(e) => panic!("reading the response failed after {} bytes: {e}", out.len()),
            }
        }
        String::from_utf8_lossy(&out).into_owned()
    }
}
