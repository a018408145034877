//! Expiry, address changes, cleanup, and the cookie options of `SessionConfig`.
mod support;

use std::sync::Arc;
use std::time::Duration;

use application::{Application, Args, Response, Target};
use session::{Clock, ManualTime, SameSite, Session, SessionConfig, Store};
use support::{counter_app, session_cookie, CountingStore, Jar};

const NAME: &str = "webpy_session_id";

fn get_from(app: &Application, jar: &mut Jar, path: &str, ip: &str) -> Response {
    let mut request = app.request(path).env("REMOTE_ADDR", ip);
    if let Some(cookie) = jar.header() {
        request = request.header("Cookie", &cookie);
    }
    let response = request.send();
    jar.update(&response.header_all("Set-Cookie"));
    response
}

fn get(app: &Application, jar: &mut Jar, path: &str) -> Response {
    get_from(app, jar, path, "127.0.0.1")
}

const TIMEOUT: Duration = Duration::from_secs(86400);

/// A day's timeout on a clock the test moves: no test waits for time to pass.
fn manual_timeout(ignore_expiry: bool) -> (SessionConfig, ManualTime) {
    let (clock, time) = Clock::manual();
    let config = SessionConfig {
        timeout: TIMEOUT,
        ignore_expiry,
        clock,
        ..SessionConfig::default()
    };
    (config, time)
}

#[test]
fn a_session_idle_longer_than_the_timeout_is_replaced_by_a_fresh_one() {
    let store = CountingStore::new();
    let (config, time) = manual_timeout(true);
    let app = counter_app(Arc::clone(&store), config);
    let mut jar = Jar::new(NAME);
    assert_eq!(get(&app, &mut jar, "/count").text(), "1");
    // Idle for exactly the timeout: still alive (it expires only past it).
    time.advance(TIMEOUT);
    assert_eq!(
        get(&app, &mut jar, "/count").text(),
        "2",
        "alive at the timeout"
    );
    let old = jar.value.clone();
    time.advance(TIMEOUT + Duration::from_millis(1));
    assert_eq!(get(&app, &mut jar, "/count").text(), "1", "started over");
    assert_ne!(jar.value, old, "with a new id");
    assert_eq!(
        store.inner.len(),
        1,
        "the expired record was removed on sight"
    );
}

#[test]
fn a_session_in_use_does_not_expire() {
    let config = SessionConfig {
        timeout: Duration::from_secs(30),
        ..SessionConfig::default()
    };
    let app = counter_app(CountingStore::new(), config);
    let mut jar = Jar::new(NAME);
    for n in 1..=5 {
        assert_eq!(get(&app, &mut jar, "/count").text(), n.to_string());
    }
}

/// An unchanged session is not written, except once per refresh interval (a sixteenth of
/// the timeout), which keeps a session that is only read from expiring.
#[test]
fn an_unchanged_session_is_rewritten_once_per_refresh_interval() {
    let store = CountingStore::new();
    let (clock, time) = Clock::manual();
    let config = SessionConfig {
        timeout: Duration::from_secs(16),
        clock,
        ..SessionConfig::default()
    };
    let session = Session::detached(Arc::clone(&store), (), config);
    let (s1, s2) = (session.clone(), session.clone());
    let mut app = Application::new([
        (
            "/start",
            Target::func(move |_: &Args| Ok(s1.set("started", &true).map(|()| "ok".into())?)),
        ),
        (
            "/peek",
            Target::func(move |_: &Args| Ok(format!("{:?}", s2.get::<bool>("started")?).into())),
        ),
    ])
    .expect("valid patterns");
    session.install(&mut app);
    let mut jar = Jar::new(NAME);
    get(&app, &mut jar, "/start");
    assert_eq!(get(&app, &mut jar, "/peek").text(), "Some(true)");
    assert_eq!(
        store.sets(),
        1,
        "read within the refresh interval: no write"
    );
    time.advance(Duration::from_millis(999));
    assert_eq!(get(&app, &mut jar, "/peek").text(), "Some(true)");
    assert_eq!(
        store.sets(),
        1,
        "read just within the interval (1 s): no write"
    );
    time.advance(Duration::from_millis(1));
    assert_eq!(get(&app, &mut jar, "/peek").text(), "Some(true)");
    assert_eq!(
        store.sets(),
        2,
        "read after the refresh interval: rewritten"
    );
}

