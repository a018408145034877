//! How much memory parsing forms costs: N clients post an urlencoded body of M MB at
//! once to a handler that calls `web::input()`; the process's peak resident size is
//! printed at the end.
//!
//! Run: `cargo run --release -p application --example form_memory -- --posts 10 --mb 10`.
//! Linux only for the peak (it reads `VmHWM` from `/proc/self/status`). The clients stream
//! their bodies from one small buffer, so the peak is the server's: the book's porting
//! chapter compares it with the sum of the bodies. The program uses only calls that
//! older versions of this crate had too, so the same file measures them.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::{Arc, Barrier};
use std::time::Duration;

use application::{web, Application, Args, ServerConfig, Target};

fn arg(name: &str, default: usize) -> usize {
    let args: Vec<String> = std::env::args().collect();
    let at = args.iter().position(|a| a == name);
    at.and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Posts `a=xxx…` of `bytes` bytes, written in 64 KiB pieces; returns the answer's body.
fn post(addr: SocketAddr, bytes: usize) -> std::io::Result<String> {
    let mut stream = TcpStream::connect(addr)?;
    stream.set_read_timeout(Some(Duration::from_secs(120)))?;
    stream.set_write_timeout(Some(Duration::from_secs(120)))?;
    let head = format!(
        "POST / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {bytes}\r\n\r\na="
    );
    stream.write_all(head.as_bytes())?;
    let piece = [b'x'; 64 * 1024];
    let mut left = bytes - 2;
    while left > 0 {
        let n = left.min(piece.len());
        stream.write_all(&piece[..n])?;
        left -= n;
    }
    let mut answer = String::new();
    stream.read_to_string(&mut answer)?;
    Ok(answer.rsplit("\r\n\r\n").next().unwrap_or("").to_string())
}

/// The process's peak resident set size in kB (`VmHWM`), when the system says.
fn peak_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Warnings on stderr; RUST_LOG=debug adds each request's trip.
    application::logging::init();
    let (posts, mb) = (arg("--posts", 10), arg("--mb", 10));
    let app = Application::new([(
        "/",
        Target::func(|_: &Args| {
            let form = web::input()?;
            Ok(format!("a: {} bytes", form.get("a").map_or(0, str::len)).into())
        }),
    )])?;
    let mut config = ServerConfig::new("127.0.0.1:0");
    config.threads = posts.max(1);
    let server = app.start(config)?;
    let addr = server.local_addr();
    let before = peak_kb();
    let start = Arc::new(Barrier::new(posts));
    let clients: Vec<_> = (0..posts)
        .map(|_| {
            let start = Arc::clone(&start);
            std::thread::spawn(move || {
                start.wait();
                post(addr, mb * 1_000_000)
            })
        })
        .collect();
    for client in clients {
        let answer = client.join().map_err(|_| "a client thread panicked")??;
        println!("{answer}");
    }
    let show = |kb: Option<u64>| kb.map_or("unknown".to_string(), |k| format!("{} MB", k / 1000));
    println!("bodies: {posts} x {mb} MB = {} MB", posts * mb);
    println!("peak RSS before the posts: {}", show(before));
    println!("peak RSS: {}", show(peak_kb()));
    Ok(())
}
