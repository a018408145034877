//! A raw echo server on a tiny native gateway: whatever request arrives, its request
//! line, headers and body come back as a `text/plain` body (no app framework, no WSGI).
//!
//! Run: `cargo run --release -p httpserver --example echo_server -- --port 8080 --threads 8`
//! then `curl -v localhost:8080/hello?x=1` or `curl --data-binary @file localhost:8080/`.
//! `--requests N` stops after N requests (used by the tests); `--linger-us N` sets
//! `ServerConfig::keep_alive_linger` (default 2000); Ctrl-C stops it.
//! Watch: the echoed `Host` and headers are the bytes the parser saw, and the response
//! gets `Date` and `Server` from the server, not from the gateway.

use std::io::Read;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use httpserver::{Error, HttpRequest, HttpServer, ServerConfig};

fn echo(req: &mut HttpRequest) -> Result<(), Error> {
    let mut text = format!(
        "{} {} {}\n",
        req.method(),
        req.uri(),
        req.request_protocol()
    );
    for (name, value) in req.headers() {
        text.push_str(&format!("{name}: {}\n", String::from_utf8_lossy(value)));
    }
    let mut body = Vec::new();
    req.body().read_to_end(&mut body)?;
    text.push('\n');
    let mut out = text.into_bytes();
    out.extend_from_slice(&body);
    req.add_header("Content-Type", b"text/plain; charset=utf-8")?;
    req.add_header("Content-Length", out.len().to_string().as_bytes())?;
    req.write(&out)
}

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let port: u16 = arg(&args, "--port").map_or(Ok(8080), |p| p.parse())?;
    let threads: usize = arg(&args, "--threads").map_or(Ok(8), |t| t.parse())?;
    let limit: Option<u64> = arg(&args, "--requests").map(|n| n.parse()).transpose()?;
    let linger: Option<u64> = arg(&args, "--linger-us").map(|n| n.parse()).transpose()?;

    let served = Arc::new(AtomicU64::new(0));
    let counter = Arc::clone(&served);
    let gateway = move |req: &mut HttpRequest| {
        counter.fetch_add(1, Ordering::Relaxed);
        echo(req)
    };
    let mut config = ServerConfig {
        threads,
        ..ServerConfig::from_host_port("127.0.0.1", port)
    };
    if let Some(us) = linger {
        config.keep_alive_linger = std::time::Duration::from_micros(us);
    }
    let mut server = HttpServer::new(config, gateway)?;
    let addr = server.start()?;
    println!("echo_server listening on http://{addr} with {threads} workers");
    let handle = server.stop_handle();
    ctrlc::set_handler(move || handle.stop())?;
    while server.ready() {
        server.tick();
        if limit.is_some_and(|n| served.load(Ordering::Relaxed) >= n) {
            break;
        }
    }
    server.stop();
    println!("served {} requests", served.load(Ordering::Relaxed));
    Ok(())
}
