//! A raw echo server on a tiny native gateway: whatever request arrives, its request
//! line, headers and body come back as a `text/plain` body (no app framework, no WSGI).
//!
//! Run: `cargo run --release -p httpserver --example echo_server -- --port 8080 --threads 8`
//! then `curl -v localhost:8080/hello?x=1` or `curl --data-binary @file localhost:8080/`.
//! Flags (the workspace's convention): `--port P` (0 picks a free port), `--threads N`,
//! `--timeout S` (header, body, write and keep-alive timeouts); `--requests N` stops
//! after N requests (the tests use it); Ctrl-C stops it. The first line printed is
//! `listening on http://ADDR`.
//! Watch: the echoed `Host` and headers are the bytes the parser saw, and the response
//! gets `Date` and `Server` from the server, not from the gateway.

use std::io::Read;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use httpserver::{Error, HttpRequest, HttpServer, ServerArgs};

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

fn main() -> Result<(), Box<dyn std::error::Error>> {
    testkit::log::to_stderr();
    let mut args = ServerArgs::from_env()?;
    let limit: Option<u64> = args
        .take_flag("--requests")?
        .map(|n| n.parse())
        .transpose()?;
    let args = args.no_rest()?;

    let served = Arc::new(AtomicU64::new(0));
    let counter = Arc::clone(&served);
    let gateway = move |req: &mut HttpRequest| {
        counter.fetch_add(1, Ordering::Relaxed);
        echo(req)
    };
    let mut server = HttpServer::new(args.config(), gateway)?;
    let addr = server.start()?;
    println!("listening on http://{addr}");
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
