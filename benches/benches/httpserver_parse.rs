//! Benches for request-head parsing: this server's parser against bare `httparse`.
//!
//! Run: `cargo bench -p benches --bench httpserver_parse`
//!
//! - `parse/small/{httpserver,httpserver_fresh,httparse}`: `GET / HTTP/1.1` with a `Host`
//!   header (35 bytes).
//! - `parse/realistic/{httpserver,httpserver_fresh,httparse}`: a browser's GET with 11
//!   headers (~640 bytes).
//!
//! `httparse` alone is the floor: it only finds the boundaries. `httpserver` is what
//! `parse_request` runs for each request of a connection, `RequestHead::parse_in_place`
//! into the head the connection reuses: one httparse pass over the head, then copying
//! what it found into the head's buffers, splitting (and, given a `%`, percent-decoding)
//! the target, and the framing, Host, Connection and Expect rules. `httpserver_fresh` is
//! `RequestHead::parse`, the same into a new head (its first request on a connection:
//! the buffers are allocated). Bytes/s is the throughput shown; requests/s is 1 / time.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use httpserver::{RequestHead, ServerConfig};

const SMALL: &[u8] = b"GET / HTTP/1.1\r\nHost: example.com\r\n\r\n";

const REALISTIC: &[u8] = b"GET /wiki/Hypertext_Transfer_Protocol?action=view&lang=en HTTP/1.1\r\n\
Host: en.wikipedia.org\r\n\
User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0\r\n\
Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\n\
Accept-Language: en-US,en;q=0.5\r\n\
Accept-Encoding: gzip, deflate, br\r\n\
Referer: https://en.wikipedia.org/wiki/Main_Page\r\n\
Connection: keep-alive\r\n\
Cookie: session=4f2d8c1e9a7b3c5d6e8f0a1b2c3d4e5f; theme=dark; lang=en\r\n\
Upgrade-Insecure-Requests: 1\r\n\
Sec-Fetch-Dest: document\r\n\
Sec-Fetch-Mode: navigate\r\n\r\n";

fn parse(c: &mut Criterion) {
    let config = ServerConfig::default();
    let mut group = c.benchmark_group("parse");
    for (name, head, fields) in [("small", SMALL, 1), ("realistic", REALISTIC, 11)] {
        group.throughput(Throughput::Bytes(head.len() as u64));
        let mut reused = RequestHead::parse(head, &config).expect("a valid head").0;
        group.bench_function(format!("{name}/httpserver"), |b| {
            b.iter(|| {
                let used = reused
                    .parse_in_place(black_box(head), &config)
                    .expect("a valid head");
                assert_eq!((used, reused.headers().len()), (head.len(), fields));
            })
        });
        group.bench_function(format!("{name}/httpserver_fresh"), |b| {
            b.iter(|| {
                let (parsed, used) =
                    RequestHead::parse(black_box(head), &config).expect("a valid head");
                assert_eq!((used, parsed.headers().len()), (head.len(), fields));
                parsed
            })
        });
        group.bench_function(format!("{name}/httparse"), |b| {
            b.iter(|| {
                let mut slots = [httparse::EMPTY_HEADER; 16];
                let mut req = httparse::Request::new(&mut slots);
                let status = req.parse(black_box(head)).expect("a valid head");
                assert_eq!(status, httparse::Status::Complete(head.len()));
                assert_eq!(req.headers.len(), fields);
            })
        });
    }
    group.finish();
}

criterion_group!(benches, parse);
criterion_main!(benches);
