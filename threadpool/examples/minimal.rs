//! The smallest use of the pool: start it, put closures, read its figures, stop it.
//!
//! Run: `cargo run -p threadpool --example minimal`
//!
//! Watch: each line names the worker thread that ran the item; the figures at the end
//! count the items and the time each worker was busy.

use std::sync::mpsc;
use std::time::Duration;

use threadpool::{ThreadPool, ThreadPoolConfig};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // The library's log on stderr: RUST_LOG (`debug`: each request's trip), else `info`.
    testkit::log::to_stderr();
    let pool = ThreadPool::new(ThreadPoolConfig {
        min: 2,
        ..ThreadPoolConfig::default()
    });
    pool.start()?;
    let (done, results) = mpsc::channel();
    for n in 1..=4u64 {
        let done = done.clone();
        pool.put(move || {
            let square = n * n;
            let worker = std::thread::current().name().unwrap_or("?").to_string();
            let _ = done.send((n, format!("{worker} computed {n}² = {square}")));
        })
        .map_err(|e| e.to_string())?;
    }
    drop(done);
    let mut lines: Vec<(u64, String)> = results.iter().take(4).collect();
    lines.sort();
    for (_, line) in lines {
        println!("{line}");
    }
    let report = pool.stop(Duration::from_secs(1));
    for stats in pool.worker_stats() {
        println!(
            "{}: {} items, busy {:?}",
            stats.name, stats.items, stats.busy
        );
    }
    println!(
        "items done: {}, handed back: {}",
        pool.items_done(),
        report.handed_back.len()
    );
    Ok(())
}
