//! `DiskStore`: its directory, its file names, its cleanup, and its errors.
mod support;

use std::fs;
use std::time::{Duration, SystemTime};

use session::{DiskStore, Error, SessionId, Store};
use support::Scratch;

fn id() -> SessionId {
    SessionId::generate("test").expect("random generator")
}

fn age(path: &std::path::Path, by: Duration) {
    let file = fs::File::options()
        .write(true)
        .open(path)
        .expect("open to age");
    file.set_modified(SystemTime::now() - by)
        .expect("set mtime");
}

#[test]
fn new_creates_the_directory_and_its_parents() {
    let dir = Scratch::new("create");
    let root = dir.path().join("a/b/sessions");
    let store = DiskStore::new(&root).expect("create");
    assert!(root.is_dir());
    assert_eq!(store.root(), root);
}

#[test]
fn new_accepts_an_existing_directory() {
    let dir = Scratch::new("exists");
    fs::create_dir_all(dir.path()).expect("mkdir");
    DiskStore::new(dir.path()).expect("existing directory");
}

#[test]
fn new_on_a_file_is_not_a_directory() {
    let dir = Scratch::new("file");
    fs::write(dir.path(), b"not a directory").expect("write");
    let err = DiskStore::new(dir.path()).expect_err("a file is no store");
    assert!(matches!(err, Error::NotADirectory { .. }), "{err:?}");
}

#[test]
fn new_below_a_file_cannot_create_the_directory() {
    let dir = Scratch::new("below");
    fs::write(dir.path(), b"").expect("write");
    let err = DiskStore::new(dir.path().join("sessions")).expect_err("cannot mkdir");
    assert!(matches!(err, Error::CreateDirectory { .. }), "{err:?}");
    assert!(err
        .to_string()
        .contains("cannot create the session directory"));
}

#[test]
fn the_file_name_is_the_id_and_the_content_is_the_record() {
    let dir = Scratch::new("name");
    let store = DiskStore::new(dir.path()).expect("create");
    let id = id();
    store.set(&id, b"{\"k\":true}").expect("set");
    let names: Vec<String> = fs::read_dir(dir.path())
        .expect("list")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, [id.as_str()]);
    assert_eq!(
        fs::read(dir.path().join(id.as_str())).expect("read"),
        b"{\"k\":true}"
    );
}

#[test]
fn cleanup_removes_sessions_older_than_the_timeout_and_keeps_the_rest() {
    let dir = Scratch::new("cleanup");
    let store = DiskStore::new(dir.path()).expect("create");
    let (old, young) = (id(), id());
    store.set(&old, b"old").expect("set");
    store.set(&young, b"young").expect("set");
    age(&dir.path().join(old.as_str()), Duration::from_secs(7200));
    assert_eq!(
        store.cleanup(Duration::from_secs(3600)).expect("cleanup"),
        1
    );
    assert!(!store.contains(&old).expect("contains"));
    assert!(store.contains(&young).expect("contains"));
}

#[test]
fn cleanup_removes_stale_temporary_files_and_leaves_foreign_files_alone() {
    let dir = Scratch::new("foreign");
    let store = DiskStore::new(dir.path()).expect("create");
    let temp = dir.path().join(format!(".{}.1.1.tmp", id()));
    let foreign = dir.path().join("README");
    fs::write(&temp, b"half").expect("write");
    fs::write(&foreign, b"mine").expect("write");
    age(&temp, Duration::from_secs(7200));
    age(&foreign, Duration::from_secs(7200));
    assert_eq!(
        store.cleanup(Duration::from_secs(3600)).expect("cleanup"),
        1
    );
    assert!(!temp.exists());
    assert!(foreign.exists());
}

#[test]
fn a_directory_removed_after_creation_gives_directory_missing_on_every_method() {
    let dir = Scratch::new("vanish");
    let store = DiskStore::new(dir.path()).expect("create");
    fs::remove_dir_all(dir.path()).expect("remove");
    let id = id();
    let errors = [
        store.set(&id, b"x").expect_err("set"),
        store.get(&id).expect_err("get"),
        store.contains(&id).expect_err("contains"),
        store.delete(&id).expect_err("delete"),
        store.cleanup(Duration::ZERO).expect_err("cleanup"),
    ];
    for err in errors {
        assert!(matches!(err, Error::DirectoryMissing { .. }), "{err:?}");
        assert!(err.to_string().contains("has disappeared"), "{err}");
    }
}

/// Root may write anywhere, so "unwritable" is made the way that stops every user: the
/// directory is replaced by a file.
#[test]
fn a_directory_replaced_by_a_file_gives_not_a_directory_on_every_method() {
    let dir = Scratch::new("replaced");
    let store = DiskStore::new(dir.path()).expect("create");
    let id = id();
    store.set(&id, b"x").expect("set");
    fs::remove_dir_all(dir.path()).expect("remove");
    fs::write(dir.path(), b"now a file").expect("write");
    let errors = [
        store.set(&id, b"x").expect_err("set"),
        store.get(&id).expect_err("get"),
        store.contains(&id).expect_err("contains"),
        store.delete(&id).expect_err("delete"),
        store.cleanup(Duration::ZERO).expect_err("cleanup"),
    ];
    for err in errors {
        assert!(matches!(err, Error::NotADirectory { .. }), "{err:?}");
    }
}

