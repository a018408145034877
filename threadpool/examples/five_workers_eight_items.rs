//! The design notes' point, made visible: a pool of 5 workers given 8 long items.
//!
//! Run: `cargo run -p threadpool --example five_workers_eight_items`
//!
//! Watch the timeline: items 0–4 start at once, one per worker; items 5–7 wait in the
//! queue until a worker is free, ~300 ms later. Replace "item" by "kept-alive
//! connection" and you have the weakness the notes describe: while 5 connections hold
//! the 5 workers, the 6th client waits however long they stay open.

use std::sync::mpsc;
use std::time::{Duration, Instant};

use threadpool::{ThreadPool, ThreadPoolConfig};

const WORKERS: usize = 5;
const ITEMS: usize = 8;
const ITEM_TIME: Duration = Duration::from_millis(300);

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // The library's log on stderr: RUST_LOG (`debug`: each request's trip), else `info`.
    testkit::log::to_stderr();
    let pool = ThreadPool::new(ThreadPoolConfig {
        min: WORKERS,
        ..ThreadPoolConfig::default()
    });
    pool.start()?;
    let t0 = Instant::now();
    let (events, timeline) = mpsc::channel();
    for item in 0..ITEMS {
        let events = events.clone();
        pool.put(move || {
            let worker = std::thread::current().name().unwrap_or("?").to_string();
            let started = t0.elapsed();
            std::thread::sleep(ITEM_TIME);
            let _ = events.send((item, worker, started, t0.elapsed()));
        })
        .map_err(|e| e.to_string())?;
    }
    drop(events);
    println!(
        "{WORKERS} workers, {ITEMS} items of {} ms each",
        ITEM_TIME.as_millis()
    );
    println!("item  worker    start    end");
    let mut rows: Vec<_> = timeline.iter().take(ITEMS).collect();
    rows.sort_by_key(|row| row.0);
    for (item, worker, started, ended) in rows {
        // Every item was put at 0 ms, so a late start is time spent waiting in the queue.
        let waited = if started >= ITEM_TIME / 2 {
            "  <- waited in the queue"
        } else {
            ""
        };
        println!(
            "{item:>4}  {worker:<8}  {:>4} ms  {:>4} ms{waited}",
            started.as_millis(),
            ended.as_millis()
        );
    }
    let report = pool.stop(Duration::from_secs(1));
    println!(
        "stopped: {} handed back, {} unfinished",
        report.handed_back.len(),
        report.unfinished.len()
    );
    Ok(())
}
