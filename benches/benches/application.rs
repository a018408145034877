//! Benches for the `application` layer: URL dispatch as the mapping grows, the
//! in-process `request()` hello, and the hello through the whole server.
//!
//! Run: `cargo bench -p benches --bench application -- --measurement-time 2 --warm-up-time 1`.
//! The medians are quoted in the book's "application" chapter.

use std::hint::black_box;

use application::{Application, Args, Target};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};

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

fn request_hello(c: &mut Criterion) {
    let app = Application::new([("/", Target::func(|_: &Args| Ok("Hello, world!".into())))])
        .expect("the pattern is valid");
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

criterion_group!(benches, dispatch, request_hello);
criterion_main!(benches);
