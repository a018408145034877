//! The mapping's design choice measured alone: one `RegexSet` pass over the path against
//! trying 100 anchored patterns one by one, as web.py's `_match` did.
//!
//! Run: `cargo bench -p application --bench mapping -- --measurement-time 2 --warm-up-time 1`.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};

fn set_versus_loop(c: &mut Criterion) {
    let mut group = c.benchmark_group("match100");
    let patterns: Vec<String> = (0..100).map(|i| format!(r"\A(?:/r{i}/(\d+))\z")).collect();
    let set = regex::RegexSet::new(&patterns).expect("valid patterns");
    let each: Vec<regex::Regex> = patterns
        .iter()
        .map(|p| regex::Regex::new(p).expect("valid pattern"))
        .collect();
    for (which, path, want) in [
        ("first", "/r0/42", Some(0)),
        ("last", "/r99/42", Some(99)),
        ("none", "/nowhere", None),
    ] {
        group.bench_function(BenchmarkId::new("regexset", which), |b| {
            b.iter(|| {
                let found = set.matches(black_box(path)).into_iter().next();
                assert_eq!(found, want);
            })
        });
        group.bench_function(BenchmarkId::new("loop", which), |b| {
            b.iter(|| {
                let found = each.iter().position(|r| r.is_match(black_box(path)));
                assert_eq!(found, want);
            })
        });
    }
    group.finish();
}

criterion_group!(benches, set_versus_loop);
criterion_main!(benches);
