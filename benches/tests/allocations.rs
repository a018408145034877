//! Allocations per request on the keep-alive hello path, counted by a global allocator
//! that counts: for the server alone (a native gateway) and for the full stack
//! (`WsgiServer` → `WsgiGateway` → `Application`, without `run()`'s access log).
//!
//! Run: `cargo test -p benches --test allocations -- --nocapture`. It prints one line per
//! path: allocations and bytes allocated per request, averaged over 2,000 requests after
//! 1,000 of warm-up, on one kept-alive connection (the client, `KeepAliveClient`, reuses
//! its buffers, so what is counted is the server's work). The server's own hello path
//! allocates nothing per request, and the test keeps it so: a count, not a speed. The
//! same file, built against the code before the connection engine, gives the "before"
//! figures the book quotes (25 for the server, 130 for the full stack).

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicU64, Ordering};

use application::{Application, Args, Target};
use benches::KeepAliveClient;
use httpserver::{HttpRequest, HttpServer, ServerConfig};
use wsgi::WsgiServer;

/// The system allocator, counting calls and bytes.
struct Counting;

static ALLOCS: AtomicU64 = AtomicU64::new(0);
static BYTES: AtomicU64 = AtomicU64::new(0);

// SAFETY: every method forwards to `System` with the caller's arguments unchanged, so
// `System`'s guarantees are this allocator's; the counters are plain atomics.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCS.fetch_add(1, Ordering::Relaxed);
        BYTES.fetch_add(layout.size() as u64, Ordering::Relaxed);
        // SAFETY: forwarded as received (see the impl's comment).
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded as received.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCS.fetch_add(1, Ordering::Relaxed);
        BYTES.fetch_add(new_size as u64, Ordering::Relaxed);
        // SAFETY: forwarded as received.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

const WARM_UP: u64 = 1_000;
const REQUESTS: u64 = 2_000;

/// Sends `REQUESTS` hellos on one connection; allocations and bytes per request.
fn count(client: &mut KeepAliveClient, request: &[u8], body: &[u8]) -> (f64, f64) {
    let mut round_trip = || {
        let (code, got) = client.round_trip(request).expect("an answer");
        assert_eq!((code, got), (200, body));
    };
    for _ in 0..WARM_UP {
        round_trip();
    }
    let (a0, b0) = (ALLOCS.load(Ordering::SeqCst), BYTES.load(Ordering::SeqCst));
    for _ in 0..REQUESTS {
        round_trip();
    }
    let (a1, b1) = (ALLOCS.load(Ordering::SeqCst), BYTES.load(Ordering::SeqCst));
    (
        (a1 - a0) as f64 / REQUESTS as f64,
        (b1 - b0) as f64 / REQUESTS as f64,
    )
}

#[test]
fn the_hello_path_allocates_nothing_per_request_in_the_server() {
    let hello = |req: &mut HttpRequest| {
        req.add_header("Content-Type", b"text/plain")?;
        req.add_header("Content-Length", b"5")?;
        req.write(b"hello")
    };
    let config = ServerConfig {
        threads: 2,
        ..ServerConfig::new("127.0.0.1:0")
    };
    let server = HttpServer::spawn(config.clone(), hello).expect("the server starts");
    let mut client = KeepAliveClient::connect(server.local_addr()).expect("connects");
    let (allocs, bytes) = count(
        &mut client,
        b"GET /hello HTTP/1.1\r\nHost: bench\r\n\r\n",
        b"hello",
    );
    println!("keepalive/c1/hello (httpserver, native gateway): {allocs:.1} allocations, {bytes:.0} bytes per request");
    drop(client);
    server.stop();
    // A connection reuses its request head and response buffers: none per request.
    assert!(allocs < 0.5, "{allocs} allocations per request");

    // The full stack, counted and printed (one test: the counters are global, so the two
    // measurements must not overlap).

    let app = Application::new([(
        "/hello/(.*)",
        Target::func(|args: &Args| Ok(format!("hello, {}", args.get(0).unwrap_or("")).into())),
    )])
    .expect("the pattern is valid");
    let server = WsgiServer::with_config(config, app.wsgifunc([]))
        .start()
        .expect("the application server starts");
    let mut client = KeepAliveClient::connect(server.local_addr()).expect("connects");
    let (allocs, bytes) = count(
        &mut client,
        b"GET /hello/load HTTP/1.1\r\nHost: bench\r\n\r\n",
        b"hello, load",
    );
    println!("keepalive/c1/app_hello (full stack, no access log): {allocs:.1} allocations, {bytes:.0} bytes per request");
    drop(client);
    server.stop();
    // The upper layers allocate (the environ, ctx, routing): counted, and printed.
    assert!(allocs > 0.0);
}
