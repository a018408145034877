//! Benches for the `threadpool` layer: what the pool costs per item, against its floor.
//!
//! Run: `cargo bench -p benches --bench threadpool`
//!
//! - `dispatch/*`: throughput of 1,000 empty items through 4 workers. `pool` is our
//!   `ThreadPool`; `raw_channel` is a bare crossbeam channel drained by 4 threads (the
//!   floor: the pool adds a `select`, counters and the panic boundary on top of it);
//!   `spawn_per_item` is `std::thread::spawn` for every item (what a pool saves).
//! - `put_to_start/*`: latency from `put` to the item starting on an idle worker.

use std::hint::black_box;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use crossbeam_channel::{unbounded, Sender};
use threadpool::{ThreadPool, ThreadPoolConfig, WorkItem};

const WORKERS: usize = 4;
const BATCH: usize = 1_000;

/// An empty item: it only counts itself, so the bench can tell when the batch is done.
struct Tick(Arc<AtomicUsize>);

impl WorkItem for Tick {
    fn run(self) {
        self.0.fetch_add(1, Ordering::Release);
    }
}

/// Spins until `counter` reaches `target`; panics (failing the bench) after 10 s.
fn wait_for(counter: &AtomicUsize, target: usize) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while counter.load(Ordering::Acquire) < target {
        assert!(
            Instant::now() < deadline,
            "items were lost: {} of {target}",
            counter.load(Ordering::Acquire)
        );
        thread::yield_now();
    }
}

fn pool(workers: usize) -> ThreadPool<Tick> {
    let pool = ThreadPool::new(ThreadPoolConfig {
        min: workers,
        ..ThreadPoolConfig::default()
    });
    pool.start().expect("the bench machine can spawn 4 threads");
    pool
}

/// A bare channel drained by `workers` threads: the floor under the pool.
fn raw_channel(workers: usize) -> (Sender<Tick>, Vec<thread::JoinHandle<()>>) {
    let (tx, rx) = unbounded::<Tick>();
    let handles = (0..workers)
        .map(|_| {
            let rx = rx.clone();
            thread::spawn(move || rx.iter().for_each(WorkItem::run))
        })
        .collect();
    (tx, handles)
}

fn dispatch(c: &mut Criterion) {
    let mut group = c.benchmark_group("dispatch");
    group.throughput(Throughput::Elements(BATCH as u64));

    let counter = Arc::new(AtomicUsize::new(0));
    let pool = pool(WORKERS);
    group.bench_function(BenchmarkId::new("pool", format!("w{WORKERS}/empty")), |b| {
        b.iter(|| {
            let target = counter.load(Ordering::Acquire) + BATCH;
            for _ in 0..BATCH {
                assert!(pool.put(Tick(Arc::clone(&counter))).is_ok());
            }
            wait_for(&counter, target);
        })
    });
    let _ = pool.stop(Duration::from_secs(1));

    let (tx, handles) = raw_channel(WORKERS);
    group.bench_function(
        BenchmarkId::new("raw_channel", format!("w{WORKERS}/empty")),
        |b| {
            b.iter(|| {
                let target = counter.load(Ordering::Acquire) + BATCH;
                for _ in 0..BATCH {
                    assert!(tx.send(Tick(Arc::clone(&counter))).is_ok());
                }
                wait_for(&counter, target);
            })
        },
    );
    drop(tx);
    handles
        .into_iter()
        .for_each(|h| h.join().expect("a raw worker panicked"));

    group.bench_function(BenchmarkId::new("spawn_per_item", "empty"), |b| {
        b.iter(|| {
            let target = counter.load(Ordering::Acquire) + BATCH;
            let handles: Vec<_> = (0..BATCH)
                .map(|_| {
                    let item = Tick(Arc::clone(&counter));
                    thread::spawn(move || item.run())
                })
                .collect();
            handles
                .into_iter()
                .for_each(|h| h.join().expect("an item thread panicked"));
            wait_for(&counter, target);
        })
    });
    group.finish();
}

/// Latency from handing an item over to the item starting, measured inside the item.
fn put_to_start(c: &mut Criterion) {
    let mut group = c.benchmark_group("put_to_start");
    let (started_tx, started_rx) = unbounded::<Instant>();

    let pool: ThreadPool<Box<dyn FnOnce() + Send>> = ThreadPool::new(ThreadPoolConfig {
        min: WORKERS,
        ..ThreadPoolConfig::default()
    });
    pool.start().expect("the bench machine can spawn 4 threads");
    group.bench_function(BenchmarkId::new("pool", format!("w{WORKERS}/idle")), |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let tx = started_tx.clone();
                let put_at = Instant::now();
                assert!(pool
                    .put(Box::new(move || {
                        let _ = tx.send(Instant::now());
                    }))
                    .is_ok());
                let started_at = started_rx.recv().expect("the item ran");
                total += started_at.duration_since(put_at);
            }
            total
        })
    });
    let _ = pool.stop(Duration::from_secs(1));

    group.bench_function(BenchmarkId::new("spawn_per_item", "idle"), |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let tx = started_tx.clone();
                let put_at = Instant::now();
                let handle = thread::spawn(move || {
                    let _ = tx.send(Instant::now());
                });
                let started_at = started_rx.recv().expect("the thread ran");
                total += started_at.duration_since(put_at);
                black_box(handle.join().is_ok());
            }
            total
        })
    });
    group.finish();
}

criterion_group!(benches, dispatch, put_to_start);
criterion_main!(benches);
