//! `MemoryStore`: sessions in a map in this process, for tests and single-process apps.
use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, SystemTime};

use crate::clock::Clock;

use crate::error::Result;
use crate::id::SessionId;
use crate::store::Store;

/// Sessions kept in memory; they vanish when the process ends.
///
/// One `Mutex` guards the map. A request holds it only to copy a record in or out (a
/// few hundred bytes), never while a handler runs, so the lock is not worth sharding.
#[derive(Debug, Default)]
pub struct MemoryStore {
    records: Mutex<HashMap<SessionId, Entry>>,
    clock: Clock,
}

#[derive(Debug)]
struct Entry {
    record: Vec<u8>,
    written: SystemTime,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> MemoryStore {
        MemoryStore::default()
    }

    /// An empty store whose cleanup measures a record's age on `clock` (give it the
    /// session's, `SessionConfig::clock`, when a test moves time).
    pub fn with_clock(clock: Clock) -> MemoryStore {
        MemoryStore {
            records: Mutex::default(),
            clock,
        }
    }

    /// How many sessions are stored, expired ones included until a cleanup.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// Whether no session is stored.
    pub fn is_empty(&self) -> bool {
        self.lock().is_empty()
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<SessionId, Entry>> {
        // A panic while the lock is held cannot leave the map half-updated (every
        // operation is one insert, remove or clone), so a poisoned lock is safe to reuse.
        self.records
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Store for MemoryStore {
    fn contains(&self, id: &SessionId) -> Result<bool> {
        Ok(self.lock().contains_key(id))
    }

    fn get(&self, id: &SessionId) -> Result<Option<Vec<u8>>> {
        Ok(self.lock().get(id).map(|e| e.record.clone()))
    }

    fn set(&self, id: &SessionId, record: &[u8]) -> Result<()> {
        let entry = Entry {
            record: record.to_vec(),
            written: self.clock.now(),
        };
        self.lock().insert(id.clone(), entry);
        Ok(())
    }

    fn delete(&self, id: &SessionId) -> Result<()> {
        self.lock().remove(id);
        Ok(())
    }

    fn cleanup(&self, timeout: Duration) -> Result<usize> {
        let mut records = self.lock();
        let before = records.len();
        records.retain(|_, e| self.clock.since(e.written) <= timeout);
        Ok(before - records.len())
    }
}
