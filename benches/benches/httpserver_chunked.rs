//! Benches for request bodies: decoding a chunked body, against a Content-Length body as the floor.
//!
//! Run: `cargo bench -p benches --bench httpserver_chunked`
//!
//! - `body_64KiB/chunked/{16B,1KiB,16KiB}_chunks`: `ChunkedRFile` reading a 64 KiB body sent
//!   in chunks of that size (so 4,096, 64 and 4 size lines), to the end, trailers and final
//!   CRLF included.
//! - `body_64KiB/known_length`: `KnownLengthRFile` reading the same 64 KiB: the floor, the
//!   copy every body pays; what is above it is the cost of the chunked framing.
//!
//! Both read from an 8 KiB `BufReader`, the way they read a socket, into a reused `Vec`.

use std::hint::black_box;
use std::io::{BufReader, Read};

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use httpserver::rfile::{
    write_chunk, write_last_chunk, ChunkedLimits, ChunkedRFile, KnownLengthRFile,
};

const BODY_LEN: usize = 64 * 1024;
const SOCKET_BUFFER: usize = 8 * 1024;

/// The 64 KiB body, chunked in `chunk`-byte chunks, as it comes off the wire.
fn chunked_wire(body: &[u8], chunk: usize) -> Vec<u8> {
    let mut wire = Vec::new();
    for piece in body.chunks(chunk) {
        write_chunk(&mut wire, piece).expect("writing to a Vec cannot fail");
    }
    write_last_chunk(&mut wire).expect("writing to a Vec cannot fail");
    wire
}

fn body_64kib(c: &mut Criterion) {
    let body: Vec<u8> = (0..BODY_LEN).map(|i| (i % 251) as u8).collect();
    let mut group = c.benchmark_group("body_64KiB");
    group.throughput(Throughput::Bytes(BODY_LEN as u64));
    let mut out = Vec::with_capacity(BODY_LEN);

    for (name, chunk) in [
        ("16B_chunks", 16),
        ("1KiB_chunks", 1024),
        ("16KiB_chunks", 16 * 1024),
    ] {
        let wire = chunked_wire(&body, chunk);
        group.bench_function(format!("chunked/{name}"), |b| {
            b.iter(|| {
                out.clear();
                let inner = BufReader::with_capacity(SOCKET_BUFFER, black_box(&wire[..]));
                let mut rfile = ChunkedRFile::new(inner, ChunkedLimits::default());
                let n = rfile.read_to_end(&mut out).expect("a well-formed body");
                assert!(n == BODY_LEN && rfile.is_done(), "decoded {n} bytes");
            })
        });
    }

    group.bench_function("known_length", |b| {
        b.iter(|| {
            out.clear();
            let inner = BufReader::with_capacity(SOCKET_BUFFER, black_box(&body[..]));
            let mut rfile = KnownLengthRFile::new(inner, BODY_LEN as u64);
            let n = rfile.read_to_end(&mut out).expect("a complete body");
            assert_eq!(n, BODY_LEN);
        })
    });
    group.finish();
}

criterion_group!(benches, body_64kib);
criterion_main!(benches);
