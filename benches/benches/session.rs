//! Benches for the `session` layer: what keeping a session costs a request, per store.
//!
//! Run: `cargo bench -p benches --bench session`
//!
//! - `store/<memory|disk>/load+save`: one request's store traffic for a session that
//!   changed: read the record, write it back whole (`DiskStore`: a read, a temporary file,
//!   a rename). The record is a typical logged-in session of about 300 bytes of JSON.
//! - `store/<memory|disk>/load`: a request whose session did not change: only the read
//!   (the processor writes nothing then).

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use session::{DiskStore, MemoryStore, SessionId, Store};

/// A record like the demo's after a login and a few todos.
fn record() -> Vec<u8> {
    format!(
        "{{\"accessed_ms\":1700000000000,\"ip\":\"127.0.0.1\",\"data\":{{\"user\":\"ada\",\
         \"todos\":[{todos}],\"flash\":null}}}}",
        todos = (0..8)
            .map(|i| format!("{{\"id\":{i},\"text\":\"write chapter {i}\",\"done\":false}}"))
            .collect::<Vec<_>>()
            .join(",")
    )
    .into_bytes()
}

fn bench_store(c: &mut Criterion, name: &str, store: &dyn Store) {
    let id = SessionId::generate("bench").expect("random generator");
    let record = record();
    store.set(&id, &record).expect("first save");
    let mut group = c.benchmark_group(format!("store/{name}"));
    group.throughput(Throughput::Elements(1));
    group.bench_function("load+save", |b| {
        b.iter(|| {
            let loaded = store.get(&id).expect("load").expect("present");
            assert_eq!(loaded.len(), record.len());
            store.set(&id, black_box(&loaded)).expect("save");
        })
    });
    group.bench_function("load", |b| {
        b.iter(|| {
            let loaded = store.get(&id).expect("load").expect("present");
            assert_eq!(loaded.len(), record.len());
            black_box(loaded);
        })
    });
    group.finish();
}

fn stores(c: &mut Criterion) {
    bench_store(c, "memory", &MemoryStore::new());
    let dir = std::env::temp_dir().join(format!("session-bench-{}", std::process::id()));
    let disk = DiskStore::new(&dir).expect("bench directory");
    bench_store(c, "disk", &disk);
    let _ = std::fs::remove_dir_all(&dir);
}

criterion_group!(benches, stores);
criterion_main!(benches);
