//! `process(handler)` through the application's in-process client: ids, cookies, saving.
mod support;

use std::sync::Arc;

use application::web::seeother;
use application::{notfound, Application, Args, Response, Target};
use serde_json::json;
use session::{Initializer, Session, SessionConfig, Store, ID_LEN};
use support::{session_cookie, CountingStore, Jar};

const NAME: &str = "webpy_session_id";

/// A small app over one session: `/count` adds one, `/peek` only reads, `/same` sets a
/// value to what it already is, `/login` regenerates the id, `/kill`, and three ways out
/// that are not a plain page: a redirect, a 404 and a panic.
fn app_with(
    store: impl Store + 'static,
    config: SessionConfig,
    init: impl Initializer,
) -> (Application, Session) {
    let session = Session::detached(store, init, config);
    let s = |f: fn(&Session, &Args) -> application::Outcome| {
        let s = session.clone();
        Target::func(move |args: &Args| f(&s, args))
    };
    let mut app = Application::new([
        (
            "/count",
            s(|s, _| {
                let n = s.get::<u64>("count")?.unwrap_or(0) + 1;
                s.set("count", &n)?;
                Ok(n.to_string().into())
            }),
        ),
        (
            "/peek",
            s(|s, _| Ok(format!("{:?}", s.get::<u64>("count")?).into())),
        ),
        (
            "/same",
            s(|s, _| {
                let n = s.get::<u64>("count")?;
                s.set("count", &n)?;
                Ok("same".into())
            }),
        ),
        ("/id", s(|s, _| Ok(s.id()?.into()))),
        (
            "/login",
            s(|s, _| {
                s.regenerate_id()?;
                s.set("user", "ada")?;
                Ok(s.id()?.into())
            }),
        ),
        (
            "/user",
            s(|s, _| Ok(format!("{:?}", s.get::<String>("user")?).into())),
        ),
        (
            "/kill",
            s(|s, _| {
                s.kill()?;
                Ok("bye".into())
            }),
        ),
        (
            "/redirect",
            s(|s, _| {
                s.set("via", "redirect")?;
                Err(seeother("/peek"))
            }),
        ),
        (
            "/missing",
            s(|s, _| {
                s.set("via", "404")?;
                Err(notfound())
            }),
        ),
        (
            "/panic",
            s(|s, _| {
                s.set("via", "panic")?;
                panic!("handler failed after changing the session")
            }),
        ),
        (
            "/via",
            s(|s, _| Ok(format!("{:?}", s.get::<String>("via")?).into())),
        ),
    ])
    .expect("valid patterns");
    session.install(&mut app);
    (app, session)
}

fn default_app() -> (Application, Session, Arc<CountingStore>) {
    let store = CountingStore::new();
    let (app, session) = app_with(Arc::clone(&store), SessionConfig::default(), ());
    (app, session, store)
}

/// One request with the jar's cookie, from 127.0.0.1 unless `ip` says otherwise.
fn get(app: &Application, jar: &mut Jar, path: &str) -> Response {
    get_from(app, jar, path, "127.0.0.1")
}

fn get_from(app: &Application, jar: &mut Jar, path: &str, ip: &str) -> Response {
    let mut request = app.request(path).env("REMOTE_ADDR", ip);
    if let Some(cookie) = jar.header() {
        request = request.header("Cookie", &cookie);
    }
    let response = request.send();
    jar.update(&response.header_all("Set-Cookie"));
    response
}

#[test]
fn a_first_request_gets_a_fresh_id_in_a_cookie_with_web_py_defaults() {
    let (app, _, _) = default_app();
    let response = app.request("/count").send();
    assert_eq!(response.text(), "1");
    let set_cookie = response.header("Set-Cookie").expect("a session cookie");
    let id = session_cookie(&[set_cookie], NAME).expect("named webpy_session_id");
    assert_eq!(id.len(), ID_LEN);
    assert!(set_cookie.contains("Path=/"), "{set_cookie}");
    assert!(set_cookie.contains("HttpOnly"), "{set_cookie}");
    assert!(!set_cookie.contains("Secure"), "{set_cookie}");
    assert!(
        !set_cookie.contains("Expires"),
        "a browser-session cookie: {set_cookie}"
    );
    assert!(!set_cookie.contains("SameSite"), "{set_cookie}");
}

