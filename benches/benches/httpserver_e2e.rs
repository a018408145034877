//! End-to-end bench: a hello response over loopback, through `HttpServer`, the pool, the
//! connection, the parser and a native gateway, on kept-alive connections.
//!
//! Run: `cargo bench -p benches --bench httpserver_e2e`
//!
//! - `keepalive/c1/hello`: one connection, one request at a time (latency-bound).
//! - `keepalive/c8/hello`, `keepalive/c32/hello`: 8 or 32 connections, each on its own
//!   client thread, 8 workers.
//!
//! - `upload/{memory,spooled}/{64KiB,1MiB,16MiB}`: a POST body over one kept-alive
//!   connection, received by the server and read whole by a native gateway that answers
//!   its length; `memory` keeps the body in memory (`body_in_memory` above the size),
//!   `spooled` sends every body to an anonymous temporary file first. Throughput in bytes.
//!   `socket_floor` is the floor under both: a bare thread that reads the head up to its
//!   empty line and the body into one buffer, blocking, and answers its length (no HTTP
//!   rules, no poller, no copy the gateway makes).
//!
//! Every response is read whole and checked (`200`, body `hello`), so a fast failure can
//! never count. Throughput is in requests (elements/s = requests/s).

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use httpserver::{HttpRequest, HttpServer, ServerConfig, ServerThread};

const REQUEST: &[u8] = b"GET /hello HTTP/1.1\r\nHost: bench\r\n\r\n";

fn hello_server(threads: usize) -> ServerThread {
    let hello = |req: &mut HttpRequest| {
        req.add_header("Content-Type", b"text/plain")?;
        req.add_header("Content-Length", b"5")?;
        req.write(b"hello")
    };
    let config = ServerConfig {
        threads,
        ..ServerConfig::new("127.0.0.1:0")
    };
    HttpServer::spawn(config, hello).expect("the bench server starts")
}

/// A kept-alive client that knows the exact size of the answer (the `Date` header has a
/// fixed width), so it reads each response with one `read_exact`.
struct Client {
    stream: TcpStream,
    answer: Vec<u8>,
}

impl Client {
    fn connect(addr: SocketAddr) -> Client {
        let stream = testkit::connect(addr);
        stream.set_nodelay(true).expect("nodelay");
        let mut client = Client {
            stream,
            answer: Vec::new(),
        };
        client.stream.write_all(REQUEST).expect("sent");
        let mut byte = [0u8; 1];
        while !client.answer.ends_with(b"hello") {
            client
                .stream
                .read_exact(&mut byte)
                .expect("the first answer");
            client.answer.push(byte[0]);
        }
        client
    }

    fn hello(&mut self) {
        self.stream.write_all(REQUEST).expect("sent");
        self.stream.read_exact(&mut self.answer).expect("an answer");
        assert!(self.answer.starts_with(b"HTTP/1.1 200 OK\r\n") && self.answer.ends_with(b"hello"));
    }
}

fn keepalive(c: &mut Criterion) {
    let server = hello_server(8);
    let addr = server.local_addr();
    let mut group = c.benchmark_group("keepalive");
    group.throughput(Throughput::Elements(1));
    group.measurement_time(Duration::from_secs(5));

    let mut one = Client::connect(addr);
    group.bench_function("c1/hello", |b| b.iter(|| one.hello()));
    drop(one);

    bench_many(&mut group, "c8/hello", addr, 8);
    bench_many(&mut group, "c32/hello", addr, 32);
    server.stop();
    group.finish();
}

/// `n` kept-alive connections, each driven by its own client thread.
fn bench_many(
    group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    id: &str,
    addr: SocketAddr,
    n: u64,
) {
    let mut clients: Vec<Client> = (0..n).map(|_| Client::connect(addr)).collect();
    group.bench_function(id, |b| {
        b.iter_custom(|iters| {
            let per_client = iters.div_ceil(n);
            let started = Instant::now();
            std::thread::scope(|scope| {
                for client in clients.iter_mut() {
                    scope.spawn(move || {
                        for _ in 0..per_client {
                            client.hello();
                        }
                    });
                }
            });
            // Normalise to `iters` requests: n * per_client were sent.
            started
                .elapsed()
                .mul_f64(iters as f64 / (per_client * n) as f64)
        })
    });
}

fn upload_server(in_memory: usize) -> ServerThread {
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

/// The floor: one thread, one connection, blocking reads of the head (to its empty
/// line) and of `Content-Length` bytes into one buffer kept across requests.
fn socket_floor() -> (SocketAddr, std::thread::JoinHandle<()>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("binds");
    let addr = listener.local_addr().expect("an address");
    let handle = std::thread::spawn(move || {
        let Ok((mut conn, _)) = listener.accept() else {
            return;
        };
        let (mut head, mut body) = (Vec::new(), Vec::new());
        let mut byte = [0u8; 1];
        while conn.read_exact(&mut byte).is_ok() {
            head.push(byte[0]);
            if !head.ends_with(b"\r\n\r\n") {
                continue;
            }
            let text = String::from_utf8_lossy(&head);
            let length: usize = text
                .split("Content-Length: ")
                .nth(1)
                .and_then(|rest| rest.split("\r\n").next())
                .and_then(|n| n.parse().ok())
                .unwrap_or(0);
            body.resize(length, 0);
            if conn.read_exact(&mut body).is_err() {
                return;
            }
            let answer = length.to_string();
            let response = format!(
                "HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n{answer}",
                answer.len()
            );
            if conn.write_all(response.as_bytes()).is_err() {
                return;
            }
            head.clear();
        }
    });
    (addr, handle)
}

fn uploads(c: &mut Criterion) {
    let mut group = c.benchmark_group("upload");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(3));
    for mode in ["memory", "spooled", "socket_floor"] {
        let (server, floor) = match mode {
            "memory" => (Some(upload_server(64 << 20)), None),
            "spooled" => (Some(upload_server(0)), None),
            _ => (None, Some(socket_floor())),
        };
        let addr = match (&server, &floor) {
            (Some(server), _) => server.local_addr(),
            (None, Some((addr, _))) => *addr,
            (None, None) => unreachable!("one of the two was started"),
        };
        let mut stream = TcpStream::connect(addr).expect("connects");
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
        if let Some(server) = server {
            server.stop();
        }
        if let Some((_, handle)) = floor {
            handle
                .join()
                .expect("the floor's thread ends with its connection");
        }
    }
    group.finish();
}

criterion_group!(benches, keepalive, uploads);
criterion_main!(benches);
