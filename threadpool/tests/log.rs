//! What the pool reports goes through `tracing`, where a test (or a subscriber a program
//! installs) can read it.

use std::time::{Duration, Instant};

use threadpool::{ThreadPool, ThreadPoolConfig};

#[test]
fn a_panicking_item_is_logged_as_an_error_that_names_the_worker_and_the_panic() {
    testkit::log::capture();
    let pool = ThreadPool::new(ThreadPoolConfig {
        min: 1,
        ..ThreadPoolConfig::default()
    });
    pool.start().expect("the pool starts");
    pool.put(|| panic!("the item's own bug"))
        .map_err(|e| e.to_string())
        .expect("queued");
    let deadline = Instant::now() + Duration::from_secs(5);
    while pool.panics() == 0 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(5));
    }
    let report = pool.stop(Duration::from_secs(5));
    assert!(
        report.unfinished.is_empty(),
        "the worker went on and stopped"
    );
    let log = testkit::log::text();
    let line = log
        .lines()
        .find(|l| l.contains("a work item panicked"))
        .unwrap_or_else(|| panic!("no error in the log:\n{log}"));
    assert!(line.contains("ERROR"), "{line}");
    assert!(
        line.contains("worker-0") && line.contains("the item's own bug"),
        "{line}"
    );
}
