//! Benches for the `application` layer: URL dispatch as the mapping grows, the
//! in-process `request()` hello, and the hello through the whole server.
//!
//! - `dispatch/routesN/{first,last}`: `request()` to the first or the last of N routes;
//!   the difference to `request/hello` is the mapping's share.
//! - `request/hello`: the in-process client, environ and ctx included, no socket.
//! - `keepalive/c1/app_hello`: one keep-alive connection over loopback through
//!   `WsgiServer` → `WsgiGateway` → `wsgifunc()` → the hello handler: compare with the
//!   wsgi bench's `keepalive/c1/hello` (the same answer from a bare WSGI app).
//!
//! Run: `cargo bench -p benches --bench application -- --measurement-time 2 --warm-up-time 1`.
//! The medians are quoted in the book's "application" chapter.

use std::hint::black_box;

use application::{Application, Args, ServerConfig, Target};
use benches::KeepAliveClient;
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use wsgi::WsgiServer;

/// An application with `n` routes `/r0/(\d+)` … `/r{n-1}/(\d+)`.
fn routes(n: usize) -> Application {
    let mapping: Vec<(String, Target)> = (0..n)
        .map(|i| {
            let target = Target::func(move |args: &Args| {
                Ok(format!("{i}:{}", args.get(0).unwrap_or("")).into())
            });
            (format!("/r{i}/(\\d+)"), target)
        })
        .collect();
    Application::new(mapping).expect("the bench patterns are valid")
}

// Dispatch measured through `request()`, which is the only public way in: the
// difference between first and last match at the same n is the mapping's share.
fn dispatch(c: &mut Criterion) {
    let mut group = c.benchmark_group("dispatch");
    group.throughput(Throughput::Elements(1));
    for n in [1usize, 10, 100] {
        let app = routes(n);
        for (which, index) in [("first", 0), ("last", n - 1)] {
            let path = format!("/r{index}/42");
            let want = format!("{index}:42");
            group.bench_with_input(
                BenchmarkId::new(format!("routes{n}"), which),
                &path,
                |b, path| {
                    b.iter(|| {
                        let r = app.request(black_box(path)).send();
                        assert_eq!(r.data, want.as_bytes());
                    })
                },
            );
        }
    }
    group.finish();
}

fn hello_app() -> Application {
    Application::new([("/", Target::func(|_: &Args| Ok("Hello, world!".into())))])
        .expect("the pattern is valid")
}

fn request_hello(c: &mut Criterion) {
    let app = hello_app();
    let mut group = c.benchmark_group("request");
    group.throughput(Throughput::Elements(1));
    group.bench_function("hello", |b| {
        b.iter(|| {
            let r = app.request(black_box("/")).send();
            assert_eq!(r.data, b"Hello, world!");
        })
    });
    group.finish();
}

// The application without run()'s access log, which would write a line to stderr per
// iteration and measure the terminal.
fn keepalive(c: &mut Criterion) {
    let mut group = c.benchmark_group("keepalive/c1");
    group.throughput(Throughput::Elements(1));
    let mut config = ServerConfig::new("127.0.0.1:0");
    config.threads = 4;
    let server = WsgiServer::with_config(config, hello_app().wsgifunc([]))
        .start()
        .expect("the application bench server starts");
    let mut client =
        KeepAliveClient::connect(server.local_addr()).expect("connect to the bench server");
    group.bench_function("app_hello", |b| b.iter(|| hello_round_trip(&mut client)));
    drop(client);
    server.stop();
    group.finish();
}

/// One hello over the kept-alive connection, checked inside the measured loop.
fn hello_round_trip(client: &mut KeepAliveClient) -> usize {
    let (code, body) = client
        .round_trip(b"GET / HTTP/1.1\r\nHost: bench\r\n\r\n")
        .expect("an answer");
    assert_eq!((code, body), (200, &b"Hello, world!"[..]));
    body.len()
}

criterion_group!(benches, dispatch, request_hello, keepalive);
criterion_main!(benches);