#[test]
fn a_new_session_that_stores_nothing_gets_no_cookie_and_no_record() {
    let (app, _, store) = default_app();
    let response = app.request("/peek").send();
    assert_eq!(response.text(), "None");
    assert_eq!(response.header("Set-Cookie"), None);
    assert!(store.inner.is_empty());
    assert_eq!(store.sets(), 0);
}

#[test]
fn asking_for_the_id_keeps_a_new_session() {
    let (app, _, store) = default_app();
    let response = app.request("/id").send();
    let cookie = session_cookie(&response.header_all("Set-Cookie"), NAME).map(str::to_owned);
    assert_eq!(
        cookie,
        Some(response.text()),
        "the id handed out is the cookie's"
    );
    assert_eq!(store.inner.len(), 1);
}

#[test]
fn the_cookie_brings_the_same_session_back() {
    let (app, _, _) = default_app();
    let mut jar = Jar::new(NAME);
    let bodies: Vec<String> = (0..3)
        .map(|_| get(&app, &mut jar, "/count").text())
        .collect();
    assert_eq!(bodies, ["1", "2", "3"]);
    let id = jar.value.clone().expect("cookie kept");
    assert_eq!(
        get(&app, &mut jar, "/id").text(),
        id,
        "the id does not change"
    );
}

#[test]
fn every_response_refreshes_the_cookie() {
    let (app, _, _) = default_app();
    let mut jar = Jar::new(NAME);
    get(&app, &mut jar, "/count");
    let response = get(&app, &mut jar, "/peek");
    assert_eq!(
        session_cookie(&response.header_all("Set-Cookie"), NAME),
        jar.value.as_deref()
    );
}

#[test]
fn two_clients_get_two_sessions() {
    let (app, _, _) = default_app();
    let (mut a, mut b) = (Jar::new(NAME), Jar::new(NAME));
    get(&app, &mut a, "/count");
    get(&app, &mut a, "/count");
    assert_eq!(get(&app, &mut b, "/count").text(), "1");
    assert_ne!(a.value, b.value);
}

#[test]
fn a_json_initializer_fills_only_a_new_session() {
    let (app, _) = app_with(
        CountingStore::new(),
        SessionConfig::default(),
        json!({"count": 10}),
    );
    let mut jar = Jar::new(NAME);
    assert_eq!(get(&app, &mut jar, "/count").text(), "11");
    assert_eq!(get(&app, &mut jar, "/count").text(), "12", "not reset");
}

#[test]
fn a_closure_initializer_runs_once_per_new_session() {
    let runs = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counted = Arc::clone(&runs);
    let init = move |data: &mut session::Data| {
        counted.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        data.insert("count".into(), json!(100));
    };
    let (app, _) = app_with(CountingStore::new(), SessionConfig::default(), init);
    let mut jar = Jar::new(NAME);
    assert_eq!(get(&app, &mut jar, "/count").text(), "101");
    assert_eq!(get(&app, &mut jar, "/count").text(), "102");
    assert_eq!(runs.load(std::sync::atomic::Ordering::SeqCst), 1);
}

#[test]
fn a_tampered_id_gets_a_fresh_session_and_never_reaches_the_store() {
    // web.py's rule is ^[0-9a-fA-F]+$; the length is bounded here (MAX_ID_LEN).
    let (app, _, store) = default_app();
    let well_formed = "ab".repeat(32);
    for tampered in [
        "../../../../etc/passwd".to_owned(),
        format!("{well_formed}g"),
        "f".repeat(session::MAX_ID_LEN + 1),
        String::new(),
    ] {
        let gets_before = store.gets.load(std::sync::atomic::Ordering::SeqCst);
        let mut jar = Jar::new(NAME);
        jar.value = Some(tampered.clone());
        assert_eq!(get(&app, &mut jar, "/count").text(), "1", "{tampered:?}");
        assert_ne!(jar.value.as_deref(), Some(tampered.as_str()));
        let gets_after = store.gets.load(std::sync::atomic::Ordering::SeqCst);
        assert_eq!(gets_before, gets_after, "store asked about {tampered:?}");
    }
}

