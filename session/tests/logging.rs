//! What the session processor reports goes through `tracing`: a failed cleanup as a
//! warning, each step of `process` at `debug`, and never a whole session id.
mod support;

use std::time::Duration;

use application::{Application, Args, Target};
use session::{MemoryStore, Result, Session, SessionConfig, SessionId, Store};
use support::Jar;

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

/// `/count` adds one to the session's counter, over `store`.
fn counter_app(store: impl Store + 'static) -> Application {
    let session = Session::detached(store, (), SessionConfig::default());
    let s = session.clone();
    let mut app = Application::new([(
        "/count",
        Target::func(move |_: &Args| {
            let n = s.get::<u64>("count")?.unwrap_or(0) + 1;
            s.set("count", &n)?;
            Ok(n.to_string().into())
        }),
    )])
    .expect("valid patterns");
    session.install(&mut app);
    app
}

#[test]
fn a_failed_cleanup_is_a_warning_in_the_log_and_the_request_goes_on() {
    testkit::log::capture();
    let app = counter_app(CleanupFails(MemoryStore::new()));
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
    let app = counter_app(MemoryStore::new());
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
