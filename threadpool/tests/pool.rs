//! Specification tests for `ThreadPool`: each test name is a rule the pool keeps.

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Barrier, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use crossbeam_channel::{bounded, Receiver, Sender};
use threadpool::{PutError, ThreadPool, ThreadPoolConfig, ThreadPoolError, WorkItem};

/// Every wait in these tests gives up after this long, so a broken pool fails, never hangs.
const PATIENCE: Duration = Duration::from_secs(10);

fn pool<T: WorkItem>(min: usize) -> ThreadPool<T> {
    let config = ThreadPoolConfig {
        min,
        name: "test".into(),
        ..ThreadPoolConfig::default()
    };
    ThreadPool::new(config)
}

/// Polls `cond` until it holds or `PATIENCE` runs out; returns whether it held.
fn eventually(mut cond: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + PATIENCE;
    while Instant::now() < deadline {
        if cond() {
            return true;
        }
        thread::sleep(Duration::from_millis(1));
    }
    cond()
}

/// A work item that blocks until the test lets it go, and says when it started.
struct Gate {
    started: Sender<()>,
    release: Receiver<()>,
}

impl WorkItem for Gate {
    fn run(self) {
        let _ = self.started.send(());
        let _ = self.release.recv_timeout(PATIENCE);
    }
}

/// `n` gates sharing one "started" and one "release" channel.
fn gates(n: usize) -> (Vec<Gate>, Receiver<()>, Sender<()>) {
    let (started_tx, started_rx) = bounded(n);
    let (release_tx, release_rx) = bounded(n);
    let items = (0..n)
        .map(|_| Gate {
            started: started_tx.clone(),
            release: release_rx.clone(),
        })
        .collect();
    (items, started_rx, release_tx)
}

#[test]
fn items_put_from_many_threads_each_run_exactly_once() -> Result<(), Box<dyn std::error::Error>> {
    const PRODUCERS: usize = 8;
    const PER_PRODUCER: usize = 500;
    let pool: Arc<ThreadPool<Box<dyn FnOnce() + Send>>> = Arc::new(pool(4));
    pool.start()?;
    let seen = Arc::new(Mutex::new(Vec::new()));
    let producers: Vec<_> = (0..PRODUCERS)
        .map(|p| {
            let (pool, seen) = (Arc::clone(&pool), Arc::clone(&seen));
            thread::spawn(move || {
                for i in 0..PER_PRODUCER {
                    let seen = Arc::clone(&seen);
                    let item: Box<dyn FnOnce() + Send> = Box::new(move || {
                        seen.lock()
                            .expect("no panics under this lock")
                            .push(p * PER_PRODUCER + i)
                    });
                    assert!(pool.put(item).is_ok());
                }
            })
        })
        .collect();
    for producer in producers {
        producer.join().map_err(|_| "a producer panicked")?;
    }
    let total = (PRODUCERS * PER_PRODUCER) as u64;
    assert!(eventually(|| pool.items_done() == total));
    let seen = seen.lock().map_err(|_| "poisoned")?;
    let distinct: HashSet<_> = seen.iter().copied().collect();
    assert_eq!(
        seen.len(),
        PRODUCERS * PER_PRODUCER,
        "an item ran twice or not at all"
    );
    assert_eq!(distinct.len(), PRODUCERS * PER_PRODUCER);
    Ok(())
}

#[test]
fn a_panicking_item_is_caught_and_the_worker_goes_on() -> Result<(), Box<dyn std::error::Error>> {
    let pool: ThreadPool<Box<dyn FnOnce() + Send>> = pool(1);
    pool.start()?;
    pool.put(Box::new(|| panic!("bad request")))
        .map_err(|e| e.to_string())?;
    let ran = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&ran);
    pool.put(Box::new(move || flag.store(true, Ordering::SeqCst)))
        .map_err(|e| e.to_string())?;
    assert!(
        eventually(|| ran.load(Ordering::SeqCst)),
        "the item after the panic never ran"
    );
    assert_eq!(pool.panics(), 1);
    assert_eq!(pool.threads(), 1, "the pool shrank because of a bad item");
    assert_eq!(
        pool.items_done(),
        2,
        "a panicking item still counts as done"
    );
    Ok(())
}

