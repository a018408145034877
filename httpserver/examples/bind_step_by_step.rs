//! The five socket steps of `HttpServer::start`, one at a time, printing the socket in
//! between: getaddrinfo → socket → setsockopt → bind → listen; then one client connects
//! and one `accept` takes it, as `tick` does.
//!
//! Run: `cargo run -p httpserver --example bind_step_by_step [-- HOST:PORT]`
//! (default `127.0.0.1:0`; try `[::]:0` for a dual-stack socket). Watch the port: 0
//! becomes a real one at `bind`, and the client can connect only after `listen`.

use std::net::TcpStream;

use httpserver::bind;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:0".to_string());

    let addrs = bind::getaddrinfo(&addr)?;
    println!("1. getaddrinfo({addr:?}) -> {addrs:?}");
    let first = addrs[0];

    let socket = bind::socket(first)?;
    println!("2. socket()     -> {socket:?} (close-on-exec set)");

    bind::setsockopt(&socket, first)?;
    println!(
        "3. setsockopt() -> SO_REUSEADDR={}, TCP_NODELAY={}{}",
        socket.reuse_address()?,
        socket.tcp_nodelay()?,
        if first.is_ipv6() {
            format!(", IPV6_V6ONLY={}", socket.only_v6()?)
        } else {
            String::new()
        }
    );

    bind::bind(&socket, first)?;
    let bound = socket
        .local_addr()?
        .as_socket()
        .ok_or("the socket has no IP address")?;
    println!("4. bind()       -> bound to {bound}");

    let listener = bind::listen(socket, first, 1024)?;
    println!("5. listen(1024) -> accepting on {}", listener.local_addr()?);

    let client = TcpStream::connect(listener.local_addr()?)?;
    let (accepted, peer) = listener.accept()?;
    println!(
        "   accept()     -> a connection from {peer} (client side {})",
        client.local_addr()?
    );
    drop(accepted);
    Ok(())
}