#[test]
fn an_unknown_well_formed_id_is_replaced_not_adopted() {
    let (app, _, _) = default_app();
    let planted = "0123456789abcdef".repeat(4);
    let mut jar = Jar::new(NAME);
    jar.value = Some(planted.clone());
    assert_eq!(get(&app, &mut jar, "/count").text(), "1");
    let given = jar.value.clone().expect("a fresh cookie");
    assert_ne!(given, planted, "a client must not choose its id (fixation)");
}

#[test]
fn an_unchanged_session_is_not_written_back() {
    let (app, _, store) = default_app();
    let mut jar = Jar::new(NAME);
    get(&app, &mut jar, "/count");
    assert_eq!(store.sets(), 1, "a new session is written");
    get(&app, &mut jar, "/peek");
    get(&app, &mut jar, "/same");
    assert_eq!(
        store.sets(),
        1,
        "reading or re-setting a value writes nothing"
    );
    get(&app, &mut jar, "/count");
    assert_eq!(store.sets(), 2, "a change is written");
}

#[test]
fn changes_are_saved_on_redirects_errors_and_panics() {
    for (path, status) in [("/redirect", 303), ("/missing", 404), ("/panic", 500)] {
        let (app, _, _) = default_app();
        let mut jar = Jar::new(NAME);
        get(&app, &mut jar, "/count");
        let response = get(&app, &mut jar, path);
        assert_eq!(response.code(), status, "{path}");
        let via = get(&app, &mut jar, "/via").text();
        assert_eq!(
            via,
            format!(
                "Some({:?})",
                path.trim_start_matches('/').replace("missing", "404")
            )
        );
    }
}

#[test]
fn a_redirect_carries_the_session_cookie() {
    let (app, _, _) = default_app();
    let response = app.request("/redirect").send();
    assert_eq!(response.code(), 303);
    assert!(session_cookie(&response.header_all("Set-Cookie"), NAME).is_some());
}

#[test]
fn kill_deletes_the_record_and_sends_an_expired_cookie() {
    let (app, _, store) = default_app();
    let mut jar = Jar::new(NAME);
    get(&app, &mut jar, "/count");
    let old = jar.value.clone().expect("cookie");
    let response = get(&app, &mut jar, "/kill");
    let set_cookie = response.header("Set-Cookie").expect("an expiring cookie");
    assert!(set_cookie.contains("Max-Age=0"), "{set_cookie}");
    assert!(set_cookie.contains("1970"), "{set_cookie}");
    assert!(store.inner.is_empty(), "the record is gone");
    // A client that ignored the expiry and sends the old id gets a new session.
    jar.value = Some(old.clone());
    assert_eq!(get(&app, &mut jar, "/count").text(), "1");
    assert_ne!(jar.value, Some(old));
}

#[test]
fn regenerate_id_keeps_the_data_under_a_new_id_and_retires_the_old_one() {
    let (app, _, store) = default_app();
    let mut jar = Jar::new(NAME);
    get(&app, &mut jar, "/count");
    let before = jar.value.clone().expect("cookie");
    let new_id = get(&app, &mut jar, "/login").text();
    assert_ne!(new_id, before);
    assert_eq!(
        jar.value.as_deref(),
        Some(new_id.as_str()),
        "the cookie carries it"
    );
    assert_eq!(get(&app, &mut jar, "/count").text(), "2", "data kept");
    assert_eq!(get(&app, &mut jar, "/user").text(), "Some(\"ada\")");
    assert_eq!(store.inner.len(), 1, "the old record was deleted");
    let mut old = Jar::new(NAME);
    old.value = Some(before);
    assert_eq!(
        get(&app, &mut old, "/count").text(),
        "1",
        "the old id is worthless"
    );
}

