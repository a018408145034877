//! What reaching the thread-local `ctx` costs: a handler that reads `ctx.path` a
//! thousand times against one that does not; the difference over 1000 is one access.
//!
//! Run: `cargo bench -p application --bench ctx -- --measurement-time 2 --warm-up-time 1`.

use std::hint::black_box;

use application::{ctx, Application, Args, Target};
use criterion::{criterion_group, criterion_main, Criterion};

fn ctx_access(c: &mut Criterion) {
    let app = Application::new([
        (
            "/read",
            Target::func(|_: &Args| {
                let mut total = 0;
                for _ in 0..1000 {
                    total += ctx::with(|c| black_box(c.path.len()))?;
                }
                Ok(total.to_string().into())
            }),
        ),
        (
            "/none",
            Target::func(|_: &Args| Ok(5000.to_string().into())),
        ),
    ])
    .expect("valid patterns");
    let mut group = c.benchmark_group("ctx");
    for (name, path) in [("with_x1000", "/read"), ("none", "/none")] {
        group.bench_function(name, |b| {
            b.iter(|| {
                let r = app.request(black_box(path)).send();
                assert_eq!(r.data, b"5000");
            })
        });
    }
    group.finish();
}

criterion_group!(benches, ctx_access);
criterion_main!(benches);