#[test]
fn stop_hands_back_queued_items_and_reports_busy_workers() -> Result<(), Box<dyn std::error::Error>>
{
    let pool: ThreadPool<Gate> = pool(1);
    pool.start()?;
    let (mut items, started, release) = gates(4);
    pool.put(items.remove(0)).map_err(|e| e.to_string())?;
    started.recv_timeout(PATIENCE)?;
    for item in items {
        pool.put(item).map_err(|e| e.to_string())?;
    }
    assert_eq!(pool.queue_len(), 3);

    let report = pool.stop(Duration::from_millis(50));

    assert_eq!(
        report.handed_back.len(),
        3,
        "queued items were lost or run after stop"
    );
    assert_eq!(report.unfinished, vec!["test-0".to_string()]);
    drop(report); // dropping a Gate drops its senders: nothing else to clean up
    release.send(())?;
    Ok(())
}

#[test]
fn stop_shares_one_deadline_between_all_busy_workers() -> Result<(), Box<dyn std::error::Error>> {
    // Three workers stuck in items that only end when the test says so. If `stop` waited
    // for them (or gave each its own timeout in turn), it would not return before the
    // release below; it returns with all three reported instead.
    let pool: ThreadPool<Gate> = pool(3);
    pool.start()?;
    let (items, started, release) = gates(3);
    for item in items {
        pool.put(item).map_err(|e| e.to_string())?;
    }
    for _ in 0..3 {
        started.recv_timeout(PATIENCE)?;
    }
    let report = pool.stop(Duration::from_millis(50));
    let mut unfinished = report.unfinished.clone();
    unfinished.sort();
    assert_eq!(unfinished, ["test-0", "test-1", "test-2"]);
    for _ in 0..3 {
        release.send(())?;
    }
    Ok(())
}

#[test]
fn stop_waits_for_items_that_finish_before_the_deadline() -> Result<(), Box<dyn std::error::Error>>
{
    let pool: ThreadPool<Gate> = pool(2);
    pool.start()?;
    let (items, started, release) = gates(2);
    for item in items {
        pool.put(item).map_err(|e| e.to_string())?;
    }
    started.recv_timeout(PATIENCE)?;
    started.recv_timeout(PATIENCE)?;
    release.send(())?;
    release.send(())?;
    let report = pool.stop(PATIENCE);
    assert!(report.unfinished.is_empty() && report.handed_back.is_empty());
    assert_eq!(pool.items_done(), 2);
    assert_eq!(pool.threads(), 0);
    Ok(())
}

#[test]
fn put_after_stop_hands_the_item_back() {
    let pool: ThreadPool<Box<dyn FnOnce() + Send>> = pool(1);
    let _ = pool.stop(Duration::from_millis(10));
    let outcome = pool.put(Box::new(|| ()));
    assert!(
        matches!(outcome, Err(PutError::Stopped(_))),
        "got {outcome:?}"
    );
    assert!(matches!(pool.start(), Err(ThreadPoolError::Stopped)));
}

#[test]
fn a_full_bounded_queue_hands_the_item_back_after_the_timeout(
) -> Result<(), Box<dyn std::error::Error>> {
    let config = ThreadPoolConfig {
        min: 1,
        accepted_queue_size: Some(1),
        accepted_queue_timeout: Duration::from_millis(20),
        ..ThreadPoolConfig::default()
    };
    let pool: ThreadPool<Gate> = ThreadPool::new(config);
    pool.start()?;
    let (mut items, started, release) = gates(3);
    pool.put(items.remove(0)).map_err(|e| e.to_string())?; // taken by the worker
    started.recv_timeout(PATIENCE)?;
    pool.put(items.remove(0)).map_err(|e| e.to_string())?; // fills the queue of one
    let outcome = pool.put(items.remove(0));
    assert!(matches!(outcome, Err(PutError::Full(_))), "got {outcome:?}");
    assert_eq!(pool.queue_len(), 1);
    release.send(())?;
    release.send(())?;
    Ok(())
}

