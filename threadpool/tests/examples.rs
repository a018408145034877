//! The examples run and print what their `//!` header promises.

use testkit::run;

#[test]
fn minimal_runs_four_items_on_two_workers_and_reports_them() {
    let out = run("minimal", &[]);
    for n in 1..=4u64 {
        assert!(
            out.contains(&format!("computed {n}² = {}", n * n)),
            "item {n} missing in\n{out}"
        );
    }
    let workers = out.lines().filter(|l| l.contains(" items, busy ")).count();
    assert_eq!(workers, 2, "one figure line per worker in\n{out}");
    assert!(out.contains("items done: 4, handed back: 0"), "{out}");
}

#[test]
fn five_workers_eight_items_shows_three_items_waiting_in_the_queue() {
    let out = run("five_workers_eight_items", &[]);
    assert!(
        out.starts_with("5 workers, 8 items of 300 ms each\n"),
        "{out}"
    );
    // A row: `item  worker-N  start ms  end ms`.
    let rows: Vec<&str> = out
        .lines()
        .filter(|l| {
            let mut words = l.split_whitespace();
            words.next().is_some_and(|w| w.parse::<usize>().is_ok())
                && words.next().is_some_and(|w| w.starts_with("worker-"))
        })
        .collect();
    assert_eq!(rows.len(), 8, "one row per item in\n{out}");
    // Five items start at once, one per worker; the other three wait for a free one.
    let waited = rows
        .iter()
        .filter(|r| r.contains("waited in the queue"))
        .count();
    assert_eq!(waited, 3, "{out}");
    assert!(
        out.contains("stopped: 0 handed back, 0 unfinished"),
        "{out}"
    );
}
