//! The `Store` contract, checked on `MemoryStore` and `DiskStore` alike.
mod support;

use std::sync::Arc;
use std::time::Duration;

use session::{DiskStore, MemoryStore, SessionId, Store};
use support::Scratch;

fn id() -> SessionId {
    SessionId::generate("test").expect("random generator")
}

/// Runs `check` on a memory store and on a disk store.
fn on_each_store(check: impl Fn(&dyn Store)) {
    check(&MemoryStore::new());
    let dir = Scratch::new("contract");
    let disk = DiskStore::new(dir.path()).expect("scratch directory");
    check(&disk);
}

#[test]
fn set_then_get_returns_the_same_bytes() {
    on_each_store(|store| {
        let id = id();
        store.set(&id, b"{\"a\":1}").expect("set");
        assert_eq!(store.get(&id).expect("get"), Some(b"{\"a\":1}".to_vec()));
    });
}

#[test]
fn unknown_id_is_absent_not_an_error() {
    on_each_store(|store| {
        let id = id();
        assert_eq!(store.get(&id).expect("get"), None);
        assert!(!store.contains(&id).expect("contains"));
    });
}

#[test]
fn contains_follows_set_and_delete() {
    on_each_store(|store| {
        let id = id();
        store.set(&id, b"x").expect("set");
        assert!(store.contains(&id).expect("contains"));
        store.delete(&id).expect("delete");
        assert!(!store.contains(&id).expect("contains"));
        assert_eq!(store.get(&id).expect("get"), None);
    });
}

#[test]
fn deleting_a_missing_record_is_not_an_error() {
    on_each_store(|store| {
        store.delete(&id()).expect("delete of a missing record");
    });
}

#[test]
fn set_replaces_the_whole_record() {
    on_each_store(|store| {
        let id = id();
        store.set(&id, b"a long first record").expect("set");
        store.set(&id, b"short").expect("set");
        assert_eq!(store.get(&id).expect("get"), Some(b"short".to_vec()));
    });
}

#[test]
fn records_are_kept_apart_by_id() {
    on_each_store(|store| {
        let (a, b) = (id(), id());
        store.set(&a, b"A").expect("set");
        store.set(&b, b"B").expect("set");
        assert_eq!(store.get(&a).expect("get"), Some(b"A".to_vec()));
        assert_eq!(store.get(&b).expect("get"), Some(b"B".to_vec()));
    });
}

#[test]
fn cleanup_keeps_records_younger_than_the_timeout() {
    on_each_store(|store| {
        let id = id();
        store.set(&id, b"x").expect("set");
        assert_eq!(
            store.cleanup(Duration::from_secs(3600)).expect("cleanup"),
            0
        );
        assert!(store.contains(&id).expect("contains"));
    });
}

#[test]
fn memory_cleanup_removes_records_older_than_the_timeout() {
    let (clock, time) = session::Clock::manual();
    let store = MemoryStore::with_clock(clock);
    let old = id();
    store.set(&old, b"x").expect("set");
    time.advance(Duration::from_millis(60));
    let young = id();
    store.set(&young, b"y").expect("set");
    assert_eq!(
        store.cleanup(Duration::from_millis(30)).expect("cleanup"),
        1
    );
    assert!(!store.contains(&old).expect("contains"));
    assert!(store.contains(&young).expect("contains"));
    assert_eq!(store.len(), 1);
}

/// Concurrent writers of one record: every read is one writer's whole record, never a mix
/// or a prefix (the atomic rename for `DiskStore`, the lock for `MemoryStore`).
#[test]
fn concurrent_writes_never_show_a_torn_record() {
    fn hammer(store: Arc<dyn Store>) {
        let id = id();
        let records: Vec<Vec<u8>> = (0..4u8).map(|w| vec![b'a' + w; 64 * 1024]).collect();
        store.set(&id, &records[0]).expect("set");
        std::thread::scope(|s| {
            for record in &records {
                let (store, id) = (Arc::clone(&store), id.clone());
                s.spawn(move || {
                    for _ in 0..20 {
                        store.set(&id, record).expect("set");
                    }
                });
            }
            let (store, id) = (Arc::clone(&store), id.clone());
            let records = &records;
            s.spawn(move || {
                for _ in 0..200 {
                    let seen = store.get(&id).expect("get").expect("record present");
                    assert!(
                        records.contains(&seen),
                        "torn record of {} bytes",
                        seen.len()
                    );
                }
            });
        });
    }
    hammer(Arc::new(MemoryStore::new()));
    let dir = Scratch::new("torn");
    hammer(Arc::new(
        DiskStore::new(dir.path()).expect("scratch directory"),
    ));
    // No temporary file is left behind once the writers are done.
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .expect("list")
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}