#[test]
fn queue_size_zero_hands_items_straight_to_a_free_worker() -> Result<(), Box<dyn std::error::Error>>
{
    let config = ThreadPoolConfig {
        min: 1,
        accepted_queue_size: Some(0),
        accepted_queue_timeout: Duration::from_millis(20),
        ..ThreadPoolConfig::default()
    };
    let pool: ThreadPool<Gate> = ThreadPool::new(config);
    pool.start()?;
    let (mut items, started, release) = gates(2);
    assert!(eventually(|| pool.idle() == 1));
    pool.put(items.remove(0)).map_err(|e| e.to_string())?;
    started.recv_timeout(PATIENCE)?;
    // The only worker is busy and there is no queue: the next item cannot be placed.
    assert!(matches!(pool.put(items.remove(0)), Err(PutError::Full(_))));
    release.send(())?;
    Ok(())
}

#[test]
fn grow_never_passes_max() -> Result<(), Box<dyn std::error::Error>> {
    let config = ThreadPoolConfig {
        min: 2,
        max: Some(4),
        ..ThreadPoolConfig::default()
    };
    let pool: ThreadPool<Box<dyn FnOnce() + Send>> = ThreadPool::new(config);
    pool.start()?;
    assert_eq!(pool.grow(1), 1);
    assert_eq!(pool.grow(5), 1, "grew past max");
    assert_eq!(pool.grow(1), 0);
    assert_eq!(pool.threads(), 4);
    Ok(())
}

#[test]
fn shrink_never_goes_below_min() -> Result<(), Box<dyn std::error::Error>> {
    let config = ThreadPoolConfig {
        min: 2,
        ..ThreadPoolConfig::default()
    };
    let pool: ThreadPool<Box<dyn FnOnce() + Send>> = ThreadPool::new(config);
    pool.start()?;
    assert_eq!(pool.grow(3), 3);
    assert_eq!(pool.shrink(10), 3, "shrank below min");
    assert_eq!(pool.shrink(1), 0);
    assert!(
        eventually(|| pool.threads() == 2),
        "idle workers did not leave"
    );
    let alive = pool.worker_stats().iter().filter(|w| w.alive).count();
    assert_eq!(alive, 2);
    Ok(())
}

#[test]
fn min_greater_than_max_is_a_config_error() {
    let config = ThreadPoolConfig {
        min: 3,
        max: Some(2),
        ..ThreadPoolConfig::default()
    };
    let pool: ThreadPool<Box<dyn FnOnce() + Send>> = ThreadPool::new(config);
    let err = pool
        .start()
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(
        err.contains("min (3) is greater than max (2)"),
        "got {err:?}"
    );
}

#[test]
fn start_twice_is_an_error() -> Result<(), Box<dyn std::error::Error>> {
    let pool: ThreadPool<Box<dyn FnOnce() + Send>> = pool(1);
    pool.start()?;
    assert!(matches!(pool.start(), Err(ThreadPoolError::AlreadyStarted)));
    Ok(())
}

#[test]
fn items_put_before_start_run_after_start() -> Result<(), Box<dyn std::error::Error>> {
    let pool: ThreadPool<Box<dyn FnOnce() + Send>> = pool(2);
    let count = Arc::new(AtomicUsize::new(0));
    for _ in 0..5 {
        let count = Arc::clone(&count);
        pool.put(Box::new(move || {
            count.fetch_add(1, Ordering::SeqCst);
        }))
        .map_err(|e| e.to_string())?;
    }
    assert_eq!(pool.queue_len(), 5);
    pool.start()?;
    assert!(eventually(|| count.load(Ordering::SeqCst) == 5));
    Ok(())
}

#[test]
fn worker_stats_name_each_worker_and_count_its_items() -> Result<(), Box<dyn std::error::Error>> {
    let pool: ThreadPool<Box<dyn FnOnce() + Send>> = pool(1);
    pool.start()?;
    for _ in 0..3 {
        pool.put(Box::new(|| thread::sleep(Duration::from_millis(1))))
            .map_err(|e| e.to_string())?;
    }
    assert!(eventually(|| pool.items_done() == 3));
    let stats = pool.worker_stats();
    assert_eq!(stats.len(), 1);
    assert_eq!(stats[0].name, "test-0");
    assert_eq!(stats[0].items, 3);
    assert!(
        stats[0].busy >= Duration::from_millis(3),
        "busy time not counted: {:?}",
        stats[0]
    );
    Ok(())
}

