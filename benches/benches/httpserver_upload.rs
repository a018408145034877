//! Upload throughput through the gateway: a POST body of 64 KiB, 1 MiB or 16 MiB over
//! one kept-alive loopback connection, received by the server and read whole by a
//! native gateway that answers its length.
//!
//! - `upload/memory/SIZE`: `body_in_memory` above the size: the body stays in memory.
//! - `upload/spooled/SIZE`: `body_in_memory` 0: every body goes to an anonymous
//!   temporary file first (what a body past the limit costs: the write and the read back).
//!
//! Run: `cargo bench -p benches --bench httpserver_upload`. Throughput is in bytes of
//! body; each answer is checked in the loop. The same file built against the code before
//! the engine (which streamed bodies to the gateway) gives the book's "before" column
//! for the memory rows.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use httpserver::{HttpRequest, HttpServer, ServerConfig, ServerThread};

fn server(in_memory: usize) -> ServerThread {
    let count = |req: &mut HttpRequest| {
        let mut buf = vec![0u8; 64 * 1024];
        let mut total = 0usize;
        loop {
            let n = req.body().read(&mut buf)?;
            if n == 0 {
                break;
            }
            total += n;
        }
        let text = total.to_string();
        req.add_header("Content-Length", text.len().to_string().as_bytes())?;
        req.write(text.as_bytes())
    };
    let mut config = ServerConfig {
        threads: 2,
        max_body: 64 << 20,
        ..ServerConfig::new("127.0.0.1:0")
    };
    config.body_in_memory = in_memory;
    config.body_memory_total = 256 << 20;
    HttpServer::spawn(config, count).expect("the bench server starts")
}

/// Sends one upload of `body` and reads the answer (its length, as text).
fn upload(stream: &mut TcpStream, head: &[u8], body: &[u8], answer: &mut Vec<u8>) {
    stream.write_all(head).expect("head sent");
    stream.write_all(body).expect("body sent");
    answer.clear();
    let mut byte = [0u8; 256];
    let want = body.len().to_string();
    let complete =
        |a: &[u8]| a.windows(4).any(|w| w == b"\r\n\r\n") && a.ends_with(want.as_bytes());
    while !complete(answer) {
        let n = stream.read(&mut byte).expect("an answer");
        assert!(n > 0, "the server closed");
        answer.extend_from_slice(&byte[..n]);
    }
    assert!(answer.starts_with(b"HTTP/1.1 200 OK\r\n"));
}

fn uploads(c: &mut Criterion) {
    let mut group = c.benchmark_group("upload");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(3));
    for (mode, in_memory) in [("memory", 64usize << 20), ("spooled", 0)] {
        let server = server(in_memory);
        let mut stream = TcpStream::connect(server.local_addr()).expect("connects");
        stream.set_nodelay(true).expect("nodelay");
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .expect("timeout");
        let mut answer = Vec::new();
        for (name, size) in [
            ("64KiB", 64usize << 10),
            ("1MiB", 1 << 20),
            ("16MiB", 16 << 20),
        ] {
            let body = vec![b'u'; size];
            let head =
                format!("POST /count HTTP/1.1\r\nHost: bench\r\nContent-Length: {size}\r\n\r\n");
            group.throughput(Throughput::Bytes(size as u64));
            group.bench_with_input(BenchmarkId::new(mode, name), &body, |b, body| {
                b.iter(|| upload(&mut stream, head.as_bytes(), body, &mut answer))
            });
        }
        drop(stream);
        server.stop();
    }
    group.finish();
}

criterion_group!(benches, uploads);
criterion_main!(benches);
