//! `ThreadPool::stop`: one deadline for everything, nothing queued lost, never a hang.

use std::sync::atomic::Ordering;
use std::thread;
use std::time::{Duration, Instant};

use super::{StopReport, ThreadPool};
use crate::worker::WorkItem;

impl<T: WorkItem> ThreadPool<T> {
    /// Stops the pool: no more `put`s, queued items handed back, workers told to exit,
    /// and at most `timeout` spent waiting for the ones inside an item.
    ///
    /// The deadline is shared by all workers. cheroot joined each thread with the full
    /// timeout in turn, so ten stuck workers took ten timeouts (cherrypy issue 956). A
    /// second call returns an empty report.
    // ANCHOR: stop
    pub fn stop(&self, timeout: Duration) -> StopReport<T> {
        let deadline = Instant::now() + timeout;
        if self.shared.stopping.swap(true, Ordering::SeqCst) {
            return StopReport {
                handed_back: Vec::new(),
                unfinished: Vec::new(),
            };
        }
        let mut handed_back = self.drain_queue_and_puts(deadline);
        self.tell_workers_to_exit();
        self.wait_for_workers(deadline);
        handed_back.append(&mut self.shared.lock_handed_back());
        // Nothing can enter the queue now, but a worker may have been between its `select`
        // and its `stopping` check while we drained: collect anything left once more.
        handed_back.extend(self.shared.items.try_iter());
        let unfinished = self.unfinished_workers();
        StopReport {
            handed_back,
            unfinished,
        }
    }
    // ANCHOR_END: stop

    /// Empties the queue until no `put` is between its check and its send. Draining also
    /// frees room for a `put` blocked on a full bounded queue, so that wait is short.
    fn drain_queue_and_puts(&self, deadline: Instant) -> Vec<T> {
        let mut items: Vec<T> = self.shared.items.try_iter().collect();
        while self.puts_in_flight.load(Ordering::SeqCst) > 0 && Instant::now() < deadline {
            thread::sleep(Duration::from_micros(100));
            items.extend(self.shared.items.try_iter());
        }
        items.extend(self.shared.items.try_iter());
        items
    }

    fn tell_workers_to_exit(&self) {
        for _ in 0..self.threads() {
            // The receiver lives in `self.shared`, so the channel is open.
            let _ = self.control_tx.send(());
            self.shared.wake_one();
        }
    }

    /// Joins workers as they report their exit, until all have or the deadline passes.
    fn wait_for_workers(&self, deadline: Instant) {
        while self.threads() > 0 {
            let Ok(id) = self.exited_rx.recv_deadline(deadline) else {
                break;
            };
            let handle = self
                .lock_workers()
                .iter_mut()
                .find(|w| w.id == id)
                .and_then(|w| w.handle.take());
            if let Some(handle) = handle {
                // It has sent its last message, so this join is immediate.
                let _ = handle.join();
            }
        }
    }

    fn unfinished_workers(&self) -> Vec<String> {
        self.lock_workers()
            .iter()
            .filter(|w| w.cell.alive.load(Ordering::SeqCst))
            .map(|w| w.name.clone())
            .collect()
    }
}

impl<T: WorkItem> Drop for ThreadPool<T> {
    /// Dropping the pool stops it with a 5 second deadline (cheroot's default shutdown
    /// timeout). Items still queued are dropped with the report: whoever wants them must
    /// call `stop` and take `handed_back`.
    fn drop(&mut self) {
        let report = self.stop(Duration::from_secs(5));
        if !report.unfinished.is_empty() {
            tracing::warn!(
                workers = %report.unfinished.join(", "),
                "threadpool: dropped with workers still busy after 5 s"
            );
        }
    }
}