#[test]
fn idle_counts_workers_waiting_for_work() -> Result<(), Box<dyn std::error::Error>> {
    let pool: ThreadPool<Gate> = pool(3);
    pool.start()?;
    assert!(eventually(|| pool.idle() == 3));
    let (items, started, release) = gates(1);
    for item in items {
        pool.put(item).map_err(|e| e.to_string())?;
    }
    started.recv_timeout(PATIENCE)?;
    assert!(eventually(|| pool.idle() == 2));
    release.send(())?;
    assert!(eventually(|| pool.idle() == 3));
    Ok(())
}

#[test]
fn dropping_the_pool_stops_it_and_drops_queued_items() {
    struct SetOnDrop(Arc<AtomicBool>);
    impl Drop for SetOnDrop {
        fn drop(&mut self) {
            self.0.store(true, Ordering::SeqCst);
        }
    }
    let dropped = Arc::new(AtomicBool::new(false));
    let ran = Arc::new(AtomicBool::new(false));
    {
        // Never started: the item stays queued until the pool goes.
        let pool: ThreadPool<Box<dyn FnOnce() + Send>> = pool(1);
        let guard = SetOnDrop(Arc::clone(&dropped));
        let flag = Arc::clone(&ran);
        let item: Box<dyn FnOnce() + Send> = Box::new(move || {
            let _guard = guard;
            flag.store(true, Ordering::SeqCst);
        });
        assert!(pool.put(item).is_ok());
    }
    assert!(dropped.load(Ordering::SeqCst), "the queued item leaked");
    assert!(
        !ran.load(Ordering::SeqCst),
        "an item ran after the pool was dropped"
    );
}

#[test]
fn puts_racing_with_stop_are_either_run_or_handed_back() -> Result<(), Box<dyn std::error::Error>> {
    // Producers keep putting while `stop` runs. Every item must end up in exactly one of:
    // run, handed back by `stop`, or returned by `put` as `Stopped`.
    for _round in 0..20 {
        let pool: Arc<ThreadPool<Box<dyn FnOnce() + Send>>> = Arc::new(pool(2));
        pool.start()?;
        let ran = Arc::new(AtomicUsize::new(0));
        let refused = Arc::new(AtomicUsize::new(0));
        let barrier = Arc::new(Barrier::new(3));
        let producers: Vec<_> = (0..2)
            .map(|_| {
                let (pool, ran, refused, barrier) = (
                    Arc::clone(&pool),
                    Arc::clone(&ran),
                    Arc::clone(&refused),
                    Arc::clone(&barrier),
                );
                thread::spawn(move || {
                    barrier.wait();
                    for _ in 0..200 {
                        let ran = Arc::clone(&ran);
                        let item: Box<dyn FnOnce() + Send> = Box::new(move || {
                            ran.fetch_add(1, Ordering::SeqCst);
                        });
                        if pool.put(item).is_err() {
                            refused.fetch_add(1, Ordering::SeqCst);
                        }
                    }
                })
            })
            .collect();
        barrier.wait();
        let report = pool.stop(PATIENCE);
        for producer in producers {
            producer.join().map_err(|_| "a producer panicked")?;
        }
        let accounted =
            ran.load(Ordering::SeqCst) + refused.load(Ordering::SeqCst) + report.handed_back.len();
        assert_eq!(accounted, 400, "an item was lost in the race with stop");
    }
    Ok(())
}

#[test]
fn try_put_on_a_full_queue_hands_the_item_back_at_once() -> Result<(), Box<dyn std::error::Error>> {
    // A whole minute of accepted_queue_timeout: `put` would wait it out, `try_put` must not.
    let config = ThreadPoolConfig {
        min: 1,
        accepted_queue_size: Some(1),
        accepted_queue_timeout: Duration::from_secs(60),
        ..ThreadPoolConfig::default()
    };
    let pool: ThreadPool<Gate> = ThreadPool::new(config);
    pool.start()?;
    let (mut items, started, release) = gates(3);
    pool.try_put(items.remove(0)).map_err(|e| e.to_string())?; // taken by the worker
    started.recv_timeout(PATIENCE)?;
    pool.try_put(items.remove(0)).map_err(|e| e.to_string())?; // fills the queue of one
    let outcome = pool.try_put(items.remove(0));
    assert!(matches!(outcome, Err(PutError::Full(_))), "got {outcome:?}");
    release.send(())?;
    release.send(())?;
    let _ = pool.stop(PATIENCE);
    assert!(matches!(
        pool.try_put(outcome.err().map(PutError::into_inner).ok_or("no item")?),
        Err(PutError::Stopped(_))
    ));
    Ok(())
}

