//! A session that could not be saved sends no cookie, whatever the store: the browser
//! keeps the id it had instead of one that names nothing.
mod support;

use std::time::Duration;

use application::{Application, Args, Target};
use session::{DiskStore, Error, MemoryStore, Result, Session, SessionConfig, SessionId, Store};
use support::{session_cookie, Scratch};

const NAME: &str = "webpy_session_id";

/// `/login` stores a user in a new session.
fn login_app(store: impl Store + 'static) -> Application {
    let session = Session::detached(store, (), SessionConfig::default());
    let s = session.clone();
    let mut app = Application::new([(
        "/login",
        Target::func(move |_: &Args| {
            s.set("user", "ada")?;
            Ok("welcome".into())
        }),
    )])
    .expect("valid patterns");
    session.install(&mut app);
    app
}

/// A store that reads like `MemoryStore` and fails every write with `fail()`.
struct WritesFail<F: Fn() -> Error + Send + Sync>(MemoryStore, F);

impl<F: Fn() -> Error + Send + Sync> Store for WritesFail<F> {
    fn contains(&self, id: &SessionId) -> Result<bool> {
        self.0.contains(id)
    }
    fn get(&self, id: &SessionId) -> Result<Option<Vec<u8>>> {
        self.0.get(id)
    }
    fn set(&self, _: &SessionId, _: &[u8]) -> Result<()> {
        Err((self.1)())
    }
    fn delete(&self, id: &SessionId) -> Result<()> {
        self.0.delete(id)
    }
    fn cleanup(&self, timeout: Duration) -> Result<usize> {
        self.0.cleanup(timeout)
    }
}

fn assert_no_cookie(app: &Application, code: u16) {
    let response = app.request("/login").send();
    assert_eq!(response.code(), code, "{}", response.text());
    assert_eq!(
        session_cookie(&response.header_all("Set-Cookie"), NAME),
        None,
        "no cookie for a session the store did not take"
    );
}

#[test]
fn a_disk_store_that_cannot_write_sends_a_500_and_no_cookie() {
    let dir = Scratch::new("save-failure");
    let store = DiskStore::new(dir.path()).expect("scratch directory");
    // The directory goes away (someone cleaned /tmp): every write fails.
    std::fs::remove_dir_all(dir.path()).expect("remove the store's directory");
    assert_no_cookie(&login_app(store), 500);
}

#[test]
fn a_store_that_fails_to_write_sends_a_500_and_no_cookie() {
    let store = WritesFail(MemoryStore::new(), || Error::Backend("disk full".into()));
    assert_no_cookie(&login_app(store), 500);
}

#[test]
fn an_unavailable_store_sends_a_503_and_no_cookie() {
    let store = WritesFail(MemoryStore::new(), || Error::Unavailable {
        store: "test".into(),
        operation: "save".into(),
        source: "refused".into(),
    });
    let app = login_app(store);
    assert_no_cookie(&app, 503);
    assert_eq!(
        app.request("/login").send().header("Retry-After"),
        Some("5")
    );
}

#[test]
fn a_store_that_writes_sends_the_cookie() {
    let response = login_app(MemoryStore::new()).request("/login").send();
    assert_eq!(response.code(), 200);
    assert!(session_cookie(&response.header_all("Set-Cookie"), NAME).is_some());
}
