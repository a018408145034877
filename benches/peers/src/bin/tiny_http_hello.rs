//! tiny_http's hello server, the second peer of `load.sh --compare`: a thread pool
//! library in the cheroot mould (`--threads N` handler threads). `--port P`; prints
//! `listening on http://ADDR`.

use std::sync::Arc;

fn flag(name: &str, default: usize) -> usize {
    std::env::args()
        .skip_while(|a| a != name)
        .nth(1)
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let port = flag("--port", 8080);
    let threads = flag("--threads", 8);
    let server = Arc::new(tiny_http::Server::http(format!("127.0.0.1:{port}"))?);
    println!(
        "listening on http://{}",
        server.server_addr().to_ip().ok_or("no IP address")?
    );
    let handlers: Vec<_> = (0..threads)
        .map(|_| {
            let server = Arc::clone(&server);
            std::thread::spawn(move || {
                for request in server.incoming_requests() {
                    let _ = request.respond(tiny_http::Response::from_string("hello, load"));
                }
            })
        })
        .collect();
    for handler in handlers {
        let _ = handler.join();
    }
    Ok(())
}
