//! The socket steps of `HttpServer::start`, one function each, as the notes list them:
//! `getaddrinfo()`, `socket()`, `setsockopt()`, `bind()`, `listen()`.
//!
//! They are public so that the `bind_step_by_step` example (and anyone curious) can run
//! them one at a time and look at the socket in between.

use std::net::{SocketAddr, TcpListener, ToSocketAddrs};
use std::time::Duration;

use socket2::{Domain, Protocol, SockAddr, Socket, Type};

use crate::Error;

/// How long a blocking `accept` on the listener waits. The server's own listener is
/// non-blocking (the housekeeper's poller watches it), so this bounds only a caller that
/// accepts by hand, as the `bind_step_by_step` example does.
pub(crate) const ACCEPT_POLL: Duration = Duration::from_millis(100);

// ANCHOR: getaddrinfo
/// Step 1, `getaddrinfo()`: resolves `"host:port"` (`"[::1]:80"`, `"localhost:0"`) to the
/// addresses to try, in the resolver's order.
pub fn getaddrinfo(addr: &str) -> Result<Vec<SocketAddr>, Error> {
    let addrs: Vec<SocketAddr> = addr
        .to_socket_addrs()
        .map_err(|source| Error::Bind {
            step: "getaddrinfo",
            addr: addr.to_string(),
            source,
        })?
        .collect();
    if addrs.is_empty() {
        return Err(Error::NoAddress {
            addr: addr.to_string(),
        });
    }
    Ok(addrs)
}
// ANCHOR_END: getaddrinfo

fn step_error(step: &'static str, addr: SocketAddr) -> impl Fn(std::io::Error) -> Error {
    move |source| Error::Bind {
        step,
        addr: addr.to_string(),
        source,
    }
}

// ANCHOR: socket
/// Step 2, `socket()`: a TCP socket of the address's family. `socket2` creates it with
/// close-on-exec set (`SOCK_CLOEXEC`), so a child process never inherits the listener.
pub fn socket(addr: SocketAddr) -> Result<Socket, Error> {
    Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))
        .map_err(step_error("socket", addr))
}
// ANCHOR_END: socket

// ANCHOR: setsockopt
/// Step 3, `setsockopt()`:
/// - `SO_REUSEADDR` (Unix), so a restarted server can bind while old connections of the
///   previous one sit in `TIME_WAIT`;
/// - `IPV6_V6ONLY` off on an IPv6 socket, so `[::]` also accepts IPv4 clients
///   (dual-stack);
/// - `TCP_NODELAY`, so a small response is not held back by Nagle's algorithm waiting
///   for the client's delayed ACK (40 ms on Linux); each accepted socket sets it too;
/// - a receive timeout, which on a listener bounds a blocking `accept` (the server's
///   housekeeper never blocks in `accept`: its listener is non-blocking and polled).
pub fn setsockopt(socket: &Socket, addr: SocketAddr) -> Result<(), Error> {
    let fail = step_error("setsockopt", addr);
    #[cfg(unix)]
    socket.set_reuse_address(true).map_err(&fail)?;
    if addr.is_ipv6() {
        socket.set_only_v6(false).map_err(&fail)?;
    }
    socket.set_tcp_nodelay(true).map_err(&fail)?;
    socket.set_read_timeout(Some(ACCEPT_POLL)).map_err(fail)
}
// ANCHOR_END: setsockopt

// ANCHOR: bind
/// Step 4, `bind()`: claims the address. Port 0 asks the kernel for a free port; read
/// the real one back with `local_addr`.
pub fn bind(socket: &Socket, addr: SocketAddr) -> Result<(), Error> {
    socket
        .bind(&SockAddr::from(addr))
        .map_err(step_error("bind", addr))
}
// ANCHOR_END: bind

// ANCHOR: listen
/// Step 5, `listen()`: starts queueing connections. `backlog` bounds the connections the
/// kernel completes before `accept` takes them; cheroot's 5 made bursts of clients get
/// refused (or SYN-retried a second later), so the default is 1024 (the kernel caps it
/// at `net.core.somaxconn`).
pub fn listen(socket: Socket, addr: SocketAddr, backlog: i32) -> Result<TcpListener, Error> {
    socket.listen(backlog).map_err(step_error("listen", addr))?;
    Ok(socket.into())
}
// ANCHOR_END: listen

// ANCHOR: bind_steps
/// All five steps for `addr`: the first resolved address that binds wins.
pub fn bind_listener(addr: &str, backlog: i32) -> Result<TcpListener, Error> {
    let mut last = None;
    for candidate in getaddrinfo(addr)? {
        let attempt = socket(candidate).and_then(|socket| {
            setsockopt(&socket, candidate)?;
            bind(&socket, candidate)?;
            listen(socket, candidate, backlog)
        });
        match attempt {
            Ok(listener) => return Ok(listener),
            Err(err) => last = Some(err),
        }
    }
    Err(last.unwrap_or(Error::NoAddress {
        addr: addr.to_string(),
    }))
}
// ANCHOR_END: bind_steps
