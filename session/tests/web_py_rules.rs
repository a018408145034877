//! The session rules a web.py port relies on: web.py's id rule (checked against web.py
//! 0.76's `_valid_session_id`), strict expiry, installation order, and the short forms
//! for typed data.
mod support;

use std::sync::Arc;

use application::{Application, Args, Response, Target};
use session::{MemoryStore, Session, SessionConfig, SessionId, Store};
use support::{CountingStore, Jar};

const NAME: &str = "webpy_session_id";

/// A web.py id: SHA-1 hex, 40 digits.
const WEB_PY_ID: &str = "673afc2bdb8fb0d82a0e7119612e06115f4ce3a5";

/// `/count` adds one to the session's counter and answers it.
fn counter_app(store: Arc<CountingStore>, config: SessionConfig) -> Application {
    let session = Session::detached(store, (), config);
    let s = session.clone();
    let mut app = Application::new([(
        "/count",
        Target::func(move |_: &Args| {
            Ok(s.update("count", |n: &mut u64| *n += 1)?.to_string().into())
        }),
    )])
    .unwrap();
    session.install(&mut app);
    app
}

fn get(app: &Application, jar: &mut Jar, path: &str) -> Response {
    jar.send(app.request(path))
}

/// Moves the record of the session in `jar` to the id `to`, as if web.py had made it.
fn move_record(store: &CountingStore, jar: &mut Jar, to: &str) {
    let from = SessionId::parse(jar.value.as_deref().unwrap_or("")).expect("a session cookie");
    let record = store.get(&from).unwrap().expect("a stored record");
    store
        .set(&SessionId::parse(to).expect("a web.py id parses"), &record)
        .unwrap();
    store.delete(&from).unwrap();
    jar.value = Some(to.to_owned());
}

#[test]
fn a_40_digit_id_from_a_web_py_deployment_keeps_its_session() {
    let store = CountingStore::new();
    let app = counter_app(Arc::clone(&store), SessionConfig::default());
    let mut jar = Jar::new(NAME);
    assert_eq!(get(&app, &mut jar, "/count").text(), "1");
    move_record(&store, &mut jar, WEB_PY_ID);
    assert_eq!(get(&app, &mut jar, "/count").text(), "2");
    assert_eq!(
        jar.value.as_deref(),
        Some(WEB_PY_ID),
        "the id is kept, not replaced"
    );
    move_record(&store, &mut jar, &WEB_PY_ID.to_uppercase());
    assert_eq!(
        get(&app, &mut jar, "/count").text(),
        "3",
        "upper case is hex too"
    );
}

#[test]
fn with_ignore_expiry_off_a_well_formed_id_not_in_the_store_is_expired() {
    // web.py's _check_expiry: an id that passes _valid_session_id and is not in the store
    // calls expired(): the expired message, and the cookie deleted. (web.py 0.76 itself
    // then failed with a KeyError in _save, a 500; the book lists it.)
    let config = SessionConfig {
        ignore_expiry: false,
        ..SessionConfig::default()
    };
    let app = counter_app(CountingStore::new(), config);
    for id in [WEB_PY_ID.to_owned(), "ABC".to_owned(), "ab".repeat(32)] {
        let r = app
            .request("/count")
            .header("Cookie", &format!("{NAME}={id}"))
            .send();
        assert_eq!(
            (r.code(), r.text().as_str()),
            (200, "Session expired"),
            "{id}"
        );
        let cookie = r.header("Set-Cookie").unwrap_or("");
        assert!(
            cookie.contains("Max-Age=0"),
            "the cookie is deleted: {cookie}"
        );
    }
}

#[test]
fn an_id_that_is_not_hex_or_too_long_never_reaches_the_store_even_in_strict_mode() {
    let store = CountingStore::new();
    let config = SessionConfig {
        ignore_expiry: false,
        ..SessionConfig::default()
    };
    let app = counter_app(Arc::clone(&store), config);
    for id in [
        "../etc/passwd".to_owned(),
        "f".repeat(session::MAX_ID_LEN + 1),
    ] {
        let mut jar = Jar::new(NAME);
        jar.value = Some(id.clone());
        assert_eq!(
            get(&app, &mut jar, "/count").text(),
            "1",
            "a fresh session for {id:?}"
        );
    }
    assert_eq!(store.gets.load(std::sync::atomic::Ordering::SeqCst), 0);
}

#[test]
fn installing_the_session_after_mounting_its_application_still_reaches_the_mounted_copy() {
    // Mounting takes a handle, as Python took a reference: web.py's `Session(app, …)`
    // after `application(("/blog", blog_app))` worked, and so does this order.
    let session = Session::detached(MemoryStore::new(), (), SessionConfig::default());
    let s = session.clone();
    let count =
        Target::func(move |_: &Args| Ok(s.update("n", |n: &mut u64| *n += 1)?.to_string().into()));
    let mut blog = Application::new([("/count", count)]).unwrap();
    let site = Application::new([("/blog", Target::app(blog.clone()))]).unwrap();
    session.install(&mut blog);
    let mut jar = Jar::new(NAME);
    assert_eq!(get(&site, &mut jar, "/blog/count").text(), "1");
    assert_eq!(get(&site, &mut jar, "/blog/count").text(), "2");
}

#[test]
fn get_or_update_and_push_are_the_short_forms_of_web_py_session_code() {
    let session = Session::detached(MemoryStore::new(), (), SessionConfig::default());
    let s = session.clone();
    let mut app = Application::new([(
        "/visit/(.*)",
        Target::func(move |a: &Args| {
            let seen: Vec<String> = s.get_or("pages", Vec::new())?;
            s.push("pages", a.get(0).unwrap_or(""))?;
            let visits = s.update("visits", |n: &mut u32| *n += 1)?;
            let theme: String = s.get_or("theme", "light".to_owned())?;
            Ok(format!("{visits} {theme} {seen:?}").into())
        }),
    )])
    .unwrap();
    session.install(&mut app);
    let mut jar = Jar::new(NAME);
    assert_eq!(get(&app, &mut jar, "/visit/a").text(), "1 light []");
    assert_eq!(get(&app, &mut jar, "/visit/b").text(), r#"2 light ["a"]"#);
    assert!(
        jar.value.is_some(),
        "the session was kept: it stored something"
    );
}

#[test]
fn push_onto_a_value_that_is_not_a_list_is_a_decode_error_not_a_panic() {
    let session = Session::detached(MemoryStore::new(), (), SessionConfig::default());
    let s = session.clone();
    let mut app = Application::new([(
        "/",
        Target::func(move |_: &Args| {
            s.set("n", &1)?;
            let pushed = s.push("n", &2);
            Ok(format!("{}", matches!(pushed, Err(session::Error::Decode { .. }))).into())
        }),
    )])
    .unwrap();
    session.install(&mut app);
    assert_eq!(app.request("/").send().text(), "true");
}