/// A source fed by a channel, with a doorbell counted in the same channel: `wake` sends
/// `None`, an item is `Some`.
struct ChannelSource {
    tx: Sender<Option<u32>>,
    rx: Receiver<Option<u32>>,
}

impl threadpool::Source<Box<dyn FnOnce() + Send>> for ChannelSource {
    fn wait(&self, _timeout: Option<Duration>) -> Option<Box<dyn FnOnce() + Send>> {
        let n = self.rx.recv().ok()??;
        Some(Box::new(move || {
            let _ = n;
        }))
    }

    fn wake(&self) {
        let _ = self.tx.send(None);
    }
}

#[test]
fn items_from_a_source_run_and_queued_items_still_run_and_stop_ends_waiting_workers() {
    let (tx, rx) = crossbeam_channel::unbounded();
    let source = Arc::new(ChannelSource { tx: tx.clone(), rx });
    let pool: ThreadPool<Box<dyn FnOnce() + Send>> = ThreadPool::with_source(
        ThreadPoolConfig {
            min: 3,
            ..ThreadPoolConfig::default()
        },
        source,
    );
    pool.start().expect("started");
    for n in 0..10 {
        tx.send(Some(n)).expect("sent");
    }
    assert!(eventually(|| pool.items_done() == 10));
    // An item put in the queue reaches a worker that sleeps on the source.
    let ran = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&ran);
    pool.put(Box::new(move || flag.store(true, Ordering::SeqCst)))
        .expect("queued");
    assert!(eventually(|| ran.load(Ordering::SeqCst)));
    // Every worker waits on the source; stop wakes each of them to exit.
    assert!(eventually(|| pool.idle() == 3));
    let started = Instant::now();
    let report = pool.stop(PATIENCE);
    assert!(report.unfinished.is_empty() && started.elapsed() < PATIENCE);
    assert_eq!(pool.threads(), 0);
}

#[test]
fn around_workers_wraps_each_workers_whole_life() -> Result<(), Box<dyn std::error::Error>> {
    thread_local! {
        static LIFE: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
    }
    let entered = Arc::new(AtomicUsize::new(0));
    let left = Arc::new(AtomicUsize::new(0));
    let (enter, leave) = (Arc::clone(&entered), Arc::clone(&left));
    let pool: ThreadPool<Box<dyn FnOnce() + Send>> =
        pool(2).around_workers(Arc::new(move |life: &mut (dyn FnMut() + Send)| {
            LIFE.with(|l| l.set(enter.fetch_add(1, Ordering::SeqCst) + 1));
            life();
            leave.fetch_add(1, Ordering::SeqCst);
        }));
    pool.start()?;
    let (tx, rx) = bounded(8);
    for _ in 0..8 {
        let tx = tx.clone();
        let item: Box<dyn FnOnce() + Send> = Box::new(move || {
            let _ = tx.send(LIFE.with(|l| l.get()));
        });
        assert!(pool.put(item).is_ok());
    }
    for _ in 0..8 {
        // Every item ran inside a life: the thread-local the life set is there.
        assert!((1..=2).contains(&rx.recv_timeout(PATIENCE)?));
    }
    // A worker may not have started yet when the other has run all eight items (a
    // worker looks at the queue a few times before it sleeps): wait for both lives.
    assert!(
        eventually(|| entered.load(Ordering::SeqCst) == 2),
        "one life per worker, got {}",
        entered.load(Ordering::SeqCst)
    );
    assert_eq!(
        left.load(Ordering::SeqCst),
        0,
        "no life ends while the pool runs"
    );
    let report = pool.stop(PATIENCE);
    assert!(report.unfinished.is_empty());
    assert!(eventually(|| left.load(Ordering::SeqCst) == 2));
    Ok(())
}
