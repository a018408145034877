//! `WsgiServer`: an app on an `HttpServer` in one line — the notes'
//! `CherryPyWSGIServer(server_address, func)`.

use std::net::SocketAddr;
use std::sync::mpsc::RecvTimeoutError;
use std::time::Duration;

use httpserver::{HttpServer, ServerConfig, ServerThread, StopHandle};

use crate::app::SharedApp;
use crate::environ::SERVER_SOFTWARE;
use crate::error::WsgiError;
use crate::gateway::WsgiGateway;
use crate::signal::next_signal;

// ANCHOR: wsgi_server
/// An `HttpServer` whose gateway is a `WsgiGateway` for one app.
///
/// ```no_run
/// # use wsgi::{app_fn, Body, WsgiServer};
/// # fn main() -> Result<(), wsgi::WsgiError> {
/// let app = app_fn(|_env, sr| {
///     sr.start_response("200 OK", [("Content-Type", "text/plain")])?;
///     Ok(Body::from_bytes("hello\n"))
/// });
/// WsgiServer::new("127.0.0.1:8080", app).serve_forever()
/// # }
/// ```
pub struct WsgiServer {
    config: ServerConfig,
    app: SharedApp,
}
// ANCHOR_END: wsgi_server

impl WsgiServer {
    /// A server for `app` on `addr` (`"host:port"`, `"[::]:8080"`; port 0 picks a free
    /// port), with httpserver's default `ServerConfig` otherwise.
    pub fn new(addr: impl Into<String>, app: SharedApp) -> WsgiServer {
        WsgiServer::with_config(ServerConfig::new(addr), app)
    }

    /// A server for `app` with a full `ServerConfig` (threads, limits, timeouts).
    pub fn with_config(mut config: ServerConfig, app: SharedApp) -> WsgiServer {
        config.server_software = SERVER_SOFTWARE.to_owned();
        WsgiServer { config, app }
    }

    /// The configuration, to adjust before `start`.
    pub fn config_mut(&mut self) -> &mut ServerConfig {
        &mut self.config
    }

    // ANCHOR: wsgi_server_start
    /// Binds, listens and serves on background threads; returns at once.
    ///
    /// # Errors
    /// `Http` when a bind step fails (address in use, permission) or the pool cannot start.
    pub fn start(self) -> Result<RunningServer, WsgiError> {
        let server = HttpServer::spawn(self.config, WsgiGateway::new(self.app))?;
        Ok(RunningServer { server })
    }

    /// Starts, then serves until Ctrl-C or SIGTERM, then stops gracefully (in-flight
    /// requests get `ServerConfig::shutdown_timeout` to finish).
    ///
    /// # Errors
    /// As `start`, and `SignalHandler` when the program installed its own `ctrlc` handler.
    pub fn serve_forever(self) -> Result<(), WsgiError> {
        self.start()?.wait_for_signal()
    }
    // ANCHOR_END: wsgi_server_start
}

/// A started `WsgiServer`: httpserver's `ServerThread`, plus waiting for a signal.
/// Dropping it stops the server.
pub struct RunningServer {
    server: ServerThread,
}

impl RunningServer {
    /// The bound address (with the real port when 0 was asked for).
    pub fn local_addr(&self) -> SocketAddr {
        self.server.local_addr()
    }

    /// A handle that stops the server from any thread.
    pub fn stop_handle(&self) -> StopHandle {
        self.server.stop_handle()
    }

    /// Whether the server has finished stopping.
    pub fn is_stopped(&self) -> bool {
        self.server.is_finished()
    }

    // ANCHOR: wait_for_signal
    /// Blocks until Ctrl-C or SIGTERM (or a `StopHandle::stop` from elsewhere), then
    /// stops the server and waits for its shutdown.
    ///
    /// # Errors
    /// `SignalHandler` when the program installed its own `ctrlc` handler.
    pub fn wait_for_signal(self) -> Result<(), WsgiError> {
        let signal = next_signal()?;
        loop {
            match signal.recv_timeout(Duration::from_millis(100)) {
                Ok(()) | Err(RecvTimeoutError::Disconnected) => break,
                // Stopped through a StopHandle: nothing left to wait for.
                Err(RecvTimeoutError::Timeout) if self.is_stopped() => break,
                Err(RecvTimeoutError::Timeout) => {}
            }
        }
        self.server.stop();
        Ok(())
    }
    // ANCHOR_END: wait_for_signal

    /// Stops the server and waits for its shutdown.
    pub fn stop(self) {
        self.server.stop();
    }
}