#[test]
fn the_session_is_unreachable_outside_a_request() {
    let (_, session, _) = default_app();
    assert!(matches!(
        session.get::<u64>("count"),
        Err(session::Error::NotInRequest)
    ));
    assert!(matches!(
        session.set("count", &1),
        Err(session::Error::NotInRequest)
    ));
    assert!(matches!(session.kill(), Err(session::Error::NotInRequest)));
}

#[test]
fn a_value_of_another_type_is_a_500_not_a_panic() {
    let session = Session::detached(
        CountingStore::new(),
        json!({"count": "ten"}),
        SessionConfig::default(),
    );
    let s = session.clone();
    let mut app = Application::new([(
        "/",
        Target::func(move |_: &Args| Ok(format!("{:?}", s.get::<u64>("count")?).into())),
    )])
    .expect("valid patterns");
    session.install(&mut app);
    assert_eq!(app.request("/").send().code(), 500);
}

#[test]
fn a_corrupt_record_is_dropped_and_replaced_by_a_fresh_session() {
    let (app, _, store) = default_app();
    let id = session::SessionId::generate("test").expect("random generator");
    store.inner.set(&id, b"\x00 not json").expect("set");
    let mut jar = Jar::new(NAME);
    jar.value = Some(id.to_string());
    assert_eq!(get(&app, &mut jar, "/count").text(), "1");
    assert_ne!(jar.value.as_deref(), Some(id.as_str()));
    assert_eq!(
        store.inner.get(&id).expect("get"),
        None,
        "the bad record is gone"
    );
}

/// `session::current()` is the session whose processor runs the handler: a handler needs
/// no handle of its own; outside a request, or in an application without a session, it
/// is `NotInRequest`.
#[test]
fn a_handler_reaches_the_requests_session_through_current() {
    assert!(matches!(
        session::current(),
        Err(session::Error::NotInRequest)
    ));
    let count = |_: &Args| {
        let n = session::current()?.update("n", |n: &mut u64| *n += 1)?;
        Ok(n.to_string().into())
    };
    let mut app = Application::new([("/", Target::func(count))]).expect("valid patterns");
    let mut bare = Application::new([("/", Target::func(count))]).expect("valid patterns");
    let session = Session::new(&mut app, session::MemoryStore::new(), ());
    let mut jar = Jar::new(NAME);
    assert_eq!(jar.send(app.request("/")).text(), "1");
    assert_eq!(
        jar.send(app.request("/")).text(),
        "2",
        "the same stored session"
    );
    assert_eq!(bare.request("/").send().code(), 500, "no session installed");
    // The handle and `current()` are one session.
    let peek = session.clone();
    bare.add_processor(move |next: application::Next<'_>| {
        let same = session::current().map(|c| c.config() == peek.config());
        application::web::header("X-Same", &format!("{same:?}"))?;
        next.run()
    });
    session.install(&mut bare);
    assert_eq!(
        bare.request("/").send().header("X-Same"),
        Some("Err(NotInRequest)")
    );
}

/// Two sessions of two cookie names on one request: `current()` is the innermost while it
/// runs, and the outer one again once the inner has finished.
#[test]
fn current_is_the_innermost_session_and_the_outer_one_after_it() {
    let config = |name: &str| SessionConfig {
        cookie_name: name.into(),
        ..SessionConfig::default()
    };
    let name = || Ok::<_, session::Error>(session::current()?.config().cookie_name.clone());
    let mut app = Application::new([("/", Target::func(move |_: &Args| Ok(name()?.into())))])
        .expect("valid patterns");
    Session::with_config(&mut app, session::MemoryStore::new(), (), config("outer"));
    app.add_processor(move |next: application::Next<'_>| {
        let outcome = next.run();
        application::web::header("X-After-Inner", &name()?)?;
        outcome
    });
    Session::with_config(&mut app, session::MemoryStore::new(), (), config("inner"));
    let r = app.request("/").send();
    assert_eq!(r.text(), "inner");
    assert_eq!(r.header("X-After-Inner"), Some("outer"));
}