#[test]
fn with_ignore_expiry_off_an_expired_session_answers_the_expired_message() {
    let (config, time) = manual_timeout(false);
    let app = counter_app(CountingStore::new(), config);
    let mut jar = Jar::new(NAME);
    get(&app, &mut jar, "/count");
    time.advance(TIMEOUT + Duration::from_millis(1));
    let response = get(&app, &mut jar, "/count");
    assert_eq!(
        response.status, "200 OK",
        "web.py's SessionExpired is a 200"
    );
    assert_eq!(response.text(), "Session expired");
    let set_cookie = response
        .header("Set-Cookie")
        .expect("the cookie is deleted");
    assert!(set_cookie.contains("Max-Age=0"), "{set_cookie}");
    assert_eq!(jar.value, None);
    assert_eq!(
        get(&app, &mut jar, "/count").text(),
        "1",
        "then a new session"
    );
}

#[test]
fn with_ignore_expiry_off_an_unknown_id_is_expired_but_a_malformed_one_is_ignored() {
    let config = SessionConfig {
        ignore_expiry: false,
        expired_message: "please log in again".into(),
        ..SessionConfig::default()
    };
    let app = counter_app(CountingStore::new(), config);
    let mut unknown = Jar::new(NAME);
    unknown.value = Some("ab".repeat(32));
    assert_eq!(
        get(&app, &mut unknown, "/count").text(),
        "please log in again"
    );
    let mut malformed = Jar::new(NAME);
    malformed.value = Some("not-an-id".into());
    assert_eq!(get(&app, &mut malformed, "/count").text(), "1");
}

#[test]
fn by_default_a_session_may_move_to_another_address() {
    let app = counter_app(CountingStore::new(), SessionConfig::default());
    let mut jar = Jar::new(NAME);
    get_from(&app, &mut jar, "/count", "10.0.0.1");
    assert_eq!(get_from(&app, &mut jar, "/count", "10.0.0.2").text(), "2");
}

#[test]
fn with_ignore_change_ip_off_a_session_used_from_another_address_is_expired() {
    let store = CountingStore::new();
    let config = SessionConfig {
        ignore_change_ip: false,
        ..SessionConfig::default()
    };
    let app = counter_app(Arc::clone(&store), config);
    let mut jar = Jar::new(NAME);
    get_from(&app, &mut jar, "/count", "10.0.0.1");
    assert_eq!(get_from(&app, &mut jar, "/count", "10.0.0.1").text(), "2");
    let stolen = jar.value.clone();
    let response = get_from(&app, &mut jar, "/count", "10.0.0.2");
    assert_eq!(response.text(), "Session expired");
    assert!(
        store.inner.is_empty(),
        "the session is gone for its owner too"
    );
    let mut owner = Jar::new(NAME);
    owner.value = stolen;
    assert_eq!(get_from(&app, &mut owner, "/count", "10.0.0.1").text(), "1");
}

#[test]
fn cleanup_runs_on_the_first_request_and_then_at_most_once_per_interval() {
    let store = CountingStore::new();
    let app = counter_app(Arc::clone(&store), SessionConfig::default());
    let mut jar = Jar::new(NAME);
    for _ in 0..5 {
        get(&app, &mut jar, "/count");
    }
    assert_eq!(store.cleanups(), 1);
}

#[test]
fn cleanup_runs_again_once_the_interval_has_passed() {
    let store = CountingStore::new();
    let (clock, time) = Clock::manual();
    let config = SessionConfig {
        cleanup_interval: Duration::from_secs(3600),
        clock,
        ..SessionConfig::default()
    };
    let app = counter_app(Arc::clone(&store), config);
    let mut jar = Jar::new(NAME);
    get(&app, &mut jar, "/count");
    time.advance(Duration::from_secs(3599));
    get(&app, &mut jar, "/count");
    assert_eq!(store.cleanups(), 1, "not yet");
    time.advance(Duration::from_secs(1));
    get(&app, &mut jar, "/count");
    assert_eq!(store.cleanups(), 2);
}

