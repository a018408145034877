//! The `Store` trait: where a session's record lives between requests.
//!
//! web.py's stores were dict-like (`__contains__`, `__getitem__`, `__setitem__`,
//! `__delitem__`, `cleanup`) and each pickled the session itself. Here a store keeps opaque
//! bytes under a [`SessionId`]: `Session` encodes the record (JSON, with its own last-access
//! time), so a store is a small key-value map and a networked one (Redis, memcached, a SQL
//! table) fits the same five methods without `Session` changing.
use std::sync::Arc;
use std::time::Duration;

use crate::error::Result;
use crate::id::SessionId;

pub mod disk;
pub mod memory;
#[cfg(feature = "redis")]
pub mod redis;

// ANCHOR: store_trait
/// A place to keep session records between requests.
///
/// Every method takes a [`SessionId`], so a store only ever sees ids that are well formed.
/// Methods take `&self` because one store serves all worker threads at once; an
/// implementation does its own locking. A store returns errors for its own failures (a
/// missing directory, a lost connection) and never panics on them.
///
/// The record is written whole by [`set`](Store::set): concurrent requests for one session
/// give *last writer wins per session*, never a mix of two records.
pub trait Store: Send + Sync {
    /// Whether a record exists for `id` (expired or not: `Session` checks the age).
    fn contains(&self, id: &SessionId) -> Result<bool>;
    /// The record for `id`, or `None` when there is none.
    fn get(&self, id: &SessionId) -> Result<Option<Vec<u8>>>;
    /// Stores `record` for `id`, replacing any previous one in a single step: a reader sees
    /// the old record or the new one, never part of each.
    fn set(&self, id: &SessionId, record: &[u8]) -> Result<()>;
    /// Removes the record for `id`; removing a missing record is not an error.
    fn delete(&self, id: &SessionId) -> Result<()>;
    /// Removes the records not written for longer than `timeout`; returns how many went.
    /// `Session` calls it at most once per `SessionConfig::cleanup_interval`, never on
    /// every request. A store with its own expiry (a Redis TTL) may do nothing.
    fn cleanup(&self, timeout: Duration) -> Result<usize>;
}
// ANCHOR_END: store_trait

/// A store behind a pointer is a store: `Arc<S>`, so a caller can keep a handle to the
/// store a `Session` uses, and `Box<S>`, so the store can be chosen at run time
/// (`Box<dyn Store>`). Each method forwards to the store pointed to.
macro_rules! store_behind_a_pointer {
    ($pointer:ident) => {
        impl<S: Store + ?Sized> Store for $pointer<S> {
            fn contains(&self, id: &SessionId) -> Result<bool> {
                (**self).contains(id)
            }
            fn get(&self, id: &SessionId) -> Result<Option<Vec<u8>>> {
                (**self).get(id)
            }
            fn set(&self, id: &SessionId, record: &[u8]) -> Result<()> {
                (**self).set(id, record)
            }
            fn delete(&self, id: &SessionId) -> Result<()> {
                (**self).delete(id)
            }
            fn cleanup(&self, timeout: Duration) -> Result<usize> {
                (**self).cleanup(timeout)
            }
        }
    };
}
store_behind_a_pointer!(Arc);
store_behind_a_pointer!(Box);
