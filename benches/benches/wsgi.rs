//! The `wsgi` layer's benches: what the gateway adds on top of the HTTP server.
//!
//! - `environ/from_request_head`: PEP 3333's environ from a parsed, realistic request
//!   head (the gateway's first step), its storage new and then freed; `_recycled`: the
//!   same with the storage given back and reused, as the gateway does on a worker;
//!   against `environ/from_target` (an in-process call's environ, no headers).
//! - `in_process/hello`: a hello app called through `call_in_process`, environ included:
//!   the cost of the interface itself, no sockets.
//! - `keepalive/c1/hello`: one keep-alive connection over loopback through `WsgiServer` →
//!   `WsgiGateway` → the hello app, against `keepalive/c1/native_gateway` (the same
//!   answer from a bare httpserver `Gateway` closure): the difference is the wsgi layer.
//!
//! Run: `cargo bench -p benches --bench wsgi -- --warm-up-time 1 --measurement-time 3`.

use std::hint::black_box;

use benches::KeepAliveClient;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use httpserver::{HttpRequest, HttpServer, RequestHead, ServerConfig};
use wsgi::{
    call_in_process, environ_from_request, AppError, Body, Environ, StartResponse, WsgiServer,
};

/// What a browser sends for a page: 9 fields, two of them repeated.
const REALISTIC: &[u8] = b"GET /articles/42/comments?page=2&sort=new HTTP/1.1\r\n\
Host: www.example.com\r\n\
User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0\r\n\
Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\n\
Accept-Language: en-US,en;q=0.5\r\n\
Accept-Encoding: gzip, deflate, br\r\n\
Cookie: session=0123456789abcdef\r\n\
Cookie: theme=dark\r\n\
Connection: keep-alive\r\n\
Upgrade-Insecure-Requests: 1\r\n\
\r\n";

const HELLO_REQUEST: &[u8] = b"GET / HTTP/1.1\r\nHost: bench\r\n\r\n";

fn hello(_env: &mut Environ, sr: &mut StartResponse<'_>) -> Result<Body, AppError> {
    sr.start_response(
        "200 OK",
        [("Content-Type", "text/plain"), ("Content-Length", "13")],
    )?;
    Ok(Body::from_bytes("Hello, world!"))
}

fn environ(c: &mut Criterion) {
    let config = ServerConfig::default();
    let (head, _) = RequestHead::parse(REALISTIC, &config).expect("the bench request parses");
    let mut group = c.benchmark_group("environ");
    group.throughput(Throughput::Elements(1));
    group.bench_function("from_request_head", |b| {
        b.iter(|| {
            let env = environ_from_request(black_box(&head));
            assert_eq!(
                env.get("HTTP_COOKIE"),
                Some("session=0123456789abcdef; theme=dark")
            );
            env
        })
    });
    // What the gateway does on a worker: the environ's storage goes back after the
    // request and the next one writes over it.
    group.bench_function("from_request_head_recycled", |b| {
        b.iter(|| {
            let env = environ_from_request(black_box(&head));
            assert_eq!(
                env.get("HTTP_COOKIE"),
                Some("session=0123456789abcdef; theme=dark")
            );
            env.recycle();
        })
    });
    group.bench_function("from_target", |b| {
        b.iter(|| {
            let env = Environ::from_target("GET", black_box("/articles/42/comments?page=2"));
            assert_eq!(env.path_info_bytes(), b"/articles/42/comments");
            env
        })
    });
    group.finish();
}

fn in_process(c: &mut Criterion) {
    let mut group = c.benchmark_group("in_process");
    group.throughput(Throughput::Elements(1));
    group.bench_function("hello", |b| {
        b.iter(|| {
            let mut env = Environ::from_target("GET", "/");
            let response = call_in_process(&hello, &mut env).expect("hello answers");
            assert_eq!(response.body, b"Hello, world!");
            response
        })
    });
    group.finish();
}

fn bench_config() -> ServerConfig {
    let mut config = ServerConfig::new("127.0.0.1:0");
    config.threads = 4;
    config
}

fn keepalive(c: &mut Criterion) {
    let mut group = c.benchmark_group("keepalive/c1");
    group.throughput(Throughput::Elements(1));

    let server = WsgiServer::with_config(bench_config(), wsgi::shared(hello))
        .start()
        .expect("the wsgi bench server starts");
    let mut client =
        KeepAliveClient::connect(server.local_addr()).expect("connect to the bench server");
    group.bench_function("hello", |b| b.iter(|| hello_round_trip(&mut client)));
    drop(client);
    server.stop();

    let native = |req: &mut HttpRequest| -> Result<(), httpserver::Error> {
        req.set_status(200, "OK")?;
        req.add_header("Content-Type", b"text/plain")?;
        req.add_header("Content-Length", b"13")?;
        req.write(b"Hello, world!")
    };
    let mut server = HttpServer::new(bench_config(), native).expect("native server");
    let addr = server.start().expect("the native bench server starts");
    let handle = server.stop_handle();
    let thread = std::thread::spawn(move || server.serve_forever());
    let mut client = KeepAliveClient::connect(addr).expect("connect to the bench server");
    group.bench_function("native_gateway", |b| {
        b.iter(|| hello_round_trip(&mut client))
    });
    drop(client);
    handle.stop();
    thread.join().expect("native server thread");
    group.finish();
}

/// One hello over the kept-alive connection, checked inside the measured loop.
fn hello_round_trip(client: &mut KeepAliveClient) -> usize {
    let (code, body) = client.round_trip(HELLO_REQUEST).expect("an answer");
    assert_eq!((code, body), (200, &b"Hello, world!"[..]));
    body.len()
}

criterion_group!(benches, environ, in_process, keepalive);
criterion_main!(benches);
