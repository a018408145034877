//! What the session processor reports goes through `tracing`: a failed cleanup as a
//! warning, each step of `process` at `debug`, and never a whole session id.
mod support;

use std::time::Duration;

use session::{MemoryStore, Result, SessionConfig, SessionId, Store};
use support::{counter_app, Jar};

const NAME: &str = "webpy_session_id";

/// A memory store whose cleanup always fails (a disk that went away, say).
struct CleanupFails(MemoryStore);

impl Store for CleanupFails {
    fn contains(&self, id: &SessionId) -> Result<bool> {
        self.0.contains(id)
    }
    fn get(&self, id: &SessionId) -> Result<Option<Vec<u8>>> {
        self.0.get(id)
    }
    fn set(&self, id: &SessionId, record: &[u8]) -> Result<()> {
        self.0.set(id, record)
    }
    fn delete(&self, id: &SessionId) -> Result<()> {
        self.0.delete(id)
    }
    fn cleanup(&self, _timeout: Duration) -> Result<usize> {
        Err(session::Error::Backend(
            "the sessions' disk went away".into(),
        ))
    }
}

#[test]
fn a_failed_cleanup_is_a_warning_in_the_log_and_the_request_goes_on() {
    testkit::log::capture();
    let app = counter_app(CleanupFails(MemoryStore::new()), SessionConfig::default());
    let r = app.request("/count").send();
    assert_eq!((r.code(), r.text()), (200, "1".to_owned()));
    let log = testkit::log::text();
    let line = log
        .lines()
        .find(|l| l.contains("the store's cleanup failed"))
        .unwrap_or_else(|| panic!("no warning in the log:\n{log}"));
    assert!(
        line.contains("WARN") && line.contains("the sessions' disk went away"),
        "{line}"
    );
}

#[test]
fn each_step_of_process_is_in_the_log_and_the_id_only_by_its_first_digits() {
    testkit::log::capture();
    let app = counter_app(MemoryStore::new(), SessionConfig::default());
    let mut jar = Jar::new(NAME);
    for _ in 0..2 {
        let r = app
            .request("/count")
            .header("Cookie", &jar.header().unwrap_or_default())
            .send();
        jar.update(&r.header_all("Set-Cookie"));
    }
    let id = jar.value.clone().expect("the session's cookie");
    let log = testkit::log::text();
    for step in [
        "Session.process",
        "Session.clear_old_data",
        "Session.validate_and_load",
        "session loaded",
        "Session.save",
        "session saved",
        "cookie set",
    ] {
        assert!(log.contains(step), "no `{step}` in the log:\n{log}");
    }
    assert!(log.contains(&format!("SessionId({}…)", &id[..8])), "{log}");
    assert!(!log.contains(&id), "a whole session id in the log");
}