#[test]
fn the_cookie_path_defaults_to_the_home_path_with_a_slash() {
    let app = counter_app(CountingStore::new(), SessionConfig::default());
    let response = app.request("/count").env("SCRIPT_NAME", "/shop").send();
    let set_cookie = response.header("Set-Cookie").expect("cookie");
    assert!(set_cookie.contains("Path=/shop/"), "{set_cookie}");
}

#[test]
fn every_cookie_option_reaches_the_set_cookie_header() {
    let config = SessionConfig {
        cookie_name: "sid".into(),
        cookie_domain: Some("example.com".into()),
        cookie_path: Some("/app".into()),
        httponly: false,
        secure: true,
        samesite: Some(SameSite::Strict),
        ..SessionConfig::default()
    };
    let app = counter_app(CountingStore::new(), config);
    let response = app.request("/count").send();
    let set_cookie = response.header("Set-Cookie").expect("cookie");
    assert!(
        session_cookie(&[set_cookie], "sid").is_some(),
        "{set_cookie}"
    );
    for part in [
        "Domain=example.com",
        "Path=/app",
        "Secure",
        "SameSite=Strict",
    ] {
        assert!(set_cookie.contains(part), "{part} in {set_cookie}");
    }
    assert!(!set_cookie.contains("HttpOnly"), "{set_cookie}");
}

#[test]
fn web_py_defaults() {
    let c = SessionConfig::default();
    assert_eq!(c.cookie_name, "webpy_session_id");
    assert_eq!(c.cookie_domain, None);
    assert_eq!(c.cookie_path, None);
    assert_eq!(c.timeout, Duration::from_secs(86400));
    assert!(c.ignore_expiry);
    assert!(c.ignore_change_ip);
    assert_eq!(c.expired_message, "Session expired");
    assert!(c.httponly);
    assert!(!c.secure);
    assert_eq!(c.samesite, None);
}

/// A store whose first cleanup panics (a bug in a custom store): that request is a 500,
/// and cleanups still run at the next interval instead of never again.
#[test]
fn a_cleanup_that_panicked_does_not_stop_later_cleanups() {
    struct PanicsOnce {
        inner: Arc<CountingStore>,
        panicked: std::sync::atomic::AtomicBool,
    }
    impl Store for PanicsOnce {
        fn contains(&self, id: &session::SessionId) -> session::Result<bool> {
            self.inner.contains(id)
        }
        fn get(&self, id: &session::SessionId) -> session::Result<Option<Vec<u8>>> {
            self.inner.get(id)
        }
        fn set(&self, id: &session::SessionId, record: &[u8]) -> session::Result<()> {
            self.inner.set(id, record)
        }
        fn delete(&self, id: &session::SessionId) -> session::Result<()> {
            self.inner.delete(id)
        }
        fn cleanup(&self, timeout: Duration) -> session::Result<usize> {
            if !self
                .panicked
                .swap(true, std::sync::atomic::Ordering::SeqCst)
            {
                panic!("a custom store's cleanup failed");
            }
            self.inner.cleanup(timeout)
        }
    }
    let counting = CountingStore::new();
    let store = PanicsOnce {
        inner: Arc::clone(&counting),
        panicked: false.into(),
    };
    let config = SessionConfig {
        cleanup_interval: Duration::ZERO,
        ..SessionConfig::default()
    };
    let app = counter_app(store, config);
    let mut jar = Jar::new(NAME);
    assert_eq!(get(&app, &mut jar, "/count").code(), 500);
    assert_eq!(get(&app, &mut jar, "/count").code(), 200);
    assert_eq!(counting.cleanups(), 1, "the cleanup after the panic ran");
}