#[test]
fn a_session_file_that_cannot_be_read_is_an_error_naming_it() {
    let dir = Scratch::new("unreadable");
    let store = DiskStore::new(dir.path()).expect("create");
    let id = id();
    // A directory where the session file should be: reading it fails on every platform.
    fs::create_dir(dir.path().join(id.as_str())).expect("mkdir");
    let err = store.get(&id).expect_err("a directory is not a record");
    assert!(matches!(err, Error::Read { .. }), "{err:?}");
    // The message names the file for the operator, but a whole id in a log is a
    // credential: it shows the directory and the id's first eight digits only.
    let message = err.to_string();
    assert!(!message.contains(id.as_str()), "{message}");
    assert!(
        message.contains(&format!("{}…", &id.as_str()[..8])),
        "{message}"
    );
    assert!(
        message.contains(&dir.path().display().to_string()),
        "{message}"
    );
    assert!(
        !store.contains(&id).expect("contains"),
        "a directory is not a session"
    );
}

/// The file names are the session ids and the files hold the sessions: a local user who
/// could list or read them could take over every session, so only the owner may.
#[cfg(unix)]
#[test]
fn the_directory_and_session_files_are_private_to_the_owner() {
    use std::os::unix::fs::PermissionsExt;
    let dir = Scratch::new("private");
    let root = dir.path().join("sessions");
    let store = DiskStore::new(&root).expect("create");
    let mode = |p: &std::path::Path| fs::metadata(p).expect("stat").permissions().mode() & 0o777;
    assert_eq!(mode(&root), 0o700, "directory mode");
    let id = id();
    store.set(&id, b"{}").expect("set");
    assert_eq!(mode(&root.join(id.as_str())), 0o600, "session file mode");
}

/// A client that starts sessions in a loop fills the store's limit, not the disk: past
/// it, a new session is a 503 with the reason in the log, while the sessions already
/// stored go on; a session that ends makes room again.
#[test]
fn past_its_limit_the_store_refuses_new_sessions_with_a_503_and_a_log_line() {
    testkit::log::capture();
    let dir = Scratch::new("full");
    let store = DiskStore::new(dir.path())
        .expect("scratch directory")
        .with_max_sessions(2);
    assert_eq!(store.max_sessions(), 2);
    let app = support::counter_app(store.clone(), session::SessionConfig::default());
    let (mut a, mut b, mut c) = (
        support::Jar::new("webpy_session_id"),
        support::Jar::new("webpy_session_id"),
        support::Jar::new("webpy_session_id"),
    );
    assert_eq!(a.send(app.request("/count")).text(), "1");
    assert_eq!(b.send(app.request("/count")).text(), "1");
    let refused = c.send(app.request("/count"));
    assert_eq!(refused.code(), 503);
    assert_eq!(refused.header("Retry-After"), Some("5"));
    assert_eq!(c.value, None, "no cookie for a session that was not stored");
    assert_eq!(fs::read_dir(dir.path()).expect("list").count(), 2);
    let log = testkit::log::text();
    assert!(
        log.lines()
            .any(|l| l.contains("ERROR") && l.contains("holds its limit of 2 sessions")),
        "{log}"
    );
    // The stored sessions still change (a rewrite is not a new session).
    assert_eq!(a.send(app.request("/count")).text(), "2");
    // One ends: room for the next.
    let a_id = SessionId::parse(a.value.as_deref().expect("a's id")).expect("well formed");
    store.delete(&a_id).expect("delete");
    assert_eq!(c.send(app.request("/count")).text(), "1");
    // A store opened on the full directory counts what is there.
    let reopened = DiskStore::new(dir.path())
        .expect("existing directory")
        .with_max_sessions(2);
    assert!(matches!(
        reopened.set(&id(), b"{}"),
        Err(Error::Full { limit: 2, .. })
    ));
}

/// A cleanup recounts from the directory, so files removed behind the store's back (by
/// another process's cleanup, or an operator) free their room.
#[test]
fn a_cleanup_recounts_the_sessions_from_the_directory() {
    let dir = Scratch::new("recount");
    let store = DiskStore::new(dir.path())
        .expect("scratch directory")
        .with_max_sessions(1);
    let first = id();
    store.set(&first, b"{}").expect("room for one");
    assert!(matches!(store.set(&id(), b"{}"), Err(Error::Full { .. })));
    fs::remove_file(dir.path().join(first.as_str())).expect("removed behind its back");
    assert!(matches!(store.set(&id(), b"{}"), Err(Error::Full { .. })));
    store.cleanup(Duration::from_secs(3600)).expect("cleanup");
    store
        .set(&id(), b"{}")
        .expect("room again after the recount");
}
