//! End-to-end bench: a hello response over loopback, through `HttpServer`, the pool, the
//! connection, the parser and a native gateway, on kept-alive connections.
//!
//! Run: `cargo bench -p benches --bench httpserver_e2e`
//!
//! - `keepalive/c1/hello`: one connection, one request at a time (latency-bound).
//! - `keepalive/c8/hello`: eight connections, each on its own client thread, 8 workers.
//! - `keepalive/{c1,c8}/hello_no_linger`: the same with `keep_alive_linger` 0: every
//!   request after the first goes through the parking lot (poller wake-up, queue, worker).
//!
//! Every response is read whole and checked (`200`, body `hello`), so a fast failure can
//! never count. Throughput is in requests (elements/s = requests/s).

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use httpserver::{HttpRequest, HttpServer, ServerConfig, ServerThread};

const REQUEST: &[u8] = b"GET /hello HTTP/1.1\r\nHost: bench\r\n\r\n";

fn hello_server(threads: usize, linger: Option<Duration>) -> ServerThread {
    let hello = |req: &mut HttpRequest| {
        req.add_header("Content-Type", b"text/plain")?;
        req.add_header("Content-Length", b"5")?;
        req.write(b"hello")
    };
    let mut config = ServerConfig {
        threads,
        ..ServerConfig::new("127.0.0.1:0")
    };
    if let Some(linger) = linger {
        config.keep_alive_linger = linger;
    }
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
    let server = hello_server(8, None);
    let addr = server.local_addr();
    let mut group = c.benchmark_group("keepalive");
    group.throughput(Throughput::Elements(1));
    group.measurement_time(Duration::from_secs(5));

    let mut one = Client::connect(addr);
    group.bench_function("c1/hello", |b| b.iter(|| one.hello()));
    drop(one);

    bench_c8(&mut group, "c8/hello", addr);
    server.stop();

    let server = hello_server(8, Some(Duration::ZERO));
    let mut one = Client::connect(server.local_addr());
    group.bench_function("c1/hello_no_linger", |b| b.iter(|| one.hello()));
    drop(one);
    bench_c8(&mut group, "c8/hello_no_linger", server.local_addr());
    server.stop();
    group.finish();
}

/// Eight kept-alive connections, each driven by its own client thread.
fn bench_c8(
    group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    id: &str,
    addr: SocketAddr,
) {
    let mut clients: Vec<Client> = (0..8).map(|_| Client::connect(addr)).collect();
    group.bench_function(id, |b| {
        b.iter_custom(|iters| {
            let per_client = iters.div_ceil(8);
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
            // Normalise to `iters` requests: 8 * per_client were sent.
            started
                .elapsed()
                .mul_f64(iters as f64 / (per_client * 8) as f64)
        })
    });
}

criterion_group!(benches, keepalive);
criterion_main!(benches);
