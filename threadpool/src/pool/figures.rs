//! The pool's live figures: what a status page or a bench reads while the pool runs.

use std::sync::atomic::Ordering;

use super::ThreadPool;
use crate::worker::{WorkItem, WorkerStats};

impl<T: WorkItem> ThreadPool<T> {
    /// Worker threads alive now (busy or idle).
    pub fn threads(&self) -> usize {
        self.shared.threads.load(Ordering::SeqCst)
    }

    /// Workers waiting for an item now.
    pub fn idle(&self) -> usize {
        self.shared.idle.load(Ordering::SeqCst)
    }

    /// Items queued and not yet taken by a worker.
    pub fn queue_len(&self) -> usize {
        self.items_tx.len()
    }

    /// Items run to their end (a panicking item counts as done).
    pub fn items_done(&self) -> u64 {
        // Each worker counts its own (one shared counter written by every worker per
        // item was a cache line they all fought over); every worker ever started stays
        // in the list, so the sum is every item.
        self.lock_workers()
            .iter()
            .map(|w| w.cell.items.load(Ordering::Acquire))
            .sum()
    }

    /// Items that panicked; each was caught and its worker went on.
    pub fn panics(&self) -> u64 {
        self.shared.panics.load(Ordering::SeqCst)
    }

    /// One snapshot per worker ever started, in start order; `alive` tells which still run.
    pub fn worker_stats(&self) -> Vec<WorkerStats> {
        self.lock_workers()
            .iter()
            .map(|w| w.cell.snapshot(&w.name))
            .collect()
    }
}
